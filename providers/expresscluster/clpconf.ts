/**
 * clp.conf, EXPRESSCLUSTER X's cluster configuration, read and edited as XML (never with regexes).
 *
 * Shape (docs/expresscluster.md): a group lists its members as `<resource name="<type>@<name>"/>`; each
 * resource is an element `<resource><TYPE name="NAME">` holding `<parameters>`, `<depend name="..."/>` (this
 * resource starts after, and stops before, the named one), and recovery settings `<act><retry/><fo/></act>`.
 * Cluster-wide switches: `rm/errordetect/norecovery` (suppress recovery on monitor errors) and
 * `rc/errordetect/rscact|rscdeact/norecovery`. `webmgr/client/objectnumber` counts objects and is kept right.
 *
 * Edits touch only the elements they are about; everything else round-trips byte for byte except the XML
 * declaration's trailing newline.
 */
import { DOMParser, XMLSerializer, type Document, type Element } from "@xmldom/xmldom";

export interface ResourceRef {
  type: string;
  name: string;
}

export interface ResourceView extends ResourceRef {
  /** `parameters/name`: the Windows service a service resource controls. */
  serviceName?: string;
  /** Names of the resources this one depends on (`<depend name>`), in file order. */
  depends: string[];
  /** `act/retry`, `act/fo`; undefined when the file leaves the product default. */
  actRetry?: number;
  actFailover?: number;
}

/** Product defaults used when clp.conf omits a value (only non-default values are written). UNCONFIRMED values. */
export const RECOVERY_DEFAULTS = { actRetry: 0, actFailover: 1 } as const;

export class ClpConfError extends Error {
  override name = "ClpConfError";
}

export class ClpConf {
  private constructor(
    private readonly doc: Document,
    private readonly trailingNewline: boolean,
  ) {}

  static parse(xml: string): ClpConf {
    const errors: string[] = [];
    const doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== "warning") errors.push(msg);
      },
    }).parseFromString(xml, "text/xml");
    const root = doc.documentElement;
    if (errors.length > 0 || !root || root.tagName !== "root") {
      throw new ClpConfError(`not a clp.conf: ${errors[0] ?? "the document element is not <root>"}`);
    }
    return new ClpConf(doc, xml.endsWith("\n"));
  }

  toString(): string {
    const text = new XMLSerializer().serializeToString(this.doc);
    return this.trailingNewline && !text.endsWith("\n") ? `${text}\n` : text;
  }

  private get root(): Element {
    return this.doc.documentElement!;
  }

  // ---- reading ------------------------------------------------------------------------------------

  groups(): string[] {
    return children(this.root, "group").map((g) => g.getAttribute("name") ?? "");
  }

  servers(): string[] {
    return children(this.root, "server").map((s) => s.getAttribute("name") ?? "");
  }

  /** The members of a group as `type@name` references, in file order. */
  groupResources(group: string): ResourceRef[] {
    return children(this.group(group), "resource").map((r) => parseRef(r.getAttribute("name") ?? ""));
  }

  resource(ref: ResourceRef): ResourceView {
    const el = this.resourceElement(ref);
    if (!el) throw new ClpConfError(`no ${ref.type} resource named "${ref.name}" in clp.conf`);
    const view: ResourceView = {
      type: ref.type,
      name: ref.name,
      depends: children(el, "depend").map((d) => d.getAttribute("name") ?? ""),
    };
    const serviceName = text(path(el, ["parameters", "name"]));
    if (serviceName !== undefined) view.serviceName = serviceName;
    const retry = text(path(el, ["act", "retry"]));
    const fo = text(path(el, ["act", "fo"]));
    if (retry !== undefined) view.actRetry = Number(retry);
    if (fo !== undefined) view.actFailover = Number(fo);
    return view;
  }

  /** Every member of the group with its details. */
  groupResourceViews(group: string): ResourceView[] {
    return this.groupResources(group).map((r) => this.resource(r));
  }

  /** The service resource of `group` that controls Windows service `serviceName`, if any. */
  findServiceResource(group: string, serviceName: string): ResourceView | undefined {
    return this.groupResourceViews(group).find(
      (r) => r.type === "service" && r.serviceName?.toLowerCase() === serviceName.toLowerCase(),
    );
  }

  /** The first member of the group of one of the given types (e.g. the disk: `sd` or `md`). */
  findByType(group: string, ...types: string[]): ResourceRef | undefined {
    return this.groupResources(group).find((r) => types.includes(r.type));
  }

  /** `rm/errordetect/norecovery` = 1: recovery on monitor errors is suppressed. */
  monitorRecoverySuppressed(): boolean {
    return text(path(this.root, ["rm", "errordetect", "norecovery"])) === "1";
  }

  objectNumber(): number | undefined {
    const v = text(path(this.root, ["webmgr", "client", "objectnumber"]));
    return v === undefined ? undefined : Number(v);
  }

  // ---- editing ------------------------------------------------------------------------------------

  /** Add a service resource controlling `serviceName` to `group`, depending on `depends` (Table 3-2). */
  addServiceResource(group: string, name: string, serviceName: string, depends: readonly string[]): void {
    if (this.resourceElement({ type: "service", name })) {
      throw new ClpConfError(`a service resource named "${name}" already exists`);
    }
    const g = this.group(group);
    const member = this.doc.createElement("resource");
    member.setAttribute("name", `service@${name}`);
    appendIndented(g, member);

    const resources = ensure(this.doc, this.root, ["resource"]);
    if (!children(resources, "types").some((t) => t.getAttribute("name") === "service")) {
      const types = this.doc.createElement("types");
      types.setAttribute("name", "service");
      const firstNonTypes = Array.from(elementChildren(resources)).find((c) => c.tagName !== "types");
      if (firstNonTypes) resources.insertBefore(types, firstNonTypes);
      else appendIndented(resources, types);
    }
    const el = this.doc.createElement("service");
    el.setAttribute("name", name);
    const params = this.doc.createElement("parameters");
    const n = this.doc.createElement("name");
    n.appendChild(this.doc.createTextNode(serviceName));
    params.appendChild(n);
    el.appendChild(params);
    appendIndented(resources, el);
    this.setDepends({ type: "service", name }, depends);
    this.bumpObjectNumber(+1);
  }

  /** Remove a resource from its group and the resource list, with monitors that watch only it. */
  removeResource(group: string, ref: ResourceRef): void {
    const el = this.resourceElement(ref);
    if (!el) throw new ClpConfError(`no ${ref.type} resource named "${ref.name}" in clp.conf`);
    const key = `${ref.type}@${ref.name}`;
    for (const m of children(this.group(group), "resource")) {
      if (m.getAttribute("name") === key) removeWithIndent(m);
    }
    removeWithIndent(el);
    // Other resources that depended on it would fail to start: drop those edges too.
    for (const r of this.allResourceElements()) {
      for (const d of children(r, "depend")) if (d.getAttribute("name") === ref.name) removeWithIndent(d);
    }
    let removed = 1;
    const monitors = path(this.root, ["monitor"]);
    if (monitors) {
      for (const m of elementChildren(monitors)) {
        if (m.tagName === "types") continue;
        const target = text(path(m, ["target"]));
        const relName = text(path(m, ["relation", "name"]));
        if (target === ref.name || relName === ref.name) {
          removeWithIndent(m);
          removed++;
        }
      }
    }
    this.bumpObjectNumber(-removed);
  }

  /** Replace the `<depend>` entries of a resource (placed after its `<parameters>`, in the given order). */
  setDepends(ref: ResourceRef, depends: readonly string[]): void {
    const el = this.resourceElement(ref);
    if (!el) throw new ClpConfError(`no ${ref.type} resource named "${ref.name}" in clp.conf`);
    for (const d of children(el, "depend")) removeWithIndent(d);
    let before = path(el, ["parameters"])?.nextSibling ?? el.firstChild;
    for (const name of depends) {
      const d = this.doc.createElement("depend");
      d.setAttribute("name", name);
      el.insertBefore(d, before);
      before = d.nextSibling;
    }
  }

  /** Set `act/retry` and `act/fo` of a resource (§2.3: 0 and 0 suppress recovery on activation errors). */
  setRecovery(ref: ResourceRef, actRetry: number, actFailover: number): void {
    const el = this.resourceElement(ref);
    if (!el) throw new ClpConfError(`no ${ref.type} resource named "${ref.name}" in clp.conf`);
    setText(this.doc, ensure(this.doc, el, ["act", "retry"]), String(actRetry));
    setText(this.doc, ensure(this.doc, el, ["act", "fo"]), String(actFailover));
  }

  /** Remove explicit `act/retry`/`act/fo` (back to the product default), as before an edit that added them. */
  clearRecovery(ref: ResourceRef): void {
    const el = this.resourceElement(ref);
    if (!el) return;
    const act = path(el, ["act"]);
    if (!act) return;
    for (const tag of ["retry", "fo"]) for (const c of children(act, tag)) removeWithIndent(c);
    if (elementChildren(act).length === 0) removeWithIndent(act);
  }

  setMonitorRecoverySuppressed(on: boolean): void {
    setText(this.doc, ensure(this.doc, this.root, ["rm", "errordetect", "norecovery"]), on ? "1" : "0");
  }

  // ---- internals ----------------------------------------------------------------------------------

  private group(name: string): Element {
    const g = children(this.root, "group").find((e) => e.getAttribute("name") === name);
    if (!g) throw new ClpConfError(`no failover group named "${name}" in clp.conf (groups: ${this.groups().join(", ")})`);
    return g;
  }

  private resourceElement(ref: ResourceRef): Element | undefined {
    const resources = path(this.root, ["resource"]);
    if (!resources) return undefined;
    return children(resources, ref.type).find((e) => e.getAttribute("name") === ref.name);
  }

  private allResourceElements(): Element[] {
    const resources = path(this.root, ["resource"]);
    return resources ? elementChildren(resources).filter((e) => e.tagName !== "types") : [];
  }

  private bumpObjectNumber(delta: number): void {
    const el = path(this.root, ["webmgr", "client", "objectnumber"]);
    if (!el) return;
    setText(this.doc, el, String(Number(text(el) ?? "0") + delta));
  }
}

export function parseRef(member: string): ResourceRef {
  const at = member.indexOf("@");
  if (at <= 0) throw new ClpConfError(`group member "${member}" is not of the form <type>@<name>`);
  return { type: member.slice(0, at), name: member.slice(at + 1) };
}

// ---- small DOM helpers ------------------------------------------------------------------------------

function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

function children(el: Element, tag: string): Element[] {
  return elementChildren(el).filter((c) => c.tagName === tag);
}

function path(el: Element, tags: readonly string[]): Element | undefined {
  let cur: Element | undefined = el;
  for (const t of tags) {
    cur = cur && children(cur, t)[0];
    if (!cur) return undefined;
  }
  return cur;
}

function text(el: Element | undefined): string | undefined {
  return el ? (el.textContent ?? "") : undefined;
}

function ensure(doc: Document, el: Element, tags: readonly string[]): Element {
  let cur = el;
  for (const t of tags) {
    let next = children(cur, t)[0];
    if (!next) {
      next = doc.createElement(t);
      appendIndented(cur, next);
    }
    cur = next;
  }
  return cur;
}

function setText(doc: Document, el: Element, value: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(doc.createTextNode(value));
}

/** Append as the last element child, copying the indentation the parent already uses (if any). */
function appendIndented(parent: Element, child: Element): void {
  const last = parent.lastChild;
  if (last && last.nodeType === 3 && /^\s*\n\s*$/.test(last.nodeValue ?? "")) {
    const closingIndent = last.nodeValue!;
    const prevText = last.previousSibling?.previousSibling;
    const childIndent =
      prevText && prevText.nodeType === 3 && /\n/.test(prevText.nodeValue ?? "") ? prevText.nodeValue! : closingIndent + "  ";
    parent.insertBefore(parent.ownerDocument!.createTextNode(childIndent), last);
    parent.insertBefore(child, last);
    return;
  }
  parent.appendChild(child);
}

/** Remove an element and the whitespace-only text node before it, so no blank line is left behind. */
function removeWithIndent(el: Element): void {
  const parent = el.parentNode;
  if (!parent) return;
  const prev = el.previousSibling;
  if (prev && prev.nodeType === 3 && /^\s*$/.test(prev.nodeValue ?? "")) parent.removeChild(prev);
  parent.removeChild(el);
}
