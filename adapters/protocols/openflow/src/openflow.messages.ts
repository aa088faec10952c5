/**
 * OpenFlow 1.3 message bodies the controller sends and receives: hello (version bitmap), features, port
 * descriptions, flow_mod, flow stats, packet-in, port-status, flow-removed, set-config. Typed models, io-ts codecs
 * (replies are validated with them before they leave the package) and binary encoders/decoders.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { type CheckProblem, describeValue, struct, typeMismatch, withChecks } from '@netloom/ports';
import { ByteReader, ByteWriter, WireFormatError } from './byte-buffer';
import {
  FlowModCommandCode,
  FlowModFlagBit,
  MessageType,
  OFP13_VERSION,
  OFPG_ANY,
  OFPHET_VERSIONBITMAP,
  OFPTT_ALL,
  OFP_DEFAULT_PRIORITY,
  OFP_NO_BUFFER,
  PortConfigBit,
  PortStateBit,
} from './openflow.constants';
import { type Instruction, InstructionCodec, readInstructions, writeInstructions } from './openflow.actions';
import { type Match, MatchCodec, readMatch, writeMatch } from './openflow.match';
import { encodeFrame } from './openflow.framing';
import { macFromBytes } from './openflow.addresses';
import { type PortRef, PortRefCodec, TableIdCodec, U64Codec, portFromWire, portToWire, uintCodec } from './openflow.types';

const keys = <K extends string>(o: Record<K, unknown>, name: string): t.KeyofC<Record<K, null>> =>
  t.keyof(Object.fromEntries(Object.keys(o).map((k) => [k, null])) as Record<K, null>, name);

// ------------------------------------------------------------------------------------------------------------------
// Hello and version negotiation

/** Builds a HELLO offering OpenFlow 1.3 only, with a version-bitmap element. */
export function encodeHello(xid: number): Buffer {
  const w = new ByteWriter(16);
  w.u16(OFPHET_VERSIONBITMAP).u16(8).u32(1 << OFP13_VERSION);
  return encodeFrame(MessageType.HELLO, xid, w.toBuffer());
}

/**
 * The versions a peer's HELLO offers: from its version-bitmap element when present, else every version up to the
 * header's (OpenFlow 1.3.5 §6.3.1).
 */
export function helloVersions(headerVersion: number, body: Buffer): number[] {
  const r = new ByteReader(body, 'hello');
  while (r.remaining >= 4) {
    const type = r.u16('hello element type');
    const length = r.u16('hello element length');
    if (length < 4) throw new WireFormatError(`hello element length ${length} is below 4`, 'hello');
    const el = r.sub(Math.min(length - 4, r.remaining), 'hello element');
    r.skip(Math.min(((8 - (length % 8)) % 8), r.remaining));
    if (type !== OFPHET_VERSIONBITMAP) continue;
    const versions: number[] = [];
    for (let word = 0; el.remaining >= 4; word++) {
      const bits = el.u32('version bitmap');
      for (let bit = 0; bit < 32; bit++) if ((bits >>> bit) & 1) versions.push(word * 32 + bit);
    }
    return versions;
  }
  return Array.from({ length: headerVersion }, (_, i) => i + 1);
}

// ------------------------------------------------------------------------------------------------------------------
// Features

/** What a switch says about itself in FEATURES_REPLY. */
export interface SwitchFeatures {
  /** Datapath id: 16 lower-case hex digits, as `ovs-vsctl get bridge br-int datapath_id` prints it. */
  readonly datapathId: string;
  /** Packets the switch can buffer for packet-in. */
  readonly nBuffers: number;
  /** Flow tables. */
  readonly nTables: number;
  /** 0 for the main connection. */
  readonly auxiliaryId: number;
  /** `ofp_capabilities` bits. */
  readonly capabilities: number;
}

/** io-ts codec for a datapath id (16 lower-case hex digits). */
export const DatapathIdCodec = new t.Type<string, string, unknown>(
  'datapath id',
  (u): u is string => typeof u === 'string' && /^[0-9a-f]{16}$/.test(u),
  (u, c) => {
    if (typeof u !== 'string') return typeMismatch(u, c, `expected a datapath id, got ${describeValue(u)}`);
    return /^[0-9a-fA-F]{16}$/.test(u) ? t.success(u.toLowerCase()) : t.failure(u, c, `${describeValue(u)} is not 16 hex digits`);
  },
  t.identity,
);

/** io-ts codec for {@link SwitchFeatures}. */
export const SwitchFeaturesCodec: t.Type<SwitchFeatures, SwitchFeatures, unknown> = struct('SwitchFeatures', {
  datapathId: DatapathIdCodec,
  nBuffers: uintCodec(32),
  nTables: uintCodec(8),
  auxiliaryId: uintCodec(8),
  capabilities: uintCodec(32),
});

/** Decodes a FEATURES_REPLY body. */
export function decodeFeaturesReply(body: Buffer): SwitchFeatures {
  const r = new ByteReader(body, 'features_reply');
  const datapathId = r.u64('datapath_id').toString(16).padStart(16, '0');
  const nBuffers = r.u32('n_buffers');
  const nTables = r.u8('n_tables');
  const auxiliaryId = r.u8('auxiliary_id');
  r.skip(2);
  const capabilities = r.u32('capabilities');
  return { datapathId, nBuffers, nTables, auxiliaryId, capabilities };
}

// ------------------------------------------------------------------------------------------------------------------
// Ports

/** Port config flags (`ofp_port_config`). */
export type PortConfigFlag = keyof typeof PortConfigBit;
/** Port state flags (`ofp_port_state`). */
export type PortStateFlag = keyof typeof PortStateBit;

/** A switch port (`struct ofp_port`), from port-desc or port-status. */
export interface PortDesc {
  /** OpenFlow port number (`'LOCAL'` for the bridge's own port). */
  readonly portNo: PortRef;
  /** Interface name (`br-int`, `vxlan0`, ...). */
  readonly name: string;
  /** MAC address. */
  readonly hwAddr: string;
  /** Administrative settings set. */
  readonly config: readonly PortConfigFlag[];
  /** Link state flags set. */
  readonly state: readonly PortStateFlag[];
  /** Current speed in kbit/s. */
  readonly currSpeedKbps: number;
  /** Maximum speed in kbit/s. */
  readonly maxSpeedKbps: number;
  /** `ofp_port_features` bitmaps: current, advertised, supported, advertised by peer. */
  readonly curr: number;
  readonly advertised: number;
  readonly supported: number;
  readonly peer: number;
}

const MacTextCodec = new t.Type<string, string, unknown>(
  'MAC address',
  (u): u is string => typeof u === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(u),
  (u, c) => (typeof u === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(u) ? t.success(u) : t.failure(u, c, `${describeValue(u)} is not a MAC address`)),
  t.identity,
);

/** io-ts codec for {@link PortDesc}. */
export const PortDescCodec: t.Type<PortDesc, PortDesc, unknown> = struct('PortDesc', {
  portNo: PortRefCodec,
  name: t.string,
  hwAddr: MacTextCodec,
  config: t.readonlyArray(keys(PortConfigBit, 'port config flag')),
  state: t.readonlyArray(keys(PortStateBit, 'port state flag')),
  currSpeedKbps: uintCodec(32),
  maxSpeedKbps: uintCodec(32),
  curr: uintCodec(32),
  advertised: uintCodec(32),
  supported: uintCodec(32),
  peer: uintCodec(32),
});

function flagNames<K extends string>(bits: number, table: Record<K, number>): K[] {
  return (Object.entries(table) as [K, number][]).filter(([, bit]) => (bits & bit) !== 0).map(([k]) => k);
}

function flagBits<K extends string>(names: readonly K[], table: Record<K, number>): number {
  let bits = 0;
  for (const n of names) bits |= table[n];
  return bits;
}

/** Length of `struct ofp_port` in OpenFlow 1.3. */
export const OFP_PORT_LEN = 64;

/** Reads one `struct ofp_port`. */
export function readPort(r: ByteReader): PortDesc {
  const portNo = portFromWire(r.u32('port_no'));
  r.skip(4);
  const hwAddr = macFromBytes(r.bytes(6, 'hw_addr'));
  r.skip(2);
  const rawName = r.bytes(16, 'name');
  const nul = rawName.indexOf(0);
  const name = rawName.subarray(0, nul < 0 ? 16 : nul).toString('utf8');
  const config = flagNames(r.u32('config'), PortConfigBit);
  const state = flagNames(r.u32('state'), PortStateBit);
  const curr = r.u32('curr');
  const advertised = r.u32('advertised');
  const supported = r.u32('supported');
  const peer = r.u32('peer');
  const currSpeedKbps = r.u32('curr_speed');
  const maxSpeedKbps = r.u32('max_speed');
  return { portNo, name, hwAddr, config, state, currSpeedKbps, maxSpeedKbps, curr, advertised, supported, peer };
}

/** Reads the port list of a PORT_DESC multipart reply part. */
export function decodePortDescParts(body: Buffer): PortDesc[] {
  const r = new ByteReader(body, 'port_desc');
  const out: PortDesc[] = [];
  while (r.remaining > 0) out.push(readPort(r.sub(OFP_PORT_LEN, `port_desc[${out.length}]`)));
  return out;
}

/** Why a port-status message was sent. */
export type PortStatusReason = 'add' | 'delete' | 'modify';

/** A PORT_STATUS message: a port was added, removed or changed. */
export interface PortStatusEvent {
  readonly reason: PortStatusReason;
  readonly port: PortDesc;
}

/** io-ts codec for {@link PortStatusEvent}. */
export const PortStatusEventCodec: t.Type<PortStatusEvent, PortStatusEvent, unknown> = struct('PortStatusEvent', {
  reason: t.keyof({ add: null, delete: null, modify: null }, 'port status reason'),
  port: PortDescCodec,
});

/** Decodes a PORT_STATUS body. */
export function decodePortStatus(body: Buffer): PortStatusEvent {
  const r = new ByteReader(body, 'port_status');
  const code = r.u8('reason');
  r.skip(7);
  const reason: PortStatusReason | undefined = code === 0 ? 'add' : code === 1 ? 'delete' : code === 2 ? 'modify' : undefined;
  if (reason === undefined) throw new WireFormatError(`unknown port status reason ${code}`, 'port_status');
  return { reason, port: readPort(r.sub(OFP_PORT_LEN, 'port_status.desc')) };
}

// ------------------------------------------------------------------------------------------------------------------
// Multipart framing

/** Builds a MULTIPART_REQUEST of `mpType` with `body`. */
export function encodeMultipartRequest(xid: number, mpType: number, body: Uint8Array = Buffer.alloc(0)): Buffer {
  const w = new ByteWriter(8 + body.length);
  w.u16(mpType).u16(0).zeros(4).bytes(body);
  return encodeFrame(MessageType.MULTIPART_REQUEST, xid, w.toBuffer());
}

/** The header of a MULTIPART_REPLY and its body. */
export interface MultipartReplyPart {
  readonly mpType: number;
  readonly flags: number;
  readonly body: Buffer;
}

/** Splits a MULTIPART_REPLY body into its multipart header and the part's body. */
export function decodeMultipartReply(body: Buffer): MultipartReplyPart {
  const r = new ByteReader(body, 'multipart_reply');
  const mpType = r.u16('multipart type');
  const flags = r.u16('multipart flags');
  r.skip(4);
  return { mpType, flags, body: r.rest() };
}

// ------------------------------------------------------------------------------------------------------------------
// Flow mod

/** Flow-mod command: add, modify (non-strict matches a superset), modifyStrict, delete, deleteStrict. */
export type FlowModCommand = keyof typeof FlowModCommandCode;
/** Flow-mod flags (`OFPFF_*`): sendFlowRem, checkOverlap, resetCounts, noPktCounts, noBytCounts. */
export type FlowModFlag = keyof typeof FlowModFlagBit;

/**
 * One flow table modification (`OFPT_FLOW_MOD`).
 *
 * Defaults: `tableId` 0 (`'all'` is allowed for deletes only), `priority` 32768, `cookie`/`cookieMask` 0,
 * timeouts 0 (permanent), no flags, empty match (everything), no instructions (drop), `outPort`/`outGroup` any.
 *
 * Ownership: netloom puts its own prefix in the cookie's high bits and deletes/modifies with `cookieMask` covering
 * that prefix, so flows of other controllers are never touched (modify/delete only act on flows whose
 * `cookie & cookieMask` equals `cookie & cookieMask` of the request).
 *
 * @example
 * const add: FlowMod = { command: 'add', tableId: 0, priority: 100, cookie: 0x4e4c000000000001n,
 *   match: { inPort: 1, vlanVid: 0x1000 | 100 },
 *   instructions: [{ type: 'applyActions', actions: [{ type: 'popVlan' }, { type: 'setField', field: 'tunnelId', value: 5000n }] },
 *                  { type: 'gotoTable', tableId: 1 }] };
 * const cleanup: FlowMod = { command: 'delete', tableId: 'all', cookie: 0x4e4c000000000000n, cookieMask: 0xffff000000000000n };
 */
export interface FlowMod {
  readonly command: FlowModCommand;
  readonly tableId?: number | 'all';
  readonly priority?: number;
  readonly cookie?: bigint;
  readonly cookieMask?: bigint;
  readonly idleTimeout?: number;
  readonly hardTimeout?: number;
  readonly flags?: readonly FlowModFlag[];
  readonly match?: Match;
  readonly instructions?: readonly Instruction[];
  readonly outPort?: PortRef;
  readonly outGroup?: number;
  readonly bufferId?: number;
}

const TableOrAllCodec = t.union([TableIdCodec, t.literal('all')], 'table id or "all"');
const FlowModFlagCodec = keys(FlowModFlagBit, 'flow_mod flag');

/** io-ts codec for {@link FlowMod} (input validation: unknown fields, ranges, `'all'` only for deletes). */
export const FlowModCodec: t.Type<FlowMod, FlowMod, unknown> = withChecks(
  struct(
    'FlowMod',
    { command: keys(FlowModCommandCode, 'flow_mod command') },
    {
      tableId: TableOrAllCodec,
      priority: uintCodec(16, 'priority'),
      cookie: U64Codec,
      cookieMask: U64Codec,
      idleTimeout: uintCodec(16, 'idle timeout'),
      hardTimeout: uintCodec(16, 'hard timeout'),
      flags: t.readonlyArray(FlowModFlagCodec),
      match: MatchCodec,
      instructions: t.readonlyArray(InstructionCodec, 'instructions'),
      outPort: PortRefCodec,
      outGroup: uintCodec(32, 'group id'),
      bufferId: uintCodec(32, 'buffer id'),
    },
  ),
  (m): CheckProblem[] => {
    const out: CheckProblem[] = [];
    const isDelete = m.command === 'delete' || m.command === 'deleteStrict';
    if (m.tableId === 'all' && !isDelete) out.push({ path: ['tableId'], message: `"all" tables is only for delete commands, not ${m.command}`, value: m.tableId });
    if (m.cookie === 0xffffffffffffffffn && m.command === 'add') out.push({ path: ['cookie'], message: 'cookie 0xffffffffffffffff is reserved', value: m.cookie });
    return out;
  },
) as unknown as t.Type<FlowMod, FlowMod, unknown>;

/** Builds a FLOW_MOD message. `mod` must have passed {@link FlowModCodec}. */
export function encodeFlowMod(xid: number, mod: FlowMod): Buffer {
  const w = new ByteWriter(128);
  w.u64(mod.cookie ?? 0n)
    .u64(mod.cookieMask ?? 0n)
    .u8(mod.tableId === 'all' ? OFPTT_ALL : (mod.tableId ?? 0))
    .u8(FlowModCommandCode[mod.command])
    .u16(mod.idleTimeout ?? 0)
    .u16(mod.hardTimeout ?? 0)
    .u16(mod.priority ?? OFP_DEFAULT_PRIORITY)
    .u32(mod.bufferId ?? OFP_NO_BUFFER)
    .u32(portToWire(mod.outPort ?? 'ANY'))
    .u32(mod.outGroup ?? OFPG_ANY)
    .u16(flagBits(mod.flags ?? [], FlowModFlagBit))
    .zeros(2);
  writeMatch(w, mod.match ?? {});
  writeInstructions(w, mod.instructions ?? []);
  return encodeFrame(MessageType.FLOW_MOD, xid, w.toBuffer());
}

// ------------------------------------------------------------------------------------------------------------------
// Flow stats

/** Filter of a flow stats request: defaults are all tables, any port/group, every cookie, every flow. */
export interface FlowStatsRequest {
  readonly tableId?: number | 'all';
  readonly outPort?: PortRef;
  readonly outGroup?: number;
  readonly cookie?: bigint;
  readonly cookieMask?: bigint;
  readonly match?: Match;
}

/** io-ts codec for {@link FlowStatsRequest}. */
export const FlowStatsRequestCodec: t.Type<FlowStatsRequest, FlowStatsRequest, unknown> = struct(
  'FlowStatsRequest',
  {},
  { tableId: TableOrAllCodec, outPort: PortRefCodec, outGroup: uintCodec(32, 'group id'), cookie: U64Codec, cookieMask: U64Codec, match: MatchCodec },
) as unknown as t.Type<FlowStatsRequest, FlowStatsRequest, unknown>;

/** Builds the body of an OFPMP_FLOW request (after the multipart header). */
export function encodeFlowStatsRequestBody(req: FlowStatsRequest): Buffer {
  const w = new ByteWriter(64);
  w.u8(req.tableId === undefined || req.tableId === 'all' ? OFPTT_ALL : req.tableId)
    .zeros(3)
    .u32(portToWire(req.outPort ?? 'ANY'))
    .u32(req.outGroup ?? OFPG_ANY)
    .zeros(4)
    .u64(req.cookie ?? 0n)
    .u64(req.cookieMask ?? 0n);
  writeMatch(w, req.match ?? {});
  return w.toBuffer();
}

/**
 * One flow entry as read back from a switch (`struct ofp_flow_stats`), with the same {@link Match} and
 * {@link Instruction} types used to write it.
 */
export interface FlowStats {
  readonly tableId: number;
  readonly priority: number;
  readonly cookie: bigint;
  readonly idleTimeout: number;
  readonly hardTimeout: number;
  readonly flags: readonly FlowModFlag[];
  readonly match: Match;
  readonly instructions: readonly Instruction[];
  /** Packets that matched. */
  readonly packetCount: bigint;
  /** Bytes that matched. */
  readonly byteCount: bigint;
  /** Age of the flow: seconds, plus nanoseconds beyond them. */
  readonly durationSec: number;
  readonly durationNsec: number;
}

/** io-ts codec for {@link FlowStats} (validates what a switch returned). */
export const FlowStatsCodec: t.Type<FlowStats, FlowStats, unknown> = struct('FlowStats', {
  tableId: uintCodec(8, 'table id'),
  priority: uintCodec(16, 'priority'),
  cookie: U64Codec,
  idleTimeout: uintCodec(16),
  hardTimeout: uintCodec(16),
  flags: t.readonlyArray(FlowModFlagCodec),
  match: MatchCodec,
  instructions: t.readonlyArray(InstructionCodec, 'instructions'),
  packetCount: U64Codec,
  byteCount: U64Codec,
  durationSec: uintCodec(32),
  durationNsec: uintCodec(32),
}) as unknown as t.Type<FlowStats, FlowStats, unknown>;

/** Reads the flow entries of one OFPMP_FLOW reply part. */
export function decodeFlowStatsParts(body: Buffer): FlowStats[] {
  const r = new ByteReader(body, 'flow_stats');
  const out: FlowStats[] = [];
  while (r.remaining > 0) {
    const where = `flow_stats[${out.length}]`;
    const length = r.peekU16(0, 'flow stats length');
    if (length < 56) throw new WireFormatError(`entry length ${length} is below 56`, where);
    const e = r.sub(length, where);
    e.skip(2);
    const tableId = e.u8('table_id');
    e.skip(1);
    const durationSec = e.u32('duration_sec');
    const durationNsec = e.u32('duration_nsec');
    const priority = e.u16('priority');
    const idleTimeout = e.u16('idle_timeout');
    const hardTimeout = e.u16('hard_timeout');
    const flags = flagNames(e.u16('flags'), FlowModFlagBit);
    e.skip(4);
    const cookie = e.u64('cookie');
    const packetCount = e.u64('packet_count');
    const byteCount = e.u64('byte_count');
    const match = readMatch(e);
    const instructions = readInstructions(new ByteReader(e.rest(), `${where}.instructions`));
    out.push({ tableId, priority, cookie, idleTimeout, hardTimeout, flags, match, instructions, packetCount, byteCount, durationSec, durationNsec });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------------------
// Packet-in, flow-removed, set-config

/** A PACKET_IN, decoded to its header level (the packet bytes are not parsed). */
export interface PacketInEvent {
  /** Switch buffer holding the packet, absent when not buffered. */
  readonly bufferId?: number;
  /** Length of the whole packet (the `data` may be shorter). */
  readonly totalLen: number;
  /** `OFPR_*`: 0 no match, 1 action, 2 invalid TTL (later versions add more). */
  readonly reason: number;
  /** Name of the reason (`noMatch`, `action`, `invalidTtl`, `reason<N>`). */
  readonly reasonName: string;
  readonly tableId: number;
  /** Cookie of the flow that sent the packet. */
  readonly cookie: bigint;
  /** Pipeline fields (in_port, tunnel id, registers, ...). */
  readonly match: Match;
  /** The packet (or its start). */
  readonly data: Buffer;
}

const BufferCodec = new t.Type<Buffer, Buffer, unknown>('bytes', (u): u is Buffer => Buffer.isBuffer(u), (u, c) => (Buffer.isBuffer(u) ? t.success(u) : typeMismatch(u, c, `expected bytes, got ${describeValue(u)}`)), t.identity);

/** io-ts codec for {@link PacketInEvent}. */
export const PacketInEventCodec: t.Type<PacketInEvent, PacketInEvent, unknown> = struct(
  'PacketInEvent',
  { totalLen: uintCodec(16), reason: uintCodec(8), reasonName: t.string, tableId: uintCodec(8), cookie: U64Codec, match: MatchCodec, data: BufferCodec },
  { bufferId: uintCodec(32) },
) as unknown as t.Type<PacketInEvent, PacketInEvent, unknown>;

const PACKET_IN_REASONS = ['noMatch', 'action', 'invalidTtl'];

/** Decodes a PACKET_IN body. */
export function decodePacketIn(body: Buffer): PacketInEvent {
  const r = new ByteReader(body, 'packet_in');
  const bufferId = r.u32('buffer_id');
  const totalLen = r.u16('total_len');
  const reason = r.u8('reason');
  const tableId = r.u8('table_id');
  const cookie = r.u64('cookie');
  const match = readMatch(r);
  r.skip(2);
  const data = Buffer.from(r.rest());
  return {
    ...(bufferId !== OFP_NO_BUFFER ? { bufferId } : {}),
    totalLen,
    reason,
    reasonName: PACKET_IN_REASONS[reason] ?? `reason${reason}`,
    tableId,
    cookie,
    match,
    data,
  };
}

/** A FLOW_REMOVED: a flow with the `sendFlowRem` flag expired or was deleted. */
export interface FlowRemovedEvent {
  readonly cookie: bigint;
  readonly priority: number;
  /** `OFPRR_*`: 0 idle timeout, 1 hard timeout, 2 delete, 3 group delete. */
  readonly reason: number;
  /** `idleTimeout`, `hardTimeout`, `delete`, `groupDelete`, `reason<N>`. */
  readonly reasonName: string;
  readonly tableId: number;
  readonly durationSec: number;
  readonly durationNsec: number;
  readonly idleTimeout: number;
  readonly hardTimeout: number;
  readonly packetCount: bigint;
  readonly byteCount: bigint;
  readonly match: Match;
}

/** io-ts codec for {@link FlowRemovedEvent}. */
export const FlowRemovedEventCodec: t.Type<FlowRemovedEvent, FlowRemovedEvent, unknown> = struct('FlowRemovedEvent', {
  cookie: U64Codec,
  priority: uintCodec(16),
  reason: uintCodec(8),
  reasonName: t.string,
  tableId: uintCodec(8),
  durationSec: uintCodec(32),
  durationNsec: uintCodec(32),
  idleTimeout: uintCodec(16),
  hardTimeout: uintCodec(16),
  packetCount: U64Codec,
  byteCount: U64Codec,
  match: MatchCodec,
}) as unknown as t.Type<FlowRemovedEvent, FlowRemovedEvent, unknown>;

const FLOW_REMOVED_REASONS = ['idleTimeout', 'hardTimeout', 'delete', 'groupDelete'];

/** Decodes a FLOW_REMOVED body. */
export function decodeFlowRemoved(body: Buffer): FlowRemovedEvent {
  const r = new ByteReader(body, 'flow_removed');
  const cookie = r.u64('cookie');
  const priority = r.u16('priority');
  const reason = r.u8('reason');
  const tableId = r.u8('table_id');
  const durationSec = r.u32('duration_sec');
  const durationNsec = r.u32('duration_nsec');
  const idleTimeout = r.u16('idle_timeout');
  const hardTimeout = r.u16('hard_timeout');
  const packetCount = r.u64('packet_count');
  const byteCount = r.u64('byte_count');
  const match = readMatch(r);
  return { cookie, priority, reason, reasonName: FLOW_REMOVED_REASONS[reason] ?? `reason${reason}`, tableId, durationSec, durationNsec, idleTimeout, hardTimeout, packetCount, byteCount, match };
}

/** Builds a SET_CONFIG (flags 0 = normal fragment handling; `missSendLen` bytes of table-miss packets to send). */
export function encodeSetConfig(xid: number, missSendLen: number): Buffer {
  const w = new ByteWriter(4);
  w.u16(0).u16(missSendLen);
  return encodeFrame(MessageType.SET_CONFIG, xid, w.toBuffer());
}

