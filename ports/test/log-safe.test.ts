// Log injection (issue 6): a value quoted into an error message must not carry a character a log viewer or a
// terminal could take for a line break or a control. JSON.stringify alone leaves DEL, C1 controls (NEL U+0085),
// U+2028 / U+2029 and format characters raw; quoteText, describeValue and every InputError built by the codecs
// escape them.
import { strict as assert } from 'node:assert';
import {
  FabricConfigCodec,
  SafeNameCodec,
  VSwitchConfigCodec,
  decodeProblems,
  describeValue,
  isNetloomError,
  quoteText,
  decodeOrThrow,
} from '@netloom/ports';
import { fabricSample, vswitchSample } from './samples';

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

/** Every character that must never appear raw in a quoted value (independent of the implementation's own list). */
const UNSAFE = [
  ...range(0x00, 0x1f),
  '\x7f',
  ...range(0x80, 0x9f),
  '\u00a0', // no-break space
  '\u00ad', // soft hyphen (format)
  '\u200b', // zero-width space
  '\u200e', // left-to-right mark
  '\u2028',
  '\u2029',
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u3000', // ideographic space
  '\ufeff', // byte order mark
  '\ud800', // lone high surrogate
  '\udc00', // lone low surrogate
];
const rawUnsafe = (text: string): string[] => [...text].filter((c) => UNSAFE.includes(c));
const hex = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

describe('ports: values quoted into messages are log-safe', () => {
  it('quoteText escapes every control, separator, format character and lone surrogate, and nothing else', () => {
    for (const c of UNSAFE) {
      const q = quoteText(`a${c}b`);
      assert.deepEqual(rawUnsafe(q), [], `U+${c.charCodeAt(0).toString(16)} stayed raw in ${q}`);
      // JSON's own short escapes for C0 (\n, \t, ...) are fine; everything else is \uXXXX.
      assert.ok(q === `"a${hex(c)}b"` || (c < ' ' && q === JSON.stringify(`a${c}b`)), `U+${c.charCodeAt(0).toString(16)} quoted as ${q}`);
    }
    assert.equal(quoteText('bd1\u2028quit\u0085x'), '"bd1\\u2028quit\\u0085x"');
    // Printable text, quotes and backslashes as JSON; ordinary non-ASCII letters and astral characters stay readable.
    assert.equal(quoteText('ls-web "a" \\ Grüße 🙂'), '"ls-web \\"a\\" \\\\ Grüße 🙂"');
    // An escaped astral format character becomes its surrogate pair (U+E0001 LANGUAGE TAG).
    assert.equal(quoteText('x\u{e0001}'), '"x\\udb40\\udc01"');
  });

  it('a quoted text read back with JSON.parse is the original value', () => {
    const value = `a\n\u0085\u2028\u202e"\\\ud800 🙂${'\u0000'}`;
    assert.equal(JSON.parse(quoteText(value)), value);
  });

  it('quoteText with a limit cuts at a character boundary, never inside an escape or a surrogate pair', () => {
    for (let limit = 4; limit <= 40; limit++) {
      for (const value of ['\u2028'.repeat(30), '🙂'.repeat(30), 'ab\u0085'.repeat(20), 'x'.repeat(100)]) {
        const q = quoteText(value, limit);
        assert.ok(q.length <= limit, `${q} is longer than ${limit}`);
        assert.ok(q.endsWith('…"'), q);
        assert.deepEqual(rawUnsafe(q), [], `a raw unsafe character in ${q}`);
        // What is left before the ellipsis parses as a JSON string of a prefix of the value.
        const prefix = JSON.parse(`${q.slice(0, -2)}"`) as string;
        assert.ok(value.startsWith(prefix), `${q} is not a prefix of the value`);
      }
    }
    assert.equal(quoteText('x'.repeat(100), 10), '"xxxxxxx…"');
  });

  it('describeValue quotes with quoteText (and still cuts long texts at 80 characters)', () => {
    assert.equal(describeValue('bd1\u2028quit'), '"bd1\\u2028quit"');
    assert.equal(describeValue('a\u0085b'), '"a\\u0085b"');
    assert.ok(describeValue('\u2029'.repeat(500)).length <= 80);
    assert.deepEqual(rawUnsafe(describeValue('\u2029'.repeat(500))), []);
  });

  it('an InputError of a value codec carries no raw C1 control, separator or format character in message or problems', () => {
    for (const c of UNSAFE) {
      const e = (() => {
        try {
          decodeOrThrow(SafeNameCodec, `ls${c}quit`, 'name');
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      assert.ok(isNetloomError(e) && e.code === 'INPUT.INVALID', `ls + U+${c.charCodeAt(0).toString(16)} was accepted`);
      // The message's own line breaks separate problems; nothing else may be raw.
      assert.deepEqual(rawUnsafe(e.message.replace(/\n {2}/g, ' ')), [], `raw character in ${JSON.stringify(e.message)}`);
      assert.ok(!e.message.includes(`ls${c}quit`), 'the raw value is echoed');
    }
  });

  it('map keys and key mismatches in problem paths and reasons are escaped too', () => {
    const config = fabricSample() as unknown as Record<string, Record<string, Record<string, unknown>>>;
    const hostile = 'vpc\u2028shop\u0085';
    config['vrf']![hostile] = { ...config['vrf']!['vpc-shop'], key: hostile };
    const problems = decodeProblems(FabricConfigCodec, config).problems;
    assert.ok(problems.length > 0);
    for (const p of problems) {
      assert.deepEqual(rawUnsafe(p.path), [], `raw character in path ${JSON.stringify(p.path)}`);
      assert.deepEqual(rawUnsafe(p.reason), [], `raw character in reason ${JSON.stringify(p.reason)}`);
    }
    assert.ok(problems.some((p) => p.path.startsWith('vrf["vpc\\u2028shop\\u0085"]')), problems.map((p) => p.path).join(', '));

    const vs = vswitchSample() as unknown as Record<string, Record<string, Record<string, unknown>>>;
    vs['bridge']!['br-int']!['key'] = 'br\u2029int';
    const reasons = decodeProblems(VSwitchConfigCodec, vs).problems.map((p) => p.reason);
    assert.ok(reasons.some((r) => r.includes('"br\\u2029int"')), reasons.join(' | '));
    for (const r of reasons) assert.deepEqual(rawUnsafe(r), [], r);
  });
});
