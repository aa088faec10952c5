/**
 * A sorted set of strings (UTF-16 code-unit order, as `<` compares) for the in-memory store: a list of sorted chunks,
 * so insert and delete cost O(log n + chunk size) and a prefix scan O(log n + matches).
 * @packageDocumentation
 */

const MAX_CHUNK = 512;

/** Index of the first element of the sorted `a` that is `>= key` (a.length if none). */
function lowerBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The sorted key set. Callers add only absent keys and delete only present ones (the store's map knows which). */
export class SortedKeys {
  /** Non-empty sorted chunks, every key of one chunk below every key of the next. */
  private readonly chunks: string[][] = [];

  /** Index of the chunk where `key` is or would go. */
  private chunkOf(key: string): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length;
    // The first chunk whose last key is >= key.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cs[mid] as string[];
      if ((c[c.length - 1] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `key` (absent). */
  add(key: string): void {
    const cs = this.chunks;
    if (cs.length === 0) {
      cs.push([key]);
      return;
    }
    let i = this.chunkOf(key);
    if (i === cs.length) i = cs.length - 1; // beyond every key: append to the last chunk
    const c = cs[i] as string[];
    c.splice(lowerBound(c, key), 0, key);
    if (c.length > MAX_CHUNK) cs.splice(i + 1, 0, c.splice(c.length >>> 1));
  }

  /** Deletes `key` (present). */
  delete(key: string): void {
    const cs = this.chunks;
    const i = this.chunkOf(key);
    const c = cs[i];
    if (c === undefined) return;
    const j = lowerBound(c, key);
    if (c[j] !== key) return;
    c.splice(j, 1);
    if (c.length === 0) cs.splice(i, 1);
  }

  /** The keys starting with `prefix`, in order. */
  withPrefix(prefix: string): string[] {
    const out: string[] = [];
    const cs = this.chunks;
    const first = this.chunkOf(prefix);
    for (let i = first; i < cs.length; i++) {
      const c = cs[i] as string[];
      for (let j = i === first ? lowerBound(c, prefix) : 0; j < c.length; j++) {
        const k = c[j] as string;
        if (!k.startsWith(prefix)) return out;
        out.push(k);
      }
    }
    return out;
  }
}
