import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SpanSet } from '@netloom/engine';

const spans = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 })).map(([a, n]) => ({ first: BigInt(a), last: BigInt(a + n) })),
  { maxLength: 6 },
);
const members = (s: SpanSet): number[] => {
  const out: number[] = [];
  for (let v = 0; v <= 80; v++) if (s.has(BigInt(v))) out.push(v);
  return out;
};

describe('SpanSet', () => {
  it('merges overlapping and adjacent spans', () => {
    const s = SpanSet.of([{ first: 5n, last: 7n }, { first: 1n, last: 2n }, { first: 3n, last: 3n }, { first: 6n, last: 9n }]);
    assert.deepEqual(s.spans, [{ first: 1n, last: 3n }, { first: 5n, last: 9n }]);
    assert.equal(s.size, 8n);
    assert.equal(s.describe(), '1..3, 5..9');
  });

  it('nextFrom and after wrap around; the empty set has no members', () => {
    const s = SpanSet.of([{ first: 10n, last: 11n }, { first: 20n, last: 20n }]);
    assert.equal(s.nextFrom(0n), 10n);
    assert.equal(s.nextFrom(11n), 11n);
    assert.equal(s.nextFrom(12n), 20n);
    assert.equal(s.nextFrom(21n), 10n);
    assert.equal(s.after(20n), 10n);
    assert.equal(s.after(10n), 11n);
    assert.equal(SpanSet.EMPTY.nextFrom(0n), undefined);
    assert.equal(SpanSet.EMPTY.size, 0n);
  });

  it('has, minus, intersects and nextFrom agree with a brute-force model', () => {
    fc.assert(
      fc.property(spans, spans, fc.integer({ min: 0, max: 80 }), (a, b, v) => {
        const A = SpanSet.of(a);
        const B = SpanSet.of(b);
        const ma = members(A);
        const mb = new Set(members(B));
        assert.deepEqual(members(A.minus(B)), ma.filter((x) => !mb.has(x)));
        assert.equal(A.intersects(B), ma.some((x) => mb.has(x)));
        assert.equal(A.size, BigInt(ma.length));
        const expected = ma.find((x) => x >= v) ?? ma[0];
        assert.equal(A.nextFrom(BigInt(v)), expected === undefined ? undefined : BigInt(expected));
      }),
      { numRuns: 300 },
    );
  });
});
