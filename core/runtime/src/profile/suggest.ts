/**
 * Did-you-mean suggestions for misspelt keys and values (`adress` → `address`).
 * @packageDocumentation
 */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const u = b.toLowerCase();
  const d: number[][] = [];
  for (let i = 0; i <= s.length; i++) d.push(new Array<number>(u.length + 1).fill(0));
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  const set = (i: number, j: number, v: number): void => {
    const row = d[i];
    if (row !== undefined) row[j] = v;
  };
  for (let i = 0; i <= s.length; i++) set(i, 0, i);
  for (let j = 0; j <= u.length; j++) set(0, j, j);
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= u.length; j++) {
      const cost = s[i - 1] === u[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && s[i - 1] === u[j - 2] && s[i - 2] === u[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      set(i, j, v);
    }
  }
  return at(s.length, u.length);
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo: at most 2 edits, and fewer than half
 * the word's length. Case-only differences always match.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const dist = editDistance(word, c);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  if (best === undefined) return undefined;
  if (best.toLowerCase() === word.toLowerCase()) return best;
  return bestDistance <= 2 && bestDistance * 2 < word.length ? best : undefined;
}
