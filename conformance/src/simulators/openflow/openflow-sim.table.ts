/**
 * The flow tables of one simulated bridge and OpenFlow 1.3's FLOW_MOD semantics as ovs-vswitchd 3.1 applies them:
 * `add` replaces a flow with the same table, priority and match (OFPFF_CHECK_OVERLAP refuses an overlapping one);
 * `modify`/`delete` select flows whose match the request's covers (any priority), `modifyStrict`/`deleteStrict` the
 * one with the same match and priority; every selection filters by `cookie & cookie_mask`, delete also by
 * `out_port`/`out_group`; modify keeps a flow's cookie and counters and never adds (OpenFlow 1.1+). Table 255 means
 * every table for delete and is refused otherwise. Timeouts expire flows (no traffic: idle = since the last change).
 *
 * @packageDocumentation
 */
import { type SimMatch, encodeMatch, matchCovers, matchEquals, matchesOverlap, parseMatch } from './openflow-sim.match';
import { type SimInstructions, outputsTo, parseInstructions } from './openflow-sim.instructions';
import { OFPG_ANY, OFPP_ANY, OFPTT_ALL, OFP_NO_BUFFER, ofError } from './openflow-sim.wire';

/** Largest table id a flow can be in (`OFPTT_MAX`). */
export const MAX_TABLE = 0xfe;
/** Flags a flow keeps (send_flow_rem, no_pkt_counts, no_byt_counts); reset_counts and check_overlap are acts. */
const KEPT_FLAGS = 0x1 | 0x8 | 0x10;
const FLAG_CHECK_OVERLAP = 0x2;
const FLAG_RESET_COUNTS = 0x4;
const KNOWN_FLAGS = 0x1f;

/** One flow entry. */
export interface SimFlow {
  readonly tableId: number;
  readonly priority: number;
  cookie: bigint;
  readonly match: SimMatch;
  instructions: SimInstructions;
  idleTimeout: number;
  hardTimeout: number;
  flags: number;
  /** When it was added (ms since the epoch) and last modified (idle timeouts count from there). */
  readonly createdAt: number;
  modifiedAt: number;
  packetCount: bigint;
  byteCount: bigint;
}

/** A decoded FLOW_MOD body. */
export interface SimFlowMod {
  readonly cookie: bigint;
  readonly cookieMask: bigint;
  readonly tableId: number;
  readonly command: number;
  readonly idleTimeout: number;
  readonly hardTimeout: number;
  readonly priority: number;
  readonly bufferId: number;
  readonly outPort: number;
  readonly outGroup: number;
  readonly flags: number;
  readonly match: SimMatch;
  readonly instructions: SimInstructions;
}

/** Selection criteria shared by modify, delete and flow stats. */
export interface SimFlowFilter {
  readonly tableId: number;
  readonly cookie: bigint;
  readonly cookieMask: bigint;
  readonly outPort: number;
  readonly outGroup: number;
  readonly match: SimMatch;
  /** Strict: same match and this priority. */
  readonly strictPriority?: number;
}

/**
 * Decodes and checks a FLOW_MOD body (after the 8-byte header), in ovs-vswitchd's order: length, command, table,
 * flags, match, instructions.
 *
 * @throws OpenFlowSimError for what ovs-vswitchd refuses.
 */
export function decodeFlowMod(body: Buffer): SimFlowMod {
  if (body.length < 48) throw ofError('BAD_REQUEST', 'BAD_LEN', `flow_mod of ${body.length + 8} bytes`);
  const command = body.readUInt8(17);
  const tableId = body.readUInt8(16);
  const flags = body.readUInt16BE(36);
  if (command > 4) throw ofError('FLOW_MOD_FAILED', 'BAD_COMMAND', `flow_mod command ${command}`);
  if (tableId === OFPTT_ALL && command !== 3 && command !== 4) throw ofError('FLOW_MOD_FAILED', 'BAD_TABLE_ID', 'table 255 is only for deletes');
  if ((flags & ~KNOWN_FLAGS) !== 0) throw ofError('FLOW_MOD_FAILED', 'BAD_FLAGS', `flow_mod flags 0x${flags.toString(16)}`);
  const { match, next } = parseMatch(body, 40);
  const instructions = parseInstructions(body.subarray(next), tableId === OFPTT_ALL ? 0 : tableId);
  return {
    cookie: body.readBigUInt64BE(0),
    cookieMask: body.readBigUInt64BE(8),
    tableId,
    command,
    idleTimeout: body.readUInt16BE(18),
    hardTimeout: body.readUInt16BE(20),
    priority: body.readUInt16BE(22),
    bufferId: body.readUInt32BE(24),
    outPort: body.readUInt32BE(28),
    outGroup: body.readUInt32BE(32),
    flags,
    match,
    instructions,
  };
}

/** What a flow_mod did. */
export interface SimFlowModResult {
  readonly added: number;
  readonly modified: number;
  readonly deleted: number;
}

/** The flow tables of one bridge. */
export class SimFlowTable {
  private flows: SimFlow[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Drops flows whose timeout has run out. */
  expire(): void {
    const t = this.now();
    this.flows = this.flows.filter((f) => !((f.hardTimeout > 0 && t - f.createdAt >= f.hardTimeout * 1000) || (f.idleTimeout > 0 && t - f.modifiedAt >= f.idleTimeout * 1000)));
  }

  /** Every flow (table, then priority high to low, then age), after expiry. */
  all(): readonly SimFlow[] {
    this.expire();
    return [...this.flows].sort((a, b) => a.tableId - b.tableId || b.priority - a.priority || a.createdAt - b.createdAt);
  }

  /** Removes every flow. */
  clear(): void {
    this.flows = [];
  }

  /** The flows a filter selects. */
  select(filter: SimFlowFilter): SimFlow[] {
    return this.all().filter((f) => {
      if (filter.tableId !== OFPTT_ALL && f.tableId !== filter.tableId) return false;
      if ((f.cookie & filter.cookieMask) !== (filter.cookie & filter.cookieMask)) return false;
      if (!outputsTo(f.instructions.outputs, filter.outPort)) return false;
      // No flow references a group (groups are not modelled).
      if (filter.outGroup !== OFPG_ANY) return false;
      if (filter.strictPriority !== undefined) return f.priority === filter.strictPriority && matchEquals(filter.match, f.match);
      return matchCovers(filter.match, f.match);
    });
  }

  /**
   * Applies a checked flow_mod.
   *
   * @throws OpenFlowSimError FLOW_MOD_FAILED/OVERLAP; BAD_REQUEST/BUFFER_UNKNOWN after applying one that names a
   *   buffer (the switch buffers no packets).
   */
  apply(mod: SimFlowMod): SimFlowModResult {
    this.expire();
    const t = this.now();
    let result: SimFlowModResult;
    const strict = mod.command === 2 || mod.command === 4;
    if (mod.command === 0) {
      const same = this.flows.find((f) => f.tableId === mod.tableId && f.priority === mod.priority && matchEquals(f.match, mod.match));
      if ((mod.flags & FLAG_CHECK_OVERLAP) !== 0 && this.flows.some((f) => f !== same && f.tableId === mod.tableId && f.priority === mod.priority && matchesOverlap(f.match, mod.match))) {
        throw ofError('FLOW_MOD_FAILED', 'OVERLAP', 'the flow overlaps another of the same priority');
      }
      const flow: SimFlow = {
        tableId: mod.tableId,
        priority: mod.priority,
        cookie: mod.cookie,
        match: mod.match,
        instructions: mod.instructions,
        idleTimeout: mod.idleTimeout,
        hardTimeout: mod.hardTimeout,
        flags: mod.flags & KEPT_FLAGS,
        createdAt: t,
        modifiedAt: t,
        packetCount: 0n,
        byteCount: 0n,
      };
      if (same !== undefined) this.flows[this.flows.indexOf(same)] = flow;
      else this.flows.push(flow);
      result = { added: 1, modified: 0, deleted: 0 };
    } else {
      const filter: SimFlowFilter = {
        tableId: mod.tableId,
        cookie: mod.cookie,
        cookieMask: mod.cookieMask,
        // Modify ignores out_port/out_group (OpenFlow 1.3 §6.4).
        outPort: mod.command <= 2 ? OFPP_ANY : mod.outPort,
        outGroup: mod.command <= 2 ? OFPG_ANY : mod.outGroup,
        match: mod.match,
        ...(strict ? { strictPriority: mod.priority } : {}),
      };
      const hit = new Set(this.select(filter));
      if (mod.command <= 2) {
        for (const f of hit) {
          f.instructions = mod.instructions;
          f.idleTimeout = mod.idleTimeout;
          f.hardTimeout = mod.hardTimeout;
          f.flags = mod.flags & KEPT_FLAGS;
          f.modifiedAt = t;
          if ((mod.flags & FLAG_RESET_COUNTS) !== 0) {
            f.packetCount = 0n;
            f.byteCount = 0n;
          }
        }
        result = { added: 0, modified: hit.size, deleted: 0 };
      } else {
        this.flows = this.flows.filter((f) => !hit.has(f));
        result = { added: 0, modified: 0, deleted: hit.size };
      }
    }
    if (mod.bufferId !== OFP_NO_BUFFER) throw ofError('BAD_REQUEST', 'BUFFER_UNKNOWN', `buffer ${mod.bufferId} is unknown`);
    return result;
  }

  /** Adds a flow as ovs-vswitchd does for a standalone bridge without a controller (`priority=0 actions=NORMAL`). */
  addNormalFlow(): void {
    const normal = Buffer.alloc(24);
    normal.writeUInt16BE(4, 0); // apply-actions
    normal.writeUInt16BE(24, 2);
    normal.writeUInt16BE(0, 8); // output
    normal.writeUInt16BE(16, 10);
    normal.writeUInt32BE(0xfffffffa, 12); // NORMAL
    this.apply({
      cookie: 0n,
      cookieMask: 0n,
      tableId: 0,
      command: 0,
      idleTimeout: 0,
      hardTimeout: 0,
      priority: 0,
      bufferId: OFP_NO_BUFFER,
      outPort: OFPP_ANY,
      outGroup: OFPG_ANY,
      flags: 0,
      match: new Map(),
      instructions: parseInstructions(normal, 0),
    });
  }
}

/** Encodes one `struct ofp_flow_stats`. */
export function encodeFlowStats(f: SimFlow, now: number): Buffer {
  const match = encodeMatch(f.match);
  const head = Buffer.alloc(48);
  const length = 48 + match.length + f.instructions.bytes.length;
  const age = Math.max(0, now - f.createdAt);
  head.writeUInt16BE(length, 0);
  head.writeUInt8(f.tableId, 2);
  head.writeUInt32BE(Math.floor(age / 1000), 4);
  head.writeUInt32BE((age % 1000) * 1_000_000, 8);
  head.writeUInt16BE(f.priority, 12);
  head.writeUInt16BE(f.idleTimeout, 14);
  head.writeUInt16BE(f.hardTimeout, 16);
  head.writeUInt16BE(f.flags, 18);
  head.writeBigUInt64BE(f.cookie, 24);
  head.writeBigUInt64BE(f.packetCount, 32);
  head.writeBigUInt64BE(f.byteCount, 40);
  return Buffer.concat([head, match, f.instructions.bytes]);
}

/**
 * Decodes the body of a flow or aggregate stats request (after the multipart header).
 *
 * @throws OpenFlowSimError BAD_REQUEST/BAD_LEN, BAD_REQUEST/BAD_TABLE_ID and match errors.
 */
export function decodeStatsFilter(body: Buffer): SimFlowFilter {
  if (body.length < 40) throw ofError('BAD_REQUEST', 'BAD_LEN', 'flow stats request too short');
  const tableId = body.readUInt8(0);
  if (tableId > MAX_TABLE && tableId !== OFPTT_ALL) throw ofError('BAD_REQUEST', 'BAD_TABLE_ID', `table ${tableId}`);
  const { match } = parseMatch(body, 32);
  return { tableId, outPort: body.readUInt32BE(4), outGroup: body.readUInt32BE(8), cookie: body.readBigUInt64BE(16), cookieMask: body.readBigUInt64BE(24), match };
}
