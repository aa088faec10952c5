/**
 * The generic CLI device engine: an SSH server (ssh2) on 127.0.0.1 that authenticates users by password, opens PTY
 * shells and runs each session through a {@link CliDialect}. It also counts what happens, publishes hooks, and
 * injects faults at the command level (drop the TCP connection when a command arrives, delay a command).
 *
 * The engine is vendor-neutral; `huawei-ce/` is the first dialect.
 *
 * @packageDocumentation
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Server as SshServer, type Connection, type ServerChannel, type Session } from 'ssh2';
import { DeviceConnectionError, silentLogger, type Logger } from '@netloom/ports';
import type { CliDialect, CliSessionInfo, CommandIo } from './dialect';
import { generateHostKey, type HostKey } from './host-key';
import { ShellTerminal } from './terminal';

/** A user the device accepts. */
export interface CliUser {
  readonly username: string;
  readonly password: string;
}

/** Where a started device listens. */
export interface DeviceEndpoint {
  readonly host: string;
  readonly port: number;
  /** The host key's fingerprint as OpenSSH prints it (`SHA256:...`): pin it in the client. */
  readonly hostKeyFingerprint: string;
}

/** Engine counters (read a snapshot through the owning simulator's `stats`). */
export interface CliDeviceStats {
  /** Successful logins. */
  logins: number;
  /** Rejected logins (bad password, unknown user, unsupported method). */
  loginFailures: number;
  /** Shell and exec sessions opened so far. */
  sessionsOpened: number;
  /** Sessions open right now. */
  sessionsOpen: number;
  /** Non-empty lines received from clients. */
  commandsReceived: number;
  /** Executed lines per command kind (`commit`, `bridge-domain`, `unrecognized`, ...). */
  perKind: Record<string, number>;
  /** Connections dropped by an injected fault. */
  connectionsDropped: number;
}

/** Engine events (payloads never contain a password). */
export interface CliDeviceEvents {
  login: { readonly username: string; readonly ok: boolean; readonly remote: string };
  'session-open': { readonly sessionId: number; readonly username: string };
  'session-close': { readonly sessionId: number; readonly username: string };
  command: { readonly sessionId: number; readonly username: string; readonly line: string; readonly kind: string };
  'connection-dropped': { readonly sessionId: number; readonly line: string; readonly when: 'before' | 'after' };
}

/** Emits engine events (the owner's hub). */
export type CliDeviceEmit = <K extends keyof CliDeviceEvents>(type: K, event: CliDeviceEvents[K]) => void;

/** When a dropped connection closes relative to the command that triggered it. */
export type DropTiming = 'before' | 'after';

/** A handle on an armed fault. */
export interface FaultHandle {
  /** Disarms the fault (no-op when it already fired and was one-shot). */
  clear(): void;
}

interface CommandFault {
  readonly id: number;
  readonly pattern: RegExp;
  readonly action: { readonly kind: 'drop'; readonly when: DropTiming } | { readonly kind: 'delay'; readonly ms: number };
  readonly once: boolean;
}

/** Options of a {@link CliDevice}. */
export interface CliDeviceOptions<S> {
  readonly dialect: CliDialect<S>;
  readonly users: readonly CliUser[];
  /** Listen address; default `127.0.0.1`. */
  readonly host?: string;
  /** Listen port; default 0 (a free port). */
  readonly port?: number;
  /** The host key; generated when absent. */
  readonly hostKey?: HostKey;
  readonly logger?: Logger;
  readonly emit?: CliDeviceEmit;
}

const DUMMY_DIGEST = createHash('sha256').update('netloom-simulator-no-such-user').digest();

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Turns a pattern given as text into a RegExp (text is a regular expression source). */
export function toRegExp(pattern: RegExp | string): RegExp {
  return typeof pattern === 'string' ? new RegExp(pattern) : pattern;
}

/**
 * An SSH-reachable simulated CLI device. See the module documentation.
 *
 * @example
 * const device = new CliDevice({ dialect, users: [{ username: 'admin', password: 'pw' }] });
 * const { host, port, hostKeyFingerprint } = await device.start();
 * // ... connect with an SSH client, open a PTY shell ...
 * await device.stop();
 */
export class CliDevice<S> {
  /** Live counters; owners hand out copies. */
  readonly counters: CliDeviceStats = {
    logins: 0,
    loginFailures: 0,
    sessionsOpened: 0,
    sessionsOpen: 0,
    commandsReceived: 0,
    perKind: {},
    connectionsDropped: 0,
  };
  private readonly hostKey: HostKey;
  private readonly logger: Logger;
  private readonly emit: CliDeviceEmit;
  private readonly sockets = new Map<string, Socket>();
  private readonly terminals = new Set<ShellTerminal>();
  private readonly faults: CommandFault[] = [];
  private faultSeq = 0;
  private sessionSeq = 0;
  private vtyInUse = new Set<number>();
  private netServer: NetServer | undefined;
  private sshServer: SshServer | undefined;
  private endpointInfo: DeviceEndpoint | undefined;

  constructor(private readonly options: CliDeviceOptions<S>) {
    this.hostKey = options.hostKey ?? generateHostKey();
    this.logger = options.logger ?? silentLogger;
    this.emit = options.emit ?? (() => undefined);
  }

  /** The host key fingerprint (known before start). */
  get hostKeyFingerprint(): string {
    return this.hostKey.fingerprint;
  }

  /** Where the device listens, once started. */
  get endpoint(): DeviceEndpoint | undefined {
    return this.endpointInfo;
  }

  /**
   * Starts listening. Idempotent: a second call returns the same endpoint.
   *
   * @throws DeviceConnectionError when the address cannot be bound (the socket error is the cause).
   */
  async start(): Promise<DeviceEndpoint> {
    if (this.endpointInfo !== undefined) return this.endpointInfo;
    const ssh = new SshServer({ hostKeys: [this.hostKey.privateKey], ...(this.options.dialect.sshIdent !== undefined ? { ident: this.options.dialect.sshIdent } : {}) }, (client, info) =>
      this.onConnection(client, `${info.ip}:${info.port}`),
    );
    const net = createServer((socket) => {
      const key = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
      this.sockets.set(key, socket);
      socket.on('close', () => this.sockets.delete(key));
      socket.on('error', () => undefined);
      // A device echoes and prompts in small writes; without this each command waits for delayed ACKs (~40 ms).
      socket.setNoDelay(true);
      ssh.injectSocket(socket);
    });
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new DeviceConnectionError(`simulator: cannot listen on ${host}:${this.options.port ?? 0}: ${err.message}`, { cause: err }));
      net.once('error', onError);
      net.listen(this.options.port ?? 0, host, () => {
        net.off('error', onError);
        resolve();
      });
    });
    net.on('error', (err) => this.logger.warn({ err: err.message }, 'simulator: listener error'));
    this.netServer = net;
    this.sshServer = ssh;
    const address = net.address() as AddressInfo;
    this.endpointInfo = { host, port: address.port, hostKeyFingerprint: this.hostKey.fingerprint };
    this.logger.info({ host, port: address.port }, 'simulator: listening');
    return this.endpointInfo;
  }

  /** Stops listening and cuts every open connection. Idempotent. */
  async stop(): Promise<void> {
    const net = this.netServer;
    this.netServer = undefined;
    this.sshServer = undefined;
    this.endpointInfo = undefined;
    for (const t of this.terminals) t.close();
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
    if (net !== undefined) await new Promise<void>((resolve) => net.close(() => resolve()));
  }

  /**
   * Closes the TCP connection of the session whose line matches `pattern`, before the command is executed
   * (`when: 'before'`, default: the device never sees it) or right after it (`'after'`: the command took effect but
   * its output and the next prompt never reach the client). One-shot unless `once: false`.
   */
  dropConnectionDuring(pattern: RegExp | string, opts: { readonly when?: DropTiming; readonly once?: boolean } = {}): FaultHandle {
    return this.addFault(toRegExp(pattern), { kind: 'drop', when: opts.when ?? 'before' }, opts.once ?? true);
  }

  /** Delays every command matching `pattern` by `ms` before it runs (until cleared, or once with `once: true`). */
  delayCommand(pattern: RegExp | string, ms: number, opts: { readonly once?: boolean } = {}): FaultHandle {
    return this.addFault(toRegExp(pattern), { kind: 'delay', ms }, opts.once ?? false);
  }

  /** Disarms every command fault. */
  clearFaults(): void {
    this.faults.splice(0);
  }

  private addFault(pattern: RegExp, action: CommandFault['action'], once: boolean): FaultHandle {
    const fault: CommandFault = { id: ++this.faultSeq, pattern, action, once };
    this.faults.push(fault);
    return {
      clear: () => {
        const i = this.faults.findIndex((f) => f.id === fault.id);
        if (i >= 0) this.faults.splice(i, 1);
      },
    };
  }

  private takeFaults(line: string): CommandFault[] {
    const hits = this.faults.filter((f) => {
      f.pattern.lastIndex = 0;
      return f.pattern.test(line);
    });
    for (const f of hits) if (f.once) this.faults.splice(this.faults.indexOf(f), 1);
    return hits;
  }

  private checkPassword(username: string, password: string): boolean {
    const user = this.options.users.find((u) => u.username === username);
    const expected = user === undefined ? DUMMY_DIGEST : digest(user.password);
    const same = timingSafeEqual(expected, digest(password));
    return user !== undefined && same;
  }

  private onConnection(client: Connection, remote: string): void {
    let username = '';
    client.on('error', (err: Error) => this.logger.debug({ remote, err: err.message }, 'simulator: client connection error'));
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'password') {
        if (ctx.method !== 'none') {
          this.counters.loginFailures++;
          this.emit('login', { username: ctx.username, ok: false, remote });
        }
        ctx.reject(['password']);
        return;
      }
      if (this.checkPassword(ctx.username, ctx.password)) {
        username = ctx.username;
        this.counters.logins++;
        this.logger.debug({ remote, username }, 'simulator: login');
        this.emit('login', { username, ok: true, remote });
        ctx.accept();
      } else {
        this.counters.loginFailures++;
        this.logger.debug({ remote, username: ctx.username }, 'simulator: login rejected');
        this.emit('login', { username: ctx.username, ok: false, remote });
        ctx.reject(['password']);
      }
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session: Session = acceptSession();
        let pty = false;
        session.on('pty', (accept) => {
          pty = true;
          (accept as (() => void) | undefined)?.();
        });
        session.on('window-change', (accept) => (accept as (() => void) | undefined)?.());
        session.on('env', (accept) => (accept as (() => void) | undefined)?.());
        session.on('shell', (accept) => {
          const channel = (accept as () => ServerChannel | undefined)();
          if (channel !== undefined) void this.runShell(client, channel, { username, remote, pty, interactive: true });
        });
        session.on('exec', (accept, _reject, info) => {
          const channel = (accept as () => ServerChannel | undefined)();
          if (channel !== undefined) void this.runExec(channel, info.command, { username, remote, pty, interactive: false });
        });
        session.on('subsystem', (_accept, reject) => reject());
      });
    });
  }

  private allocateVty(): number {
    let n = 0;
    while (this.vtyInUse.has(n)) n++;
    this.vtyInUse.add(n);
    return n;
  }

  private openInfo(base: { username: string; remote: string; pty: boolean; interactive: boolean }, vty: number): CliSessionInfo {
    return { ...base, id: ++this.sessionSeq, terminal: `VTY ${vty}` };
  }

  private dropSocket(remote: string): void {
    const socket = this.sockets.get(remote);
    this.counters.connectionsDropped++;
    socket?.destroy();
  }

  private async runShell(client: Connection, channel: ServerChannel, base: { username: string; remote: string; pty: boolean; interactive: boolean }): Promise<void> {
    const dialect = this.options.dialect;
    const term = new ShellTerminal(channel, { echo: base.pty, pager: dialect.pager });
    this.terminals.add(term);
    channel.on('data', (d: Buffer) => term.feed(d));
    channel.on('close', () => term.close());
    channel.on('end', () => term.close());
    channel.on('error', () => term.close());
    const vty = this.allocateVty();
    const info = this.openInfo(base, vty);
    const session = dialect.openSession(info);
    this.counters.sessionsOpened++;
    this.counters.sessionsOpen++;
    this.emit('session-open', { sessionId: info.id, username: info.username });
    const makeIo = (promptShown: string): CommandIo => ({
      promptShown,
      print: async (text) => {
        const lines = text.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        await term.page(lines, dialect.pageLines(session));
      },
      ask: async (question) => {
        term.write(question);
        return (await term.readLine()) ?? '';
      },
    });
    try {
      await dialect.greet(session, makeIo(''));
      for (;;) {
        if (term.isClosed) break;
        const prompt = dialect.prompt(session);
        if (!term.atLineStart) term.write('\n');
        term.write(prompt);
        const line = await term.readLine();
        if (line === undefined) break;
        const trimmed = line.trim();
        if (trimmed !== '') this.counters.commandsReceived++;
        const faults = trimmed === '' ? [] : this.takeFaults(trimmed);
        for (const f of faults) if (f.action.kind === 'delay') await new Promise((r) => setTimeout(r, (f.action as { ms: number }).ms));
        const drop = faults.find((f) => f.action.kind === 'drop')?.action as { kind: 'drop'; when: DropTiming } | undefined;
        if (drop?.when === 'before') {
          this.emit('connection-dropped', { sessionId: info.id, line: trimmed, when: 'before' });
          this.dropSocket(base.remote);
          break;
        }
        const io: CommandIo =
          drop?.when === 'after'
            ? { promptShown: prompt, print: () => Promise.resolve(), ask: () => Promise.resolve('') }
            : makeIo(prompt);
        let kind = 'internal-error';
        let logout = false;
        try {
          const result = await dialect.execute(session, line, io);
          kind = result.kind;
          logout = result.logout === true;
        } catch (err) {
          this.logger.error({ err: err instanceof Error ? err.message : String(err), sessionId: info.id }, 'simulator: command failed');
          term.write('Error: Internal simulator error.\n');
        }
        if (trimmed !== '') {
          this.counters.perKind[kind] = (this.counters.perKind[kind] ?? 0) + 1;
          this.emit('command', { sessionId: info.id, username: info.username, line: trimmed, kind });
        }
        if (drop?.when === 'after') {
          this.emit('connection-dropped', { sessionId: info.id, line: trimmed, when: 'after' });
          this.dropSocket(base.remote);
          break;
        }
        if (logout) {
          channel.end();
          client.end();
          break;
        }
      }
    } finally {
      term.close();
      this.terminals.delete(term);
      this.vtyInUse.delete(vty);
      dialect.closeSession(session);
      this.counters.sessionsOpen--;
      this.emit('session-close', { sessionId: info.id, username: info.username });
    }
  }

  private async runExec(channel: ServerChannel, commandLine: string, base: { username: string; remote: string; pty: boolean; interactive: boolean }): Promise<void> {
    const dialect = this.options.dialect;
    const vty = this.allocateVty();
    const info = this.openInfo(base, vty);
    const session = dialect.openSession(info);
    this.counters.sessionsOpened++;
    this.counters.sessionsOpen++;
    this.emit('session-open', { sessionId: info.id, username: info.username });
    const write = (text: string): void => {
      channel.write(text.replace(/\r?\n/g, '\r\n'));
    };
    try {
      const trimmed = commandLine.trim();
      this.counters.commandsReceived++;
      const result = await dialect.execute(session, commandLine, {
        promptShown: '',
        print: (text) => {
          write(text.endsWith('\n') ? text : `${text}\n`);
          return Promise.resolve();
        },
        ask: () => Promise.resolve(''),
      });
      this.counters.perKind[result.kind] = (this.counters.perKind[result.kind] ?? 0) + 1;
      this.emit('command', { sessionId: info.id, username: info.username, line: trimmed, kind: result.kind });
      channel.exit(0);
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'simulator: exec failed');
      channel.exit(1);
    } finally {
      channel.end();
      this.vtyInUse.delete(vty);
      dialect.closeSession(session);
      this.counters.sessionsOpen--;
      this.emit('session-close', { sessionId: info.id, username: info.username });
    }
  }
}
