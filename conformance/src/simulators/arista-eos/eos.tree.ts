/**
 * The running-config model of the EOS simulator: a tree of command lines, rendered the way EOS prints
 * `show running-config` (three spaces of indentation per level, `!` between sections, fixed section order).
 *
 * Lines are stored in their canonical spelling (what EOS prints), so rendering is a sorted walk and two configs
 * compare line by line. The tree itself keeps insertion order; {@link renderConfig} sorts siblings.
 *
 * @packageDocumentation
 */

/** One configuration line and the lines of the mode it opens. */
export interface EosNode {
  /** The line as EOS prints it, without indentation. Empty for the root. */
  line: string;
  /** The lines typed in the mode this line opens (empty for a plain line). */
  children: EosNode[];
}

/** Creates a node. */
export function eosNode(line: string, children: EosNode[] = []): EosNode {
  return { line, children };
}

/** A deep copy. */
export function cloneNode(node: EosNode): EosNode {
  return { line: node.line, children: node.children.map(cloneNode) };
}

/** The child whose line is exactly `line`, if any. */
export function childOf(node: EosNode, line: string): EosNode | undefined {
  return node.children.find((c) => c.line === line);
}

/** The child whose line is `line`, created (appended) when missing. */
export function ensureChild(node: EosNode, line: string): EosNode {
  const found = childOf(node, line);
  if (found !== undefined) return found;
  const created = eosNode(line);
  node.children.push(created);
  return created;
}

/** Removes every child for which `match` is true; returns how many were removed. */
export function removeChildren(node: EosNode, match: (child: EosNode) => boolean): number {
  const before = node.children.length;
  node.children = node.children.filter((c) => !match(c));
  return before - node.children.length;
}

/** Replaces the children matching `match` by one child `line` (appended when none matched). */
export function setUnique(node: EosNode, match: (child: EosNode) => boolean, line: string): void {
  node.children = [...node.children.filter((c) => !match(c)), eosNode(line)];
}

const INTERFACE_TYPES = ['Ethernet', 'Loopback', 'Management', 'Port-Channel', 'Vlan', 'Vxlan'];

/** Sort key of an interface name: type rank, then its numbers (`Ethernet2/10` after `Ethernet2/9`). */
export function interfaceSortKey(name: string): (number | string)[] {
  const m = /^([A-Za-z-]+)(.*)$/.exec(name);
  const type = m?.[1] ?? name;
  const rank = INTERFACE_TYPES.indexOf(type);
  const nums = (m?.[2] ?? '').split(/[/.]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return [rank < 0 ? INTERFACE_TYPES.length : rank, type, ...nums];
}

type Key = (number | string)[];

function topLevelKey(line: string): Key {
  let m: RegExpExecArray | null;
  if (line.startsWith('hostname ')) return [0];
  if (line.startsWith('spanning-tree ')) return [1, line];
  if ((m = /^vlan (\d+)$/.exec(line))) return [2, Number(m[1])];
  if ((m = /^vrf instance (\S+)$/.exec(line))) return [3, m[1]!];
  if ((m = /^interface (\S+)$/.exec(line))) return [4, ...interfaceSortKey(m[1]!)];
  if (line.startsWith('ip virtual-router ')) return [5, line];
  if (line === 'ip routing' || line === 'no ip routing') return [6, 0];
  if ((m = /^ip routing vrf (\S+)$/.exec(line))) return [6, 1, m[1]!];
  if (line.startsWith('router bgp ')) return [8];
  if (line.startsWith('management ')) return [9, line];
  return [7];
}

function interfaceChildKey(line: string): Key {
  let m: RegExpExecArray | null;
  if (line.startsWith('description ')) return [0];
  if (line.startsWith('switchport access ')) return [2];
  if (line.startsWith('switchport trunk native ')) return [3];
  if (line.startsWith('switchport trunk allowed ')) return [4];
  if (line.startsWith('switchport mode ')) return [5];
  if ((m = /^switchport vlan translation (\d+) /.exec(line))) return [6, Number(m[1])];
  if (line.startsWith('vrf ')) return [7];
  if (line.startsWith('ip address ')) return [8, line.endsWith(' secondary') ? 1 : 0];
  if (line.startsWith('ipv6 address ')) return [9, line];
  if (line.startsWith('vxlan source-interface ')) return [10];
  if (line.startsWith('vxlan udp-port ')) return [11];
  if ((m = /^vxlan vlan (\d+) flood vtep /.exec(line))) return [12, Number(m[1]), 1];
  if ((m = /^vxlan vlan (\d+) /.exec(line))) return [12, Number(m[1]), 0];
  if ((m = /^vxlan vrf (\S+) /.exec(line))) return [13, m[1]!];
  return [20];
}

function bgpChildKey(line: string): Key {
  let m: RegExpExecArray | null;
  if (line.startsWith('router-id ')) return [0];
  if (line.startsWith('no bgp ')) return [1, line];
  if (line.startsWith('maximum-paths ')) return [2];
  if (line.startsWith('neighbor ')) return [3];
  if ((m = /^vlan (\d+)$/.exec(line))) return [5, Number(m[1])];
  if (line.startsWith('address-family ')) return [6, line];
  if ((m = /^vrf (\S+)$/.exec(line))) return [7, m[1]!];
  return [4];
}

function bgpSectionChildKey(line: string): Key {
  if (line.startsWith('rd ')) return [0];
  if (line.startsWith('route-target both ')) return [1, 0, line];
  if (line.startsWith('route-target import ')) return [1, 1, line];
  if (line.startsWith('route-target export ')) return [1, 2, line];
  if (line.startsWith('redistribute ')) return [3, line];
  if (line.startsWith('neighbor ')) return [4];
  return [2];
}

function keyOf(path: readonly string[], line: string): Key {
  const parent = path[path.length - 1];
  if (parent === undefined) return topLevelKey(line);
  if (path.length === 1 && parent.startsWith('interface ')) return interfaceChildKey(line);
  if (path.length === 1 && parent.startsWith('router bgp ')) return bgpChildKey(line);
  if (path.length === 2 && path[0]!.startsWith('router bgp ')) return bgpSectionChildKey(line);
  if (path.length === 1 && parent.startsWith('vlan ')) return line.startsWith('name ') ? [0] : [1];
  return [0];
}

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** The children of a node in the order EOS prints them (stable for lines of equal rank). */
export function sortedChildren(node: EosNode, path: readonly string[]): EosNode[] {
  return node.children
    .map((c, i) => ({ c, i, k: keyOf(path, c.line) }))
    .sort((a, b) => compareKeys(a.k, b.k) || a.i - b.i)
    .map((e) => e.c);
}

const INDENT = '   ';

/** Top-level line kinds EOS prints without `!` between consecutive plain lines (`ip routing`, `ip routing vrf a`). */
const GROUPED_RANKS = new Set<number | string | undefined>([1, 5, 6, 7]);

function renderChildren(node: EosNode, path: readonly string[], depth: number, out: string[]): void {
  const children = sortedChildren(node, path);
  children.forEach((c, i) => {
    // Inside a section EOS marks each nested sub-section with an indented `!` before it.
    if (c.children.length > 0 && i > 0) out.push(`${INDENT.repeat(depth)}!`);
    out.push(`${INDENT.repeat(depth)}${c.line}`);
    renderChildren(c, [...path, c.line], depth + 1, out);
  });
}

/** The lines of the configuration body (no header, no `end`), as `show running-config` prints them. */
export function renderBody(root: EosNode): string[] {
  const out: string[] = [];
  const children = sortedChildren(root, []);
  children.forEach((c, i) => {
    out.push(c.line);
    renderChildren(c, [c.line], 1, out);
    const next = children[i + 1];
    // Consecutive plain lines of one kind (`ip routing`, `ip routing vrf a`) share a section.
    const rank = topLevelKey(c.line)[0];
    const sameGroup = next !== undefined && c.children.length === 0 && next.children.length === 0 && GROUPED_RANKS.has(rank) && rank === topLevelKey(next.line)[0];
    if (!sameGroup) out.push('!');
  });
  return out;
}

/** What the `show running-config` header says about the device. */
export interface ConfigHeader {
  readonly hostname: string;
  readonly model: string;
  readonly version: string;
}

/** The whole text of `show running-config` (header, body, `end`), newline-terminated. */
export function renderConfig(root: EosNode, header: ConfigHeader): string {
  const lines = [
    '! Command: show running-config',
    `! device: ${header.hostname} (${header.model}, EOS-${header.version})`,
    '!',
    `! boot system flash:/EOS-${header.version}.swi`,
    '!',
    ...renderBody(root),
    'end',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Parses configuration text (EOS indentation: three spaces per level; any consistent indentation works) into a
 * tree. `!` comment lines, blank lines and `end` are skipped.
 *
 * @throws Error when a line is indented deeper than its parent allows.
 */
export function parseConfig(text: string): EosNode {
  const root = eosNode('');
  const stack: { node: EosNode; indent: number }[] = [{ node: root, indent: -1 }];
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('!') || trimmed === 'end') continue;
    const indent = raw.length - raw.trimStart().length;
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!;
    const node = eosNode(trimmed.replace(/\s+/g, ' '));
    parent.node.children.push(node);
    stack.push({ node, indent });
  }
  return root;
}

/**
 * `show running-config section <regex>`: the top-level sections in which any line matches, each with the path to
 * every matching line and that line's own sub-tree (a matching top-level line brings its whole section).
 */
export function sectionFilter(root: EosNode, regex: RegExp): EosNode {
  const keep = (node: EosNode): EosNode | undefined => {
    if (regex.test(node.line)) return cloneNode(node);
    const kids = node.children.map(keep).filter((c): c is EosNode => c !== undefined);
    return kids.length > 0 ? eosNode(node.line, kids) : undefined;
  };
  return eosNode(
    '',
    root.children.map(keep).filter((c): c is EosNode => c !== undefined),
  );
}
