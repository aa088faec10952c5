/**
 * JSON helpers of the OVSDB simulator: splitting the byte stream into JSON-RPC messages (RFC 7047 §3: messages
 * follow each other on the stream with no delimiter) and rendering JSON the way ovsdb-server quotes it back in
 * `"syntax"` members (object members sorted by name).
 *
 * @packageDocumentation
 */

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Why a stream could not be framed (the connection must be closed: the position in the stream is lost). */
export class OvsdbFramingError extends Error {
  constructor(reason: string) {
    super(`OVSDB stream is not a sequence of JSON objects: ${reason}`);
    this.name = 'OvsdbFramingError';
  }
}

/**
 * Splits a byte stream into the texts of its top-level JSON objects. Scans bytes (every structural JSON character
 * is ASCII and never part of a multi-byte UTF-8 sequence) and decodes a message only once it is complete, so a
 * character split across chunks is reassembled first.
 *
 * @example
 * const framer = new OvsdbMessageFramer();
 * framer.push(Buffer.from('{"id":1,"method":"echo","params":[]}{"id":2,')); // ['{"id":1,"method":"echo","params":[]}']
 */
export class OvsdbMessageFramer {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** @param maxMessageBytes the largest message accepted (a peer that never closes its object is cut off). */
  constructor(private readonly maxMessageBytes = 64 * 1024 * 1024) {}

  /**
   * Consumes a chunk; returns the messages it completed.
   *
   * @throws OvsdbFramingError on anything but whitespace between objects, unbalanced brackets, or an oversized message.
   */
  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.depth === 0) {
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
        if (b !== OPEN_OBJECT) throw new OvsdbFramingError(`unexpected byte 0x${b.toString(16)} between messages`);
        this.depth = 1;
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
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) this.depth++;
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        this.depth--;
        if (this.depth === 0) {
          const tail = chunk.subarray(start, i + 1);
          const whole = this.held.length === 0 ? tail : Buffer.concat([...this.held, tail]);
          this.held = [];
          this.heldBytes = 0;
          if (whole.length > this.maxMessageBytes) throw new OvsdbFramingError(`message of ${whole.length} bytes is too large`);
          out.push(whole.toString('utf8'));
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start >= 0) {
      const rest = Buffer.from(chunk.subarray(start));
      this.held.push(rest);
      this.heldBytes += rest.length;
      if (this.heldBytes > this.maxMessageBytes) throw new OvsdbFramingError(`message exceeds ${this.maxMessageBytes} bytes`);
    }
    return out;
  }
}

/**
 * JSON text with object members sorted by name, as ovsdb-server prints the `"syntax"` of an error and the schema
 * it stores in the `_Server` database.
 *
 * @example sortedJson({ b: 1, a: [true] }) // '{"a":[true],"b":1}'
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
