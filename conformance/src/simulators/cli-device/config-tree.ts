/**
 * The configuration model of a CLI device: a tree of command lines.
 *
 * A block such as `bridge-domain 10` is a node whose children are the lines typed in its view (` vxlan vni 10`,
 * ` evpn` with its own children, ...). The root node has an empty line and holds the top-level blocks. Lines are
 * stored exactly as the device renders them (canonical form), so rendering is a walk and diffing compares lines.
 *
 * Everything here is pure and vendor-neutral: ordering and separators come from the caller (a dialect).
 *
 * @packageDocumentation
 */

/** One configuration line and the lines of its sub-view. */
export interface ConfigNode {
  /** The line as the device renders it, without indentation (`vxlan vni 10`). Empty for the root. */
  line: string;
  /** The lines of the sub-view this line opens (empty for a leaf line). */
  children: ConfigNode[];
}

/** A read-only view of a {@link ConfigNode} (what the harness hands out). */
export interface ReadonlyConfigNode {
  readonly line: string;
  readonly children: readonly ReadonlyConfigNode[];
}

/**
 * Orders sibling lines. `parentPath` is the path of lines from the root to the parent (empty for top level).
 * Return a negative number when `a` comes first, as `Array.prototype.sort` expects.
 */
export type LineOrder = (parentPath: readonly string[], a: string, b: string) => number;

/** How a tree is rendered as text. */
export interface RenderOptions {
  /** Indentation added per level (VRP and Comware: one space). Default `' '`. */
  readonly indent?: string;
  /** A line printed before every top-level node and once after the last (VRP: `#`); none when absent. */
  readonly separator?: string;
  /** Sibling order; insertion order when absent. */
  readonly order?: LineOrder;
}

/** Creates a node. */
export function configNode(line: string, children: ConfigNode[] = []): ConfigNode {
  return { line, children };
}

/** An empty root. */
export function emptyRoot(): ConfigNode {
  return configNode('');
}

/** A deep copy of `node`. */
export function cloneTree(node: ReadonlyConfigNode): ConfigNode {
  return { line: node.line, children: node.children.map(cloneTree) };
}

/** Whether two trees hold the same lines in the same places (sibling order ignored). */
export function treesEqual(a: ReadonlyConfigNode, b: ReadonlyConfigNode): boolean {
  if (a.line !== b.line || a.children.length !== b.children.length) return false;
  const rest = [...b.children];
  for (const child of a.children) {
    const i = rest.findIndex((c) => c.line === child.line && treesEqual(child, c));
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  return true;
}

/** The child of `parent` whose line is exactly `line`. */
export function findChild<N extends ReadonlyConfigNode>(parent: { readonly children: readonly N[] }, line: string): N | undefined {
  return parent.children.find((c) => c.line === line);
}

/** The children of `parent` whose line matches `pattern`, with the match. */
export function matchChildren<N extends ReadonlyConfigNode>(
  parent: { readonly children: readonly N[] },
  pattern: RegExp,
): Array<{ node: N; match: RegExpMatchArray }> {
  const out: Array<{ node: N; match: RegExpMatchArray }> = [];
  for (const node of parent.children) {
    const match = node.line.match(pattern);
    if (match !== null) out.push({ node, match });
  }
  return out;
}

/** The node at `path` (lines from the root), or undefined when a line on the way is missing. */
export function nodeAt<N extends ReadonlyConfigNode>(root: N, path: readonly string[]): N | undefined {
  let cur: ReadonlyConfigNode | undefined = root;
  for (const line of path) {
    cur = cur === undefined ? undefined : findChild(cur, line);
    if (cur === undefined) return undefined;
  }
  return cur as N | undefined;
}

/** The child with `line`, appended when missing. */
export function ensureChild(parent: ConfigNode, line: string): ConfigNode {
  const existing = findChild(parent, line);
  if (existing !== undefined) return existing;
  const created = configNode(line);
  parent.children.push(created);
  return created;
}

/**
 * Puts `line` in place of the first child matching `pattern` (keeping that child's sub-lines), or appends it.
 * For single-valued settings (`vxlan vni N`, `description ...`): setting a new value replaces the old one.
 */
export function setChild(parent: ConfigNode, pattern: RegExp, line: string): ConfigNode {
  const existing = parent.children.find((c) => pattern.test(c.line));
  if (existing !== undefined) {
    existing.line = line;
    return existing;
  }
  const created = configNode(line);
  parent.children.push(created);
  return created;
}

/** Removes every child whose line matches (exact string or pattern); returns how many were removed. */
export function removeChildren(parent: ConfigNode, match: string | RegExp): number {
  const before = parent.children.length;
  parent.children = parent.children.filter((c) => (typeof match === 'string' ? c.line !== match : !match.test(c.line)));
  return before - parent.children.length;
}

/** Calls `visit` for every node below `root` (depth first, root excluded) with the path of its parent. */
export function walkTree(root: ReadonlyConfigNode, visit: (node: ReadonlyConfigNode, parentPath: readonly string[]) => void): void {
  const go = (node: ReadonlyConfigNode, path: readonly string[]): void => {
    for (const child of node.children) {
      visit(child, path);
      go(child, [...path, child.line]);
    }
  };
  go(root, []);
}

/** A copy of the tree with siblings sorted by `order` at every level. */
export function sortTree(root: ReadonlyConfigNode, order: LineOrder | undefined): ConfigNode {
  const go = (node: ReadonlyConfigNode, path: readonly string[]): ConfigNode => {
    const children = node.children.map((c) => go(c, [...path, c.line]));
    if (order !== undefined) children.sort((a, b) => order(path, a.line, b.line));
    return { line: node.line, children };
  };
  return go(root, []);
}

/** The lines of one node and its sub-tree, indented from `depth`. */
export function renderNode(node: ReadonlyConfigNode, options: RenderOptions = {}, depth = 0, parentPath: readonly string[] = []): string[] {
  const indent = options.indent ?? ' ';
  const out: string[] = [indent.repeat(depth) + node.line];
  const path = [...parentPath, node.line];
  const children = [...node.children];
  if (options.order !== undefined) children.sort((a, b) => options.order!(path, a.line, b.line));
  for (const child of children) out.push(...renderNode(child, options, depth + 1, path));
  return out;
}

/**
 * Renders the children of `root` the way `display current-configuration` does: each top-level node after a
 * separator line (when one is given), a final separator, sub-lines indented per level.
 *
 * @example
 * renderTree(root, { separator: '#' })
 * // ['#', 'bridge-domain 10', ' vxlan vni 10', '#', 'interface Nve1', ' source 10.0.0.1', '#']
 */
export function renderTree(root: ReadonlyConfigNode, options: RenderOptions = {}): string[] {
  const out: string[] = [];
  const children = [...root.children];
  if (options.order !== undefined) children.sort((a, b) => options.order!([], a.line, b.line));
  for (const child of children) {
    if (options.separator !== undefined) out.push(options.separator);
    out.push(...renderNode(child, options, 0, []));
  }
  if (options.separator !== undefined && children.length > 0) out.push(options.separator);
  return out;
}

/**
 * Parses indented configuration text back into a tree. Lines starting with one of `skip` (default `#`, `!`) and
 * the word `return` are ignored; a line indented deeper than the previous one is its child.
 */
export function parseTree(text: string, options: { readonly indent?: string; readonly skip?: readonly string[] } = {}): ConfigNode {
  const indent = options.indent ?? ' ';
  const skip = options.skip ?? ['#', '!'];
  const root = emptyRoot();
  const stack: Array<{ node: ConfigNode; depth: number }> = [{ node: root, depth: -1 }];
  for (const raw of text.split(/\r?\n/)) {
    const trimmedEnd = raw.replace(/\s+$/, '');
    if (trimmedEnd.trim() === '' || skip.some((s) => trimmedEnd.startsWith(s)) || trimmedEnd === 'return') continue;
    let depth = 0;
    let rest = trimmedEnd;
    while (indent.length > 0 && rest.startsWith(indent)) {
      depth++;
      rest = rest.slice(indent.length);
    }
    while (stack.length > 1 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const parent = stack[stack.length - 1]!.node;
    const node = configNode(rest);
    parent.children.push(node);
    stack.push({ node, depth });
  }
  return root;
}

/** One line of a tree diff: `+` only in the new tree, `-` only in the old one, ` ` unchanged context. */
export interface DiffLine {
  readonly sign: '+' | '-' | ' ';
  /** Nesting depth (0 for top level). */
  readonly depth: number;
  readonly line: string;
}

/**
 * The differences between two trees as `+`/`-` lines with their unchanged parents as context, in render order.
 * Lines are matched by their text, so a changed value shows as `-old` then `+new`.
 */
export function diffTrees(before: ReadonlyConfigNode, after: ReadonlyConfigNode, order?: LineOrder): DiffLine[] {
  const whole = (node: ReadonlyConfigNode, sign: '+' | '-', depth: number, path: readonly string[]): DiffLine[] => {
    const out: DiffLine[] = [{ sign, depth, line: node.line }];
    const p = [...path, node.line];
    const children = [...node.children];
    if (order !== undefined) children.sort((a, b) => order(p, a.line, b.line));
    for (const c of children) out.push(...whole(c, sign, depth + 1, p));
    return out;
  };
  const go = (a: ReadonlyConfigNode, b: ReadonlyConfigNode, depth: number, path: readonly string[]): DiffLine[] => {
    const lines = new Set<string>([...a.children.map((c) => c.line), ...b.children.map((c) => c.line)]);
    const sorted = [...lines];
    if (order !== undefined) sorted.sort((x, y) => order(path, x, y));
    const out: DiffLine[] = [];
    // NOTE: removed lines come before added ones at the same position so a changed value reads `-old` / `+new`.
    const removed: DiffLine[] = [];
    const added: DiffLine[] = [];
    const flush = (): void => {
      out.push(...removed.splice(0), ...added.splice(0));
    };
    for (const line of sorted) {
      const x = findChild(a, line);
      const y = findChild(b, line);
      if (x !== undefined && y === undefined) removed.push(...whole(x, '-', depth, path));
      else if (x === undefined && y !== undefined) added.push(...whole(y, '+', depth, path));
      else if (x !== undefined && y !== undefined) {
        flush();
        const inner = go(x, y, depth + 1, [...path, line]);
        if (inner.length > 0) out.push({ sign: ' ', depth, line }, ...inner);
      }
    }
    flush();
    return out;
  };
  return go(before, after, 0, []);
}

/** Renders diff lines as text lines: the sign, then the indented line (`+ vxlan vni 10`). */
export function renderDiff(lines: readonly DiffLine[], indent = ' '): string[] {
  return lines.map((d) => `${d.sign}${indent.repeat(d.depth)}${d.line}`);
}
