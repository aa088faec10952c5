/**
 * One OpenFlow connection of a simulated bridge (switch side), as ovs-vswitchd 3.1 serves it: HELLO with the
 * bridge's allowed versions (a version bitmap only when they are not "1.0 up to the highest", as Open vSwitch does),
 * version negotiation, then ECHO, FEATURES, GET/SET_CONFIG, BARRIER, ROLE, FLOW_MOD, PACKET_OUT (dropped: no data
 * plane), MULTIPART (DESC, FLOW, AGGREGATE, PORT_DESC) and ERRORs with Open vSwitch's types and codes, quoting the
 * whole request. An inactivity probe sends ECHO_REQUESTs and drops a silent peer.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';
import type { Logger } from '@netloom/ports';
import { type SimFlowFilter, type SimFlowTable, decodeFlowMod, decodeStatsFilter, encodeFlowStats } from './openflow-sim.table';
import { OF13, OfErrorType, OfFrameSplitter, OfMultipart, OfType, OpenFlowSimError, type OfFrame, errorFrame, fixedText, frame, ofError } from './openflow-sim.wire';

/** What a connection needs from its bridge. */
export interface SimConnectionBridge {
  readonly name: string;
  /** 16 hex digits. */
  readonly datapathId: string;
  readonly allowedVersions: ReadonlySet<number>;
  readonly table: SimFlowTable;
  portDescs(): Buffer[];
}

/** What a connection needs from the simulator around it. */
export interface SimConnectionHost {
  readonly logger: Logger;
  /** Counts a statistic. */
  count(name: 'messages' | 'flowMods' | 'flowModErrors' | 'errorsSent' | 'helloFailures' | 'multipartRequests' | 'barriers' | 'faultDrops'): void;
  /** Fault hook before a flow_mod is applied: an error to answer with instead, or 'drop-after' to cut the connection once it is applied. */
  beforeFlowMod(bridge: string): OpenFlowSimError | 'drop-after' | undefined;
  /** Software facts for DESC. */
  readonly desc: { readonly mfr: string; readonly hw: string; readonly sw: string; readonly serial: string; readonly dp: string };
}

const HELLO_ELEM_VERSIONBITMAP = 1;
/** Multipart replies are split below this size (OpenFlow's 64 KiB message limit). */
const MAX_PART = 0xffff - 16;

/** The HELLO ovs-vswitchd sends for a set of allowed versions. */
export function helloFor(allowed: ReadonlySet<number>): Buffer {
  const max = Math.max(...allowed);
  let bits = 0;
  for (const v of allowed) bits |= 1 << v;
  // Open vSwitch adds the bitmap only when the allowed versions are not 1..max (should_send_version_bitmap).
  const contiguous = bits === (1 << (max + 1)) - 2;
  if (contiguous) return frame(OfType.HELLO, 0, Buffer.alloc(0), max);
  const el = Buffer.alloc(8);
  el.writeUInt16BE(HELLO_ELEM_VERSIONBITMAP, 0);
  el.writeUInt16BE(8, 2);
  el.writeUInt32BE(bits >>> 0, 4);
  return frame(OfType.HELLO, 0, el, max);
}

/** The versions a peer's HELLO offers (bitmap if present, else 1..header version). */
function peerVersions(f: OfFrame): Set<number> {
  let at = 0;
  while (f.body.length - at >= 4) {
    const type = f.body.readUInt16BE(at);
    const len = f.body.readUInt16BE(at + 2);
    if (len < 4) break;
    if (type === HELLO_ELEM_VERSIONBITMAP) {
      const out = new Set<number>();
      for (let w = 0; (w + 1) * 4 <= len - 4 && at + 4 + (w + 1) * 4 <= f.body.length; w++) {
        const bits = f.body.readUInt32BE(at + 4 + w * 4);
        for (let b = 0; b < 32; b++) if ((bits >>> b) & 1) out.add(w * 32 + b);
      }
      return out;
    }
    at += (len + 7) & ~7;
  }
  return new Set(Array.from({ length: f.version }, (_, i) => i + 1));
}

/** A switch-side OpenFlow connection. */
export class SimConnection {
  private readonly splitter = new OfFrameSplitter();
  private state: 'hello' | 'ready' | 'closed' = 'hello';
  private lastRx = Date.now();
  private probe: NodeJS.Timeout | undefined;
  private xid = 0x10000000;
  private missSendLen = 0;
  private generation = 0n;

  constructor(
    private readonly socket: net.Socket,
    private readonly bridge: SimConnectionBridge,
    private readonly host: SimConnectionHost,
    private readonly probeMs: number,
    private readonly onClose: (c: SimConnection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => host.logger.debug({ bridge: bridge.name, err: e.message }, 'openflow simulator: connection error'));
    socket.on('close', () => this.closed());
    this.send(helloFor(bridge.allowedVersions));
    if (probeMs > 0) {
      this.probe = setInterval(() => this.checkIdle(), Math.max(10, Math.floor(probeMs / 2)));
      this.probe.unref();
    }
  }

  /** True until the connection ended. */
  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Ends the connection at once (as a dying switch or a cut link would). */
  destroy(): void {
    this.socket.destroy();
    this.closed();
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.probe !== undefined) clearInterval(this.probe);
    this.onClose(this);
  }

  private checkIdle(): void {
    const idle = Date.now() - this.lastRx;
    if (idle >= 2 * this.probeMs) {
      this.host.logger.debug({ bridge: this.bridge.name, idle }, 'openflow simulator: inactivity probe timed out');
      this.destroy();
    } else if (idle >= this.probeMs && this.state === 'ready') {
      this.send(frame(OfType.ECHO_REQUEST, this.xid++));
    }
  }

  private send(b: Buffer): void {
    if (this.state !== 'closed' && !this.socket.destroyed) this.socket.write(b);
  }

  private sendError(err: OpenFlowSimError, request: OfFrame): void {
    this.host.count('errorsSent');
    this.send(errorFrame(err, request.xid, request.raw));
  }

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    let frames: OfFrame[];
    try {
      frames = this.splitter.push(chunk);
    } catch (e) {
      this.host.logger.debug({ bridge: this.bridge.name, err: e instanceof Error ? e.message : String(e) }, 'openflow simulator: framing error, closing');
      this.destroy();
      return;
    }
    for (const f of frames) {
      if (this.state === 'closed') return;
      this.host.count('messages');
      try {
        this.handle(f);
      } catch (e) {
        if (e instanceof OpenFlowSimError) this.sendError(e, f);
        else {
          this.host.logger.error({ bridge: this.bridge.name, type: f.type, err: e instanceof Error ? e.message : String(e) }, 'openflow simulator: internal error');
          this.sendError(ofError('BAD_REQUEST', 'EPERM', 'internal error'), f);
        }
      }
    }
  }

  private handle(f: OfFrame): void {
    if (this.state === 'hello') {
      this.negotiate(f);
      return;
    }
    if (f.type === OfType.ECHO_REQUEST) {
      this.send(frame(OfType.ECHO_REPLY, f.xid, f.body, f.version));
      return;
    }
    if (f.version !== OF13) throw ofError('BAD_REQUEST', 'BAD_VERSION', `OpenFlow version 0x${f.version.toString(16)} after negotiating 1.3`);
    switch (f.type) {
      case OfType.ECHO_REPLY:
      case OfType.HELLO:
        return;
      case OfType.FEATURES_REQUEST:
        this.noBody(f);
        this.send(frame(OfType.FEATURES_REPLY, f.xid, this.features()));
        return;
      case OfType.GET_CONFIG_REQUEST: {
        this.noBody(f);
        const b = Buffer.alloc(4);
        b.writeUInt16BE(this.missSendLen, 2);
        this.send(frame(OfType.GET_CONFIG_REPLY, f.xid, b));
        return;
      }
      case OfType.SET_CONFIG:
        if (f.body.length !== 4) throw ofError('BAD_REQUEST', 'BAD_LEN', 'set_config must be 12 bytes');
        this.missSendLen = f.body.readUInt16BE(2);
        return;
      case OfType.BARRIER_REQUEST:
        this.noBody(f);
        this.host.count('barriers');
        this.send(frame(OfType.BARRIER_REPLY, f.xid));
        return;
      case OfType.ROLE_REQUEST:
        this.role(f);
        return;
      case OfType.FLOW_MOD:
        this.flowMod(f);
        return;
      case OfType.PACKET_OUT:
        if (f.body.length < 16) throw ofError('BAD_REQUEST', 'BAD_LEN', 'packet_out too short');
        if (f.body.readUInt32BE(0) !== 0xffffffff) throw ofError('BAD_REQUEST', 'BUFFER_UNKNOWN', 'no packet is buffered');
        // No data plane: the packet goes nowhere.
        return;
      case OfType.MULTIPART_REQUEST:
        this.multipart(f);
        return;
      case OfType.EXPERIMENTER:
        throw ofError('BAD_REQUEST', f.body.length >= 4 && f.body.readUInt32BE(0) === 0x2320 ? 'BAD_EXP_TYPE' : 'BAD_EXPERIMENTER', 'experimenter message not supported');
      default:
        throw ofError('BAD_REQUEST', 'BAD_TYPE', `message type ${f.type} is not supported by the simulator`);
    }
  }

  private noBody(f: OfFrame): void {
    if (f.body.length !== 0) throw ofError('BAD_REQUEST', 'BAD_LEN', `message type ${f.type} takes no body`);
  }

  private negotiate(f: OfFrame): void {
    if (f.type !== OfType.HELLO) {
      this.refuse(f, `expected HELLO, got message type ${f.type}`);
      return;
    }
    const theirs = peerVersions(f);
    const common = [...this.bridge.allowedVersions].filter((v) => theirs.has(v));
    const best = common.length > 0 ? Math.max(...common) : undefined;
    if (best !== OF13) {
      this.refuse(f, best === undefined ? `no common OpenFlow version (we allow ${[...this.bridge.allowedVersions].join(', ')})` : `negotiated version 0x0${best.toString(16)}: the simulator speaks OpenFlow 1.3 only`);
      return;
    }
    this.state = 'ready';
    this.host.logger.debug({ bridge: this.bridge.name }, 'openflow simulator: controller connected (OpenFlow 1.3)');
  }

  private refuse(f: OfFrame, text: string): void {
    this.host.count('helloFailures');
    const err = new OpenFlowSimError(OfErrorType.HELLO_FAILED, 0, text);
    const version = Math.min(f.version, Math.max(...this.bridge.allowedVersions));
    this.state = 'closed';
    if (this.probe !== undefined) clearInterval(this.probe);
    this.socket.end(errorFrame(err, f.xid, Buffer.from(text, 'ascii'), version));
    this.onClose(this);
  }

  private features(): Buffer {
    const b = Buffer.alloc(24);
    b.writeBigUInt64BE(BigInt(`0x${this.bridge.datapathId}`), 0);
    b.writeUInt32BE(0, 8); // n_buffers
    b.writeUInt8(0xfe, 12); // n_tables, as ovs-vswitchd 3.1 reports
    b.writeUInt32BE(0x4f, 16); // FLOW_STATS | TABLE_STATS | PORT_STATS | GROUP_STATS | QUEUE_STATS
    return b;
  }

  private role(f: OfFrame): void {
    if (f.body.length !== 16) throw ofError('BAD_REQUEST', 'BAD_LEN', 'role_request must be 24 bytes');
    const role = f.body.readUInt32BE(0);
    const generation = f.body.readBigUInt64BE(8);
    if (role === 2 || role === 3) this.generation = generation;
    const b = Buffer.alloc(16);
    b.writeUInt32BE(role === 0 ? 1 : role, 0);
    b.writeBigUInt64BE(this.generation, 8);
    this.send(frame(OfType.ROLE_REPLY, f.xid, b));
  }

  private flowMod(f: OfFrame): void {
    this.host.count('flowMods');
    const fault = this.host.beforeFlowMod(this.bridge.name);
    if (fault instanceof OpenFlowSimError) {
      this.host.count('flowModErrors');
      throw fault;
    }
    try {
      this.bridge.table.apply(decodeFlowMod(f.body));
    } catch (e) {
      if (e instanceof OpenFlowSimError) this.host.count('flowModErrors');
      throw e;
    }
    if (fault === 'drop-after') {
      this.host.count('faultDrops');
      this.host.logger.debug({ bridge: this.bridge.name }, 'openflow simulator: fault drops the connection after a flow_mod');
      this.destroy();
    }
  }

  private multipart(f: OfFrame): void {
    this.host.count('multipartRequests');
    if (f.body.length < 8) throw ofError('BAD_REQUEST', 'BAD_LEN', 'multipart request too short');
    const mpType = f.body.readUInt16BE(0);
    const body = f.body.subarray(8);
    switch (mpType) {
      case OfMultipart.DESC: {
        const d = this.host.desc;
        this.reply(f.xid, mpType, [Buffer.concat([fixedText(d.mfr, 256), fixedText(d.hw, 256), fixedText(d.sw, 256), fixedText(d.serial, 32), fixedText(d.dp, 256)])]);
        return;
      }
      case OfMultipart.FLOW: {
        const filter: SimFlowFilter = decodeStatsFilter(body);
        const now = Date.now();
        this.reply(f.xid, mpType, this.bridge.table.select(filter).map((x) => encodeFlowStats(x, now)));
        return;
      }
      case OfMultipart.AGGREGATE: {
        const flows = this.bridge.table.select(decodeStatsFilter(body));
        const b = Buffer.alloc(24);
        b.writeBigUInt64BE(flows.reduce((s, x) => s + x.packetCount, 0n), 0);
        b.writeBigUInt64BE(flows.reduce((s, x) => s + x.byteCount, 0n), 8);
        b.writeUInt32BE(flows.length, 16);
        this.reply(f.xid, mpType, [b]);
        return;
      }
      case OfMultipart.PORT_DESC:
        this.reply(f.xid, mpType, this.bridge.portDescs());
        return;
      default:
        throw ofError('BAD_REQUEST', 'BAD_MULTIPART', `multipart type ${mpType} is not supported by the simulator`);
    }
  }

  /** Sends items as MULTIPART_REPLY parts, each below 64 KiB, all but the last flagged REPLY_MORE. */
  private reply(xid: number, mpType: number, items: readonly Buffer[]): void {
    const parts: Buffer[][] = [[]];
    let size = 0;
    for (const item of items) {
      if (size + item.length > MAX_PART && parts[parts.length - 1]!.length > 0) {
        parts.push([]);
        size = 0;
      }
      parts[parts.length - 1]!.push(item);
      size += item.length;
    }
    parts.forEach((p, i) => {
      const h = Buffer.alloc(8);
      h.writeUInt16BE(mpType, 0);
      h.writeUInt16BE(i < parts.length - 1 ? 1 : 0, 2);
      this.send(frame(OfType.MULTIPART_REPLY, xid, Buffer.concat([h, ...p])));
    });
  }
}
