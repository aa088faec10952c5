/**
 * A scripted OpenFlow 1.3 switch for tests: a raw TCP peer that builds its messages by hand (not with the package's
 * encoders, so tests do not check the package against itself) and lets a test wait for, inspect and answer each
 * message the controller sends.
 */
import * as net from 'node:net';

/** A message as the fake switch received it. */
export interface RxFrame {
  readonly version: number;
  readonly type: number;
  readonly xid: number;
  readonly body: Buffer;
  /** The whole message including the header. */
  readonly raw: Buffer;
}

/** Message types used by the tests. */
export const T = {
  HELLO: 0,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  EXPERIMENTER: 4,
  FEATURES_REQUEST: 5,
  FEATURES_REPLY: 6,
  PACKET_IN: 10,
  PORT_STATUS: 12,
  FLOW_MOD: 14,
  MULTIPART_REQUEST: 18,
  MULTIPART_REPLY: 19,
  BARRIER_REQUEST: 20,
  BARRIER_REPLY: 21,
} as const;

/** Header plus body. */
export function frame(type: number, xid: number, body: Buffer = Buffer.alloc(0), version = 4): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt8(version, 0);
  h.writeUInt8(type, 1);
  h.writeUInt16BE(8 + body.length, 2);
  h.writeUInt32BE(xid, 4);
  return Buffer.concat([h, body]);
}

/** HELLO with a version-bitmap element offering `versions`. */
export function helloWithBitmap(xid: number, versions: number[], headerVersion = 4): Buffer {
  let bits = 0;
  for (const v of versions) bits |= 1 << v;
  const el = Buffer.alloc(8);
  el.writeUInt16BE(1, 0);
  el.writeUInt16BE(8, 2);
  el.writeUInt32BE(bits >>> 0, 4);
  return frame(T.HELLO, xid, el, headerVersion);
}

/** A plain HELLO (no elements) of `version`, as OpenFlow 1.0 switches send. */
export function plainHello(xid: number, version: number): Buffer {
  return frame(T.HELLO, xid, Buffer.alloc(0), version);
}

/** `struct ofp_port` (64 bytes). */
export function ofpPort(no: number, name: string, mac: string): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(no, 0);
  Buffer.from(mac.replace(/:/g, ''), 'hex').copy(b, 8);
  b.write(name, 16, 'ascii');
  b.writeUInt32BE(0, 32); // config
  b.writeUInt32BE(4, 36); // state: live
  b.writeUInt32BE(10_000_000, 56); // curr_speed
  return b;
}

/** A MULTIPART_REPLY part. */
export function multipartReply(xid: number, mpType: number, more: boolean, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(mpType, 0);
  h.writeUInt16BE(more ? 1 : 0, 2);
  return frame(T.MULTIPART_REPLY, xid, Buffer.concat([h, body]));
}

/** An ERROR message. */
export function errorMessage(xid: number, type: number, code: number, data: Buffer): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(code, 2);
  return frame(T.ERROR, xid, Buffer.concat([b, data]));
}

/**
 * One flow stats entry, hand-encoded: table `table`, priority, cookie, match `in_port=<inPort>`, instruction
 * apply_actions(output:<outPort>), 7 packets, 700 bytes.
 */
export function flowStatsEntry(table: number, priority: number, cookie: bigint, inPort: number, outPort: number): Buffer {
  const match = Buffer.from(`0001000c80000004${inPort.toString(16).padStart(8, '0')}00000000`, 'hex'); // 12 bytes + 4 pad
  const action = Buffer.from(`00000010${outPort.toString(16).padStart(8, '0')}0000000000000000`, 'hex');
  const instr = Buffer.concat([Buffer.from('0004001800000000', 'hex'), action]);
  const fixed = Buffer.alloc(48);
  const length = 48 + match.length + instr.length;
  fixed.writeUInt16BE(length, 0);
  fixed.writeUInt8(table, 2);
  fixed.writeUInt32BE(12, 4); // duration_sec
  fixed.writeUInt32BE(500, 8); // duration_nsec
  fixed.writeUInt16BE(priority, 12);
  fixed.writeBigUInt64BE(cookie, 24);
  fixed.writeBigUInt64BE(7n, 32);
  fixed.writeBigUInt64BE(700n, 40);
  return Buffer.concat([fixed, match, instr]);
}

/** Options of {@link FakeSwitch}. */
export interface FakeSwitchOptions {
  /** The HELLO to send on connect (default: OpenFlow 1.3 with bitmap). `null`: send none. */
  readonly hello?: Buffer | null;
  /** Datapath id answered to FEATURES_REQUEST. */
  readonly datapathId?: bigint;
  /** Ports answered to PORT_DESC. */
  readonly ports?: Buffer[];
  /** Answer ECHO_REQUEST automatically (default true). */
  readonly autoEcho?: boolean;
  /** Answer BARRIER_REQUEST automatically (default false: tests answer themselves). */
  readonly autoBarrier?: boolean;
}

/** A fake switch on one TCP connection. */
export class FakeSwitch {
  private buf = Buffer.alloc(0);
  private readonly queue: RxFrame[] = [];
  private readonly waiters: { pred: (f: RxFrame) => boolean; resolve: (f: RxFrame) => void }[] = [];
  /** Every message received, in order (also those answered automatically). */
  readonly received: RxFrame[] = [];
  /** Resolves when the controller closed the connection (or it broke). */
  readonly closed: Promise<void>;
  private readonly opts: Required<Omit<FakeSwitchOptions, 'hello'>> & { hello: Buffer | null };

  constructor(
    readonly socket: net.Socket,
    options: FakeSwitchOptions = {},
  ) {
    this.opts = {
      hello: options.hello === undefined ? helloWithBitmap(1, [4]) : options.hello,
      datapathId: options.datapathId ?? 0x0000aabbccddeeffn,
      ports: options.ports ?? [ofpPort(0xfffffffe, 'br-fake', '02:00:00:00:00:01'), ofpPort(1, 'vxlan0', '02:00:00:00:00:02')],
      autoEcho: options.autoEcho ?? true,
      autoBarrier: options.autoBarrier ?? false,
    };
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => this.onData(d));
    if (this.opts.hello !== null) socket.write(this.opts.hello);
  }

  /** Connects to a controller listening on 127.0.0.1:`port`. */
  static connect(port: number, options: FakeSwitchOptions = {}): Promise<FakeSwitch> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new FakeSwitch(s, options));
      });
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt16BE(2);
      if (this.buf.length < len) break;
      const raw = Buffer.from(this.buf.subarray(0, len));
      this.buf = this.buf.subarray(len);
      const f: RxFrame = { version: raw[0]!, type: raw[1]!, xid: raw.readUInt32BE(4), body: raw.subarray(8), raw };
      this.received.push(f);
      if (this.auto(f)) continue;
      const i = this.waiters.findIndex((w) => w.pred(f));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(f);
      else this.queue.push(f);
    }
  }

  private auto(f: RxFrame): boolean {
    if (f.type === T.FEATURES_REQUEST) {
      const b = Buffer.alloc(24);
      b.writeBigUInt64BE(this.opts.datapathId, 0);
      b.writeUInt32BE(256, 8);
      b.writeUInt8(254, 12);
      b.writeUInt32BE(0x4f, 16);
      this.send(frame(T.FEATURES_REPLY, f.xid, b));
      return true;
    }
    if (f.type === T.MULTIPART_REQUEST && f.body.readUInt16BE(0) === 13) {
      this.send(multipartReply(f.xid, 13, false, Buffer.concat(this.opts.ports)));
      return true;
    }
    if (f.type === T.ECHO_REQUEST && this.opts.autoEcho) {
      this.send(frame(T.ECHO_REPLY, f.xid, f.body));
      return true;
    }
    if (f.type === T.BARRIER_REQUEST && this.opts.autoBarrier) {
      this.send(frame(T.BARRIER_REPLY, f.xid));
      return true;
    }
    return false;
  }

  /** Waits for the next received message matching `pred` (by type when a number). */
  next(pred: number | ((f: RxFrame) => boolean), timeoutMs = 5000): Promise<RxFrame> {
    const p = typeof pred === 'number' ? (f: RxFrame) => f.type === pred : pred;
    const i = this.queue.findIndex(p);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = {
        pred: p,
        resolve: (f: RxFrame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`fake switch: no matching message within ${timeoutMs} ms (received types: ${this.received.map((r) => r.type).join(',')})`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Sends raw bytes. */
  send(b: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(b);
  }

  /** Closes the TCP connection. */
  async close(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}

/** A promise's state without waiting: 'pending', or how it settled. */
export async function settledState(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  const marker = Symbol('pending');
  try {
    const v = await Promise.race([p, new Promise((r) => setImmediate(() => r(marker)))]);
    return v === marker ? 'pending' : 'resolved';
  } catch {
    return 'rejected';
  }
}
