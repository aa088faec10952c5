/**
 * OpenFlow framing: the 8-byte header (version, type, length, xid) and an incremental parser that turns a TCP byte
 * stream, cut into chunks anywhere, into whole messages.
 *
 * @packageDocumentation
 */
import { WireFormatError } from './byte-buffer';
import { OFP13_VERSION, OFP_HEADER_LEN, OFP_MAX_MESSAGE_LEN } from './openflow.constants';

/** The common OpenFlow header. */
export interface OpenFlowHeader {
  /** Protocol version (0x04 for OpenFlow 1.3). */
  readonly version: number;
  /** Message type (`ofp_type`). */
  readonly type: number;
  /** Length of the whole message including this header. */
  readonly length: number;
  /** Transaction id: a reply carries the xid of its request. */
  readonly xid: number;
}

/** A whole message: its header and its body (the bytes after the header). */
export interface OpenFlowFrame {
  readonly header: OpenFlowHeader;
  readonly body: Buffer;
}

/**
 * Builds a message: header plus body. Throws when the message would exceed 65535 bytes.
 *
 * @example encodeFrame(2, 7, Buffer.from('ping')) // ECHO_REQUEST, xid 7
 */
export function encodeFrame(type: number, xid: number, body: Uint8Array = Buffer.alloc(0), version = OFP13_VERSION): Buffer {
  const length = OFP_HEADER_LEN + body.length;
  if (length > OFP_MAX_MESSAGE_LEN) throw new RangeError(`OpenFlow message of ${length} bytes exceeds ${OFP_MAX_MESSAGE_LEN}`);
  const out = Buffer.alloc(length);
  out.writeUInt8(version, 0);
  out.writeUInt8(type, 1);
  out.writeUInt16BE(length, 2);
  out.writeUInt32BE(xid >>> 0, 4);
  out.set(body, OFP_HEADER_LEN);
  return out;
}

/** Reads the header at the start of `buf` (which must hold at least 8 bytes). */
export function decodeHeader(buf: Buffer): OpenFlowHeader {
  return { version: buf.readUInt8(0), type: buf.readUInt8(1), length: buf.readUInt16BE(2), xid: buf.readUInt32BE(4) };
}

/**
 * Incremental message parser. Feed it every chunk the socket delivers, in order; it returns the messages completed
 * by that chunk (zero or more) and keeps any partial message for the next call. A header announcing a length below
 * 8 is a framing error (the stream cannot be resynchronised): {@link push} throws and the connection must close.
 *
 * @example
 * const p = new FrameParser();
 * socket.on('data', (chunk) => { for (const f of p.push(chunk)) handle(f); });
 */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Adds a chunk and returns the messages it completes. Message bodies are copies, independent of `chunk`. */
  push(chunk: Buffer): OpenFlowFrame[] {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: OpenFlowFrame[] = [];
    while (buf.length >= OFP_HEADER_LEN) {
      const header = decodeHeader(buf);
      if (header.length < OFP_HEADER_LEN) {
        this.pending = Buffer.alloc(0);
        throw new WireFormatError(`message type ${header.type} xid ${header.xid} announces length ${header.length}, below the 8-byte header`, 'framing');
      }
      if (buf.length < header.length) break;
      out.push({ header, body: Buffer.from(buf.subarray(OFP_HEADER_LEN, header.length)) });
      buf = buf.subarray(header.length);
    }
    // Copy the remainder so the caller's chunk can be reused or collected.
    this.pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
    return out;
  }
}
