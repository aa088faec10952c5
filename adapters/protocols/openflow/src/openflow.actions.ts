/**
 * OpenFlow 1.3 actions and instructions, including the Nicira extension actions Open vSwitch needs for security
 * groups (`ct(...)`, `ct_clear`, `resubmit(,T)`): typed model, io-ts codecs and the binary encoder/decoder.
 *
 * Reading is lossless: an action or instruction this package does not model comes back as `{ type: 'raw', ... }`
 * with its bytes, and is written back unchanged.
 *
 * Wire layouts (OpenFlow 1.3.5 §7.2.4-7.2.5; Open vSwitch `lib/ofp-actions.c`, verified with ovs-vswitchd 3.1):
 * - `nx_action_conntrack` (NXAST_CT = 35): type 0xffff, len, vendor 0x00002320, subtype, flags u16, zone_src u32,
 *   zone_imm or zone_ofs_nbits u16, recirc_table u8, pad 3, alg u16 (24 bytes), then nested actions.
 * - `nx_action_resubmit` (NXAST_RESUBMIT = 1, NXAST_RESUBMIT_TABLE = 14, NXAST_RESUBMIT_TABLE_CT = 44): type,
 *   len 16, vendor, subtype, in_port u16 (OpenFlow 1.0 numbering), table u8, pad 3.
 * - NXAST_CT_CLEAR = 43: type, len 16, vendor, subtype, pad 6.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { type CheckProblem, describeValue, discriminated, intInRange, struct, typeMismatch, withChecks } from '@netloom/ports';
import { ByteReader, ByteWriter, WireFormatError } from './byte-buffer';
import {
  ActionType,
  InstructionType,
  NICIRA_VENDOR_ID,
  NX_CT_F_COMMIT,
  NX_CT_F_FORCE,
  NX_CT_RECIRC_NONE,
  NxActionSubtype,
  OFPCML_NO_BUFFER,
} from './openflow.constants';
import { type FieldValue, MATCH_FIELDS, type MatchFieldName, type MatchFieldSpec, fieldValueCodec, readOxm, writeOxmField } from './openflow.match';
import { HexCodec, type PortRef, PortRefCodec, TableIdCodec, U64Codec, portFromWire, portToWire, uintCodec } from './openflow.types';

// ------------------------------------------------------------------------------------------------------------------
// Model

/**
 * Output to a port (`output:1`, `NORMAL`, `FLOOD`, `ALL`, `CONTROLLER`, `LOCAL`, `IN_PORT`). `maxLen` (bytes of
 * the packet sent to the controller) defaults to 65535 (whole packet, `OFPCML_NO_BUFFER`) for `CONTROLLER` and 0
 * otherwise; read-back omits it when it equals that default.
 */
export interface OutputAction {
  readonly type: 'output';
  readonly port: PortRef;
  readonly maxLen?: number;
}

/** Apply a group (`group:N`). */
export interface GroupAction {
  readonly type: 'group';
  readonly groupId: number;
}

/** Push a VLAN header (`push_vlan:0x8100`); `ethertype` defaults to 0x8100 and is omitted on read-back when so. */
export interface PushVlanAction {
  readonly type: 'pushVlan';
  readonly ethertype?: number;
}

/** Pop the outer VLAN header (`pop_vlan`). */
export interface PopVlanAction {
  readonly type: 'popVlan';
}

/**
 * Set a field (`set_field:V->F`): any modelled match field with an exact value. For `vlanVid` include
 * {@link OFPVID_PRESENT} (`0x1000 | vid`), as OpenFlow 1.3 requires.
 *
 * @example const a: SetFieldAction = { type: 'setField', field: 'tunnelId', value: 5000n };
 */
export type SetFieldAction = { [N in MatchFieldName]: { readonly type: 'setField'; readonly field: N; readonly value: FieldValue<N> } }[MatchFieldName];

/** A field slice used as a source (`NXM_NX_REG6[0..15]`): `ofs` is the first bit, `nbits` the width. */
export interface FieldSlice {
  readonly field: MatchFieldName;
  readonly ofs: number;
  readonly nbits: number;
}

/**
 * Send the packet through the connection tracker (Nicira `NXAST_CT`, ovs-ofctl `ct(...)`): `commit` stores the
 * connection, `force` (with commit) replaces an entry of the opposite direction, `zone` (immediate, 0 by default) or
 * `zoneSrc` (taken from a field, 16 bits) selects the zone, `table` recirculates the packet to that table with
 * `ct_state` filled in, `alg` names a helper's well-known port (21 ftp, 69 tftp), `actions` run on the committed
 * entry (e.g. `setField` of `ctMark`). Read-back omits defaults (`commit`/`force` false, zone 0, no table, alg 0,
 * no actions).
 *
 * @example { type: 'ct', commit: true, zone: 5, table: 3 } // ct(commit,zone=5,table=3)
 */
export interface CtAction {
  readonly type: 'ct';
  readonly commit?: boolean;
  readonly force?: boolean;
  readonly zone?: number;
  readonly zoneSrc?: FieldSlice;
  readonly table?: number;
  readonly alg?: number;
  readonly actions?: readonly Action[];
}

/** Clear the conntrack state of the packet (Nicira `NXAST_CT_CLEAR`, `ct_clear`). */
export interface CtClearAction {
  readonly type: 'ctClear';
}

/**
 * Re-search the flow table (Nicira `NXAST_RESUBMIT_TABLE`, `resubmit([port],[table][,ct])`): `table` defaults to
 * the current one, `inPort` to the packet's own (`IN_PORT`); read-back omits both defaults. `ct: true` makes the
 * lookup use the conntrack original-direction tuple (`NXAST_RESUBMIT_TABLE_CT`).
 *
 * @example { type: 'resubmit', table: 4 } // resubmit(,4)
 */
export interface ResubmitAction {
  readonly type: 'resubmit';
  readonly table?: number;
  readonly inPort?: PortRef;
  readonly ct?: boolean;
}

/**
 * An action this package does not model, kept as bytes: `actionType` and everything after the 4-byte
 * type/length header as hex (for experimenter actions that starts with the experimenter id). Written back as is;
 * its total length (4 + data bytes) must be a multiple of 8.
 */
export interface RawAction {
  readonly type: 'raw';
  readonly actionType: number;
  readonly data: string;
}

/** An action of an apply/write-actions instruction or of a `ct` action. */
export type Action = OutputAction | GroupAction | PushVlanAction | PopVlanAction | SetFieldAction | CtAction | CtClearAction | ResubmitAction | RawAction;

/** Run the actions now, in order (`OFPIT_APPLY_ACTIONS`). */
export interface ApplyActionsInstruction {
  readonly type: 'applyActions';
  readonly actions: readonly Action[];
}
/** Merge the actions into the action set (`OFPIT_WRITE_ACTIONS`). */
export interface WriteActionsInstruction {
  readonly type: 'writeActions';
  readonly actions: readonly Action[];
}
/** Empty the action set (`OFPIT_CLEAR_ACTIONS`). */
export interface ClearActionsInstruction {
  readonly type: 'clearActions';
}
/** Continue in a later table (`OFPIT_GOTO_TABLE`); the switch rejects a table not greater than the current one. */
export interface GotoTableInstruction {
  readonly type: 'gotoTable';
  readonly tableId: number;
}
/** Write the masked metadata register (`OFPIT_WRITE_METADATA`). */
export interface WriteMetadataInstruction {
  readonly type: 'writeMetadata';
  readonly metadata: bigint;
  readonly mask: bigint;
}
/** Apply a meter (`OFPIT_METER`). */
export interface MeterInstruction {
  readonly type: 'meter';
  readonly meterId: number;
}
/** An instruction this package does not model: its type and the bytes after its 4-byte header, hex. */
export interface RawInstruction {
  readonly type: 'raw';
  readonly instructionType: number;
  readonly data: string;
}

/**
 * A flow instruction. No instruction (an empty list) drops the packet. Instructions are written in the order the
 * switch executes them (meter, apply, clear, write, write-metadata, goto), which is also the order read back.
 */
export type Instruction =
  | ApplyActionsInstruction
  | WriteActionsInstruction
  | ClearActionsInstruction
  | GotoTableInstruction
  | WriteMetadataInstruction
  | MeterInstruction
  | RawInstruction;

// ------------------------------------------------------------------------------------------------------------------
// Codecs

const lit = <L extends string>(l: L): t.LiteralC<L> => t.literal(l);

const fieldNames = Object.fromEntries(Object.keys(MATCH_FIELDS).map((k) => [k, null])) as Record<MatchFieldName, null>;

/** io-ts codec for {@link FieldSlice}. */
export const FieldSliceCodec = struct('FieldSlice', { field: t.keyof(fieldNames, 'match field name'), ofs: intInRange('ofs', 0, 1023), nbits: intInRange('nbits', 1, 64) });

const SetFieldCodec = new t.Type<SetFieldAction, SetFieldAction, unknown>(
  'setField action',
  (u): u is SetFieldAction => {
    if (typeof u !== 'object' || u === null) return false;
    const o = u as Record<string, unknown>;
    return o['type'] === 'setField' && typeof o['field'] === 'string' && Object.prototype.hasOwnProperty.call(MATCH_FIELDS, o['field']) && fieldValueCodec(o['field'] as MatchFieldName).is(o['value']) && Object.keys(o).length === 3;
  },
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return typeMismatch(u, c, `expected a setField action, got ${describeValue(u)}`);
    const o = u as Record<string, unknown>;
    const field = o['field'];
    if (typeof field !== 'string' || !Object.prototype.hasOwnProperty.call(MATCH_FIELDS, field)) {
      return t.failure(field, t.appendContext(c, 'field', t.string, field), `${describeValue(field)} is not a settable field (one of ${Object.keys(MATCH_FIELDS).join(', ')})`);
    }
    const unknown = Object.keys(o).filter((k) => k !== 'type' && k !== 'field' && k !== 'value');
    if (unknown.length > 0) return t.failure(o[unknown[0]!], t.appendContext(c, unknown[0]!, t.unknown, o[unknown[0]!]), 'unknown field');
    const vc = fieldValueCodec(field as MatchFieldName);
    const r = vc.validate(o['value'], t.appendContext(c, 'value', vc, o['value']));
    if (r._tag === 'Left') return r;
    return t.success({ type: 'setField', field, value: r.right } as SetFieldAction);
  },
  t.identity,
);

function resubmitPortProblem(p: PortRef | undefined): string | undefined {
  if (p === undefined) return undefined;
  const n = portToWire(p);
  return n < 0xff00 || n >= 0xffffff00 ? undefined : `port ${n} cannot be encoded in resubmit's 16-bit in_port`;
}

/** io-ts codec for {@link Action} (recursive through `ct` actions). */
export const ActionCodec: t.Type<Action, Action, unknown> = t.recursion<Action, Action>('Action', () =>
  (discriminated('Action', 'type', {
    output: struct('output action', { type: lit('output'), port: PortRefCodec }, { maxLen: uintCodec(16) }),
    group: struct('group action', { type: lit('group'), groupId: uintCodec(32) }),
    pushVlan: struct('pushVlan action', { type: lit('pushVlan') }, { ethertype: uintCodec(16) }),
    popVlan: struct('popVlan action', { type: lit('popVlan') }),
    setField: SetFieldCodec,
    ct: withChecks(
      struct('ct action', { type: lit('ct') }, { commit: t.boolean, force: t.boolean, zone: uintCodec(16), zoneSrc: FieldSliceCodec, table: TableIdCodec, alg: uintCodec(16), actions: t.readonlyArray(ActionCodec) }),
      (a): CheckProblem[] => {
        const out: CheckProblem[] = [];
        if (a.zone !== undefined && a.zoneSrc !== undefined) out.push({ path: ['zoneSrc'], message: 'give zone or zoneSrc, not both', value: a.zoneSrc });
        if (a.zoneSrc !== undefined && a.zoneSrc.nbits !== 16) out.push({ path: ['zoneSrc', 'nbits'], message: `${a.zoneSrc.nbits} bits: a conntrack zone is 16 bits`, value: a.zoneSrc.nbits });
        if (a.force === true && a.commit !== true) out.push({ path: ['force'], message: 'force needs commit', value: a.force });
        return out;
      },
    ),
    ctClear: struct('ctClear action', { type: lit('ctClear') }),
    resubmit: withChecks(struct('resubmit action', { type: lit('resubmit') }, { table: TableIdCodec, inPort: PortRefCodec, ct: t.boolean }), (a): CheckProblem[] => {
      const p = resubmitPortProblem(a.inPort);
      return p === undefined ? [] : [{ path: ['inPort'], message: p, value: a.inPort }];
    }),
    raw: withChecks(struct('raw action', { type: lit('raw'), actionType: uintCodec(16), data: HexCodec }), (a): CheckProblem[] =>
      (4 + a.data.length / 2) % 8 === 0 ? [] : [{ path: ['data'], message: `${a.data.length / 2} bytes: 4 + data must be a multiple of 8`, value: a.data.length }],
    ),
  }) as unknown as t.Type<Action, Action, unknown>),
);

const ActionsCodec = t.readonlyArray(ActionCodec, 'actions');

/** io-ts codec for {@link Instruction}. */
export const InstructionCodec: t.Type<Instruction, Instruction, unknown> = discriminated('Instruction', 'type', {
  applyActions: struct('applyActions instruction', { type: lit('applyActions'), actions: ActionsCodec }),
  writeActions: struct('writeActions instruction', { type: lit('writeActions'), actions: ActionsCodec }),
  clearActions: struct('clearActions instruction', { type: lit('clearActions') }),
  gotoTable: struct('gotoTable instruction', { type: lit('gotoTable'), tableId: TableIdCodec }),
  writeMetadata: struct('writeMetadata instruction', { type: lit('writeMetadata'), metadata: U64Codec, mask: U64Codec }),
  meter: struct('meter instruction', { type: lit('meter'), meterId: uintCodec(32) }),
  raw: withChecks(struct('raw instruction', { type: lit('raw'), instructionType: uintCodec(16), data: HexCodec }), (a): CheckProblem[] =>
    (4 + a.data.length / 2) % 8 === 0 ? [] : [{ path: ['data'], message: `${a.data.length / 2} bytes: 4 + data must be a multiple of 8`, value: a.data.length }],
  ),
}) as unknown as t.Type<Instruction, Instruction, unknown>;

// ------------------------------------------------------------------------------------------------------------------
// Wire: actions

function port16ToWire(p: PortRef): number {
  const n = portToWire(p);
  return n >= 0xffffff00 ? n - 0xffff0000 : n;
}

function port16FromWire(n: number): PortRef {
  return portFromWire(n >= 0xff00 ? n + 0xffff0000 : n);
}

function nxmHeaderOf(field: MatchFieldName): number {
  const spec: MatchFieldSpec = MATCH_FIELDS[field];
  const size = spec.kind === 'u8' ? 1 : spec.kind === 'u16' ? 2 : spec.kind === 'u32' || spec.kind === 'ipv4' || spec.kind === 'port' ? 4 : spec.kind === 'mac' ? 6 : spec.kind === 'u64' ? 8 : 16;
  return ((spec.oxmClass << 16) | (spec.field << 9) | size) >>> 0;
}

function fieldOfNxmHeader(header: number): MatchFieldName | undefined {
  const cls = header >>> 16;
  const field = (header >>> 9) & 0x7f;
  for (const [name, spec] of Object.entries(MATCH_FIELDS) as [MatchFieldName, MatchFieldSpec][]) {
    if (spec.oxmClass === cls && spec.field === field) return name;
  }
  return undefined;
}

function startNicira(w: ByteWriter, subtype: number): number {
  const start = w.length;
  w.u16(ActionType.EXPERIMENTER).u16(0).u32(NICIRA_VENDOR_ID).u16(subtype);
  return start;
}

function finish(w: ByteWriter, start: number): void {
  w.padTo8(start);
  w.setU16(start + 2, w.length - start);
}

/** Writes one action. The action must have passed {@link ActionCodec}. */
export function writeAction(w: ByteWriter, a: Action): void {
  const start = w.length;
  switch (a.type) {
    case 'output':
      w.u16(ActionType.OUTPUT).u16(16).u32(portToWire(a.port)).u16(a.maxLen ?? (a.port === 'CONTROLLER' ? OFPCML_NO_BUFFER : 0)).zeros(6);
      return;
    case 'group':
      w.u16(ActionType.GROUP).u16(8).u32(a.groupId);
      return;
    case 'pushVlan':
      w.u16(ActionType.PUSH_VLAN).u16(8).u16(a.ethertype ?? 0x8100).zeros(2);
      return;
    case 'popVlan':
      w.u16(ActionType.POP_VLAN).u16(8).zeros(4);
      return;
    case 'setField':
      w.u16(ActionType.SET_FIELD).u16(0);
      writeOxmField(w, a.field, a.value, false);
      finish(w, start);
      return;
    case 'ct': {
      const s = startNicira(w, NxActionSubtype.CT);
      let flags = 0;
      if (a.commit === true) flags |= NX_CT_F_COMMIT;
      if (a.force === true) flags |= NX_CT_F_FORCE;
      w.u16(flags);
      if (a.zoneSrc !== undefined) w.u32(nxmHeaderOf(a.zoneSrc.field)).u16((a.zoneSrc.ofs << 6) | (a.zoneSrc.nbits - 1));
      else w.u32(0).u16(a.zone ?? 0);
      w.u8(a.table ?? NX_CT_RECIRC_NONE).zeros(3).u16(a.alg ?? 0);
      for (const n of a.actions ?? []) writeAction(w, n);
      finish(w, s);
      return;
    }
    case 'ctClear': {
      const s = startNicira(w, NxActionSubtype.CT_CLEAR);
      finish(w, s);
      return;
    }
    case 'resubmit': {
      const s = startNicira(w, a.ct === true ? NxActionSubtype.RESUBMIT_TABLE_CT : NxActionSubtype.RESUBMIT_TABLE);
      w.u16(port16ToWire(a.inPort ?? 'IN_PORT')).u8(a.table ?? 0xff).zeros(3);
      finish(w, s);
      return;
    }
    case 'raw':
      w.u16(a.actionType).u16(4 + a.data.length / 2).bytes(Buffer.from(a.data, 'hex'));
      return;
  }
}

/** Writes a list of actions. */
export function writeActions(w: ByteWriter, actions: readonly Action[]): void {
  for (const a of actions) writeAction(w, a);
}

function rawAction(type: number, body: Buffer): RawAction {
  return { type: 'raw', actionType: type, data: body.toString('hex') };
}

function readNicira(body: ByteReader, raw: () => RawAction): Action {
  const subtype = body.u16('nicira subtype');
  switch (subtype) {
    case NxActionSubtype.RESUBMIT:
    case NxActionSubtype.RESUBMIT_TABLE:
    case NxActionSubtype.RESUBMIT_TABLE_CT: {
      const inPort = port16FromWire(body.u16('resubmit in_port'));
      const table = body.u8('resubmit table');
      const out: { type: 'resubmit'; table?: number; inPort?: PortRef; ct?: boolean } = { type: 'resubmit' };
      if (subtype !== NxActionSubtype.RESUBMIT && table !== 0xff) out.table = table;
      if (inPort !== 'IN_PORT') out.inPort = inPort;
      if (subtype === NxActionSubtype.RESUBMIT_TABLE_CT) out.ct = true;
      return out;
    }
    case NxActionSubtype.CT: {
      const flags = body.u16('ct flags');
      const zoneSrc = body.u32('ct zone_src');
      const zoneImm = body.u16('ct zone');
      const table = body.u8('ct recirc_table');
      body.skip(3);
      const alg = body.u16('ct alg');
      const out: { -readonly [K in keyof CtAction]: CtAction[K] } = { type: 'ct' };
      if ((flags & NX_CT_F_COMMIT) !== 0) out.commit = true;
      if ((flags & NX_CT_F_FORCE) !== 0) out.force = true;
      if (zoneSrc !== 0) {
        const field = fieldOfNxmHeader(zoneSrc);
        if (field === undefined) return raw();
        out.zoneSrc = { field, ofs: zoneImm >> 6, nbits: (zoneImm & 0x3f) + 1 };
      } else if (zoneImm !== 0) {
        out.zone = zoneImm;
      }
      if (table !== NX_CT_RECIRC_NONE) out.table = table;
      if (alg !== 0) out.alg = alg;
      const nested = readActions(new ByteReader(body.rest(), `${body.where}.ct.actions`));
      if (nested.length > 0) out.actions = nested;
      return out;
    }
    case NxActionSubtype.CT_CLEAR:
      return { type: 'ctClear' };
    default:
      return raw();
  }
}

/** Reads one action. Unknown actions come back as {@link RawAction}. */
export function readAction(r: ByteReader): Action {
  const type = r.u16('action type');
  const len = r.u16('action length');
  if (len < 8 || len % 8 !== 0) throw new WireFormatError(`action type ${type} has length ${len} (must be a multiple of 8, at least 8)`, r.where);
  const bodyBytes = r.bytes(len - 4, 'action body');
  const br = new ByteReader(bodyBytes, `${r.where}.action`);
  const raw = (): RawAction => rawAction(type, bodyBytes);
  switch (type) {
    case ActionType.OUTPUT: {
      const port = portFromWire(br.u32('output port'));
      const maxLen = br.u16('output max_len');
      const dflt = port === 'CONTROLLER' ? OFPCML_NO_BUFFER : 0;
      return maxLen === dflt ? { type: 'output', port } : { type: 'output', port, maxLen };
    }
    case ActionType.GROUP:
      return { type: 'group', groupId: br.u32('group id') };
    case ActionType.PUSH_VLAN: {
      const ethertype = br.u16('push_vlan ethertype');
      return ethertype === 0x8100 ? { type: 'pushVlan' } : { type: 'pushVlan', ethertype };
    }
    case ActionType.POP_VLAN:
      return { type: 'popVlan' };
    case ActionType.SET_FIELD: {
      const d = readOxm(br);
      if ('raw' in d) return raw();
      if (typeof d.value === 'object' && d.value !== null && typeof d.value !== 'bigint') return raw();
      return { type: 'setField', field: d.name, value: d.value } as SetFieldAction;
    }
    case ActionType.EXPERIMENTER: {
      const vendor = br.u32('experimenter id');
      if (vendor !== NICIRA_VENDOR_ID) return raw();
      return readNicira(br, raw);
    }
    default:
      return raw();
  }
}

/** Reads actions until `r` is exhausted. */
export function readActions(r: ByteReader): Action[] {
  const out: Action[] = [];
  while (r.remaining > 0) out.push(readAction(r));
  return out;
}

// ------------------------------------------------------------------------------------------------------------------
// Wire: instructions

const INSTRUCTION_ORDER: Record<Instruction['type'], number> = { meter: 0, applyActions: 1, clearActions: 2, writeActions: 3, writeMetadata: 4, gotoTable: 5, raw: 6 };

/** Instructions in the order the switch executes them (and returns them): meter, apply, clear, write, metadata, goto. */
export function sortInstructions(instructions: readonly Instruction[]): Instruction[] {
  return instructions
    .map((ins, i) => ({ ins, i }))
    .sort((a, b) => INSTRUCTION_ORDER[a.ins.type] - INSTRUCTION_ORDER[b.ins.type] || a.i - b.i)
    .map((x) => x.ins);
}

/** Writes instructions in execution order (see {@link sortInstructions}). */
export function writeInstructions(w: ByteWriter, instructions: readonly Instruction[]): void {
  for (const ins of sortInstructions(instructions)) {
    const start = w.length;
    switch (ins.type) {
      case 'applyActions':
      case 'writeActions':
        w.u16(ins.type === 'applyActions' ? InstructionType.APPLY_ACTIONS : InstructionType.WRITE_ACTIONS).u16(0).zeros(4);
        writeActions(w, ins.actions);
        w.setU16(start + 2, w.length - start);
        break;
      case 'clearActions':
        w.u16(InstructionType.CLEAR_ACTIONS).u16(8).zeros(4);
        break;
      case 'gotoTable':
        w.u16(InstructionType.GOTO_TABLE).u16(8).u8(ins.tableId).zeros(3);
        break;
      case 'writeMetadata':
        w.u16(InstructionType.WRITE_METADATA).u16(24).zeros(4).u64(ins.metadata).u64(ins.mask);
        break;
      case 'meter':
        w.u16(InstructionType.METER).u16(8).u32(ins.meterId);
        break;
      case 'raw':
        w.u16(ins.instructionType).u16(4 + ins.data.length / 2).bytes(Buffer.from(ins.data, 'hex'));
        break;
    }
  }
}

/** Reads instructions until `r` is exhausted. Unknown ones come back as {@link RawInstruction}. */
export function readInstructions(r: ByteReader): Instruction[] {
  const out: Instruction[] = [];
  while (r.remaining > 0) {
    const type = r.u16('instruction type');
    const len = r.u16('instruction length');
    if (len < 8 || len % 8 !== 0) throw new WireFormatError(`instruction type ${type} has length ${len} (must be a multiple of 8, at least 8)`, r.where);
    const body = r.sub(len - 4, `${r.where}.instruction[${out.length}]`);
    switch (type) {
      case InstructionType.APPLY_ACTIONS:
      case InstructionType.WRITE_ACTIONS: {
        body.skip(4);
        const actions = readActions(new ByteReader(body.rest(), `${body.where}.actions`));
        out.push({ type: type === InstructionType.APPLY_ACTIONS ? 'applyActions' : 'writeActions', actions });
        break;
      }
      case InstructionType.CLEAR_ACTIONS:
        out.push({ type: 'clearActions' });
        break;
      case InstructionType.GOTO_TABLE:
        out.push({ type: 'gotoTable', tableId: body.u8('goto table id') });
        break;
      case InstructionType.WRITE_METADATA: {
        body.skip(4);
        const metadata = body.u64('metadata');
        const mask = body.u64('metadata mask');
        out.push({ type: 'writeMetadata', metadata, mask });
        break;
      }
      case InstructionType.METER:
        out.push({ type: 'meter', meterId: body.u32('meter id') });
        break;
      default:
        out.push({ type: 'raw', instructionType: type, data: body.rest().toString('hex') });
    }
  }
  return out;
}

/**
 * The form of `instructions` a switch returns: execution order, action defaults omitted (`maxLen`, push_vlan
 * ethertype, ct/resubmit defaults). Compare desired flows through it with flows read back.
 */
export function canonicalInstructions(instructions: readonly Instruction[]): Instruction[] {
  const w = new ByteWriter();
  writeInstructions(w, instructions);
  return readInstructions(new ByteReader(w.toBuffer(), 'instructions'));
}
