/**
 * clp.conf, EXPRESSCLUSTER X's cluster configuration, read and edited as XML (never with regexes).
 *
 * Shape (docs/expresscluster.md): a group lists its members as `<resource name="<type>@<name>"/>`; each
 * resource is an element `<resource><TYPE name="NAME">` holding `<parameters>`, `<depend name="..."/>` (this
 * resource starts after, and stops before, the named one), and recovery settings `<act><retry/><fo/></act>`.
 * Cluster-wide switches: `rm/errordetect/norecovery` (suppress recovery on monitor errors) and
 * `rc/errordetect/rscact|rscdeact/norecovery`. `webmgr/client/objectnumber` counts objects and is kept right.
 *
 * Edits touch only the elements they are about and copy the file's indentation and line endings; an edit
 * followed by its undo gives the original text back. An unedited document serializes to its original text.
 * Known limits of re-serializing an edited file (none seen in product-written files): `<a></a>` comes back as
 * `<a/>`, and character references (`&#x41;`, `&quot;` in text) come back as the characters they stand for.
 */
import { DOMParser, XMLSerializer, type Document, type Element, type Node } from "@xmldom/xmldom";

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

export interface MonitorView {
  type: string;
  name: string;
  /** `target`: the resource whose activity the monitor follows ("" = always). */
  target?: string;
  /** `relation/type` (`rsc`, `grp`, `cls`) and `relation/name`: what recovery acts on. */
  relation?: { type: string; name: string };
  /** `emergency/threshold/restart`: reactivations before a failover. */
  restart?: number;
  /** `emergency/threshold/fo2` (X 4.x and later) or `emergency/threshold/fo` (X 3.x): failovers. */
  failover?: number;
  failoverKey?: "fo" | "fo2";
}

/** Product defaults used when clp.conf omits a value (only non-default values are written). UNCONFIRMED values. */
export const RECOVERY_DEFAULTS = { actRetry: 0, actFailover: 1 } as const;

const MONITOR_NORECOVERY = ["rm", "errordetect", "norecovery"] as const;

export class ClpConfError extends Error {
  override name = "ClpConfError";
}

export class ClpConf {
  private dirty = false;
  /** Elements that were empty (`<x/>`) before an edit gave them children: emptied again on undo. */
  private readonly wasEmpty = new WeakSet<Element>();

  private constructor(
    private readonly doc: Document,
    private readonly original: string,
    /** BOM and whitespace after the root element, which the DOM does not keep. */
    private readonly bom: string,
    private readonly tail: string,
    /** One level of indentation as the file writes it ("  ", "\t"). */
    private readonly unit: string,
  ) {}

  static parse(xml: string): ClpConf {
    const bom = xml.startsWith("\uFEFF") ? "\uFEFF" : "";
    const body = xml.slice(bom.length);
    const errors: string[] = [];
    let doc: Document;
    try {
      doc = new DOMParser({
        // Keep CR LF as written: a Windows file goes back to the cluster with its own line endings.
        normalizeLineEndings: (s: string) => s,
        onError: (level, msg) => {
          if (level !== "warning") errors.push(msg);
        },
      }).parseFromString(body, "text/xml");
    } catch (e) {
      throw new ClpConfError(`not a clp.conf: ${errors[0] ?? (e instanceof Error ? e.message : String(e))}`);
    }
    const root = doc.documentElement;
    if (errors.length > 0 || !root || root.tagName !== "root") {
      throw new ClpConfError(`not a clp.conf: ${errors[0] ?? "the document element is not <root>"}`);
    }
    const tail = /\s*$/.exec(body)?.[0] ?? "";
    return new ClpConf(doc, xml, bom, tail, detectUnit(root));
  }

  toString(): string {
    if (!this.dirty) return this.original;
    const text = new XMLSerializer().serializeToString(this.doc);
    return this.bom + text.replace(/\s*$/, "") + this.tail;
  }

  private get root(): Element {
    const root = this.doc.documentElement;
    if (!root) throw new ClpConfError("clp.conf has no <root> element");
    return root;
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

  /** Every monitor resource, in file order. */
  monitors(): MonitorView[] {
    const monitor = path(this.root, ["monitor"]);
    if (!monitor) return [];
    return elementChildren(monitor)
      .filter((m) => m.tagName !== "types")
      .map((m) => {
        const view: MonitorView = { type: m.tagName, name: m.getAttribute("name") ?? "" };
        const target = text(path(m, ["target"]));
        if (target !== undefined) view.target = target;
        const relType = text(path(m, ["relation", "type"]));
        const relName = text(path(m, ["relation", "name"]));
        if (relType !== undefined || relName !== undefined)
          view.relation = { type: relType ?? "", name: relName ?? "" };
        const restart = text(path(m, ["emergency", "threshold", "restart"]));
        if (restart !== undefined) view.restart = Number(restart);
        for (const key of ["fo2", "fo"] as const) {
          const v = text(path(m, ["emergency", "threshold", key]));
          if (v !== undefined && view.failoverKey === undefined) {
            view.failover = Number(v);
            view.failoverKey = key;
          }
        }
        return view;
      });
  }

  /** `rm/errordetect/norecovery` = 1: recovery on monitor errors is suppressed. */
  monitorRecoverySuppressed(): boolean {
    return this.param(MONITOR_NORECOVERY) === "1";
  }

  /** The raw `rm/errordetect/norecovery` value; undefined when the file leaves the default. */
  monitorNoRecovery(): string | undefined {
    return this.param(MONITOR_NORECOVERY);
  }

  /** A value under a resource's element, e.g. `["parameters", "ip"]` of a floating IP resource. */
  resourceParam(ref: ResourceRef, tags: readonly string[]): string | undefined {
    const el = this.resourceElement(ref);
    return el ? text(path(el, tags)) : undefined;
  }

  /** A cluster-wide value by its path under `<root>` (e.g. `["rc","errordetect","rscact","norecovery"]`). */
  param(tags: readonly string[]): string | undefined {
    return text(path(this.root, tags));
  }

  objectNumber(): number | undefined {
    const v = this.param(["webmgr", "client", "objectnumber"]);
    return v === undefined ? undefined : Number(v);
  }

  /**
   * What `webmgr/client/objectnumber` should be: 4 + servers + servers × heartbeats + servers × network
   * partition resources + groups + group resources + monitors. The formula is NEC's community tools' (matches
   * every product-written file seen); whether the product checks the value is UNCONFIRMED.
   */
  expectedObjectNumber(): number {
    const count = (tag: string): number => {
      const el = path(this.root, [tag]);
      return el ? elementChildren(el).filter((c) => c.tagName !== "types").length : 0;
    };
    const servers = this.servers().length;
    return (
      4 +
      servers +
      servers * count("heartbeat") +
      servers * count("networkpartition") +
      this.groups().length +
      count("resource") +
      count("monitor")
    );
  }

  // ---- editing ------------------------------------------------------------------------------------

  /** Add a service resource controlling `serviceName` to `group`, depending on `depends` (Table 3-2). */
  addServiceResource(group: string, name: string, serviceName: string, depends: readonly string[]): void {
    if (this.resourceElement({ type: "service", name })) {
      throw new ClpConfError(`a service resource named "${name}" already exists`);
    }
    const g = this.group(group);
    this.dirty = true;
    const member = this.doc.createElement("resource");
    member.setAttribute("name", `service@${name}`);
    this.appendIndented(g, member);

    const resources = this.ensure(this.root, ["resource"]);
    this.ensureTypes(resources, "service");
    const el = this.doc.createElement("service");
    el.setAttribute("name", name);
    this.appendIndented(resources, el);
    setText(this.doc, this.ensure(el, ["parameters", "name"]), serviceName);
    this.setDepends({ type: "service", name }, depends);
    this.bumpObjectNumber(+1);
  }

  /** Remove a resource from its group and the resource list, with monitors that watch only it. */
  removeResource(group: string, ref: ResourceRef): void {
    const el = this.resourceElement(ref);
    if (!el) throw new ClpConfError(`no ${ref.type} resource named "${ref.name}" in clp.conf`);
    this.dirty = true;
    const key = `${ref.type}@${ref.name}`;
    for (const m of children(this.group(group), "resource")) {
      if (m.getAttribute("name") === key) this.removeWithIndent(m);
    }
    const resources = el.parentNode as Element;
    this.removeWithIndent(el);
    this.dropUnusedTypes(resources, ref.type);
    // Other resources that depended on it would fail to start: drop those edges too.
    for (const r of this.allResourceElements()) {
      for (const d of children(r, "depend"))
        if (d.getAttribute("name") === ref.name) this.removeWithIndent(d);
    }
    let removed = 1;
    const monitors = path(this.root, ["monitor"]);
    if (monitors) {
      for (const m of elementChildren(monitors)) {
        if (m.tagName === "types") continue;
        const target = text(path(m, ["target"]));
        const relType = text(path(m, ["relation", "type"]));
        const relName = text(path(m, ["relation", "name"]));
        if (target === ref.name || ((relType === undefined || relType === "rsc") && relName === ref.name)) {
          this.removeWithIndent(m);
          this.dropUnusedTypes(monitors, m.tagName);
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
    const existing = children(el, "depend");
    const current = existing.map((d) => d.getAttribute("name") ?? "");
    if (current.length === depends.length && current.every((d, i) => d === depends[i])) return;
    this.dirty = true;
    // New entries go where the old ones were, so that setting the old list back restores the text.
    const last = existing[existing.length - 1];
    const params = path(el, ["parameters"]);
    const before: Node | null = last ? last.nextSibling : params ? params.nextSibling : el.firstChild;
    const indent = this.childIndent(el);
    for (const d of existing) this.removeWithIndent(d);
    if (!el.firstChild || before === null) {
      for (const name of depends) this.appendIndented(el, this.dependElement(name));
      return;
    }
    for (const name of depends) {
      if (indent !== undefined) el.insertBefore(this.doc.createTextNode(indent), before);
      el.insertBefore(this.dependElement(name), before);
    }
  }

  /** Set `act/retry` and `act/fo` of a resource (§2.3: 0 and 0 suppress recovery on activation errors). */
  setRecovery(ref: ResourceRef, actRetry: number, actFailover: number): void {
    const el = this.resourceElement(ref);
    if (!el) throw new ClpConfError(`no ${ref.type} resource named "${ref.name}" in clp.conf`);
    this.setPath(el, ["act", "retry"], String(actRetry));
    this.setPath(el, ["act", "fo"], String(actFailover));
  }

  /** Remove explicit `act/retry`/`act/fo` (back to the product default), as before an edit that added them. */
  clearRecovery(ref: ResourceRef): void {
    this.restoreRecovery(ref, {});
  }

  /**
   * Put `act/retry` and `act/fo` back to recorded values (a ResourceView's `actRetry`/`actFailover`): a value
   * is written, an undefined one removes the element. The exact undo of setRecovery.
   */
  restoreRecovery(ref: ResourceRef, recorded: { actRetry?: number; actFailover?: number }): void {
    const el = this.resourceElement(ref);
    if (!el) return;
    this.setPath(
      el,
      ["act", "retry"],
      recorded.actRetry === undefined ? undefined : String(recorded.actRetry),
    );
    this.setPath(
      el,
      ["act", "fo"],
      recorded.actFailover === undefined ? undefined : String(recorded.actFailover),
    );
  }

  setMonitorRecoverySuppressed(on: boolean): void {
    this.setParam(MONITOR_NORECOVERY, on ? "1" : "0");
  }

  /**
   * Set a cluster-wide value by its path under `<root>`; undefined removes it, and the elements above it
   * that are left empty (exact undo of a set that created them).
   */
  setParam(tags: readonly string[], value: string | undefined): void {
    this.setPath(this.root, tags, value);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private group(name: string): Element {
    const g = children(this.root, "group").find((e) => e.getAttribute("name") === name);
    if (!g)
      throw new ClpConfError(
        `no failover group named "${name}" in clp.conf (groups: ${this.groups().join(", ")})`,
      );
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

  private dependElement(name: string): Element {
    const d = this.doc.createElement("depend");
    d.setAttribute("name", name);
    return d;
  }

  private setPath(base: Element, tags: readonly string[], value: string | undefined): void {
    const current = path(base, tags);
    if (value !== undefined) {
      if (current && text(current) === value) return;
      this.dirty = true;
      setText(this.doc, current ?? this.ensure(base, tags), value);
      return;
    }
    if (!current) return;
    this.dirty = true;
    let el: Element = current;
    let parent = el.parentNode as Element;
    this.removeWithIndent(el);
    // Prune the containers the value lived in once they hold nothing else.
    while (parent !== base && elementChildren(parent).length === 0 && !hasText(parent)) {
      el = parent;
      parent = el.parentNode as Element;
      this.removeWithIndent(el);
    }
  }

  private ensure(el: Element, tags: readonly string[]): Element {
    let cur = el;
    for (const t of tags) {
      let next = children(cur, t)[0];
      if (!next) {
        next = this.doc.createElement(t);
        this.appendIndented(cur, next);
      }
      cur = next;
    }
    return cur;
  }

  /** `<types name="service"/>` after the last `<types>` of the container (or first), once per type. */
  private ensureTypes(container: Element, type: string): void {
    const types = children(container, "types");
    if (types.some((t) => t.getAttribute("name") === type)) return;
    const el = this.doc.createElement("types");
    el.setAttribute("name", type);
    const lastTypes = types[types.length - 1];
    const anchor = lastTypes ? lastTypes.nextSibling : container.firstChild;
    const indent = this.childIndent(container);
    if (!anchor) {
      this.appendIndented(container, el);
      return;
    }
    if (lastTypes) {
      // [types][ws][next] -> [types][ws'][new][ws][next]; removal takes [ws'][new] away again.
      if (indent !== undefined) container.insertBefore(this.doc.createTextNode(indent), anchor);
      container.insertBefore(el, anchor);
    } else {
      // [ws][first] -> [ws][new][ws'][first]
      const ws = isWhitespace(anchor) ? anchor.nextSibling : anchor;
      container.insertBefore(el, ws);
      if (indent !== undefined) container.insertBefore(this.doc.createTextNode(indent), ws);
    }
  }

  private dropUnusedTypes(container: Element, type: string): void {
    if (children(container, type).length > 0) return;
    for (const t of children(container, "types"))
      if (t.getAttribute("name") === type) this.removeWithIndent(t);
  }

  /** The whitespace that precedes a child of `parent` ("\n    "), or undefined in a one-line file. */
  private childIndent(parent: Element): string | undefined {
    for (const c of elementChildren(parent)) {
      const ws = indentBefore(c);
      if (ws !== undefined) return ws;
    }
    const own = indentBefore(parent);
    return own === undefined ? undefined : own + this.unit;
  }

  /** Append as the last element child, indented as the parent's other children are. */
  private appendIndented(parent: Element, child: Element): void {
    const indent = this.childIndent(parent);
    if (indent === undefined) {
      parent.appendChild(child);
      return;
    }
    const ws = this.doc.createTextNode(indent);
    const last = parent.lastChild;
    if (last && isWhitespace(last)) {
      parent.insertBefore(ws, last);
      parent.insertBefore(child, last);
    } else if (!last) {
      parent.appendChild(ws);
      parent.appendChild(child);
      parent.appendChild(this.doc.createTextNode(indentBefore(parent) ?? ""));
      this.wasEmpty.add(parent);
    } else {
      parent.appendChild(ws);
      parent.appendChild(child);
    }
  }

  /** Remove an element and the whitespace before it, so no blank line is left behind. */
  private removeWithIndent(el: Element): void {
    const parent = el.parentNode as Element | null;
    if (!parent) return;
    const prev = el.previousSibling;
    if (prev && isWhitespace(prev)) parent.removeChild(prev);
    parent.removeChild(el);
    if (this.wasEmpty.has(parent) && elementChildren(parent).length === 0) {
      while (parent.firstChild) parent.removeChild(parent.firstChild);
      this.wasEmpty.delete(parent);
    }
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

function hasText(el: Element): boolean {
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType !== 1 && !isWhitespace(n)) return true;
  return false;
}

function setText(doc: Document, el: Element, value: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(doc.createTextNode(value));
}

function isWhitespace(n: Node): boolean {
  return n.nodeType === 3 && /^\s*$/.test(n.nodeValue ?? "");
}

/** The line break and indentation before an element, if it starts a line. */
function indentBefore(el: Element): string | undefined {
  const prev = el.previousSibling;
  return prev && isWhitespace(prev) && /[\r\n]/.test(prev.nodeValue ?? "")
    ? (prev.nodeValue ?? "")
    : undefined;
}

/** The file's indentation step: what the first child of `<root>` is indented by beyond `<root>` itself. */
function detectUnit(root: Element): string {
  const first = elementChildren(root)[0];
  const ws = first ? indentBefore(first) : undefined;
  if (ws === undefined) return "  ";
  const column = (s: string): string => s.slice(Math.max(s.lastIndexOf("\n"), s.lastIndexOf("\r")) + 1);
  const child = column(ws);
  const own = column(indentBefore(root) ?? "");
  return child.startsWith(own) && child.length > own.length ? child.slice(own.length) : "  ";
}
