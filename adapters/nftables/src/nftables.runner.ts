/**
 * How `nft` is run: {@link NftRunner}, with a local implementation (a child process, optionally inside a network
 * namespace via `ip netns exec`, never through a shell) and an SSH one (ssh2 `exec`, host key verified, credentials
 * from the target and redacted from every message).
 *
 * A runner reports `nft`'s own failures as a result (`code` and `stderr`: the session maps them); it throws only
 * when `nft` cannot be run at all: `DeviceConnectionError` (no `nft` binary, no namespace, no SSH connection),
 * `DeviceAuthError` (SSH credentials refused), `DeviceTimeoutError` (no answer in time).
 *
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { hostname as localHostname, release as localRelease } from 'node:os';
import { Client, type ConnectConfig } from 'ssh2';
import {
  DeviceAuthError,
  DeviceConnectionError,
  DeviceTimeoutError,
  InputError,
  redact,
  silentLogger,
  type DeviceTarget,
  type Logger,
  type NetloomError,
} from '@netloom/ports';
import { hostKeyVerifier, sha256Fingerprint } from './nftables.host-key';

/** What one `nft` run gave. */
export interface NftResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code (0: success). */
  readonly code: number;
}

/** What the machine that runs `nft` says about itself. */
export interface NftSystemInfo {
  readonly hostname: string;
  /** The kernel release (`uname -r`). */
  readonly kernel: string;
}

/**
 * Runs `nft` on the firewall. Implementations: {@link LocalNftRunner}, {@link SshNftRunner}.
 *
 * @example
 * const r = await runner.run(['-j', 'list', 'table', 'inet', 'netloom']);
 * if (r.code !== 0) console.log(r.stderr);
 */
export interface NftRunner {
  /** Where `nft` runs, for messages (`local`, `local netns vfw1`, `ssh 10.0.0.9:22`). */
  readonly where: string;
  /**
   * Runs `nft <args>` with `stdin` (when given) as its standard input. Resolves with the exit code whatever it is.
   * @throws DeviceConnectionError, DeviceAuthError, DeviceTimeoutError (nft could not be run)
   */
  run(args: readonly string[], stdin?: string): Promise<NftResult>;
  /**
   * Runs another program where nft runs (`ip`, `sysctl`, `ovs-vsctl` for the zones' legs), as an argument vector:
   * `argv[0]` is the program. It runs in the machine's own namespace: commands name the firewall's namespace
   * themselves (`ip -n <netns>`, `ip netns exec <netns> sysctl`). Resolves with the exit code whatever it is.
   * `options.write` marks a command that changes the device (a test harness counts and can fail those).
   * @throws DeviceConnectionError, DeviceAuthError, DeviceTimeoutError (the program could not be run)
   * @example await runner.exec(['ip', '-n', 'vfw1', '-json', 'link', 'show'])
   */
  exec(argv: readonly string[], options?: ExecOptions): Promise<NftResult>;
  /** Host name and kernel release of the machine. */
  system(): Promise<NftSystemInfo>;
  /** Frees the runner (closes the SSH connection). Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link NftRunner.exec}. */
export interface ExecOptions {
  /** The command changes the device (default false: a read). */
  readonly write?: boolean;
}

/** Default limit of one `nft` run, in milliseconds. */
export const DEFAULT_RUN_TIMEOUT_MS = 30_000;
/** Most output kept from one run (a large table lists in a few MB). */
const MAX_OUTPUT = 64 * 1024 * 1024;

/** Options of {@link LocalNftRunner}. */
export interface LocalNftRunnerOptions {
  /** The `nft` program (default `nft`). */
  readonly nftPath?: string;
  /** Run inside this network namespace (`ip netns exec <netns> nft ...`). */
  readonly netns?: string;
  /** The `ip` program (default `ip`). */
  readonly ipPath?: string;
  /** Limit of one run in ms (default {@link DEFAULT_RUN_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/**
 * Runs `nft` on this machine as a child process (argument vector, no shell).
 * @example new LocalNftRunner({ netns: 'vfw1' }).run(['list', 'tables'])
 */
export class LocalNftRunner implements NftRunner {
  readonly where: string;
  readonly #command: string;
  readonly #prefix: readonly string[];
  readonly #timeoutMs: number;
  readonly #netns: string | undefined;

  constructor(opts: LocalNftRunnerOptions = {}) {
    const nft = opts.nftPath ?? 'nft';
    this.#netns = opts.netns;
    this.#command = opts.netns === undefined ? nft : (opts.ipPath ?? 'ip');
    this.#prefix = opts.netns === undefined ? [] : ['netns', 'exec', opts.netns, nft];
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    this.where = opts.netns === undefined ? 'local' : `local netns ${opts.netns}`;
  }

  run(args: readonly string[], stdin?: string): Promise<NftResult> {
    const what = this.#netns === undefined ? `nft (${this.#command})` : `ip (${this.#command})`;
    return this.#spawn(this.#command, [...this.#prefix, ...args], stdin, `nft ${args.join(' ')}`, what, this.#netns !== undefined);
  }

  exec(argv: readonly string[]): Promise<NftResult> {
    const [program, ...args] = argv;
    if (program === undefined) return Promise.reject(new DeviceConnectionError(`${this.where}: an empty command`));
    return this.#spawn(program, args, undefined, argv.join(' '), program, false);
  }

  /** Runs `command args` as a child process (no shell); `netnsCheck`: an `ip netns exec` failure is a connection error. */
  #spawn(command: string, args: readonly string[], stdin: string | undefined, label: string, what: string, netnsCheck: boolean): Promise<NftResult> {
    return new Promise<NftResult>((resolve, reject) => {
      const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() => reject(new DeviceTimeoutError(`${this.where}: ${label} did not finish within ${this.#timeoutMs} ms`, { details: { where: this.where } })));
      }, this.#timeoutMs);
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT) {
          child.kill('SIGKILL');
          finish(() => reject(new DeviceConnectionError(`${this.where}: ${label} wrote more than ${MAX_OUTPUT} bytes`)));
          return;
        }
        into.push(chunk);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      child.on('error', (cause: NodeJS.ErrnoException) => {
        const reason = cause.code === 'ENOENT' ? `${what} is not installed or not on PATH` : cause.message;
        finish(() => reject(new DeviceConnectionError(`${this.where}: cannot run ${what}: ${reason}`, { cause, details: { where: this.where } })));
      });
      child.on('close', (code, signal) => {
        const stderr = Buffer.concat(err).toString('utf8');
        const result: NftResult = { stdout: Buffer.concat(out).toString('utf8'), stderr, code: code ?? (signal === null ? 1 : 128) };
        finish(() => {
          const failure = netnsCheck ? netnsFailure(stderr, result.code) : undefined;
          if (failure !== undefined) reject(new DeviceConnectionError(`${this.where}: ${failure}`, { details: { where: this.where, stderr: stderr.trim() } }));
          else resolve(result);
        });
      });
      child.stdin.on('error', () => {
        // The child may exit before reading stdin (a bad option); its exit code says what happened.
      });
      child.stdin.end(stdin ?? '');
    });
  }

  async system(): Promise<NftSystemInfo> {
    return { hostname: localHostname(), kernel: localRelease() };
  }

  async close(): Promise<void> {
    // Nothing is held between runs.
  }
}

/** What `ip netns exec` prints when it cannot run nft at all (rather than nft failing). */
function netnsFailure(stderr: string, code: number): string | undefined {
  if (code === 0) return undefined;
  const first = stderr.trim().split('\n')[0] ?? '';
  if (/^Cannot open network namespace/.test(first)) return first;
  if (/^exec of ".*" failed/.test(first)) return `${first} (is nft installed?)`;
  return undefined;
}

/** Quotes one argument for the remote POSIX shell that `exec` hands the command to. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** How a lost SSH connection is re-established: attempts, and the first delay (doubled after each attempt). */
export interface ReconnectOptions {
  /** Attempts before giving up (default 3; 0 turns reconnecting off). */
  readonly attempts?: number;
  /** Delay before the first attempt in ms (default 500), doubled after each. */
  readonly delayMs?: number;
}

/** Options of {@link SshNftRunner.connect}. */
export interface SshNftRunnerOptions {
  /** `address`, `port`, `credentials` and `hostKey` are used. */
  readonly target: DeviceTarget;
  readonly nftPath?: string;
  readonly netns?: string;
  /** SSH handshake limit in ms (default 20 000). */
  readonly connectTimeoutMs?: number;
  /** Limit of one run in ms (default {@link DEFAULT_RUN_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** Reconnecting after the connection was lost (between runs; a run in flight is never repeated). */
  readonly reconnect?: ReconnectOptions;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

interface Ssh2Error extends Error {
  level?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Clients whose connection has closed (closing them again would wait for an event that never comes). */
const closedClients = new WeakSet<Client>();

/**
 * Runs `nft` on a remote host over one SSH connection (one `exec` channel per run). A connection lost between runs
 * is re-established with backoff before the next run; a run whose connection drops while it executes fails with
 * `DeviceConnectionError` (its outcome is unknown, and it is not repeated: nft applies a script all or nothing, so
 * observe tells).
 *
 * @example const runner = await SshNftRunner.connect({ target, netns: 'vfw1' });
 */
export class SshNftRunner implements NftRunner {
  readonly where: string;
  readonly #opts: SshNftRunnerOptions;
  readonly #secrets: readonly string[];
  readonly #logger: Logger;
  readonly #verify: (key: Buffer) => string | undefined;
  #client: Client | undefined;
  #closed = false;
  #lost: string | undefined;
  #connections = 0;

  private constructor(opts: SshNftRunnerOptions, where: string, secrets: readonly string[], logger: Logger, verify: (key: Buffer) => string | undefined) {
    this.#opts = opts;
    this.where = where;
    this.#secrets = secrets;
    this.#logger = logger;
    this.#verify = verify;
  }

  /** True while the SSH connection is up (a lost one is re-established before the next run). */
  get connected(): boolean {
    return this.#client !== undefined && this.#lost === undefined && !this.#closed;
  }

  /** How many SSH connections this runner has opened (1 + reconnects). */
  get connections(): number {
    return this.#connections;
  }

  /**
   * Opens the SSH connection (verifies the host key first).
   * @throws InputError (no address or username, no way to verify the host key), DeviceConnectionError,
   *   DeviceAuthError, DeviceTimeoutError
   */
  static async connect(opts: SshNftRunnerOptions): Promise<SshNftRunner> {
    const { target } = opts;
    const port = target.port ?? 22;
    const host = target.address;
    const creds = target.credentials ?? {};
    const problems: { path: string; reason: string }[] = [];
    if (host === undefined || host === '') problems.push({ path: 'address', reason: 'required for mode "ssh"' });
    if (creds.username === undefined || creds.username === '') problems.push({ path: 'credentials.username', reason: 'required for mode "ssh"' });
    if (creds.password === undefined && creds.privateKey === undefined) problems.push({ path: 'credentials', reason: 'give a password or a privateKey' });
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ path: 'port', reason: `${String(port)} is outside 1..65535` });
    if (problems.length > 0) throw InputError.fromProblems(`SSH target ${target.name}`, problems);
    const where = `ssh ${host!.includes(':') ? `[${host!}]` : host!}:${port}${opts.netns === undefined ? '' : ` netns ${opts.netns}`}`;
    const secrets = [creds.password ?? '', creds.privateKey ?? '', creds.token ?? ''].filter((x) => x !== '');
    const logger = (opts.logger ?? silentLogger).child({ component: 'nft-ssh', where });
    const verify = await hostKeyVerifier(target, port);
    const runner = new SshNftRunner(opts, where, secrets, logger, verify);
    runner.#client = await runner.#open(opts.signal);
    logger.debug({}, 'SSH connected');
    return runner;
  }

  #redact(text: string): string {
    return redact(text, this.#secrets);
  }

  /** Opens one SSH connection and watches it for loss. */
  #open(signal?: AbortSignal): Promise<Client> {
    const { target } = this.#opts;
    const creds = target.credentials ?? {};
    const where = this.where;
    const timeout = this.#opts.connectTimeoutMs ?? 20_000;
    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
      let hostKeyProblem: string | undefined;
      let settled = false;
      const fail = (e: NetloomError): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        client.destroy();
        reject(e);
      };
      const onAbort = (): void => fail(new DeviceConnectionError(`${where}: connecting was aborted`));
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.#connections++;
        resolve(client);
      });
      client.on('error', (err: Ssh2Error) => {
        if (settled) {
          if (this.#client === client && !this.#closed) this.#lost = `the SSH connection failed: ${this.#redact(err.message)}`;
          return;
        }
        if (hostKeyProblem !== undefined) fail(new DeviceConnectionError(`${where}: host key not trusted: ${hostKeyProblem}`, { cause: err }));
        else if (err.level === 'client-authentication') fail(new DeviceAuthError(`${where} refused the credentials of user ${JSON.stringify(creds.username)}`, { cause: err, details: { where, username: creds.username } }));
        else if (err.level === 'client-timeout') fail(new DeviceTimeoutError(`${where}: no SSH handshake within ${timeout} ms`, { cause: err }));
        else fail(new DeviceConnectionError(`${where}: cannot connect: ${this.#redact(err.message)}`, { cause: err }));
      });
      client.on('close', () => {
        closedClients.add(client);
        if (!settled) {
          fail(new DeviceConnectionError(`${where}: the SSH connection closed before it was ready`));
          return;
        }
        if (this.#client === client && !this.#closed) {
          this.#lost ??= 'the SSH connection closed';
          this.#logger.warn({}, 'SSH connection lost');
        }
      });
      const config: ConnectConfig = {
        host: target.address!,
        port: target.port ?? 22,
        username: creds.username!,
        readyTimeout: timeout,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer): boolean => {
          const problem = this.#verify(key);
          if (problem === undefined) return true;
          hostKeyProblem = `the server presented ${sha256Fingerprint(key)}, and ${problem}`;
          return false;
        },
      };
      if (creds.password !== undefined) config.password = creds.password;
      if (creds.privateKey !== undefined) config.privateKey = creds.privateKey;
      try {
        client.connect(config);
      } catch (cause) {
        // ssh2 throws synchronously on options it cannot use (an unreadable private key).
        fail(new InputError(`SSH target ${target.name}: ${this.#redact(cause instanceof Error ? cause.message : String(cause))}`, [{ path: 'credentials', reason: 'not usable' }], { cause }));
      }
    });
  }

  /** The live connection: reconnects with backoff when it was lost. */
  async #connection(): Promise<Client> {
    if (this.#closed) throw new DeviceConnectionError(`${this.where}: the runner is closed`);
    if (this.#client !== undefined && this.#lost === undefined) return this.#client;
    const why = this.#lost ?? 'not connected';
    const attempts = this.#opts.reconnect?.attempts ?? 3;
    let delay = this.#opts.reconnect?.delayMs ?? 500;
    let last: unknown;
    for (let i = 1; i <= attempts; i++) {
      await sleep(delay);
      delay *= 2;
      if (this.#closed) break;
      try {
        const client = await this.#open();
        this.#client?.destroy();
        this.#client = client;
        this.#lost = undefined;
        this.#logger.info({ attempt: i }, 'SSH reconnected');
        return client;
      } catch (e) {
        last = e;
        // A refused key or password will not change by waiting.
        if (e instanceof DeviceAuthError || (e instanceof DeviceConnectionError && /host key not trusted/.test(e.message))) throw e;
        this.#logger.warn({ attempt: i, error: e instanceof Error ? e.message : String(e) }, 'SSH reconnect failed');
      }
    }
    throw new DeviceConnectionError(`${this.where}: ${why}${attempts > 0 ? `; ${attempts} reconnect attempt(s) failed${last instanceof Error ? `: ${last.message}` : ''}` : ''}`, {
      ...(last === undefined ? {} : { cause: last }),
      details: { where: this.where },
    });
  }

  async #exec(command: string, stdin: string | undefined, what: string, netnsCheck = this.#opts.netns !== undefined): Promise<NftResult> {
    const client = await this.#connection();
    return new Promise<NftResult>((resolve, reject) => {
      let settled = false;
      const finish = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const timer = setTimeout(() => finish(() => reject(new DeviceTimeoutError(`${this.where}: ${what} did not finish within ${this.#opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS} ms`))), this.#opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
      try {
        client.exec(command, (err, stream) => {
          if (err !== undefined && err !== null) {
            finish(() => reject(new DeviceConnectionError(`${this.where}: cannot run ${what}: ${this.#redact(err.message)}`, { cause: err })));
            return;
          }
          const out: Buffer[] = [];
          const errs: Buffer[] = [];
          let code: number | undefined;
          stream.on('data', (c: Buffer) => out.push(c));
          stream.stderr.on('data', (c: Buffer) => errs.push(c));
          stream.on('exit', (c: number | null) => {
            code = c ?? 1;
          });
          stream.on('close', () => {
            const stderr = Buffer.concat(errs).toString('utf8');
            finish(() => {
              if (code === undefined) {
                reject(new DeviceConnectionError(`${this.where}: the connection dropped while ${what} ran; its outcome is unknown (nft applies a script all or nothing: observe to see)`));
                return;
              }
              if (code === 127) {
                reject(new DeviceConnectionError(`${this.where}: ${what}: command not found (${this.#redact(stderr.trim())})`));
                return;
              }
              const failure = netnsCheck ? netnsFailure(stderr, code) : undefined;
              if (failure !== undefined) reject(new DeviceConnectionError(`${this.where}: ${failure}`));
              else resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr, code });
            });
          });
          stream.end(stdin ?? '');
        });
      } catch (cause) {
        finish(() => reject(new DeviceConnectionError(`${this.where}: cannot run ${what}: ${this.#redact(cause instanceof Error ? cause.message : String(cause))}`, { cause })));
      }
    });
  }

  run(args: readonly string[], stdin?: string): Promise<NftResult> {
    const nft = this.#opts.nftPath ?? 'nft';
    const argv = this.#opts.netns === undefined ? [nft, ...args] : ['ip', 'netns', 'exec', this.#opts.netns, nft, ...args];
    return this.#exec(argv.map(shellQuote).join(' '), stdin, `nft ${args.join(' ')}`);
  }

  exec(argv: readonly string[]): Promise<NftResult> {
    if (argv.length === 0) return Promise.reject(new DeviceConnectionError(`${this.where}: an empty command`));
    return this.#exec(argv.map(shellQuote).join(' '), undefined, argv.join(' '), false);
  }

  async system(): Promise<NftSystemInfo> {
    const r = await this.#exec('uname -n -r', undefined, 'uname -n -r');
    const [hostname = '', kernel = ''] = r.stdout.trim().split(/\s+/);
    return { hostname, kernel };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined || closedClients.has(client)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.destroy();
        resolve();
      }, 5_000);
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      client.end();
    });
  }
}
