/**
 * The OpenFlow 1.3 match (`struct ofp_match` with OXM TLVs): the typed {@link Match}, its io-ts codec, and the
 * binary encoder/decoder. One table ({@link MATCH_FIELDS}) drives all of them, so a field added there is written,
 * read back and validated the same way.
 *
 * Fields of class 0x8000 (OpenFlow basic) and the Nicira fields Open vSwitch needs (class 0x0001 `NXM_NX`:
 * registers, conntrack state/zone/mark) are modelled. Anything else a switch returns (another controller's flows)
 * is kept in `extra` as raw TLVs, so nothing is lost and it can be written back unchanged.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { describeValue, intInRange, refined, struct, typeMismatch } from '@netloom/ports';
import { ByteReader, ByteWriter, WireFormatError, pad8 } from './byte-buffer';
import { OFPMT_OXM, OFPXMC_EXPERIMENTER, OFPXMC_NXM_1, OFPXMC_OPENFLOW_BASIC } from './openflow.constants';
import { canonicalIpv6, canonicalMac, ipv4FromBytes, ipv4ToBytes, ipv6FromBytes, ipv6ToBytes, isIpv4, isIpv6, isMac, macFromBytes, macToBytes } from './openflow.addresses';
import { HexCodec, type Masked, PortRefCodec, type PortRef, U64Codec, isMaskedValue, maskedCodec, portFromWire, portToWire, uintCodec } from './openflow.types';

/** How a field's value is represented (and how many bytes it has on the wire). */
export type FieldKind = 'u8' | 'u16' | 'u32' | 'u64' | 'mac' | 'ipv4' | 'ipv6' | 'port';

/** One row of {@link MATCH_FIELDS}. */
export interface MatchFieldSpec {
  /** OXM class (0x8000 OpenFlow basic, 0x0001 Nicira NXM_NX). */
  readonly oxmClass: number;
  /** OXM field number within the class. */
  readonly field: number;
  /** Value representation. */
  readonly kind: FieldKind;
  /** Whether the switch accepts a bit mask. */
  readonly maskable: boolean;
  /** Largest value, when smaller than the kind's (vlan_vid, vlan_pcp, ip_dscp). */
  readonly max?: number;
  /** The field's name in `ovs-ofctl` flow syntax (documentation and test messages). */
  readonly ofctl: string;
  /** Other (class, field) pairs a switch may use for the same field (decoded to this name). */
  readonly aliases?: readonly (readonly [number, number])[];
}

const B = OFPXMC_OPENFLOW_BASIC;
const NX = OFPXMC_NXM_1;

/**
 * The match fields this package models, in the order they are written (prerequisites first, as OpenFlow requires:
 * `ethType` before `ipProto` before `tcpDst`). Field numbers: OpenFlow 1.3.5 §7.2.3.7; Nicira fields from Open
 * vSwitch `lib/meta-flow.xml` (`NXM_NX_REG0..7` = 0..7, `NXM_NX_TUN_ID` = 16, `NXM_NX_CT_STATE` = 105,
 * `NXM_NX_CT_ZONE` = 106, `NXM_NX_CT_MARK` = 107), checked against ovs-vswitchd 3.1.
 */
export const MATCH_FIELDS = {
  inPort: { oxmClass: B, field: 0, kind: 'port', maskable: false, ofctl: 'in_port' },
  metadata: { oxmClass: B, field: 2, kind: 'u64', maskable: true, ofctl: 'metadata' },
  ethDst: { oxmClass: B, field: 3, kind: 'mac', maskable: true, ofctl: 'dl_dst' },
  ethSrc: { oxmClass: B, field: 4, kind: 'mac', maskable: true, ofctl: 'dl_src' },
  ethType: { oxmClass: B, field: 5, kind: 'u16', maskable: false, ofctl: 'dl_type' },
  vlanVid: { oxmClass: B, field: 6, kind: 'u16', maskable: true, max: 0x1fff, ofctl: 'vlan_vid' },
  vlanPcp: { oxmClass: B, field: 7, kind: 'u8', maskable: false, max: 7, ofctl: 'vlan_pcp' },
  ipDscp: { oxmClass: B, field: 8, kind: 'u8', maskable: false, max: 63, ofctl: 'ip_dscp' },
  ipProto: { oxmClass: B, field: 10, kind: 'u8', maskable: false, ofctl: 'nw_proto' },
  ipv4Src: { oxmClass: B, field: 11, kind: 'ipv4', maskable: true, ofctl: 'nw_src' },
  ipv4Dst: { oxmClass: B, field: 12, kind: 'ipv4', maskable: true, ofctl: 'nw_dst' },
  tcpSrc: { oxmClass: B, field: 13, kind: 'u16', maskable: true, ofctl: 'tcp_src' },
  tcpDst: { oxmClass: B, field: 14, kind: 'u16', maskable: true, ofctl: 'tcp_dst' },
  udpSrc: { oxmClass: B, field: 15, kind: 'u16', maskable: true, ofctl: 'udp_src' },
  udpDst: { oxmClass: B, field: 16, kind: 'u16', maskable: true, ofctl: 'udp_dst' },
  icmpv4Type: { oxmClass: B, field: 19, kind: 'u8', maskable: false, ofctl: 'icmp_type' },
  icmpv4Code: { oxmClass: B, field: 20, kind: 'u8', maskable: false, ofctl: 'icmp_code' },
  arpOp: { oxmClass: B, field: 21, kind: 'u16', maskable: false, ofctl: 'arp_op' },
  arpSpa: { oxmClass: B, field: 22, kind: 'ipv4', maskable: true, ofctl: 'arp_spa' },
  arpTpa: { oxmClass: B, field: 23, kind: 'ipv4', maskable: true, ofctl: 'arp_tpa' },
  ipv6Src: { oxmClass: B, field: 26, kind: 'ipv6', maskable: true, ofctl: 'ipv6_src' },
  ipv6Dst: { oxmClass: B, field: 27, kind: 'ipv6', maskable: true, ofctl: 'ipv6_dst' },
  icmpv6Type: { oxmClass: B, field: 29, kind: 'u8', maskable: false, ofctl: 'icmpv6_type' },
  icmpv6Code: { oxmClass: B, field: 30, kind: 'u8', maskable: false, ofctl: 'icmpv6_code' },
  tunnelId: { oxmClass: B, field: 38, kind: 'u64', maskable: true, ofctl: 'tun_id', aliases: [[NX, 16]] },
  reg0: { oxmClass: NX, field: 0, kind: 'u32', maskable: true, ofctl: 'reg0' },
  reg1: { oxmClass: NX, field: 1, kind: 'u32', maskable: true, ofctl: 'reg1' },
  reg2: { oxmClass: NX, field: 2, kind: 'u32', maskable: true, ofctl: 'reg2' },
  reg3: { oxmClass: NX, field: 3, kind: 'u32', maskable: true, ofctl: 'reg3' },
  reg4: { oxmClass: NX, field: 4, kind: 'u32', maskable: true, ofctl: 'reg4' },
  reg5: { oxmClass: NX, field: 5, kind: 'u32', maskable: true, ofctl: 'reg5' },
  reg6: { oxmClass: NX, field: 6, kind: 'u32', maskable: true, ofctl: 'reg6' },
  reg7: { oxmClass: NX, field: 7, kind: 'u32', maskable: true, ofctl: 'reg7' },
  ctState: { oxmClass: NX, field: 105, kind: 'u32', maskable: true, ofctl: 'ct_state' },
  ctZone: { oxmClass: NX, field: 106, kind: 'u16', maskable: false, ofctl: 'ct_zone' },
  ctMark: { oxmClass: NX, field: 107, kind: 'u32', maskable: true, ofctl: 'ct_mark' },
} as const satisfies Record<string, MatchFieldSpec>;

/** Name of a modelled match field (a key of {@link MATCH_FIELDS}). */
export type MatchFieldName = keyof typeof MATCH_FIELDS;

/** The TypeScript type of each {@link FieldKind}. */
export interface FieldKindValue {
  u8: number;
  u16: number;
  u32: number;
  u64: bigint;
  mac: string;
  ipv4: string;
  ipv6: string;
  port: PortRef;
}

/** The exact value type of match field `N` (e.g. `string` for `ethDst`, `bigint` for `tunnelId`). */
export type FieldValue<N extends MatchFieldName> = FieldKindValue[(typeof MATCH_FIELDS)[N]['kind']];

/** A match field the package does not model, kept as raw OXM bytes (hex). */
export interface RawOxm {
  /** OXM class. */
  readonly oxmClass: number;
  /** Field number within the class. */
  readonly field: number;
  /** Experimenter id (only for class 0xffff). */
  readonly experimenter?: number;
  /** The value bytes, hex. */
  readonly value: string;
  /** The mask bytes, hex, when the field is masked. */
  readonly mask?: string;
}

/**
 * A flow match. Absent fields are wildcards. Maskable fields take a plain value (exact) or `{ value, mask }`.
 *
 * Fields (ovs-ofctl name in brackets): `inPort` (in_port), `metadata`, `ethDst`/`ethSrc` (dl_dst/dl_src),
 * `ethType` (dl_type), `vlanVid` (vlan_vid: include {@link OFPVID_PRESENT}, e.g. `0x1000 | 100`; `0` = untagged),
 * `vlanPcp`, `ipDscp`, `ipProto` (nw_proto), `ipv4Src`/`ipv4Dst` (nw_src/nw_dst), `tcpSrc`/`tcpDst`,
 * `udpSrc`/`udpDst`, `icmpv4Type`/`icmpv4Code`, `arpOp`, `arpSpa`/`arpTpa`, `ipv6Src`/`ipv6Dst`,
 * `icmpv6Type`/`icmpv6Code`, `tunnelId` (tun_id), `reg0`..`reg7`, `ctState` (bits of {@link CtState}), `ctZone`,
 * `ctMark`; `extra` holds fields not modelled here.
 *
 * The switch checks prerequisites: `ipProto` needs `ethType` 0x0800 or 0x86dd, `tcpDst` needs `ipProto` 6, ...
 *
 * @example
 * const m: Match = { inPort: 1, ethType: 0x0800, ipv4Dst: { value: '10.0.0.0', mask: '255.255.255.0' },
 *   vlanVid: 0x1000 | 100, ctState: { value: 0x20, mask: 0x21 }, tunnelId: 5000n };
 */
export type Match = {
  readonly [N in MatchFieldName]?: (typeof MATCH_FIELDS)[N]['maskable'] extends true ? Masked<FieldValue<N>> : FieldValue<N>;
} & { readonly extra?: readonly RawOxm[] };

// ------------------------------------------------------------------------------------------------------------------
// Field kinds: size, bytes <-> value, io-ts codec

const KIND_SIZE: Record<FieldKind, number> = { u8: 1, u16: 2, u32: 4, u64: 8, mac: 6, ipv4: 4, ipv6: 16, port: 4 };

function kindToBytes(kind: FieldKind, v: unknown): Buffer {
  const b = Buffer.alloc(KIND_SIZE[kind]);
  switch (kind) {
    case 'u8':
      b.writeUInt8(v as number);
      return b;
    case 'u16':
      b.writeUInt16BE(v as number);
      return b;
    case 'u32':
      b.writeUInt32BE(v as number);
      return b;
    case 'u64':
      b.writeBigUInt64BE(v as bigint);
      return b;
    case 'mac':
      return macToBytes(v as string);
    case 'ipv4':
      return ipv4ToBytes(v as string);
    case 'ipv6':
      return ipv6ToBytes(v as string);
    case 'port':
      b.writeUInt32BE(portToWire(v as PortRef));
      return b;
  }
}

function kindFromBytes(kind: FieldKind, b: Buffer): unknown {
  switch (kind) {
    case 'u8':
      return b.readUInt8(0);
    case 'u16':
      return b.readUInt16BE(0);
    case 'u32':
      return b.readUInt32BE(0);
    case 'u64':
      return b.readBigUInt64BE(0);
    case 'mac':
      return macFromBytes(b);
    case 'ipv4':
      return ipv4FromBytes(b);
    case 'ipv6':
      return ipv6FromBytes(b);
    case 'port':
      return portFromWire(b.readUInt32BE(0));
  }
}

interface MacBrand {
  readonly Mac: unique symbol;
}
interface Ipv4Brand {
  readonly Ipv4: unique symbol;
}
interface Ipv6Brand {
  readonly Ipv6: unique symbol;
}
const stringCodec = new t.Type<string, string, unknown>(
  'string',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' ? t.success(u) : typeMismatch(u, c, `expected text, got ${describeValue(u)}`)),
  t.identity,
);
/** io-ts codec for a MAC address (any case, `:` or `-`), decoded to `aa:bb:cc:dd:ee:ff`. */
export const MacCodec = refined<string, string, MacBrand>('MAC address', stringCodec, (s) => (isMac(s) ? undefined : `${describeValue(s)} is not a MAC address`), canonicalMac) as unknown as t.Type<string, string, unknown>;
/** io-ts codec for a dotted-quad IPv4 address. */
export const Ipv4Codec = refined<string, string, Ipv4Brand>('IPv4 address', stringCodec, (s) => (isIpv4(s) ? undefined : `${describeValue(s)} is not an IPv4 address`)) as unknown as t.Type<string, string, unknown>;
/** io-ts codec for an IPv6 address, decoded to its RFC 5952 spelling. */
export const Ipv6Codec = refined<string, string, Ipv6Brand>('IPv6 address', stringCodec, (s) => (isIpv6(s) ? undefined : `${describeValue(s)} is not an IPv6 address`), canonicalIpv6) as unknown as t.Type<string, string, unknown>;

function kindCodec(kind: FieldKind, max: number | undefined, name: string): t.Mixed {
  switch (kind) {
    case 'u8':
    case 'u16':
    case 'u32':
      return max !== undefined ? intInRange(name, 0, max) : uintCodec(kind === 'u8' ? 8 : kind === 'u16' ? 16 : 32, name);
    case 'u64':
      return U64Codec;
    case 'mac':
      return MacCodec;
    case 'ipv4':
      return Ipv4Codec;
    case 'ipv6':
      return Ipv6Codec;
    case 'port':
      return PortRefCodec;
  }
}

/** io-ts codec for the exact value of match field `name`. */
export function fieldValueCodec<N extends MatchFieldName>(name: N): t.Type<FieldValue<N>, FieldValue<N>, unknown> {
  const spec: MatchFieldSpec = MATCH_FIELDS[name];
  return kindCodec(spec.kind, spec.max, name) as t.Type<FieldValue<N>, FieldValue<N>, unknown>;
}

/** io-ts codec for {@link RawOxm}. */
export const RawOxmCodec: t.Type<RawOxm, RawOxm, unknown> = struct('RawOxm', { oxmClass: uintCodec(16), field: intInRange('oxm field', 0, 127), value: HexCodec }, { experimenter: uintCodec(32), mask: HexCodec });

const matchProps: Record<string, t.Mixed> = {};
for (const [name, spec] of Object.entries(MATCH_FIELDS) as [MatchFieldName, MatchFieldSpec][]) {
  const base = kindCodec(spec.kind, spec.max, name);
  matchProps[name] = spec.maskable ? maskedCodec<unknown>(name, base) : base;
}
matchProps['extra'] = t.readonlyArray(RawOxmCodec, 'extra fields');

/**
 * io-ts codec for {@link Match}: unknown field names are problems (typos surface), values are range-checked and
 * addresses canonicalised. It does not apply masks (see {@link canonicalMatch}).
 */
export const MatchCodec: t.Type<Match, Match, unknown> = struct('Match', {}, matchProps) as unknown as t.Type<Match, Match, unknown>;

// ------------------------------------------------------------------------------------------------------------------
// Wire

const BY_WIRE = new Map<string, MatchFieldName>();
for (const [name, spec] of Object.entries(MATCH_FIELDS) as [MatchFieldName, MatchFieldSpec][]) {
  BY_WIRE.set(`${spec.oxmClass}:${spec.field}`, name);
  for (const [cls, field] of spec.aliases ?? []) BY_WIRE.set(`${cls}:${field}`, name);
}

function writeOxmHeader(w: ByteWriter, oxmClass: number, field: number, hasMask: boolean, length: number): void {
  w.u16(oxmClass).u8((field << 1) | (hasMask ? 1 : 0)).u8(length);
}

/**
 * Writes one modelled field as an OXM TLV. A masked value is made canonical first (value bits outside the mask
 * cleared; an all-ones mask written as exact). Returns false (and writes nothing) for an all-zero mask, which
 * matches everything.
 */
export function writeOxmField(w: ByteWriter, name: MatchFieldName, v: unknown, allowMask = true): boolean {
  const spec: MatchFieldSpec = MATCH_FIELDS[name];
  const size = KIND_SIZE[spec.kind];
  if (isMaskedValue(v as Masked<unknown>)) {
    if (!allowMask) throw new Error(`${name}: a mask is not allowed here`);
    const m = v as { value: unknown; mask: unknown };
    const value = kindToBytes(spec.kind, m.value);
    const mask = kindToBytes(spec.kind, m.mask);
    if (mask.every((x) => x === 0)) return false;
    if (!mask.every((x) => x === 0xff)) {
      for (let i = 0; i < size; i++) value[i]! &= mask[i]!;
      writeOxmHeader(w, spec.oxmClass, spec.field, true, size * 2);
      w.bytes(value).bytes(mask);
      return true;
    }
    writeOxmHeader(w, spec.oxmClass, spec.field, false, size);
    w.bytes(value);
    return true;
  }
  writeOxmHeader(w, spec.oxmClass, spec.field, false, size);
  w.bytes(kindToBytes(spec.kind, v));
  return true;
}

function writeRawOxm(w: ByteWriter, raw: RawOxm): void {
  const value = Buffer.from(raw.value, 'hex');
  const mask = raw.mask !== undefined ? Buffer.from(raw.mask, 'hex') : undefined;
  const exp = raw.oxmClass === OFPXMC_EXPERIMENTER ? 4 : 0;
  writeOxmHeader(w, raw.oxmClass, raw.field, mask !== undefined, exp + value.length + (mask?.length ?? 0));
  if (exp > 0) w.u32(raw.experimenter ?? 0);
  w.bytes(value);
  if (mask !== undefined) w.bytes(mask);
}

/** Writes the OXM TLVs of `match` (no `ofp_match` header), in {@link MATCH_FIELDS} order, then `extra`. */
export function writeOxmFields(w: ByteWriter, match: Match): void {
  const m = match as Record<string, unknown>;
  for (const name of Object.keys(MATCH_FIELDS) as MatchFieldName[]) {
    const v = m[name];
    if (v !== undefined) writeOxmField(w, name, v);
  }
  for (const raw of match.extra ?? []) writeRawOxm(w, raw);
}

/** Writes a whole `struct ofp_match` (type OXM, length, TLVs, padding to 8 bytes). */
export function writeMatch(w: ByteWriter, match: Match): void {
  const start = w.length;
  w.u16(OFPMT_OXM).u16(0);
  writeOxmFields(w, match);
  w.setU16(start + 2, w.length - start);
  w.padTo8(start);
}

/** One decoded OXM TLV: a modelled field with its value, or a raw one. */
export type DecodedOxm = { readonly name: MatchFieldName; readonly value: unknown } | { readonly raw: RawOxm };

/** Reads one OXM TLV. */
export function readOxm(r: ByteReader): DecodedOxm {
  const oxmClass = r.u16('oxm class');
  const fieldByte = r.u8('oxm field');
  const length = r.u8('oxm length');
  const field = fieldByte >> 1;
  const hasMask = (fieldByte & 1) === 1;
  const payload = r.bytes(length, `oxm ${oxmClass.toString(16)}:${field} payload`);
  const name = BY_WIRE.get(`${oxmClass}:${field}`);
  if (name === undefined) {
    let body = payload;
    let experimenter: number | undefined;
    if (oxmClass === OFPXMC_EXPERIMENTER) {
      if (body.length < 4) throw new WireFormatError(`experimenter OXM field ${field} has ${body.length} bytes, needs 4 for the experimenter id`, r.where);
      experimenter = body.readUInt32BE(0);
      body = body.subarray(4);
    }
    if (hasMask && body.length % 2 !== 0) throw new WireFormatError(`masked OXM ${oxmClass.toString(16)}:${field} has an odd length ${body.length}`, r.where);
    const half = hasMask ? body.length / 2 : body.length;
    const raw: RawOxm = {
      oxmClass,
      field,
      ...(experimenter !== undefined ? { experimenter } : {}),
      value: body.subarray(0, half).toString('hex'),
      ...(hasMask ? { mask: body.subarray(half).toString('hex') } : {}),
    };
    return { raw };
  }
  const spec: MatchFieldSpec = MATCH_FIELDS[name];
  const size = KIND_SIZE[spec.kind];
  if (length !== size * (hasMask ? 2 : 1)) throw new WireFormatError(`${name} has length ${length}, expected ${size * (hasMask ? 2 : 1)}`, r.where);
  const value = kindFromBytes(spec.kind, payload.subarray(0, size));
  if (!hasMask) return { name, value };
  const maskBytes = payload.subarray(size);
  if (maskBytes.every((x) => x === 0xff)) return { name, value };
  return { name, value: { value, mask: kindFromBytes(spec.kind, maskBytes) } };
}

/** Reads OXM TLVs until `r` is exhausted, into a {@link Match}. A field seen twice is a wire error. */
export function readOxmFields(r: ByteReader): Match {
  const out: Record<string, unknown> = {};
  const extra: RawOxm[] = [];
  while (r.remaining > 0) {
    const d = readOxm(r);
    if ('raw' in d) {
      extra.push(d.raw);
      continue;
    }
    if (out[d.name] !== undefined) throw new WireFormatError(`field ${d.name} appears twice`, r.where);
    out[d.name] = d.value;
  }
  if (extra.length > 0) out['extra'] = extra;
  return out as Match;
}

/** Reads a whole `struct ofp_match` including its padding. */
export function readMatch(r: ByteReader): Match {
  const type = r.u16('match type');
  const length = r.u16('match length');
  if (type !== OFPMT_OXM) throw new WireFormatError(`match type ${type} is not OXM (1)`, r.where);
  if (length < 4) throw new WireFormatError(`match length ${length} is below 4`, r.where);
  const fields = r.sub(length - 4, `${r.where}.match`);
  r.skip(pad8(length) - length, 'match padding');
  return readOxmFields(fields);
}

/**
 * The form of `match` a switch reads back: masks applied to values, all-ones masks dropped, all-zero masks (match
 * anything) dropped, addresses canonical. Comparing desired flows through this function with flows read from a
 * switch avoids false differences.
 *
 * @example canonicalMatch({ ipv4Dst: { value: '10.0.0.7', mask: '255.255.255.0' } }) // { ipv4Dst: { value: '10.0.0.0', mask: '255.255.255.0' } }
 */
export function canonicalMatch(match: Match): Match {
  const w = new ByteWriter();
  writeOxmFields(w, match);
  return readOxmFields(new ByteReader(w.toBuffer(), 'match'));
}
