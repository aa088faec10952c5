/**
 * Bounds-checked big-endian readers and writers for OpenFlow structures.
 *
 * Every read past the end of a structure throws {@link WireFormatError} naming the structure and offset, so a
 * truncated or lying message from a switch becomes one clear protocol error instead of a RangeError deep inside
 * Node's Buffer code.
 *
 * @packageDocumentation
 */

/**
 * A structure read from the wire did not fit its declared or minimum size. Internal: the connection turns it into a
 * `DeviceProtocolError` (see `openflow.errors.ts`) before it crosses the package API.
 */
export class WireFormatError extends Error {
  constructor(
    message: string,
    /** Where in the structure (e.g. `flow_stats[2].match`). */
    readonly where: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'WireFormatError';
  }
}

/** Sequential reader over a slice of a Buffer. Never reads outside the slice. */
export class ByteReader {
  private pos = 0;

  /**
   * @param buf the bytes (a view; not copied)
   * @param where the name of the structure, used in error messages
   */
  constructor(
    private readonly buf: Buffer,
    readonly where: string,
  ) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Current offset inside the slice. */
  get offset(): number {
    return this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new WireFormatError(`${what} needs ${n} bytes at offset ${this.pos}, only ${this.buf.length - this.pos} left`, this.where);
    }
  }

  /** Reads an unsigned byte; `what` names it in errors. */
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf.readUInt8(this.pos++);
  }

  /** Reads a big-endian u16. */
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Reads a big-endian u32. */
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a big-endian u64 as a bigint. */
  u64(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view of the next `n` bytes (not copied). */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Skips `n` bytes (padding). */
  skip(n: number, what = 'padding'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number, where: string): ByteReader {
    return new ByteReader(this.bytes(n, where), where);
  }

  /** The rest of the slice (not copied). */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }

  /** Peeks a u16 at `offset` bytes ahead without moving. */
  peekU16(ahead = 0, what = 'u16'): number {
    if (this.pos + ahead + 2 > this.buf.length) throw new WireFormatError(`${what} needs 2 bytes at offset ${this.pos + ahead}`, this.where);
    return this.buf.readUInt16BE(this.pos + ahead);
  }
}

/** Growable big-endian writer. */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.alloc(initial);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends a byte. */
  u8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
    return this;
  }

  /** Appends a big-endian u16. */
  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  /** Appends a big-endian u32. */
  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  /** Appends a big-endian u64. */
  u64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), this.len);
    this.len += 8;
    return this;
  }

  /** Appends bytes. */
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Appends `n` zero bytes. */
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Pads with zeros from `start` so that the bytes written since `start` are a multiple of 8. */
  padTo8(start: number): this {
    const used = this.len - start;
    return this.zeros((8 - (used % 8)) % 8);
  }

  /** Overwrites a u16 already written (to fill in a length once the body is known). */
  setU16(offset: number, v: number): this {
    if (v > 0xffff) throw new RangeError(`a length of ${v} bytes exceeds 65535 (OpenFlow lengths are 16 bits)`);
    this.buf.writeUInt16BE(v, offset);
    return this;
  }

  /** A copy of the bytes written. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

/** Rounds `n` up to a multiple of 8 (OpenFlow's alignment for matches, actions and instructions). */
export function pad8(n: number): number {
  return (n + 7) & ~7;
}
