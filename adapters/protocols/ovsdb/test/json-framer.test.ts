import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DeviceProtocolError } from '@netloom/ports';
import { JsonFramer } from '@netloom/ovsdb';

/** JSON objects whose strings are full of what trips a naive framer: quotes, braces, backslashes, non-ASCII. */
const trickyString = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', '\\"', 'é', '€', '😀', '\u0000', '\n', 'a', ' ') }),
);
const jsonLeaf = fc.oneof(trickyString, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(trickyString, tie('value'), { maxKeys: 4 })),
}));
const jsonObject = fc.dictionary(trickyString, jsonValue, { maxKeys: 5 });
const whitespace = fc.stringMatching(/^[ \t\r\n]{0,3}$/);

/** Cuts a buffer at the given (sorted, deduplicated) byte offsets: also inside multi-byte UTF-8 characters. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

describe('JsonFramer', () => {
  it('returns exactly the concatenated objects, whatever the chunk boundaries (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(jsonObject, whitespace), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (items, cuts) => {
        const text = items.map(([o, ws]) => JSON.stringify(o) + ws).join('');
        const bytes = Buffer.from(text, 'utf8');
        const framer = new JsonFramer();
        const got: unknown[] = [];
        for (const chunk of split(bytes, cuts)) for (const message of framer.push(chunk)) got.push(JSON.parse(message));
        assert.deepEqual(got, items.map(([o]) => JSON.parse(JSON.stringify(o))));
        assert.equal(framer.pending, false);
      }),
      { numRuns: 300 },
    );
  });

  it('reassembles a multi-byte character split byte by byte', () => {
    const framer = new JsonFramer();
    const bytes = Buffer.from('{"name":"br-€😀","q":"\\"}{"}{"id":2}', 'utf8');
    const got: string[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...framer.push(bytes.subarray(i, i + 1)));
    assert.deepEqual(got.map((t) => JSON.parse(t) as unknown), [{ name: 'br-€😀', q: '"}{' }, { id: 2 }]);
  });

  it('holds back an incomplete object until its end arrives', () => {
    const framer = new JsonFramer();
    assert.deepEqual(framer.push(Buffer.from('{"id":1,"result":["a"')), []);
    assert.equal(framer.pending, true);
    assert.deepEqual(framer.push(Buffer.from(']}')), ['{"id":1,"result":["a"]}']);
  });

  it('rejects anything but objects at the top level with DeviceProtocolError, and stays failed', () => {
    const framer = new JsonFramer();
    assert.throws(() => framer.push(Buffer.from('{"a":1} 42')), (e: unknown) => e instanceof DeviceProtocolError && /expected a JSON object, got "4"/.test(e.message));
    assert.throws(() => framer.push(Buffer.from('{}')), DeviceProtocolError);
    assert.throws(() => new JsonFramer().push(Buffer.from('HTTP/1.1 400 Bad Request\r\n')), DeviceProtocolError);
    // A mismatched bracket is caught at once instead of leaving the framer waiting for an end that never comes.
    assert.throws(() => new JsonFramer().push(Buffer.from('{"id":1,"result":[1,}')), (e: unknown) => e instanceof DeviceProtocolError && /unbalanced "}"/.test(e.message));
  });

  it('refuses a message beyond maxMessageBytes instead of buffering without bound', () => {
    const framer = new JsonFramer({ maxMessageBytes: 64 });
    assert.throws(() => {
      for (let i = 0; i < 10; i++) framer.push(Buffer.from(`{"k${i}":"${'x'.repeat(20)}",`));
    }, (e: unknown) => e instanceof DeviceProtocolError && /exceeds the limit of 64/.test(e.message));
  });
});
