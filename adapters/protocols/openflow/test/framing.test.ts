/**
 * The incremental frame parser: whatever way a byte stream of OpenFlow messages is cut into chunks, the same
 * messages come out (property test), and a header announcing less than 8 bytes is a framing error.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameParser, encodeFrame } from '@netloom/openflow';

/** Hand-built message bytes (independent of encodeFrame). */
function rawMessage(version: number, type: number, xid: number, body: Uint8Array): Buffer {
  const h = Buffer.alloc(8);
  h[0] = version;
  h[1] = type;
  h.writeUInt16BE(8 + body.length, 2);
  h.writeUInt32BE(xid, 4);
  return Buffer.concat([h, Buffer.from(body)]);
}

const messageArb = fc.record({
  version: fc.integer({ min: 1, max: 6 }),
  type: fc.integer({ min: 0, max: 255 }),
  xid: fc.integer({ min: 0, max: 0xffffffff }),
  body: fc.uint8Array({ maxLength: 600 }),
});

describe('FrameParser', () => {
  it('yields the same messages however the stream is chunked (property)', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 25 }), fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 40 }).filter((c) => c.some((n) => n > 0)), (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => rawMessage(m.version, m.type, m.xid, m.body)));
        const parser = new FrameParser();
        const out: { version: number; type: number; xid: number; body: string }[] = [];
        let pos = 0;
        let i = 0;
        while (pos < stream.length) {
          // Chunk sizes cycle through `cuts` (zero-length chunks included).
          const n = cuts[i++ % cuts.length]!;
          const chunk = stream.subarray(pos, pos + n);
          pos += chunk.length;
          for (const f of parser.push(Buffer.from(chunk))) out.push({ version: f.header.version, type: f.header.type, xid: f.header.xid, body: f.body.toString('hex') });
        }
        assert.deepEqual(
          out,
          messages.map((m) => ({ version: m.version, type: m.type, xid: m.xid, body: Buffer.from(m.body).toString('hex') })),
        );
        assert.equal(parser.buffered, 0);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a partial message until the rest arrives, and bodies do not alias the input chunk', () => {
    const parser = new FrameParser();
    const msg = rawMessage(4, 2, 9, Buffer.from('abcdef'));
    assert.deepEqual(parser.push(msg.subarray(0, 5)), []);
    assert.equal(parser.buffered, 5);
    const chunk = Buffer.from(msg.subarray(5));
    const [f] = parser.push(chunk);
    chunk.fill(0);
    assert.equal(f?.body.toString(), 'abcdef');
    assert.equal(f?.header.length, 14);
  });

  it('a header announcing fewer than 8 bytes is a framing error', () => {
    const parser = new FrameParser();
    assert.throws(() => parser.push(Buffer.from('0400000400000001', 'hex')), /announces length 4, below the 8-byte header/);
  });

  it('encodeFrame writes version 4, type, length and xid', () => {
    assert.equal(encodeFrame(2, 0x01020304, Buffer.from('hi')).toString('hex'), '0402000a01020304' + Buffer.from('hi').toString('hex'));
    assert.throws(() => encodeFrame(2, 1, Buffer.alloc(0xffff)), RangeError);
  });
});
