/**
 * The live transport: an interactive shell (PTY) over SSH with the `ssh2` client.
 *
 * @packageDocumentation
 */
import { StringDecoder } from 'node:string_decoder';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { DeviceAuthError, DeviceConnectionError, DeviceTimeoutError, InputError, type Logger, type NetloomError, silentLogger } from '@netloom/ports';
import { hostKeyCheck, keyTypeOf, sha256Fingerprint, type HostKeyPolicy } from './host-key';
import { type CliTransport, type CliTransportSink } from './transport';
import { Redactor } from './terminal';

/** The pseudo-terminal the shell runs in. */
export interface PtyOptions {
  /** `TERM` value (default `vt100`). */
  readonly term?: string;
  /** Columns (default 512: wide, so devices do not wrap long lines). */
  readonly cols?: number;
  /** Rows (default 200). */
  readonly rows?: number;
}

/** Options of {@link SshTransport}. */
export interface SshTransportOptions {
  readonly host: string;
  /** Default 22. */
  readonly port?: number;
  readonly username: string;
  /** Password authentication. Never logged, never in a message. */
  readonly password?: string;
  /** Public key authentication: an OpenSSH/PEM private key. */
  readonly privateKey?: string | Buffer;
  /** Passphrase of an encrypted `privateKey`. */
  readonly passphrase?: string;
  /** How the device's host key is trusted (required; see {@link HostKeyPolicy}). */
  readonly hostKey: HostKeyPolicy;
  /** SSH handshake and authentication limit in ms (ssh2 `readyTimeout`, default 20 000). */
  readonly readyTimeoutMs?: number;
  /** SSH keepalive interval in ms (default 15 000; 0 turns it off). */
  readonly keepaliveIntervalMs?: number;
  /** How long `close()` waits for a clean SSH disconnect before dropping the socket, in ms (default 5 000). */
  readonly closeTimeoutMs?: number;
  readonly pty?: PtyOptions;
  readonly logger?: Logger;
}

/** The target name used in messages: `host:port` (`[v6]:port` for IPv6 literals). */
export function targetName(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `details.reason` of the `DeviceConnectionError` raised when the host key is not trusted. */
export const HOST_KEY_REJECTED = 'host-key-rejected';

interface Ssh2Error extends Error {
  level?: string;
}

/**
 * An interactive SSH shell. See {@link CliTransport} for the contract.
 *
 * @example
 * const transport = new SshTransport({ host: '10.0.0.1', username: 'netloom', password, hostKey: { knownHostsFile } });
 * const session = await CliSession.openWith(transport, { dialect, secrets: [password] });
 */
export class SshTransport implements CliTransport {
  readonly target: string;
  private readonly port: number;
  private readonly redactor: Redactor;
  private readonly logger: Logger;
  private client?: Client;
  private stream?: ClientChannel;
  private closing = false;

  constructor(private readonly options: SshTransportOptions) {
    const problems: { path: string; reason: string }[] = [];
    if (typeof options.host !== 'string' || options.host === '') problems.push({ path: 'host', reason: 'must be a non-empty string' });
    const port = options.port ?? 22;
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ path: 'port', reason: `${String(port)} is outside 1..65535` });
    if (typeof options.username !== 'string' || options.username === '') problems.push({ path: 'username', reason: 'must be a non-empty string' });
    if (options.password === undefined && options.privateKey === undefined) problems.push({ path: 'password', reason: 'give password or privateKey' });
    if (options.hostKey === undefined || options.hostKey === null || typeof options.hostKey !== 'object') problems.push({ path: 'hostKey', reason: 'required: fingerprintSha256, knownHostsFile, knownHosts or insecureAcceptAny: true' });
    if (problems.length > 0) throw InputError.fromProblems('SSH CLI transport options', problems);
    this.port = port;
    this.target = targetName(options.host, port);
    this.redactor = new Redactor([options.password ?? '', options.passphrase ?? '']);
    this.logger = (options.logger ?? silentLogger).child({ component: 'ssh-transport', target: this.target });
  }

  async open(sink: CliTransportSink): Promise<void> {
    if (this.client !== undefined) throw new DeviceConnectionError(`SSH transport to ${this.target} is already open`);
    const check = await hostKeyCheck(this.options.hostKey, this.options.host, this.port);
    const o = this.options;
    const readyTimeout = o.readyTimeoutMs ?? 20_000;
    this.closing = false;
    return new Promise<void>((resolve, reject) => {
      const client = new Client();
      this.client = client;
      let opened = false;
      let settled = false;
      let dropped = false;
      let hostKeyProblem: string | undefined;
      const fail = (error: NetloomError): void => {
        if (settled) return;
        settled = true;
        this.client = undefined;
        this.stream = undefined;
        client.removeAllListeners('ready');
        client.destroy();
        reject(error);
      };
      const drop = (cause?: unknown): void => {
        if (dropped || this.closing || this.client !== client) return;
        dropped = true;
        this.client = undefined;
        this.stream = undefined;
        client.destroy();
        this.logger.warn({ reason: cause instanceof Error ? this.redactor.text(cause.message) : 'closed' }, 'SSH connection dropped');
        sink.closed(cause);
      };
      client.on('error', (err: Ssh2Error) => {
        if (!opened) fail(this.mapConnectError(err, hostKeyProblem, readyTimeout));
        else drop(err);
      });
      client.on('close', () => {
        if (!opened) fail(new DeviceConnectionError(`SSH connection to ${this.target} closed before the shell started`));
        else drop();
      });
      client.on('ready', () => {
        // A CLI exchanges many tiny packets; Nagle's algorithm would add a delayed-ACK wait to each of them.
        client.setNoDelay(true);
        const pty = { term: o.pty?.term ?? 'vt100', cols: o.pty?.cols ?? 512, rows: o.pty?.rows ?? 200, width: 0, height: 0 };
        client.shell(pty, (err, stream) => {
          if (err !== undefined && err !== null) {
            fail(new DeviceConnectionError(`${this.target} refused to start an interactive shell: ${this.redactor.text(err.message)}`, { cause: err }));
            return;
          }
          if (settled) {
            stream.close();
            return;
          }
          const decoder = new StringDecoder('utf8');
          stream.on('data', (chunk: Buffer) => {
            const text = decoder.write(chunk);
            if (text !== '' && this.stream === stream) sink.data(text);
          });
          stream.stderr.on('data', (chunk: Buffer) => {
            if (this.stream === stream) sink.data(chunk.toString('utf8'));
          });
          stream.on('close', () => drop());
          this.stream = stream;
          opened = true;
          settled = true;
          this.logger.info({}, 'SSH shell open');
          resolve();
        });
      });
      const config: ConnectConfig = {
        host: o.host,
        port: this.port,
        username: o.username,
        readyTimeout,
        keepaliveInterval: o.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer): boolean => {
          const problem = check(key);
          if (problem === undefined) return true;
          hostKeyProblem = `${this.target} presented ${keyTypeOf(key)} key ${sha256Fingerprint(key)}, and ${problem}`;
          return false;
        },
      };
      if (o.password !== undefined) config.password = o.password;
      if (o.privateKey !== undefined) config.privateKey = o.privateKey;
      if (o.passphrase !== undefined) config.passphrase = o.passphrase;
      try {
        client.connect(config);
      } catch (cause) {
        // ssh2 throws synchronously for options it cannot use (an unparsable private key, for instance).
        fail(new InputError(`SSH options for ${this.target} are not usable: ${this.redactor.text((cause as Error).message)}`, [{ path: 'privateKey', reason: this.redactor.text((cause as Error).message) }], { cause }));
      }
    });
  }

  write(text: string): void {
    const stream = this.stream;
    if (stream === undefined || !stream.writable) throw new DeviceConnectionError(`SSH shell to ${this.target} is not open`);
    stream.write(text);
  }

  async close(): Promise<void> {
    const client = this.client;
    const stream = this.stream;
    this.closing = true;
    this.client = undefined;
    this.stream = undefined;
    if (client === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.destroy();
        resolve();
      }, this.options.closeTimeoutMs ?? 5_000);
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        stream?.end();
        client.end();
      } catch {
        clearTimeout(timer);
        client.destroy();
        resolve();
      }
    });
  }

  private mapConnectError(err: Ssh2Error, hostKeyProblem: string | undefined, readyTimeout: number): NetloomError {
    const message = this.redactor.text(err.message);
    if (hostKeyProblem !== undefined) {
      return new DeviceConnectionError(`host key not trusted: ${hostKeyProblem}`, { cause: err, details: { target: this.target, reason: HOST_KEY_REJECTED } });
    }
    switch (err.level) {
      case 'client-authentication':
        return new DeviceAuthError(`${this.target} refused the credentials of user ${JSON.stringify(this.options.username)} (${this.options.privateKey === undefined ? 'password' : 'public key'} authentication)`, {
          cause: err,
          details: { target: this.target, username: this.options.username },
        });
      case 'client-timeout':
        return new DeviceTimeoutError(`no SSH handshake with ${this.target} within ${readyTimeout} ms`, { cause: err, details: { target: this.target } });
      default:
        return new DeviceConnectionError(`cannot connect to ${this.target}: ${message}`, { cause: err, details: { target: this.target } });
    }
  }
}
