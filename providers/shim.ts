/**
 * The serialized part of every dynamic provider (DESIGN §8).
 *
 * Pulumi stores a dynamic provider's code in the state and runs that stored code for `delete` (destroy) and
 * `read` (refresh). If the real implementation were serialized, a failback months later would run the code
 * of the day the update started, bugs included, and the state would fill with closures. So what is stored is
 * this shim: a few lines that load the implementation from the project's installed package at call time, by
 * package name, from the project folder (the provider process's working directory). `kind` is the only
 * captured value.
 *
 * `require("pulumi-netmgr/runtime")` alone would not resolve: the stored code runs without a file name, so
 * Node cannot find the package's own scope from it. `createRequire(<project>/package.json)` gives it one; it
 * resolves through the package's `exports` (self-reference) in this repository, or through node_modules in
 * a project that installs pulumi-netmgr as a dependency.
 *
 * Provider settings and secrets arrive through `configure` (stack config), never as captured values.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The compiled runtime's surface (providers/runtime.ts); kept structural so the shim imports nothing. */
interface Runtime {
  configure(get: (key: string) => string | undefined): void;
  check(kind: string, olds: unknown, news: unknown): Promise<pulumi.dynamic.CheckResult>;
  diff(kind: string, id: string, olds: unknown, news: unknown): Promise<pulumi.dynamic.DiffResult>;
  create(kind: string, inputs: unknown): Promise<pulumi.dynamic.CreateResult>;
  read(kind: string, id: string, props: unknown): Promise<pulumi.dynamic.ReadResult>;
  update(kind: string, id: string, olds: unknown, news: unknown): Promise<pulumi.dynamic.UpdateResult>;
  delete(kind: string, id: string, props: unknown): Promise<void>;
}

export function shimProvider(kind: string): pulumi.dynamic.ResourceProvider {
  const runtime = (): Runtime =>
    require("module").createRequire(require("path").join(process.cwd(), "package.json"))(
      "pulumi-netmgr/runtime",
    );
  return {
    configure: async (req) => runtime().configure((key: string) => req.config.get(key)),
    check: async (olds, news) => runtime().check(kind, olds, news),
    diff: async (id, olds, news) => runtime().diff(kind, id, olds, news),
    create: async (inputs) => runtime().create(kind, inputs),
    read: async (id, props) => runtime().read(kind, id, props),
    update: async (id, olds, news) => runtime().update(kind, id, olds, news),
    delete: async (id, props) => runtime().delete(kind, id, props),
  };
}
