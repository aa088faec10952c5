/**
 * OpenFlow ERROR messages: names of the OpenFlow 1.3 error types and codes, and the mapping to netloom errors.
 *
 * - An error answering a flow_mod of a batch becomes a `CommitError` (the switch refused a change).
 * - An error answering any other request (multipart, echo, features) becomes a `DeviceProtocolError`.
 * Both carry `details.ofType`, `ofCode`, their names, the offending `xid` and the first bytes of the error's data
 * (the start of the refused request) as hex in `details.dataHex`.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { CommitError, DeviceProtocolError, type NetloomError, intInRange, struct } from '@netloom/ports';
import { ByteReader, WireFormatError } from './byte-buffer';

/** Error types of OpenFlow 1.3 (`enum ofp_error_type`) and their codes, by number. */
const ERROR_NAMES: Record<number, { readonly name: string; readonly codes: readonly string[] }> = {
  0: { name: 'HELLO_FAILED', codes: ['INCOMPATIBLE', 'EPERM'] },
  1: {
    name: 'BAD_REQUEST',
    codes: ['BAD_VERSION', 'BAD_TYPE', 'BAD_MULTIPART', 'BAD_EXPERIMENTER', 'BAD_EXP_TYPE', 'EPERM', 'BAD_LEN', 'BUFFER_EMPTY', 'BUFFER_UNKNOWN', 'BAD_TABLE_ID', 'IS_SLAVE', 'BAD_PORT', 'BAD_PACKET', 'MULTIPART_BUFFER_OVERFLOW'],
  },
  2: {
    name: 'BAD_ACTION',
    codes: [
      'BAD_TYPE',
      'BAD_LEN',
      'BAD_EXPERIMENTER',
      'BAD_EXP_TYPE',
      'BAD_OUT_PORT',
      'BAD_ARGUMENT',
      'EPERM',
      'TOO_MANY',
      'BAD_QUEUE',
      'BAD_OUT_GROUP',
      'MATCH_INCONSISTENT',
      'UNSUPPORTED_ORDER',
      'BAD_TAG',
      'BAD_SET_TYPE',
      'BAD_SET_LEN',
      'BAD_SET_ARGUMENT',
    ],
  },
  3: { name: 'BAD_INSTRUCTION', codes: ['UNKNOWN_INST', 'UNSUP_INST', 'BAD_TABLE_ID', 'UNSUP_METADATA', 'UNSUP_METADATA_MASK', 'BAD_EXPERIMENTER', 'BAD_EXP_TYPE', 'BAD_LEN', 'EPERM'] },
  4: { name: 'BAD_MATCH', codes: ['BAD_TYPE', 'BAD_LEN', 'BAD_TAG', 'BAD_DL_ADDR_MASK', 'BAD_NW_ADDR_MASK', 'BAD_WILDCARDS', 'BAD_FIELD', 'BAD_VALUE', 'BAD_MASK', 'BAD_PREREQ', 'DUP_FIELD', 'EPERM'] },
  5: { name: 'FLOW_MOD_FAILED', codes: ['UNKNOWN', 'TABLE_FULL', 'BAD_TABLE_ID', 'OVERLAP', 'EPERM', 'BAD_TIMEOUT', 'BAD_COMMAND', 'BAD_FLAGS'] },
  6: {
    name: 'GROUP_MOD_FAILED',
    codes: ['GROUP_EXISTS', 'INVALID_GROUP', 'WEIGHT_UNSUPPORTED', 'OUT_OF_GROUPS', 'OUT_OF_BUCKETS', 'CHAINING_UNSUPPORTED', 'WATCH_UNSUPPORTED', 'LOOP', 'UNKNOWN_GROUP', 'CHAINED_GROUP', 'BAD_TYPE', 'BAD_COMMAND', 'BAD_BUCKET', 'BAD_WATCH', 'EPERM'],
  },
  7: { name: 'PORT_MOD_FAILED', codes: ['BAD_PORT', 'BAD_HW_ADDR', 'BAD_CONFIG', 'BAD_ADVERTISE', 'EPERM'] },
  8: { name: 'TABLE_MOD_FAILED', codes: ['BAD_TABLE', 'BAD_CONFIG', 'EPERM'] },
  9: { name: 'QUEUE_OP_FAILED', codes: ['BAD_PORT', 'BAD_QUEUE', 'EPERM'] },
  10: { name: 'SWITCH_CONFIG_FAILED', codes: ['BAD_FLAGS', 'BAD_LEN', 'EPERM'] },
  11: { name: 'ROLE_REQUEST_FAILED', codes: ['STALE', 'UNSUP', 'BAD_ROLE'] },
  12: { name: 'METER_MOD_FAILED', codes: ['UNKNOWN', 'METER_EXISTS', 'INVALID_METER', 'UNKNOWN_METER', 'BAD_COMMAND', 'BAD_FLAGS', 'BAD_RATE', 'BAD_BURST', 'BAD_BAND', 'BAD_BAND_VALUE', 'OUT_OF_METERS', 'OUT_OF_BANDS'] },
  13: { name: 'TABLE_FEATURES_FAILED', codes: ['BAD_TABLE', 'BAD_METADATA', 'BAD_TYPE', 'BAD_LEN', 'BAD_ARGUMENT', 'EPERM'] },
};

/** `OFPET_EXPERIMENTER`: the error is defined by an experimenter (Open vSwitch uses it for its own errors). */
export const OFPET_EXPERIMENTER = 0xffff;

/** OpenFlow 1.3 error type numbers by name (the common ones). */
export const ErrorType = {
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
  EXPERIMENTER: OFPET_EXPERIMENTER,
} as const;

/**
 * Names of an error type and code: `{ typeName: 'BAD_ACTION', codeName: 'BAD_OUT_PORT' }`. Unknown ones are named
 * by number (`TYPE_42`, `CODE_7`); experimenter errors as `EXPERIMENTER` / `EXP_<code>`.
 *
 * @example openFlowErrorNames(3, 2) // { typeName: 'BAD_INSTRUCTION', codeName: 'BAD_TABLE_ID' }
 */
export function openFlowErrorNames(type: number, code: number): { typeName: string; codeName: string } {
  if (type === OFPET_EXPERIMENTER) return { typeName: 'EXPERIMENTER', codeName: `EXP_${code}` };
  const t = ERROR_NAMES[type];
  if (t === undefined) return { typeName: `TYPE_${type}`, codeName: `CODE_${code}` };
  return { typeName: t.name, codeName: t.codes[code] ?? `CODE_${code}` };
}

/** A decoded OpenFlow ERROR message. */
export interface OpenFlowErrorInfo {
  /** xid of the message the error answers. */
  readonly xid: number;
  /** Error type number (`ofp_error_type`). */
  readonly type: number;
  /** Error code number (for experimenter errors: `exp_code`). */
  readonly code: number;
  /** Name of the type (`BAD_MATCH`). */
  readonly typeName: string;
  /** Name of the code (`BAD_PREREQ`). */
  readonly codeName: string;
  /** Experimenter id for `OFPET_EXPERIMENTER` errors (0x00002320 for Open vSwitch's Nicira errors). */
  readonly experimenter?: number;
  /** The error's data: usually the start of the refused request (hex, at most {@link ERROR_DATA_HEX_BYTES} bytes). */
  readonly dataHex: string;
  /** Length of the whole data field in bytes. */
  readonly dataLength: number;
  /** The data as ASCII text when it looks like text (HELLO_FAILED carries an explanation). */
  readonly text?: string;
}

/** io-ts codec for {@link OpenFlowErrorInfo} (validates a decoded ERROR before it is mapped). */
export const OpenFlowErrorInfoCodec: t.Type<OpenFlowErrorInfo, OpenFlowErrorInfo, unknown> = struct(
  'OpenFlowErrorInfo',
  { xid: intInRange('xid', 0, 0xffffffff), type: intInRange('type', 0, 0xffff), code: intInRange('code', 0, 0xffff), typeName: t.string, codeName: t.string, dataHex: t.string, dataLength: intInRange('data length', 0, 0xffff) },
  { experimenter: intInRange('experimenter', 0, 0xffffffff), text: t.string },
);

/** How many bytes of an error's data are kept (as hex) in details: the OpenFlow header and the start of the request. */
export const ERROR_DATA_HEX_BYTES = 64;

/** Decodes the body of an ERROR message (after the 8-byte header). */
export function decodeErrorBody(xid: number, body: Buffer): OpenFlowErrorInfo {
  const r = new ByteReader(body, 'error');
  const type = r.u16('error type');
  const code = r.u16('error code');
  let experimenter: number | undefined;
  if (type === OFPET_EXPERIMENTER) {
    if (r.remaining < 4) throw new WireFormatError('experimenter error without experimenter id', 'error');
    experimenter = r.u32('experimenter id');
  }
  const data = r.rest();
  const names = openFlowErrorNames(type, code);
  const printable = data.length > 0 && data.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09 || b === 0);
  return {
    xid,
    type,
    code,
    ...names,
    ...(experimenter !== undefined ? { experimenter } : {}),
    dataHex: data.subarray(0, ERROR_DATA_HEX_BYTES).toString('hex'),
    dataLength: data.length,
    ...(printable ? { text: data.toString('ascii').replace(/\0+$/, '') } : {}),
  };
}

/** The details every mapped error carries. */
export function errorDetails(info: OpenFlowErrorInfo, datapathId: string | undefined): Record<string, unknown> {
  return {
    ...(datapathId !== undefined ? { datapathId } : {}),
    xid: info.xid,
    ofType: info.type,
    ofCode: info.code,
    ofTypeName: info.typeName,
    ofCodeName: info.codeName,
    ...(info.experimenter !== undefined ? { experimenter: info.experimenter } : {}),
    dataHex: info.dataHex,
  };
}

/** `BAD_ACTION/BAD_OUT_PORT` (or `EXPERIMENTER/EXP_5 (experimenter 0x2320)`). */
export function errorLabel(info: OpenFlowErrorInfo): string {
  const exp = info.experimenter !== undefined ? ` (experimenter 0x${info.experimenter.toString(16)})` : '';
  return `${info.typeName}/${info.codeName}${exp}`;
}

/**
 * Maps an error answering a non-modifying request (what) to a `DeviceProtocolError`.
 *
 * @example requestError(info, 'flow stats request', '0000aabbccddeeff')
 */
export function requestError(info: OpenFlowErrorInfo, what: string, datapathId: string | undefined): NetloomError {
  return new DeviceProtocolError(`switch ${datapathId ?? '(handshake)'} refused the ${what} (xid ${info.xid}): ${errorLabel(info)}${info.text !== undefined ? `: ${info.text}` : ''}`, {
    details: errorDetails(info, datapathId),
  });
}

/** One refused flow_mod of a batch, as listed in `CommitError.details.failures`. */
export interface FlowModFailure {
  /** Index of the flow_mod in the batch. */
  readonly index: number;
  /** The flow_mod's xid. */
  readonly xid: number;
  readonly ofType: number;
  readonly ofCode: number;
  readonly ofTypeName: string;
  readonly ofCodeName: string;
  readonly experimenter?: number;
  readonly dataHex: string;
}

/**
 * Maps the errors of a flow_mod batch to one `CommitError`: the message names the first refused flow_mod, details
 * carry its type/code/xid/data and `failures` lists every refused one.
 */
export function batchError(failures: readonly { index: number; info: OpenFlowErrorInfo }[], batchSize: number, datapathId: string): CommitError {
  const first = failures[0]!;
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
  const list: FlowModFailure[] = failures.map((f) => ({
    index: f.index,
    xid: f.info.xid,
    ofType: f.info.type,
    ofCode: f.info.code,
    ofTypeName: f.info.typeName,
    ofCodeName: f.info.codeName,
    ...(f.info.experimenter !== undefined ? { experimenter: f.info.experimenter } : {}),
    dataHex: f.info.dataHex,
  }));
  return new CommitError(`switch ${datapathId} refused flow_mod #${first.index} (xid ${first.info.xid}) of a batch of ${batchSize}: ${errorLabel(first.info)}${more}`, {
    details: { ...errorDetails(first.info, datapathId), index: first.index, batchSize, failures: list },
  });
}
