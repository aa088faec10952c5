/**
 * A unified diff of two texts, as `show session-config diffs` prints it (`--- system:/running-config`,
 * `+++ session:/<name>-session-config`, `@@ -a,b +c,d @@` hunks with three lines of context).
 *
 * @packageDocumentation
 */

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string; readonly a: number; readonly b: number };

function editScript(a: readonly string[], b: readonly string[]): Op[] {
  // Longest common subsequence by dynamic programming: configs are a few hundred lines.
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++]!, a: i, b: ++j });
    else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ kind: '+', line: b[j++]!, a: i, b: j });
    else ops.push({ kind: '-', line: a[i++]!, a: i, b: j });
  }
  return ops;
}

/**
 * The unified diff turning `before` into `after` (both as lists of lines); empty when they are equal.
 *
 * @example unifiedDiff(['a', 'b'], ['a', 'c'], 'system:/running-config', 'session:/s1-session-config')
 * // '--- system:/running-config\n+++ session:/s1-session-config\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n'
 */
export function unifiedDiff(before: readonly string[], after: readonly string[], fromLabel: string, toLabel: string, context = 3): string {
  const ops = editScript(before, after);
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = Math.min(ops.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, changed[k]! + context);
    }
    k++;
    const hunk = ops.slice(start, end + 1);
    const aStart = hunk.find((o) => o.kind !== '+');
    const bStart = hunk.find((o) => o.kind !== '-');
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    const aFrom = aLen === 0 ? (hunk[0]?.a ?? 0) : aStart!.a;
    const bFrom = bLen === 0 ? (hunk[0]?.b ?? 0) : bStart!.b;
    out.push(`@@ -${aFrom},${aLen} +${bFrom},${bLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
