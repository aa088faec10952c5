/**
 * A set of integers (bigint) as sorted, disjoint, non-adjacent inclusive spans: the assignable values of an
 * allocator (a subnet minus its reserved addresses, the union of a VNI pool's ranges, a VLAN range).
 * @packageDocumentation
 */

/** An inclusive span `first..last`, `first <= last`. */
export interface Span {
  readonly first: bigint;
  readonly last: bigint;
}

/** An immutable set of bigints stored as spans. Membership and successor queries are O(log spans). */
export class SpanSet {
  /** Sorted, disjoint, non-adjacent spans. */
  readonly spans: readonly Span[];
  /** Number of members. */
  readonly size: bigint;

  private constructor(spans: readonly Span[]) {
    this.spans = spans;
    this.size = spans.reduce((n, s) => n + (s.last - s.first + 1n), 0n);
  }

  /** The set of every value in any of `spans` (overlapping and adjacent spans are merged; empty spans ignored). */
  static of(spans: Iterable<Span>): SpanSet {
    const sorted = [...spans].filter((s) => s.first <= s.last).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    const merged: Span[] = [];
    for (const s of sorted) {
      const prev = merged[merged.length - 1];
      if (prev !== undefined && s.first <= prev.last + 1n) {
        if (s.last > prev.last) merged[merged.length - 1] = { first: prev.first, last: s.last };
      } else merged.push({ first: s.first, last: s.last });
    }
    return new SpanSet(merged);
  }

  /** The empty set. */
  static readonly EMPTY = SpanSet.of([]);

  /** Members of this set that are not in `other`. */
  minus(other: SpanSet): SpanSet {
    const out: Span[] = [];
    let j = 0;
    for (const s of this.spans) {
      let first = s.first;
      while (j < other.spans.length && other.spans[j]!.last < first) j++;
      let k = j;
      while (first <= s.last) {
        const o = other.spans[k];
        if (o === undefined || o.first > s.last) {
          out.push({ first, last: s.last });
          break;
        }
        if (o.first > first) out.push({ first, last: o.first - 1n });
        first = o.last + 1n;
        k++;
      }
    }
    return new SpanSet(out);
  }

  /** True if the two sets share a member. */
  intersects(other: SpanSet): boolean {
    let i = 0;
    let j = 0;
    while (i < this.spans.length && j < other.spans.length) {
      const a = this.spans[i]!;
      const b = other.spans[j]!;
      if (a.last < b.first) i++;
      else if (b.last < a.first) j++;
      else return true;
    }
    return false;
  }

  /** True if `v` is a member. */
  has(v: bigint): boolean {
    const i = this.indexAtOrAfter(v);
    const s = this.spans[i];
    return s !== undefined && s.first <= v;
  }

  /** The smallest member `>= v`, wrapping around to the smallest member; `undefined` for the empty set. */
  nextFrom(v: bigint): bigint | undefined {
    const s = this.spans[this.indexAtOrAfter(v)];
    if (s !== undefined) return s.first > v ? s.first : v;
    return this.spans[0]?.first;
  }

  /** The member after `v` (`v` need not be a member), wrapping around; `undefined` for the empty set. */
  after(v: bigint): bigint | undefined {
    return this.nextFrom(v + 1n);
  }

  /** Text for messages: `10..20, 30..40` (at most `max` spans, then `...`). */
  describe(format: (v: bigint) => string = String, max = 4): string {
    if (this.spans.length === 0) return '(none)';
    const parts = this.spans.slice(0, max).map((s) => (s.first === s.last ? format(s.first) : `${format(s.first)}..${format(s.last)}`));
    return this.spans.length > max ? `${parts.join(', ')}, ...` : parts.join(', ');
  }

  /** Index of the first span whose `last >= v` (spans.length if none). */
  private indexAtOrAfter(v: bigint): number {
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid]!.last < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
