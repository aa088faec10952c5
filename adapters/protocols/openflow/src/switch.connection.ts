/**
 * One OpenFlow 1.3 connection to a switch (controller side): handshake, keepalive, request/reply matching by xid,
 * flow_mod batches confirmed by a barrier, flow stats with multipart continuation, and asynchronous events.
 *
 * Connections are made by {@link OpenFlowController} (a switch dialling in, or the controller dialling a switch
 * that listens with `ptcp:`); they are handed out only once the handshake is complete.
 *
 * @packageDocumentation
 */
import type { Socket } from 'node:net';
import type * as t from 'io-ts';
import {
  DeviceConnectionError,
  DeviceProtocolError,
  DeviceTimeoutError,
  InputError,
  type Logger,
  type NetloomError,
  decodeOrThrow,
  decodeProblems,
  isNetloomError,
} from '@netloom/ports';
import { WireFormatError } from './byte-buffer';
import { MessageType, MultipartType, OFP13_VERSION, OFPMPF_MORE, messageTypeName } from './openflow.constants';
import { ErrorType, type OpenFlowErrorInfo, OpenFlowErrorInfoCodec, batchError, decodeErrorBody, errorLabel, requestError } from './openflow.errors';
import { FrameParser, type OpenFlowFrame, encodeFrame } from './openflow.framing';
import {
  type FlowMod,
  FlowModCodec,
  type FlowRemovedEvent,
  FlowRemovedEventCodec,
  type FlowStats,
  FlowStatsCodec,
  type FlowStatsRequest,
  FlowStatsRequestCodec,
  type PacketInEvent,
  PacketInEventCodec,
  type PortDesc,
  PortDescCodec,
  type PortStatusEvent,
  PortStatusEventCodec,
  type SwitchFeatures,
  SwitchFeaturesCodec,
  decodeFeaturesReply,
  decodeFlowRemoved,
  decodeFlowStatsParts,
  decodeMultipartReply,
  decodePacketIn,
  decodePortDescParts,
  decodePortStatus,
  encodeFlowMod,
  encodeFlowStatsRequestBody,
  encodeHello,
  encodeMultipartRequest,
  encodeSetConfig,
  helloVersions,
} from './openflow.messages';
import { TypedEmitter } from './typed-emitter';
import { type PortRef } from './openflow.types';

/** Why a connection ended. */
export type DisconnectReason =
  /** {@link SwitchConnection.close} or the controller's close. */
  | 'closed'
  /** The switch closed the TCP connection. */
  | 'peerClosed'
  /** Nothing (not even an echo reply) arrived within `echoTimeoutMs`. */
  | 'echoTimeout'
  /** The switch sent bytes that are not valid OpenFlow framing. */
  | 'protocolError'
  /** The socket failed (reset, unreachable). */
  | 'socketError'
  /** The handshake did not complete (version mismatch, timeout, bad reply). */
  | 'handshakeFailed'
  /** The same datapath connected again; the older connection was closed. */
  | 'replaced';

/** What {@link SwitchConnectionEvents.disconnected} reports. */
export interface DisconnectInfo {
  readonly reason: DisconnectReason;
  /** The error behind the disconnect (absent for a clean close). */
  readonly error?: NetloomError;
}

/** Events of a {@link SwitchConnection}. */
export interface SwitchConnectionEvents {
  /** A PACKET_IN arrived (header-level decode; `data` holds the packet bytes). */
  packetIn: (event: PacketInEvent) => void;
  /** A port was added, removed or changed. {@link SwitchConnection.ports} is already updated. */
  portStatus: (event: PortStatusEvent) => void;
  /** A flow with the `sendFlowRem` flag was removed. */
  flowRemoved: (event: FlowRemovedEvent) => void;
  /** The switch sent an ERROR that answers no pending request of this connection. */
  switchError: (error: NetloomError, info: OpenFlowErrorInfo) => void;
  /** The connection ended. Emitted once. */
  disconnected: (info: DisconnectInfo) => void;
}

/** Timing and behaviour of a connection (all times in milliseconds). */
export interface SwitchConnectionOptions {
  readonly logger: Logger;
  /** Send an ECHO_REQUEST after this long without receiving anything. */
  readonly echoIntervalMs: number;
  /** Declare the switch dead after this long without receiving anything. */
  readonly echoTimeoutMs: number;
  /** Fail a request (features, stats, barrier, echo) not answered within this time. */
  readonly requestTimeoutMs: number;
  /** Fail the handshake (hello, features, port description) not completed within this time. */
  readonly handshakeTimeoutMs: number;
  /** When set, send SET_CONFIG with this `miss_send_len` after the handshake. */
  readonly missSendLen?: number;
}

/** Result of {@link SwitchConnection.applyFlowMods}. */
export interface FlowModBatchResult {
  /** xid of each flow_mod, in batch order. */
  readonly xids: readonly number[];
  /** xid of the barrier that confirmed the batch. */
  readonly barrierXid: number;
}

interface Pending {
  readonly what: string;
  /** Called with each reply frame; returns true when the request is complete. */
  readonly onReply: (frame: OpenFlowFrame) => boolean;
  readonly onError: (info: OpenFlowErrorInfo) => void;
  readonly fail: (error: NetloomError) => void;
  timer?: NodeJS.Timeout;
}

type State = 'hello' | 'handshake' | 'ready' | 'closed';

/** Turns a wire-format problem into the error that crosses the API. */
function protocolError(e: unknown, what: string, datapathId: string | undefined): NetloomError {
  if (isNetloomError(e)) return e;
  const where = e instanceof WireFormatError ? e.where : undefined;
  return new DeviceProtocolError(`switch ${datapathId ?? '(handshake)'} sent a malformed ${what}: ${e instanceof Error ? e.message : String(e)}`, {
    details: { ...(datapathId !== undefined ? { datapathId } : {}), ...(where !== undefined ? { where } : {}) },
    cause: e,
  });
}

/** Validates a decoded reply with its io-ts codec; a failure is a DeviceProtocolError listing path: reason. */
function validateReply<A>(codec: t.Type<A, A, unknown>, value: unknown, subject: string, datapathId: string | undefined): A {
  const r = decodeProblems(codec, value);
  if (r.problems.length === 0) return r.value as A;
  const lines = r.problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.reason}`);
  throw new DeviceProtocolError(`switch ${datapathId ?? '(handshake)'} sent an invalid ${subject}: ${lines.join('; ')}`, {
    details: { ...(datapathId !== undefined ? { datapathId } : {}), problems: r.problems },
  });
}

/**
 * A live OpenFlow 1.3 session with one switch. Obtained from {@link OpenFlowController} (`waitForSwitch`,
 * `connect`, the `switchConnected` event), never constructed directly.
 *
 * Every method validates its input (an `InputError` lists each problem with its path) and fails with a netloom
 * error: `CommitError` for refused flow_mods, `DeviceProtocolError` for refused or malformed requests,
 * `DeviceTimeoutError` for unanswered ones, `DeviceConnectionError` once the connection is gone.
 *
 * @example
 * const sw = await controller.waitForSwitch();
 * await sw.applyFlowMods([{ command: 'add', priority: 10, cookie: 0x4e4c00000000001n, match: { inPort: 1 },
 *   instructions: [{ type: 'applyActions', actions: [{ type: 'output', port: 'NORMAL' }] }] }]);
 * const flows = await sw.dumpFlows({ cookie: 0x4e4c000000000000n, cookieMask: 0xffff000000000000n });
 */
export class SwitchConnection extends TypedEmitter<SwitchConnectionEvents> {
  private readonly parser = new FrameParser();
  private readonly pending = new Map<number, Pending>();
  /** Flow_mod xids of unconfirmed batches: an ERROR with one of them is recorded against its batch. */
  private readonly flowModRoutes = new Map<number, (info: OpenFlowErrorInfo) => void>();
  private readonly keepaliveXids = new Set<number>();
  private readonly portMap = new Map<string, PortDesc>();
  private xidCounter = 0;
  private state: State = 'hello';
  private lastRx = Date.now();
  private keepalive: NodeJS.Timeout | undefined;
  private featuresValue: SwitchFeatures | undefined;
  private log: Logger;
  private onHello: ((frame: OpenFlowFrame) => void) | undefined;
  private closeReason: DisconnectInfo | undefined;
  private closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  /** Peer address and port of the TCP connection. */
  readonly remoteAddress: string;
  readonly remotePort: number;

  private constructor(
    private readonly socket: Socket,
    private readonly options: SwitchConnectionOptions,
  ) {
    super();
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.log = options.logger.child({ remote: `${this.remoteAddress}:${this.remotePort}` });
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (this.closeReason === undefined) {
        this.closeReason = { reason: 'socketError', error: new DeviceConnectionError(`connection to switch ${this.label} failed: ${err.message}`, { details: this.baseDetails(), cause: err }) };
      }
    });
    socket.on('close', () => this.teardown());
  }

  /**
   * Runs the handshake on a connected socket and resolves with the ready connection. On failure the socket is
   * destroyed and the promise rejects (`DeviceProtocolError` for an incompatible or misbehaving peer,
   * `DeviceTimeoutError` when it stalls, `DeviceConnectionError` when it goes away).
   *
   * @internal Used by {@link OpenFlowController}.
   */
  static async open(socket: Socket, options: SwitchConnectionOptions): Promise<SwitchConnection> {
    const conn = new SwitchConnection(socket, options);
    await conn.handshake();
    return conn;
  }

  /** Datapath id (16 lower-case hex digits). */
  get datapathId(): string {
    return this.featuresValue?.datapathId ?? '';
  }

  /** Negotiated OpenFlow version (always 0x04). */
  get version(): number {
    return OFP13_VERSION;
  }

  /** What the switch reported in FEATURES_REPLY. */
  get features(): SwitchFeatures {
    if (this.featuresValue === undefined) throw new DeviceConnectionError('switch features are not known before the handshake completes');
    return this.featuresValue;
  }

  /** Ports as last reported (port-desc at handshake or {@link refreshPorts}, then kept current by PORT_STATUS). */
  get ports(): readonly PortDesc[] {
    return [...this.portMap.values()];
  }

  /** The port with this name or number, if the switch has it. */
  port(nameOrNumber: string | PortRef): PortDesc | undefined {
    for (const p of this.portMap.values()) if (p.name === nameOrNumber || p.portNo === nameOrNumber) return p;
    return undefined;
  }

  /** True until the connection is closed or lost. */
  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Why the connection ended (undefined while open). */
  get disconnectInfo(): DisconnectInfo | undefined {
    return this.state === 'closed' ? this.closeReason : undefined;
  }

  private get label(): string {
    return this.featuresValue?.datapathId ?? `${this.remoteAddress}:${this.remotePort}`;
  }

  private baseDetails(): Record<string, unknown> {
    return { ...(this.featuresValue ? { datapathId: this.featuresValue.datapathId } : {}), remote: `${this.remoteAddress}:${this.remotePort}` };
  }

  private nextXid(): number {
    this.xidCounter = this.xidCounter >= 0xffffffff ? 1 : this.xidCounter + 1;
    return this.xidCounter;
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Public operations

  /**
   * Sends the flow_mods followed by a barrier and resolves when the barrier reply arrives, i.e. when the switch
   * has processed every one of them. If the switch answered any flow_mod with an ERROR before the barrier reply,
   * the promise rejects with a `CommitError` naming the first refused flow_mod (`details.index`, `xid`, `ofType`,
   * `ofCode`, their names, `dataHex`) and listing all in `details.failures`. OpenFlow does not roll back: the other
   * flow_mods of the batch were applied.
   *
   * Not idempotent by itself: `add` replaces an identical flow (resetting its counters unless the switch keeps
   * them), `delete` of nothing succeeds.
   *
   * @throws InputError when a flow_mod is invalid (nothing is sent).
   * @throws CommitError when the switch refused a flow_mod.
   * @throws DeviceTimeoutError when the barrier is not answered in time (outcome unknown).
   * @throws DeviceConnectionError when the connection is lost (outcome unknown).
   */
  async applyFlowMods(mods: readonly FlowMod[]): Promise<FlowModBatchResult> {
    const valid = mods.map((m, i) => decodeOrThrow(FlowModCodec, m, `flow_mod #${i}`));
    this.assertReady();
    const xids = valid.map(() => this.nextXid());
    const frames = valid.map((m, i) => {
      try {
        return encodeFlowMod(xids[i]!, m);
      } catch (e) {
        // The only encoding failure left after validation: a flow_mod above OpenFlow's 64 KiB message limit.
        throw new InputError(`flow_mod #${i} cannot be sent: ${e instanceof Error ? e.message : String(e)}`, [{ path: '', reason: e instanceof Error ? e.message : String(e) }]);
      }
    });
    const barrierXid = this.nextXid();
    const failures: { index: number; info: OpenFlowErrorInfo }[] = [];
    xids.forEach((xid, index) => this.flowModRoutes.set(xid, (info) => failures.push({ index, info })));
    const unroute = (): void => {
      for (const xid of xids) this.flowModRoutes.delete(xid);
    };
    try {
      await this.request<void>(Buffer.concat([...frames, encodeFrame(MessageType.BARRIER_REQUEST, barrierXid)]), barrierXid, `barrier after ${mods.length} flow_mod(s)`, MessageType.BARRIER_REPLY, () => ({ done: true, value: undefined }));
    } finally {
      unroute();
    }
    if (failures.length > 0) throw batchError(failures, mods.length, this.datapathId);
    this.log.debug({ count: mods.length, barrierXid }, 'flow_mod batch applied');
    return { xids, barrierXid };
  }

  /**
   * Reads flow entries (OFPMP_FLOW), following multipart continuation, decoded into the same `Match` and
   * `Instruction` types used to write them. Defaults: all tables, any out port/group, every cookie.
   *
   * @example await sw.dumpFlows({ tableId: 0, cookie: 0x4e4c000000000000n, cookieMask: 0xffff000000000000n })
   * @throws InputError for an invalid filter; DeviceProtocolError when the switch refuses or sends garbage.
   */
  async dumpFlows(filter: FlowStatsRequest = {}): Promise<FlowStats[]> {
    const req = decodeOrThrow(FlowStatsRequestCodec, filter, 'flow stats request');
    this.assertReady();
    const xid = this.nextXid();
    const raw = await this.multipart(xid, MultipartType.FLOW, encodeFlowStatsRequestBody(req), 'flow stats request', decodeFlowStatsParts);
    return raw.map((f, i) => validateReply(FlowStatsCodec, f, `flow stats entry #${i}`, this.datapathId));
  }

  /** Asks the switch for its port descriptions (OFPMP_PORT_DESC) and replaces {@link ports} with the answer. */
  async refreshPorts(): Promise<readonly PortDesc[]> {
    this.assertOpen();
    const xid = this.nextXid();
    const raw = await this.multipart(xid, MultipartType.PORT_DESC, Buffer.alloc(0), 'port description request', decodePortDescParts);
    const ports = raw.map((p, i) => validateReply(PortDescCodec, p, `port description #${i}`, this.datapathId || undefined));
    this.portMap.clear();
    for (const p of ports) this.portMap.set(String(p.portNo), p);
    return ports;
  }

  /** Sends a BARRIER_REQUEST and resolves when the switch has processed everything sent before it. */
  async barrier(): Promise<void> {
    this.assertReady();
    const xid = this.nextXid();
    await this.request<void>(encodeFrame(MessageType.BARRIER_REQUEST, xid), xid, 'barrier', MessageType.BARRIER_REPLY, () => ({ done: true, value: undefined }));
  }

  /**
   * Sends an ECHO_REQUEST and resolves with the payload the switch echoed (a liveness and round-trip check).
   *
   * @throws DeviceProtocolError when the reply's payload differs.
   */
  async echo(payload: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    this.assertOpen();
    const xid = this.nextXid();
    const reply = await this.request<Buffer>(encodeFrame(MessageType.ECHO_REQUEST, xid, payload), xid, 'echo request', MessageType.ECHO_REPLY, (f) => ({ done: true, value: f.body }));
    if (!reply.equals(payload)) throw new DeviceProtocolError(`switch ${this.label} echoed ${reply.length} bytes that differ from the ${payload.length} sent`, { details: this.baseDetails() });
    return reply;
  }

  /**
   * Closes the connection (pending requests fail with DeviceConnectionError) and resolves once the socket is
   * closed. Idempotent. An OVS switch keeps its flows (fail_mode=secure) and reconnects by itself.
   */
  async close(): Promise<void> {
    if (this.state !== 'closed' && this.closeReason === undefined) this.closeReason = { reason: 'closed' };
    this.socket.destroy();
    await this.closedPromise;
  }

  /**
   * Closes with a reason other than a local close (used by the controller when the datapath reconnected).
   * @internal
   */
  async closeWith(info: DisconnectInfo): Promise<void> {
    if (this.closeReason === undefined) this.closeReason = info;
    this.socket.destroy();
    await this.closedPromise;
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Requests

  private assertOpen(): void {
    if (this.state === 'closed') {
      throw new DeviceConnectionError(`connection to switch ${this.label} is closed (${this.closeReason?.reason ?? 'closed'})`, { details: this.baseDetails(), cause: this.closeReason?.error });
    }
  }

  private assertReady(): void {
    this.assertOpen();
    if (this.state !== 'ready') throw new DeviceConnectionError(`switch ${this.label} has not completed the OpenFlow handshake`, { details: this.baseDetails() });
  }

  private write(frame: Buffer): void {
    this.assertOpen();
    this.socket.write(frame);
  }

  /**
   * Sends `frame` and waits for replies of `replyType` with `xid`; `handle` consumes each reply and says when the
   * request is complete. An ERROR with the xid fails the request with a DeviceProtocolError.
   */
  private request<T>(frame: Buffer, xid: number, what: string, replyType: number, handle: (f: OpenFlowFrame) => { done: boolean; value?: T }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        if (this.pending.get(xid) === entry) this.pending.delete(xid);
      };
      const arm = (): void => {
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        entry.timer = setTimeout(() => {
          entry.fail(new DeviceTimeoutError(`switch ${this.label} did not answer the ${what} (xid ${xid}) within ${this.options.requestTimeoutMs} ms`, { details: { ...this.baseDetails(), xid } }));
        }, this.options.requestTimeoutMs);
        entry.timer.unref();
      };
      const entry: Pending = {
        what,
        onReply: (f) => {
          if (f.header.type !== replyType) {
            finish();
            reject(new DeviceProtocolError(`switch ${this.label} answered the ${what} (xid ${xid}) with ${messageTypeName(f.header.type)}, expected ${messageTypeName(replyType)}`, { details: { ...this.baseDetails(), xid } }));
            return true;
          }
          let r: { done: boolean; value?: T };
          try {
            r = handle(f);
          } catch (e) {
            finish();
            reject(protocolError(e, `reply to the ${what}`, this.featuresValue?.datapathId));
            return true;
          }
          if (!r.done) {
            // A long multipart reply that keeps coming is progress, not a stall.
            arm();
            return false;
          }
          finish();
          resolve(r.value as T);
          return true;
        },
        onError: (info) => {
          finish();
          reject(requestError(info, what, this.featuresValue?.datapathId));
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      arm();
      this.pending.set(xid, entry);
      try {
        this.write(frame);
      } catch (e) {
        entry.fail(isNetloomError(e) ? e : new DeviceConnectionError(`could not send the ${what} to switch ${this.label}`, { details: this.baseDetails(), cause: e }));
      }
    });
  }

  /** A multipart request whose reply parts are decoded by `decode` and concatenated until REPLY_MORE is clear. */
  private multipart<T>(xid: number, mpType: number, body: Buffer, what: string, decode: (part: Buffer) => T[]): Promise<T[]> {
    const items: T[] = [];
    let parts = 0;
    return this.request<T[]>(encodeMultipartRequest(xid, mpType, body), xid, what, MessageType.MULTIPART_REPLY, (f) => {
      const part = decodeMultipartReply(f.body);
      if (part.mpType !== mpType) throw new WireFormatError(`multipart reply of type ${part.mpType}, expected ${mpType}`, 'multipart_reply');
      parts++;
      for (const item of decode(part.body)) items.push(item);
      if ((part.flags & OFPMPF_MORE) !== 0) return { done: false };
      this.log.debug({ what, xid, parts, items: items.length }, 'multipart reply complete');
      return { done: true, value: items };
    });
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Handshake

  private async handshake(): Promise<void> {
    const timeout = this.options.handshakeTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeviceTimeoutError(`switch at ${this.remoteAddress}:${this.remotePort} did not complete the OpenFlow handshake within ${timeout} ms`, { details: this.baseDetails() })), timeout);
      timer.unref();
    });
    // A socket that closes during the handshake fails it at once.
    const gone = this.closedPromise.then(() => {
      throw this.closeReason?.error ?? new DeviceConnectionError(`switch at ${this.remoteAddress}:${this.remotePort} closed the connection during the OpenFlow handshake`, { details: this.baseDetails() });
    });
    // Only the race observes `gone`; once the handshake is done, a later close must not surface as unhandled.
    gone.catch(() => undefined);
    try {
      await Promise.race([this.runHandshake(), deadline, gone]);
    } catch (e) {
      const error = isNetloomError(e) ? e : protocolError(e, 'handshake message', undefined);
      if (this.closeReason === undefined) this.closeReason = { reason: 'handshakeFailed', error };
      this.socket.destroy();
      await this.closedPromise;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async runHandshake(): Promise<void> {
    const hello = new Promise<OpenFlowFrame>((resolve) => (this.onHello = resolve));
    this.write(encodeHello(this.nextXid()));
    const peer = await hello;
    const versions = helloVersions(peer.header.version, peer.body);
    if (!versions.includes(OFP13_VERSION)) {
      const offered = versions.map((v) => `0x${v.toString(16).padStart(2, '0')}`).join(', ');
      const text = Buffer.from(`netloom supports OpenFlow 1.3 (0x04) only; peer offered ${offered || 'nothing'}`, 'ascii');
      const err = Buffer.alloc(4 + text.length);
      err.writeUInt16BE(ErrorType.HELLO_FAILED, 0);
      err.writeUInt16BE(0, 2); // OFPHFC_INCOMPATIBLE
      text.copy(err, 4);
      // Answer in the peer's own version so it can decode the refusal.
      const frame = encodeFrame(MessageType.ERROR, peer.header.xid, err, Math.min(peer.header.version, OFP13_VERSION));
      await new Promise<void>((r) => this.socket.end(frame, () => r()));
      throw new DeviceProtocolError(`switch at ${this.remoteAddress}:${this.remotePort} does not speak OpenFlow 1.3 (offered ${offered || 'nothing'}); sent HELLO_FAILED`, {
        details: { ...this.baseDetails(), offeredVersions: versions, ofTypeName: 'HELLO_FAILED', ofCodeName: 'INCOMPATIBLE' },
      });
    }
    this.state = 'handshake';
    const fxid = this.nextXid();
    const features = await this.request<SwitchFeatures>(encodeFrame(MessageType.FEATURES_REQUEST, fxid), fxid, 'features request', MessageType.FEATURES_REPLY, (f) => ({
      done: true,
      value: decodeFeaturesReply(f.body),
    }));
    this.featuresValue = validateReply(SwitchFeaturesCodec, features, 'features reply', undefined);
    this.log = this.options.logger.child({ datapathId: this.featuresValue.datapathId, remote: `${this.remoteAddress}:${this.remotePort}` });
    await this.refreshPorts();
    if (this.options.missSendLen !== undefined) this.write(encodeSetConfig(this.nextXid(), this.options.missSendLen));
    this.state = 'ready';
    this.startKeepalive();
    this.log.info({ ports: this.portMap.size }, 'switch connected (OpenFlow 1.3)');
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Receive path

  private startKeepalive(): void {
    const interval = Math.max(1, Math.min(this.options.echoIntervalMs, this.options.echoTimeoutMs));
    this.keepalive = setInterval(() => {
      const idle = Date.now() - this.lastRx;
      if (idle >= this.options.echoTimeoutMs) {
        this.closeReason ??= {
          reason: 'echoTimeout',
          error: new DeviceTimeoutError(`switch ${this.label} sent nothing for ${idle} ms (echo timeout ${this.options.echoTimeoutMs} ms); closing`, { details: this.baseDetails() }),
        };
        this.log.warn({ idleMs: idle }, 'switch unresponsive, closing');
        this.socket.destroy();
        return;
      }
      if (idle >= this.options.echoIntervalMs) {
        const xid = this.nextXid();
        this.keepaliveXids.add(xid);
        if (this.keepaliveXids.size > 64) this.keepaliveXids.delete(this.keepaliveXids.values().next().value as number);
        try {
          this.write(encodeFrame(MessageType.ECHO_REQUEST, xid));
        } catch {
          // Closed in the meantime; teardown handles it.
        }
      }
    }, interval);
    this.keepalive.unref();
  }

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    let frames: OpenFlowFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch (e) {
      this.closeReason ??= { reason: 'protocolError', error: protocolError(e, 'OpenFlow stream', this.featuresValue?.datapathId) };
      this.log.warn({ err: String(e) }, 'framing error, closing');
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      if (this.state === 'closed') return;
      try {
        this.dispatch(f);
      } catch (e) {
        // A message we could not handle must never take the connection down.
        this.log.warn({ type: messageTypeName(f.header.type), xid: f.header.xid, err: e instanceof Error ? e.message : String(e) }, 'could not handle message, ignored');
      }
    }
  }

  private dispatch(f: OpenFlowFrame): void {
    const { type, xid, version } = f.header;
    if (this.state === 'hello') {
      if (type === MessageType.HELLO && this.onHello !== undefined) {
        const cb = this.onHello;
        this.onHello = undefined;
        cb(f);
        return;
      }
      if (type === MessageType.ERROR) {
        const info = decodeErrorBody(xid, f.body);
        this.closeReason ??= {
          reason: 'handshakeFailed',
          error: new DeviceProtocolError(`switch at ${this.remoteAddress}:${this.remotePort} refused the hello: ${errorLabel(info)}${info.text !== undefined ? `: ${info.text}` : ''}`, { details: { ...this.baseDetails(), ofType: info.type, ofCode: info.code } }),
        };
        this.socket.destroy();
        return;
      }
      this.closeReason ??= { reason: 'handshakeFailed', error: new DeviceProtocolError(`switch at ${this.remoteAddress}:${this.remotePort} sent ${messageTypeName(type)} before HELLO`, { details: this.baseDetails() }) };
      this.socket.destroy();
      return;
    }
    if (version !== OFP13_VERSION) {
      this.log.debug({ version, type, xid }, 'message with another OpenFlow version ignored');
      return;
    }
    switch (type) {
      case MessageType.ECHO_REQUEST:
        this.write(encodeFrame(MessageType.ECHO_REPLY, xid, f.body));
        this.log.debug({ xid }, 'echo request answered');
        return;
      case MessageType.ECHO_REPLY:
        if (this.keepaliveXids.delete(xid)) return;
        this.deliver(f);
        return;
      case MessageType.ERROR:
        this.onError(f);
        return;
      case MessageType.FEATURES_REPLY:
      case MessageType.MULTIPART_REPLY:
      case MessageType.BARRIER_REPLY:
      case MessageType.GET_CONFIG_REPLY:
      case MessageType.ROLE_REPLY:
      case MessageType.GET_ASYNC_REPLY:
        this.deliver(f);
        return;
      case MessageType.PACKET_IN:
        this.emitDecoded('packetIn', () => validateReply(PacketInEventCodec, decodePacketIn(f.body), 'packet-in', this.datapathId));
        return;
      case MessageType.FLOW_REMOVED:
        this.emitDecoded('flowRemoved', () => validateReply(FlowRemovedEventCodec, decodeFlowRemoved(f.body), 'flow-removed', this.datapathId));
        return;
      case MessageType.PORT_STATUS:
        this.emitDecoded('portStatus', () => {
          const ev = validateReply(PortStatusEventCodec, decodePortStatus(f.body), 'port-status', this.datapathId);
          if (ev.reason === 'delete') this.portMap.delete(String(ev.port.portNo));
          else this.portMap.set(String(ev.port.portNo), ev.port);
          return ev;
        });
        return;
      default:
        this.log.debug({ type: messageTypeName(type), xid }, 'unhandled message type ignored');
    }
  }

  private emitDecoded<K extends 'packetIn' | 'flowRemoved' | 'portStatus'>(event: K, decode: () => Parameters<SwitchConnectionEvents[K]>[0]): void {
    let value: Parameters<SwitchConnectionEvents[K]>[0];
    try {
      value = decode();
    } catch (e) {
      this.log.warn({ event, err: e instanceof Error ? e.message : String(e) }, 'malformed asynchronous message ignored');
      return;
    }
    this.emit(event, ...([value] as unknown as Parameters<SwitchConnectionEvents[K]>));
  }

  private deliver(f: OpenFlowFrame): void {
    const p = this.pending.get(f.header.xid);
    if (p === undefined) {
      this.log.debug({ type: messageTypeName(f.header.type), xid: f.header.xid }, 'reply to no pending request ignored');
      return;
    }
    p.onReply(f);
  }

  private onError(f: OpenFlowFrame): void {
    let info: OpenFlowErrorInfo;
    try {
      info = validateReply(OpenFlowErrorInfoCodec, decodeErrorBody(f.header.xid, f.body), 'ERROR message', this.featuresValue?.datapathId);
    } catch (e) {
      const p = this.pending.get(f.header.xid);
      const err = protocolError(e, 'ERROR message', this.featuresValue?.datapathId);
      if (p !== undefined) p.fail(err);
      else this.log.warn({ xid: f.header.xid, err: err.message }, 'malformed ERROR ignored');
      return;
    }
    const route = this.flowModRoutes.get(info.xid);
    if (route !== undefined) {
      this.log.debug({ xid: info.xid, error: errorLabel(info) }, 'flow_mod refused');
      route(info);
      return;
    }
    const p = this.pending.get(info.xid);
    if (p !== undefined) {
      p.onError(info);
      return;
    }
    const err = requestError(info, `message with xid ${info.xid}`, this.featuresValue?.datapathId);
    this.log.warn({ xid: info.xid, error: errorLabel(info) }, 'unsolicited ERROR from switch');
    this.emit('switchError', err, info);
  }

  private teardown(): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    if (this.keepalive !== undefined) clearInterval(this.keepalive);
    this.keepalive = undefined;
    this.closeReason ??= { reason: 'peerClosed', error: new DeviceConnectionError(`switch ${this.label} closed the connection`, { details: this.baseDetails() }) };
    const info = this.closeReason;
    const err = new DeviceConnectionError(`connection to switch ${this.label} closed (${info.reason}) before the reply arrived; outcome unknown`, { details: this.baseDetails(), cause: info.error });
    for (const p of [...this.pending.values()]) p.fail(err);
    this.pending.clear();
    this.flowModRoutes.clear();
    if (wasReady) this.log.info({ reason: info.reason }, 'switch disconnected');
    this.resolveClosed();
    if (wasReady) this.emit('disconnected', info);
  }

  protected override listenerFailed(event: string, error: unknown): void {
    this.log.error({ event, err: error instanceof Error ? error.message : String(error) }, 'event listener threw');
  }
}
