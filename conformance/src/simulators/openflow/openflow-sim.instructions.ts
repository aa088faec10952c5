/**
 * Instructions and actions of the OpenFlow switch simulator: checked the way ovs-vswitchd 3.1 checks them (lengths,
 * known types, one instruction per type, `goto_table` forward only, output ports, known Nicira extensions, no meters
 * or groups exist), then kept as bytes in the order Open vSwitch returns them (meter, apply, clear, write,
 * write-metadata, goto; an empty apply-actions dropped). The ports a flow outputs to are collected for the
 * `out_port` filters of delete and flow stats.
 *
 * @packageDocumentation
 */
import { fieldDef, valueInRange } from './openflow-sim.match';
import { NICIRA, OFPP_ANY, OFPP_CONTROLLER, OFPP_IN_PORT, OFPP_MAX, ONF_DUP_INSTRUCTION, ONF_EXPERIMENTER, OpenFlowSimError, ofError, pad8 } from './openflow-sim.wire';

/** Instruction types (`enum ofp_instruction_type`). */
const Inst = { GOTO_TABLE: 1, WRITE_METADATA: 2, WRITE_ACTIONS: 3, APPLY_ACTIONS: 4, CLEAR_ACTIONS: 5, METER: 6 } as const;
/** Execution (and read-back) order of instruction types. */
const INST_ORDER: Readonly<Record<number, number>> = { [Inst.METER]: 0, [Inst.APPLY_ACTIONS]: 1, [Inst.CLEAR_ACTIONS]: 2, [Inst.WRITE_ACTIONS]: 3, [Inst.WRITE_METADATA]: 4, [Inst.GOTO_TABLE]: 5 };

/** OpenFlow 1.3 action types ovs-vswitchd accepts, with their fixed length (undefined: variable). */
const ACTIONS: ReadonlyMap<number, number | undefined> = new Map<number, number | undefined>([
  [0, 16], // output
  [11, 8], // copy_ttl_out
  [12, 8], // copy_ttl_in
  [15, 8], // set_mpls_ttl
  [16, 8], // dec_mpls_ttl
  [17, 8], // push_vlan
  [18, 8], // pop_vlan
  [19, 8], // push_mpls
  [20, 8], // pop_mpls
  [21, 8], // set_queue
  [22, 8], // group
  [23, 8], // set_nw_ttl
  [24, 8], // dec_nw_ttl
  [25, undefined], // set_field
  [26, 8], // push_pbb
  [27, 8], // pop_pbb
]);

/**
 * Nicira extension subtypes ovs-vswitchd 3.1 knows (`enum nx_action_subtype`): accepted and kept as bytes; only
 * `ct` (35) is looked into (its nested actions).
 */
const NICIRA_SUBTYPES = new Set([1, 2, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
const NXAST_CT = 35;
const CT_HEADER = 24;

/** Instructions as the simulator keeps them. */
export interface SimInstructions {
  /** The instruction TLVs in read-back order. */
  readonly bytes: Buffer;
  /** Ports the flow outputs to (for `out_port` filters), `CONTROLLER` included. */
  readonly outputs: ReadonlySet<number>;
}

interface Ctx {
  readonly outputs: Set<number>;
}

/** Validates an action list; collects its outputs. */
function checkActions(list: Buffer, ctx: Ctx): void {
  let at = 0;
  while (at < list.length) {
    if (list.length - at < 8) throw ofError('BAD_REQUEST', 'BAD_LEN', 'action header runs past its list');
    const type = list.readUInt16BE(at);
    const len = list.readUInt16BE(at + 2);
    if (len < 8 || len % 8 !== 0 || at + len > list.length) throw ofError('BAD_REQUEST', 'BAD_LEN', `action of type ${type} has length ${len}`);
    const a = list.subarray(at, at + len);
    at += len;
    if (type === 0xffff) {
      checkExperimenterAction(a, ctx);
      continue;
    }
    if (!ACTIONS.has(type)) throw ofError('BAD_ACTION', 'BAD_TYPE', `unknown action type ${type}`);
    const fixed = ACTIONS.get(type);
    if (fixed !== undefined && len !== fixed) throw ofError('BAD_REQUEST', 'BAD_LEN', `action of type ${type} must be ${fixed} bytes`);
    switch (type) {
      case 0: {
        const port = a.readUInt32BE(4);
        if ((port > OFPP_MAX && port < OFPP_IN_PORT) || port === OFPP_ANY) throw ofError('BAD_ACTION', 'BAD_OUT_PORT', `output to port 0x${port.toString(16)}`);
        ctx.outputs.add(port);
        break;
      }
      case 17:
      case 26: {
        const ethertype = a.readUInt16BE(4);
        if (![0x8100, 0x88a8].includes(ethertype) && type === 17) throw ofError('BAD_ACTION', 'BAD_ARGUMENT', `push_vlan with ethertype 0x${ethertype.toString(16)}`);
        break;
      }
      case 22:
        // No group exists in the simulator (GROUP_MOD is not modelled).
        throw ofError('BAD_ACTION', 'BAD_OUT_GROUP', `group ${a.readUInt32BE(4)} does not exist`);
      case 25:
        checkSetField(a);
        break;
      default:
        break;
    }
  }
}

function checkSetField(a: Buffer): void {
  if (a.length < 8) throw ofError('BAD_REQUEST', 'BAD_LEN', 'set_field too short');
  const oxmClass = a.readUInt16BE(4);
  const fieldByte = a.readUInt8(6);
  const length = a.readUInt8(7);
  if (pad8(8 + length) !== a.length) throw ofError('BAD_REQUEST', 'BAD_LEN', `set_field of ${length} value bytes has length ${a.length}`);
  const def = fieldDef(oxmClass, fieldByte >> 1);
  if (def === undefined || (fieldByte & 1) === 1 || length !== def.len) throw ofError('BAD_ACTION', 'BAD_SET_TYPE', `set_field on unknown or masked field ${oxmClass.toString(16)}:${fieldByte >> 1}`);
  if (!valueInRange(def, a.subarray(8, 8 + length))) throw ofError('BAD_ACTION', 'BAD_SET_ARGUMENT', `set_field ${def.name} value out of range`);
}

function checkExperimenterAction(a: Buffer, ctx: Ctx): void {
  const vendor = a.readUInt32BE(4);
  if (vendor !== NICIRA) throw ofError('BAD_ACTION', 'BAD_EXPERIMENTER', `experimenter 0x${vendor.toString(16)}`);
  if (a.length < 10) throw ofError('BAD_REQUEST', 'BAD_LEN', 'Nicira action too short');
  const subtype = a.readUInt16BE(8);
  if (!NICIRA_SUBTYPES.has(subtype)) throw ofError('BAD_ACTION', 'BAD_EXP_TYPE', `Nicira action subtype ${subtype}`);
  if (subtype === NXAST_CT) {
    if (a.length < CT_HEADER) throw ofError('BAD_REQUEST', 'BAD_LEN', 'ct action too short');
    checkActions(a.subarray(CT_HEADER), ctx);
  }
}

/**
 * Validates the instructions of a flow in `tableId` and returns them in read-back order.
 *
 * @throws OpenFlowSimError as ovs-vswitchd answers (BAD_REQUEST/BAD_LEN for bad lengths, BAD_INSTRUCTION,
 *   BAD_ACTION, METER_MOD_FAILED/UNKNOWN_METER, and ONF's DUP_INSTRUCTION experimenter error).
 */
export function parseInstructions(list: Buffer, tableId: number): SimInstructions {
  const ctx: Ctx = { outputs: new Set() };
  const seen = new Map<number, Buffer>();
  let at = 0;
  while (at < list.length) {
    if (list.length - at < 4) throw ofError('BAD_REQUEST', 'BAD_LEN', 'instruction header runs past the message');
    const type = list.readUInt16BE(at);
    const len = list.readUInt16BE(at + 2);
    if (len < 4 || len % 8 !== 0 || at + len > list.length) throw ofError('BAD_REQUEST', 'BAD_LEN', `instruction of type ${type} has length ${len}`);
    const ins = list.subarray(at, at + len);
    at += len;
    if (INST_ORDER[type] === undefined) throw ofError('BAD_INSTRUCTION', 'UNKNOWN_INST', `unknown instruction type ${type}`);
    if (seen.has(type)) throw new OpenFlowSimError(0xffff, ONF_DUP_INSTRUCTION, `instruction type ${type} appears twice`, ONF_EXPERIMENTER);
    switch (type) {
      case Inst.GOTO_TABLE: {
        if (len !== 8) throw ofError('BAD_REQUEST', 'BAD_LEN', 'goto_table must be 8 bytes');
        const next = ins.readUInt8(4);
        if (next <= tableId) throw ofError('BAD_INSTRUCTION', 'BAD_TABLE_ID', `goto_table ${next} from table ${tableId}`);
        break;
      }
      case Inst.WRITE_METADATA:
        if (len !== 24) throw ofError('BAD_REQUEST', 'BAD_LEN', 'write_metadata must be 24 bytes');
        break;
      case Inst.METER:
        if (len !== 8) throw ofError('BAD_REQUEST', 'BAD_LEN', 'meter must be 8 bytes');
        // No meter exists in the simulator (METER_MOD is not modelled).
        throw new OpenFlowSimError(12, 2, `meter ${ins.readUInt32BE(4)} does not exist`);
      case Inst.CLEAR_ACTIONS:
        break;
      default:
        checkActions(ins.subarray(8), ctx);
    }
    seen.set(type, Buffer.from(ins));
  }
  const ordered = [...seen.entries()]
    .sort((a, b) => INST_ORDER[a[0]]! - INST_ORDER[b[0]]!)
    // Open vSwitch does not return an empty apply-actions instruction.
    .filter(([type, b]) => !(type === Inst.APPLY_ACTIONS && b.length === 8))
    .map(([, b]) => b);
  return { bytes: Buffer.concat(ordered), outputs: ctx.outputs };
}

/** True when a flow with these outputs passes an `out_port` filter (`ANY`: every flow). */
export function outputsTo(outputs: ReadonlySet<number>, outPort: number): boolean {
  return outPort === OFPP_ANY || outputs.has(outPort) || (outPort === OFPP_CONTROLLER && outputs.has(OFPP_CONTROLLER));
}
