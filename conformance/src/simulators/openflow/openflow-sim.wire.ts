/**
 * Switch-side wire basics of the OpenFlow 1.3 simulator: message types, the header, error types and codes as
 * Open vSwitch 3.1 sends them, and the {@link OpenFlowSimError} raised while a request is processed. Written from the
 * OpenFlow Switch Specification 1.3.5 and checked against a real `ovs-vswitchd` (see the SIMULATORS.md entry);
 * this is the switch's own codec, not the controller's (`@netloom/openflow`).
 *
 * @packageDocumentation
 */

/** OpenFlow 1.3 (`OFP13_VERSION`): the one version the simulator speaks after the handshake. */
export const OF13 = 0x04;

/** Message types the simulator reads or writes (`enum ofp_type`). */
export const OfType = {
  HELLO: 0,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  EXPERIMENTER: 4,
  FEATURES_REQUEST: 5,
  FEATURES_REPLY: 6,
  GET_CONFIG_REQUEST: 7,
  GET_CONFIG_REPLY: 8,
  SET_CONFIG: 9,
  PACKET_IN: 10,
  FLOW_REMOVED: 11,
  PORT_STATUS: 12,
  PACKET_OUT: 13,
  FLOW_MOD: 14,
  GROUP_MOD: 15,
  PORT_MOD: 16,
  TABLE_MOD: 17,
  MULTIPART_REQUEST: 18,
  MULTIPART_REPLY: 19,
  BARRIER_REQUEST: 20,
  BARRIER_REPLY: 21,
  QUEUE_GET_CONFIG_REQUEST: 22,
  QUEUE_GET_CONFIG_REPLY: 23,
  ROLE_REQUEST: 24,
  ROLE_REPLY: 25,
  GET_ASYNC_REQUEST: 26,
  GET_ASYNC_REPLY: 27,
  SET_ASYNC: 28,
  METER_MOD: 29,
} as const;

/** Multipart types the simulator answers (`enum ofp_multipart_type`). */
export const OfMultipart = { DESC: 0, FLOW: 1, AGGREGATE: 2, PORT_DESC: 13 } as const;

/** Error types (`enum ofp_error_type`). */
export const OfErrorType = {
  HELLO_FAILED: 0,
  BAD_REQUEST: 1,
  BAD_ACTION: 2,
  BAD_INSTRUCTION: 3,
  BAD_MATCH: 4,
  FLOW_MOD_FAILED: 5,
  GROUP_MOD_FAILED: 6,
  PORT_MOD_FAILED: 7,
  TABLE_MOD_FAILED: 8,
  QUEUE_OP_FAILED: 9,
  SWITCH_CONFIG_FAILED: 10,
  ROLE_REQUEST_FAILED: 11,
  METER_MOD_FAILED: 12,
  TABLE_FEATURES_FAILED: 13,
  EXPERIMENTER: 0xffff,
} as const;

/** Error codes per type, by the spec's names (only the ones the simulator sends). */
export const OfErrorCode = {
  HELLO_FAILED: { INCOMPATIBLE: 0, EPERM: 1 },
  BAD_REQUEST: { BAD_VERSION: 0, BAD_TYPE: 1, BAD_MULTIPART: 2, BAD_EXPERIMENTER: 3, BAD_EXP_TYPE: 4, EPERM: 5, BAD_LEN: 6, BUFFER_UNKNOWN: 8, BAD_TABLE_ID: 9 },
  BAD_ACTION: { BAD_TYPE: 0, BAD_LEN: 1, BAD_EXPERIMENTER: 2, BAD_EXP_TYPE: 3, BAD_OUT_PORT: 4, BAD_ARGUMENT: 5, BAD_OUT_GROUP: 9, BAD_SET_TYPE: 13, BAD_SET_LEN: 14, BAD_SET_ARGUMENT: 15 },
  BAD_INSTRUCTION: { UNKNOWN_INST: 0, UNSUP_INST: 1, BAD_TABLE_ID: 2, BAD_LEN: 7 },
  BAD_MATCH: { BAD_TYPE: 0, BAD_LEN: 1, BAD_FIELD: 6, BAD_VALUE: 7, BAD_MASK: 8, BAD_PREREQ: 9, DUP_FIELD: 10 },
  FLOW_MOD_FAILED: { UNKNOWN: 0, TABLE_FULL: 1, BAD_TABLE_ID: 2, OVERLAP: 3, EPERM: 4, BAD_TIMEOUT: 5, BAD_COMMAND: 6, BAD_FLAGS: 7 },
  METER_MOD_FAILED: { UNKNOWN_METER: 2 },
} as const;

/** The ONF experimenter id, used by Open vSwitch for errors OpenFlow 1.3 has no code for. */
export const ONF_EXPERIMENTER = 0x4f4e4600;
/** `ONFERR_ET_DUP_INSTRUCTION` (exp_type 2600): what ovs-vswitchd 3.1 answers to a repeated instruction type. */
export const ONF_DUP_INSTRUCTION = 2600;
/** Nicira's vendor id (Open vSwitch extension actions and fields). */
export const NICIRA = 0x00002320;

/** `OFPP_MAX` and the reserved ports an action may name (`IN_PORT` .. `LOCAL`; `ANY` is not an output). */
export const OFPP_MAX = 0xffffff00;
/** `OFPP_IN_PORT`, the lowest reserved port. */
export const OFPP_IN_PORT = 0xfffffff8;
/** `OFPP_CONTROLLER`. */
export const OFPP_CONTROLLER = 0xfffffffd;
/** `OFPP_LOCAL`: the bridge's own port. */
export const OFPP_LOCAL = 0xfffffffe;
/** `OFPP_ANY`: no port (filters). */
export const OFPP_ANY = 0xffffffff;
/** `OFPG_ANY`: no group (filters). */
export const OFPG_ANY = 0xffffffff;
/** `OFPTT_ALL`. */
export const OFPTT_ALL = 0xff;
/** `OFP_NO_BUFFER`. */
export const OFP_NO_BUFFER = 0xffffffff;

/**
 * An OpenFlow error the switch answers a request with. `data` defaults to the whole request (ovs-vswitchd 3.1 quotes
 * the full message, not only its first 64 bytes).
 */
export class OpenFlowSimError extends Error {
  constructor(
    /** `ofp_error_type` (0xffff for an experimenter error). */
    readonly type: number,
    /** The code (the `exp_type` for an experimenter error). */
    readonly code: number,
    message: string,
    /** The experimenter id of an experimenter error. */
    readonly experimenter?: number,
  ) {
    super(message);
    this.name = 'OpenFlowSimError';
  }
}

/** Shorthand for an {@link OpenFlowSimError} with a spec type/code. */
export function ofError<T extends keyof typeof OfErrorCode>(type: T, code: keyof (typeof OfErrorCode)[T], message: string): OpenFlowSimError {
  return new OpenFlowSimError(OfErrorType[type], (OfErrorCode[type] as Record<string, number>)[code as string]!, message);
}

/** One OpenFlow message (header fields and body). */
export interface OfFrame {
  readonly version: number;
  readonly type: number;
  readonly xid: number;
  /** The body after the 8-byte header. */
  readonly body: Buffer;
  /** The whole message, header included (what an ERROR quotes). */
  readonly raw: Buffer;
}

/** Builds a message. */
export function frame(type: number, xid: number, body: Buffer = Buffer.alloc(0), version: number = OF13): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt8(version, 0);
  h.writeUInt8(type, 1);
  h.writeUInt16BE(8 + body.length, 2);
  h.writeUInt32BE(xid >>> 0, 4);
  return Buffer.concat([h, body]);
}

/** Builds an ERROR message answering `request` (or with `data` of its own). */
export function errorFrame(err: OpenFlowSimError, xid: number, data: Buffer, version: number = OF13): Buffer {
  const quoted = data.subarray(0, 0xffff - 8 - 12);
  if (err.experimenter !== undefined) {
    const b = Buffer.alloc(8);
    b.writeUInt16BE(OfErrorType.EXPERIMENTER, 0);
    b.writeUInt16BE(err.code, 2);
    b.writeUInt32BE(err.experimenter, 4);
    return frame(OfType.ERROR, xid, Buffer.concat([b, quoted]), version);
  }
  const b = Buffer.alloc(4);
  b.writeUInt16BE(err.type, 0);
  b.writeUInt16BE(err.code, 2);
  return frame(OfType.ERROR, xid, Buffer.concat([b, quoted]), version);
}

/**
 * Splits a byte stream into messages. Throws when a header announces fewer than 8 bytes (the stream cannot be
 * resynchronised: the connection must go).
 */
export class OfFrameSplitter {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the complete messages. */
  push(chunk: Buffer): OfFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: OfFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt16BE(2);
      if (length < 8) throw new Error(`message length ${length} is below the 8-byte header`);
      if (this.buf.length < length) break;
      const raw = Buffer.from(this.buf.subarray(0, length));
      this.buf = this.buf.subarray(length);
      out.push({ version: raw.readUInt8(0), type: raw.readUInt8(1), xid: raw.readUInt32BE(4), body: raw.subarray(8), raw });
    }
    return out;
  }
}

/** Rounds up to a multiple of 8. */
export function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** A NUL-padded fixed-size text field. */
export function fixedText(text: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.write(text.slice(0, size - 1), 'utf8');
  return b;
}
