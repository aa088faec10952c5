/**
 * The match of the OpenFlow switch simulator: OXM TLVs parsed and checked the way ovs-vswitchd 3.1 checks them
 * (field known and of the right length, mask allowed, value in range, prerequisites met by the fields before it, no
 * field twice), kept as bytes (value with the mask applied, all-ones masks dropped, all-zero masks dropped), written
 * back in Open vSwitch's own field order, and compared strictly (same fields, masks and values) or loosely (a
 * request's match covering a flow's, as non-strict modify/delete and flow stats select flows).
 *
 * @packageDocumentation
 */
import { ofError, pad8 } from './openflow-sim.wire';

/** One match field the simulator knows. */
interface FieldDef {
  /** ovs-ofctl name (also the key flows are compared by). */
  readonly name: string;
  readonly oxmClass: number;
  readonly field: number;
  /** Value length in bytes. */
  readonly len: number;
  readonly maskable: boolean;
  /** Position in Open vSwitch's output order (`nx_put_raw`). */
  readonly order: number;
  /** Largest value (fields narrower than their bytes). */
  readonly max?: number;
  /** The prerequisite, checked against the fields parsed before this one. */
  readonly prereq?: (m: SimMatch) => boolean;
}

/** A parsed match field: value (mask applied) and mask (absent: exact). */
export interface SimField {
  readonly def: FieldDef;
  readonly value: Buffer;
  readonly mask?: Buffer;
}

/** A parsed match: field name → field. */
export type SimMatch = ReadonlyMap<string, SimField>;

const B = 0x8000;
const NX = 0x0001;

/** The exact numeric value of a field, or undefined when absent or masked. */
function exact(m: SimMatch, name: string): number | undefined {
  const f = m.get(name);
  if (f === undefined || f.mask !== undefined) return undefined;
  return f.value.readUIntBE(0, Math.min(f.value.length, 6));
}

const ethIs = (...types: number[]) => (m: SimMatch): boolean => types.includes(exact(m, 'eth_type') ?? -1);
const ipAny = ethIs(0x0800, 0x86dd);
const protoIs = (eth: (m: SimMatch) => boolean, proto: number) => (m: SimMatch): boolean => eth(m) && exact(m, 'ip_proto') === proto;
const icmp6TypeIs = (...types: number[]) => (m: SimMatch): boolean => protoIs(ethIs(0x86dd), 58)(m) && types.includes(exact(m, 'icmpv6_type') ?? -1);
const vlanPresent = (m: SimMatch): boolean => {
  const f = m.get('vlan_vid');
  if (f === undefined) return false;
  const bit = (b: Buffer | undefined): boolean => b === undefined || (b.readUInt16BE(0) & 0x1000) !== 0;
  return (f.value.readUInt16BE(0) & 0x1000) !== 0 && bit(f.mask);
};

const DEFS: readonly FieldDef[] = [
  { name: 'in_port', oxmClass: B, field: 0, len: 4, maskable: false, order: 10 },
  { name: 'metadata', oxmClass: B, field: 2, len: 8, maskable: true, order: 200 },
  { name: 'eth_dst', oxmClass: B, field: 3, len: 6, maskable: true, order: 21 },
  { name: 'eth_src', oxmClass: B, field: 4, len: 6, maskable: true, order: 20 },
  { name: 'eth_type', oxmClass: B, field: 5, len: 2, maskable: false, order: 22 },
  { name: 'vlan_vid', oxmClass: B, field: 6, len: 2, maskable: true, order: 30, max: 0x1fff },
  { name: 'vlan_pcp', oxmClass: B, field: 7, len: 1, maskable: false, order: 31, max: 7, prereq: vlanPresent },
  { name: 'ip_dscp', oxmClass: B, field: 8, len: 1, maskable: false, order: 56, max: 63, prereq: ipAny },
  { name: 'ip_ecn', oxmClass: B, field: 9, len: 1, maskable: false, order: 57, max: 3, prereq: ipAny },
  { name: 'ip_proto', oxmClass: B, field: 10, len: 1, maskable: false, order: 58, prereq: ipAny },
  { name: 'ipv4_src', oxmClass: B, field: 11, len: 4, maskable: true, order: 50, prereq: ethIs(0x0800) },
  { name: 'ipv4_dst', oxmClass: B, field: 12, len: 4, maskable: true, order: 51, prereq: ethIs(0x0800) },
  { name: 'tcp_src', oxmClass: B, field: 13, len: 2, maskable: true, order: 60, prereq: protoIs(ipAny, 6) },
  { name: 'tcp_dst', oxmClass: B, field: 14, len: 2, maskable: true, order: 61, prereq: protoIs(ipAny, 6) },
  { name: 'udp_src', oxmClass: B, field: 15, len: 2, maskable: true, order: 62, prereq: protoIs(ipAny, 17) },
  { name: 'udp_dst', oxmClass: B, field: 16, len: 2, maskable: true, order: 63, prereq: protoIs(ipAny, 17) },
  { name: 'sctp_src', oxmClass: B, field: 17, len: 2, maskable: true, order: 64, prereq: protoIs(ipAny, 132) },
  { name: 'sctp_dst', oxmClass: B, field: 18, len: 2, maskable: true, order: 65, prereq: protoIs(ipAny, 132) },
  { name: 'icmp_type', oxmClass: B, field: 19, len: 1, maskable: false, order: 66, prereq: protoIs(ethIs(0x0800), 1) },
  { name: 'icmp_code', oxmClass: B, field: 20, len: 1, maskable: false, order: 67, prereq: protoIs(ethIs(0x0800), 1) },
  { name: 'arp_op', oxmClass: B, field: 21, len: 2, maskable: false, order: 80, prereq: ethIs(0x0806, 0x8035) },
  { name: 'arp_spa', oxmClass: B, field: 22, len: 4, maskable: true, order: 81, prereq: ethIs(0x0806, 0x8035) },
  { name: 'arp_tpa', oxmClass: B, field: 23, len: 4, maskable: true, order: 82, prereq: ethIs(0x0806, 0x8035) },
  { name: 'arp_sha', oxmClass: B, field: 24, len: 6, maskable: true, order: 83, prereq: ethIs(0x0806, 0x8035) },
  { name: 'arp_tha', oxmClass: B, field: 25, len: 6, maskable: true, order: 84, prereq: ethIs(0x0806, 0x8035) },
  { name: 'ipv6_src', oxmClass: B, field: 26, len: 16, maskable: true, order: 52, prereq: ethIs(0x86dd) },
  { name: 'ipv6_dst', oxmClass: B, field: 27, len: 16, maskable: true, order: 53, prereq: ethIs(0x86dd) },
  { name: 'ipv6_label', oxmClass: B, field: 28, len: 4, maskable: true, order: 54, max: 0xfffff, prereq: ethIs(0x86dd) },
  { name: 'icmpv6_type', oxmClass: B, field: 29, len: 1, maskable: false, order: 68, prereq: protoIs(ethIs(0x86dd), 58) },
  { name: 'icmpv6_code', oxmClass: B, field: 30, len: 1, maskable: false, order: 69, prereq: protoIs(ethIs(0x86dd), 58) },
  { name: 'nd_target', oxmClass: B, field: 31, len: 16, maskable: true, order: 70, prereq: icmp6TypeIs(135, 136) },
  { name: 'nd_sll', oxmClass: B, field: 32, len: 6, maskable: true, order: 71, prereq: icmp6TypeIs(135) },
  { name: 'nd_tll', oxmClass: B, field: 33, len: 6, maskable: true, order: 72, prereq: icmp6TypeIs(136) },
  { name: 'mpls_label', oxmClass: B, field: 34, len: 4, maskable: false, order: 40, max: 0xfffff, prereq: ethIs(0x8847, 0x8848) },
  { name: 'mpls_tc', oxmClass: B, field: 35, len: 1, maskable: false, order: 41, max: 7, prereq: ethIs(0x8847, 0x8848) },
  { name: 'mpls_bos', oxmClass: B, field: 36, len: 1, maskable: false, order: 42, max: 1, prereq: ethIs(0x8847, 0x8848) },
  { name: 'tun_id', oxmClass: B, field: 38, len: 8, maskable: true, order: 90 },
  ...Array.from({ length: 8 }, (_, i): FieldDef => ({ name: `reg${i}`, oxmClass: NX, field: i, len: 4, maskable: true, order: 100 + i })),
  { name: 'tun_src', oxmClass: NX, field: 31, len: 4, maskable: true, order: 91 },
  { name: 'tun_dst', oxmClass: NX, field: 32, len: 4, maskable: true, order: 92 },
  { name: 'pkt_mark', oxmClass: NX, field: 33, len: 4, maskable: true, order: 110 },
  { name: 'ct_state', oxmClass: NX, field: 105, len: 4, maskable: true, order: 120 },
  { name: 'ct_zone', oxmClass: NX, field: 106, len: 2, maskable: false, order: 121 },
  { name: 'ct_mark', oxmClass: NX, field: 107, len: 4, maskable: true, order: 122 },
  { name: 'ct_label', oxmClass: NX, field: 108, len: 16, maskable: true, order: 123 },
];

const BY_WIRE = new Map<string, FieldDef>(DEFS.map((d) => [`${d.oxmClass}:${d.field}`, d]));
// NXM_NX_TUN_ID is the same field as OXM_OF_TUNNEL_ID; ovs-vswitchd writes the OXM form in OpenFlow 1.3.
BY_WIRE.set(`${NX}:16`, BY_WIRE.get(`${B}:38`)!);

/** The field definition for an OXM class/field pair (set-field actions use the same table). */
export function fieldDef(oxmClass: number, field: number): FieldDef | undefined {
  return BY_WIRE.get(`${oxmClass}:${field}`);
}

/** Checks a value against the field's range (`BAD_VALUE`). */
export function valueInRange(def: FieldDef, value: Buffer): boolean {
  return def.max === undefined || value.readUIntBE(0, def.len) <= def.max;
}

/**
 * Parses one OXM TLV list (the bytes after the `ofp_match` header), in order, with ovs-vswitchd's checks.
 *
 * @throws OpenFlowSimError BAD_MATCH/BAD_FIELD (unknown field, wrong length), BAD_MASK, BAD_VALUE, BAD_PREREQ,
 *   DUP_FIELD, BAD_LEN (a TLV running past the match).
 */
export function parseOxms(tlvs: Buffer): SimMatch {
  const out = new Map<string, SimField>();
  let at = 0;
  while (at < tlvs.length) {
    if (tlvs.length - at < 4) throw ofError('BAD_MATCH', 'BAD_LEN', 'OXM header runs past the match');
    const oxmClass = tlvs.readUInt16BE(at);
    const fieldByte = tlvs.readUInt8(at + 2);
    const length = tlvs.readUInt8(at + 3);
    const payload = tlvs.subarray(at + 4, at + 4 + length);
    if (payload.length < length) throw ofError('BAD_MATCH', 'BAD_LEN', 'OXM value runs past the match');
    at += 4 + length;
    const hasMask = (fieldByte & 1) === 1;
    const def = BY_WIRE.get(`${oxmClass}:${fieldByte >> 1}`);
    if (def === undefined || length !== def.len * (hasMask ? 2 : 1)) {
      throw ofError('BAD_MATCH', 'BAD_FIELD', `unknown OXM field ${oxmClass.toString(16)}:${fieldByte >> 1} of length ${length}`);
    }
    const value = Buffer.from(payload.subarray(0, def.len));
    let mask = hasMask ? Buffer.from(payload.subarray(def.len)) : undefined;
    if (mask !== undefined && mask.every((x) => x === 0xff)) mask = undefined;
    if (mask !== undefined && !def.maskable) throw ofError('BAD_MATCH', 'BAD_MASK', `${def.name} cannot be masked`);
    if (!valueInRange(def, value)) throw ofError('BAD_MATCH', 'BAD_VALUE', `${def.name} value 0x${value.toString('hex')} is out of range`);
    if (def.prereq !== undefined && !def.prereq(out)) throw ofError('BAD_MATCH', 'BAD_PREREQ', `${def.name} without its prerequisites before it`);
    if (out.has(def.name)) throw ofError('BAD_MATCH', 'DUP_FIELD', `${def.name} appears twice`);
    if (mask !== undefined && mask.every((x) => x === 0)) continue;
    if (mask !== undefined) for (let i = 0; i < value.length; i++) value[i]! &= mask[i]!;
    out.set(def.name, mask === undefined ? { def, value } : { def, value, mask });
  }
  return out;
}

/**
 * Parses a `struct ofp_match` at `offset` of `msg`; returns the match and the offset after its padding.
 *
 * @throws OpenFlowSimError BAD_REQUEST/BAD_LEN (match runs past the message), BAD_MATCH/BAD_TYPE or BAD_LEN (not an
 *   OXM match), and what {@link parseOxms} throws.
 */
export function parseMatch(msg: Buffer, offset: number): { match: SimMatch; next: number } {
  if (msg.length < offset + 4) throw ofError('BAD_REQUEST', 'BAD_LEN', 'message too short for its match');
  const type = msg.readUInt16BE(offset);
  const length = msg.readUInt16BE(offset + 2);
  if (type === 0) throw ofError('BAD_MATCH', 'BAD_LEN', 'standard (OpenFlow 1.1) match in an OpenFlow 1.3 message');
  if (type !== 1) throw ofError('BAD_MATCH', 'BAD_TYPE', `match type ${type} is not OXM`);
  if (length < 4 || offset + pad8(length) > msg.length) throw ofError('BAD_REQUEST', 'BAD_LEN', `match length ${length} runs past the message`);
  return { match: parseOxms(msg.subarray(offset + 4, offset + length)), next: offset + pad8(length) };
}

/** The fields of a match in Open vSwitch's output order. */
export function orderedFields(m: SimMatch): SimField[] {
  return [...m.values()].sort((a, b) => a.def.order - b.def.order);
}

/** The OXM TLVs of a match, in Open vSwitch's order. */
export function encodeOxms(m: SimMatch): Buffer {
  const parts: Buffer[] = [];
  for (const f of orderedFields(m)) {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(f.def.oxmClass, 0);
    h.writeUInt8((f.def.field << 1) | (f.mask !== undefined ? 1 : 0), 2);
    h.writeUInt8(f.def.len * (f.mask !== undefined ? 2 : 1), 3);
    parts.push(h, f.value, ...(f.mask !== undefined ? [f.mask] : []));
  }
  return Buffer.concat(parts);
}

/** A whole `struct ofp_match` (OXM, padded to 8 bytes). */
export function encodeMatch(m: SimMatch): Buffer {
  const tlvs = encodeOxms(m);
  const h = Buffer.alloc(4);
  h.writeUInt16BE(1, 0);
  h.writeUInt16BE(4 + tlvs.length, 2);
  return Buffer.concat([h, tlvs, Buffer.alloc(pad8(4 + tlvs.length) - 4 - tlvs.length)]);
}

const full = (f: SimField): Buffer => f.mask ?? Buffer.alloc(f.def.len, 0xff);

/** Same fields with the same masks and values (strict modify/delete, an add replacing a flow). */
export function matchEquals(a: SimMatch, b: SimMatch): boolean {
  if (a.size !== b.size) return false;
  for (const [name, fa] of a) {
    const fb = b.get(name);
    if (fb === undefined || !fa.value.equals(fb.value) || !full(fa).equals(full(fb))) return false;
  }
  return true;
}

/**
 * True when every packet `flow` matches is also matched by `request` (OpenFlow's non-strict selection): each field
 * of the request is in the flow with a mask at least as wide and the same bits under the request's mask.
 */
export function matchCovers(request: SimMatch, flow: SimMatch): boolean {
  for (const [name, r] of request) {
    const f = flow.get(name);
    if (f === undefined) return false;
    const rm = full(r);
    const fm = full(f);
    for (let i = 0; i < rm.length; i++) {
      if ((fm[i]! & rm[i]!) !== rm[i]!) return false;
      if ((f.value[i]! & rm[i]!) !== r.value[i]!) return false;
    }
  }
  return true;
}

/** True when some packet could match both (fields both constrain agree under both masks). */
export function matchesOverlap(a: SimMatch, b: SimMatch): boolean {
  for (const [name, fa] of a) {
    const fb = b.get(name);
    if (fb === undefined) continue;
    const ma = full(fa);
    const mb = full(fb);
    for (let i = 0; i < ma.length; i++) if ((fa.value[i]! & ma[i]! & mb[i]!) !== (fb.value[i]! & ma[i]! & mb[i]!)) return false;
  }
  return true;
}

