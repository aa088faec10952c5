/**
 * Incremental framing of a byte stream that carries concatenated JSON objects with no delimiter (RFC 7047 §3: the
 * JSON-RPC messages of OVSDB follow each other directly on the stream).
 *
 * The framer scans bytes, not characters: every structural character of JSON (`{ } [ ] " \`) is ASCII, and no byte
 * of a multi-byte UTF-8 sequence is below 0x80, so a scan over bytes can never mistake part of a character for a
 * brace or quote. Bytes are decoded to text only once a whole top-level value is complete, so a character split
 * across two chunks is reassembled before decoding.
 *
 * @packageDocumentation
 */
import { DeviceProtocolError } from '@netloom/ports';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Options of {@link JsonFramer}. */
export interface JsonFramerOptions {
  /**
   * Largest message accepted, in bytes (default 64 MiB). A peer that sends more without closing its object is
   * broken or hostile; the framer fails instead of buffering without bound.
   */
  readonly maxMessageBytes?: number;
}

/**
 * Splits a byte stream into complete top-level JSON objects.
 *
 * Feed every chunk to {@link JsonFramer.push}; it returns the texts of the objects that the chunk completed, in
 * order. Whitespace between objects is skipped. Anything else outside an object (a bare number, an array, a stray
 * `}`) is a protocol error: OVSDB only ever sends JSON-RPC objects. Each returned text is one complete JSON
 * value, ready for `JSON.parse` (which still rejects a malformed inside, e.g. `{"a" 1}`).
 *
 * After an error the framer is unusable (the stream position is lost); close the connection.
 *
 * @example
 * const framer = new JsonFramer();
 * framer.push(Buffer.from('{"id":1,"result":[]}{"id":2,'));   // ['{"id":1,"result":[]}']
 * framer.push(Buffer.from('"result":["Open_vSwitch"]}'));     // ['{"id":2,"result":["Open_vSwitch"]}']
 */
export class JsonFramer {
  private readonly maxMessageBytes: number;
  /** Bytes of the value in progress, from earlier chunks. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** The brackets open in the value in progress (`{` or `[`), innermost last. */
  private readonly open: number[] = [];
  private inString = false;
  private escaped = false;
  private failed: DeviceProtocolError | undefined;

  constructor(options: JsonFramerOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
  }

  /** True while a value has started but not ended (bytes are held back). */
  get pending(): boolean {
    return this.open.length > 0;
  }

  /**
   * Consumes one chunk and returns the complete objects it finished (possibly none, possibly several).
   *
   * @throws DeviceProtocolError when the stream holds something other than JSON objects, or a message exceeds
   *   `maxMessageBytes`.
   */
  push(chunk: Buffer): string[] {
    if (this.failed !== undefined) throw this.failed;
    const out: string[] = [];
    // Where the value in progress starts in this chunk (0 when it started in an earlier one).
    let start = this.open.length > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.open.length === 0) {
        if (isJsonWhitespace(b)) continue;
        if (b !== OPEN_BRACE) return this.fail(`expected a JSON object, got ${describeByte(b)} at the top level`);
        this.open.push(OPEN_BRACE);
        start = i;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.open.push(b);
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        // A mismatched bracket would otherwise leave the framer waiting for an end that never comes.
        if (this.open.pop() !== (b === CLOSE_BRACE ? OPEN_BRACE : OPEN_BRACKET)) return this.fail(`unbalanced ${describeByte(b)}`);
        if (this.open.length === 0) {
          const tail = chunk.subarray(start, i + 1);
          const whole = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail], this.partsBytes + tail.length);
          this.parts = [];
          this.partsBytes = 0;
          if (whole.length > this.maxMessageBytes) return this.fail(`message of ${whole.length} bytes exceeds the limit of ${this.maxMessageBytes}`);
          out.push(whole.toString('utf8'));
          start = -1;
        }
      }
    }
    if (this.open.length > 0 && start >= 0) {
      // Keep a copy: the caller may reuse the chunk's memory.
      const rest = Buffer.from(chunk.subarray(start));
      this.parts.push(rest);
      this.partsBytes += rest.length;
      if (this.partsBytes > this.maxMessageBytes) return this.fail(`message exceeds the limit of ${this.maxMessageBytes} bytes`);
    }
    return out;
  }

  private fail(reason: string): never {
    this.failed = new DeviceProtocolError(`OVSDB stream is not a sequence of JSON objects: ${reason}`, { details: { reason } });
    this.parts = [];
    this.partsBytes = 0;
    this.open.length = 0;
    throw this.failed;
  }
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? JSON.stringify(String.fromCharCode(b)) : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
