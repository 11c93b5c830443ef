/**
 * Table 3-2 (§3.4.2 step 3) applied to a failover group read from clp.conf: which resource must depend on
 * which, the diff of the live clp.conf against that (drift), and the edit that makes it so.
 *
 * A resource's role comes from its type (`script`, `fip`, `sd`/`md` = the disk) or, for a service resource,
 * from the Windows service it controls (`parameters/name`), matched against MANAGER_SERVICES by key name or
 * display name (`{n}` = any service number). UNCONFIRMED: which of the two EXPRESSCLUSTER stores when the
 * service is picked in Cluster WebUI; both are recognised.
 *
 * The table asks to "uncheck Follow the default dependence and add the dependent resources", i.e. explicit
 * `<depend>` entries. UNCONFIRMED: how clp.conf marks "default dependency off" when it is not implied by
 * the presence of `<depend>` entries (see docs/expresscluster.md).
 */
import type { DbMode, ServiceSpec } from "../catalogue/versions";
import {
  SERVICE_ROLES,
  TABLE_3_2,
  serviceSpecOf,
  type Role,
  type ServiceRole,
} from "../catalogue/dependencies";

export { SERVICE_ROLES, TABLE_3_2, serviceSpecOf, type Role, type ServiceRole };
import type { ClpConf, ResourceView } from "./clpconf";

/** Resource types that are "Disk resource (or Mirror disk resource)" on Windows. */
export const DISK_TYPES: readonly string[] = ["sd", "md"];

export interface Table32Options {
  db: DbMode;
  /**
   * Whether the §3.4 services (NvPRO Performance Database, Topology Adapter, Performance Manager) are part of
   * the group: true from the §3.4.2 edit on (and on sources after 8.0); false for an 8.0-or-older group
   * before it, whose Base Manager then has no Performance Database to depend on.
   */
  adapterServices: boolean;
  /** The script resource of Table 3-2 when the group has more than one. */
  scriptResource?: string;
}

export interface ResourceDependencies {
  name: string;
  type: string;
  role: Role;
  /** Resource names this resource must depend on: in Table 3-2 order, then clp.conf order. */
  depends: string[];
}

export interface Unresolved {
  /** The resource whose dependency cannot be named. */
  resource: string;
  /** The role Table 3-2 requires and that no resource of the group plays. */
  needs: Role;
}

export interface DependencyPlan {
  resources: ResourceDependencies[];
  unresolved: Unresolved[];
}

const ADAPTER_ROLES: ReadonlySet<Role> = new Set<Role>(["perfDb", "topologyAdapter", "perfManager"]);

function roleApplies(role: Role, options: Table32Options): boolean {
  if (ADAPTER_ROLES.has(role) && !options.adapterServices) return false;
  if (role === "fip" || role === "disk" || role === "script") return true;
  return !(serviceSpecOf(role).internalDbOnly && options.db === "sqlserver");
}

/** Does a service name (key or display name, any service number) belong to the spec? Case-insensitive. */
export function matchesServiceName(spec: ServiceSpec, value: string): boolean {
  return [spec.name, spec.displayName].some((pattern) => matchesPattern(pattern, value));
}

function matchesPattern(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.trim().toLowerCase();
  const [before = "", after] = p.split("{n}");
  if (after === undefined) return v === p;
  if (!v.startsWith(before) || !v.endsWith(after) || v.length <= before.length + after.length) return false;
  return /^\d+$/.test(v.slice(before.length, v.length - after.length));
}

/** The Table 3-2 role of a group resource, if it has one. */
export function roleOf(
  r: ResourceView,
  options: Table32Options,
  scripts: readonly ResourceView[],
): Role | undefined {
  let role: Role | undefined;
  if (r.type === "fip") role = "fip";
  else if (DISK_TYPES.includes(r.type)) role = "disk";
  else if (r.type === "script") {
    if (options.scriptResource !== undefined ? r.name === options.scriptResource : scripts.length === 1)
      role = "script";
  } else if (r.type === "service" && r.serviceName !== undefined) {
    const name = r.serviceName;
    role = SERVICE_ROLES.find((sr) => matchesServiceName(serviceSpecOf(sr), name));
  }
  return role !== undefined && roleApplies(role, options) ? role : undefined;
}

/** What Table 3-2 requires of every resource of the group that has a role in it. */
export function requiredDependencies(
  resources: readonly ResourceView[],
  options: Table32Options,
): DependencyPlan {
  const scripts = resources.filter((r) => r.type === "script");
  if (options.scriptResource === undefined && scripts.length > 1) {
    throw new Error(
      `the group has ${scripts.length} script resources (${scripts.map((s) => s.name).join(", ")}); name the one of Table 3-2`,
    );
  }
  if (options.scriptResource !== undefined && !scripts.some((s) => s.name === options.scriptResource)) {
    throw new Error(`the group has no script resource named "${options.scriptResource}"`);
  }
  const roles = resources.map((r) => ({ r, role: roleOf(r, options, scripts) }));
  const byRole = (role: Role): string[] => roles.filter((x) => x.role === role).map((x) => x.r.name);

  const plan: DependencyPlan = { resources: [], unresolved: [] };
  for (const { r, role } of roles) {
    if (role === undefined || role === "fip" || role === "disk") continue;
    const depends: string[] = [];
    for (const needed of TABLE_3_2[role]) {
      if (!roleApplies(needed, options)) continue;
      const names = byRole(needed);
      if (names.length === 0) plan.unresolved.push({ resource: r.name, needs: needed });
      depends.push(...names);
    }
    plan.resources.push({ name: r.name, type: r.type, role, depends });
  }
  return plan;
}

export interface DependencyDrift {
  name: string;
  type: string;
  role: Role;
  /** Required by Table 3-2 and absent from clp.conf. */
  missing: string[];
  /** In clp.conf and not required by Table 3-2. */
  extra: string[];
}

export interface DriftReport {
  /** Only resources whose dependencies differ. */
  drift: DependencyDrift[];
  unresolved: Unresolved[];
}

/** Compare the group's `<depend>` entries with Table 3-2 (for refresh: what changed behind our back). */
export function dependencyDrift(resources: readonly ResourceView[], options: Table32Options): DriftReport {
  const plan = requiredDependencies(resources, options);
  const drift: DependencyDrift[] = [];
  for (const want of plan.resources) {
    const have = resources.find((r) => r.name === want.name && r.type === want.type)?.depends ?? [];
    const missing = want.depends.filter((d) => !have.includes(d));
    const extra = have.filter((d) => !want.depends.includes(d));
    if (missing.length > 0 || extra.length > 0)
      drift.push({ name: want.name, type: want.type, role: want.role, missing, extra });
  }
  return { drift, unresolved: plan.unresolved };
}

export interface DependencyChange {
  type: string;
  name: string;
  before: string[];
  after: string[];
}

/**
 * Set every Table 3-2 resource's `<depend>` entries (only those that differ as sets are rewritten, so the
 * rest of clp.conf stays byte for byte). Returns the changes; `setDepends(ref, before)` of each undoes it.
 */
export function applyTable32(conf: ClpConf, group: string, options: Table32Options): DependencyChange[] {
  const views = conf.groupResourceViews(group);
  const report = dependencyDrift(views, options);
  if (report.unresolved.length > 0) {
    throw new Error(
      `Table 3-2 cannot be satisfied in group ${group}: ${report.unresolved.map((u) => `${u.resource} needs a ${u.needs} resource`).join("; ")}`,
    );
  }
  const plan = requiredDependencies(views, options);
  const changes: DependencyChange[] = [];
  for (const d of report.drift) {
    const before = views.find((v) => v.name === d.name && v.type === d.type)?.depends ?? [];
    const after = plan.resources.find((p) => p.name === d.name && p.type === d.type)?.depends ?? [];
    conf.setDepends({ type: d.type, name: d.name }, after);
    changes.push({ type: d.type, name: d.name, before, after });
  }
  return changes;
}

export interface ServiceResourcePlan {
  role: ServiceRole;
  /** The Windows service key name (catalogue). */
  serviceName: string;
  displayName: string;
  /** The group resource to create. */
  resourceName: string;
  /**
   * What to write into the resource's `parameters/name`: the display name, the name the guide uses for
   * these services (§3.4.1 step 4, §3.4.2 step 1). UNCONFIRMED that EXPRESSCLUSTER accepts the display name
   * here as it does in Cluster WebUI's service list; switch to `serviceName` if a test cluster refuses it.
   */
  parameterName: string;
}

/** A group resource name for a service (`service-<key name>`; 31 characters at most, UNCONFIRMED limit). */
export function serviceResourceName(serviceKey: string): string {
  const name = `service-${serviceKey}`;
  if (name.length > 31) throw new Error(`resource name "${name}" is longer than 31 characters`);
  return name;
}

/** The §3.4 services (Table 3-2) that have no service resource in the group yet. */
export function missingAdapterResources(resources: readonly ResourceView[]): ServiceResourcePlan[] {
  const adapterRoles: ServiceRole[] = ["perfDb", "topologyAdapter", "perfManager"];
  return adapterRoles
    .filter(
      (role) =>
        !resources.some(
          (r) =>
            r.type === "service" &&
            r.serviceName !== undefined &&
            matchesServiceName(serviceSpecOf(role), r.serviceName),
        ),
    )
    .map((role) => {
      const spec = serviceSpecOf(role);
      return {
        role,
        serviceName: spec.name,
        displayName: spec.displayName,
        resourceName: serviceResourceName(spec.name),
        parameterName: spec.displayName,
      };
    });
}
