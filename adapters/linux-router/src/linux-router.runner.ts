/**
 * How the router's commands run: {@link RouterRunner}, one per session. The local runner starts each command as a
 * child process with an argument vector (`execFile`, never a shell), so no value can become a second command.
 *
 * A runner reports a command's own failure as a result (`code`, `stderr`: the session maps it); it throws only when
 * the command cannot run at all: `DeviceConnectionError` (program missing), `DeviceTimeoutError` (no answer in time).
 *
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import { DeviceConnectionError, DeviceTimeoutError } from '@netloom/ports';

/** What one command gave. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code (0: success). */
  readonly code: number;
}

/** What a run is for: writes change the router (the harness counts them and can fail one). */
export interface RunOptions {
  readonly write?: boolean;
}

/**
 * Runs the router's commands (`ip`, `ip netns exec <ns> sysctl`, `ovs-vsctl`, `uname`).
 * @example const r = await runner.run(['ip', '-json', 'netns', 'list']);
 */
export interface RouterRunner {
  /** Where the commands run, for messages (`local`). */
  readonly where: string;
  /**
   * Runs `argv` (program first). Resolves with the exit code whatever it is.
   * @throws DeviceConnectionError, DeviceTimeoutError (the command could not run)
   */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Frees the runner. Idempotent. */
  close(): Promise<void>;
}

/** Default limit of one command, in milliseconds. */
export const DEFAULT_RUN_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

/** Options of {@link LocalRouterRunner}. */
export interface LocalRouterRunnerOptions {
  /** Limit of one command in ms (default {@link DEFAULT_RUN_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

interface ExecFailure extends Error {
  code?: number | string;
  killed?: boolean;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
}

/**
 * Runs commands on this machine as child processes.
 * @example await new LocalRouterRunner().run(['ip', '-V'])
 */
export class LocalRouterRunner implements RouterRunner {
  readonly where = 'local';
  readonly #timeoutMs: number;

  constructor(opts: LocalRouterRunnerOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  }

  run(argv: readonly string[]): Promise<CommandResult> {
    const [program, ...args] = argv;
    if (program === undefined) return Promise.reject(new DeviceConnectionError('local: an empty command'));
    return new Promise<CommandResult>((resolve, reject) => {
      execFile(program, args, { timeout: this.#timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8', shell: false }, (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const e = error as ExecFailure;
        if (typeof e.code === 'number') {
          resolve({ stdout, stderr, code: e.code });
          return;
        }
        if (e.killed === true) {
          reject(new DeviceTimeoutError(`local: ${argv.join(' ')} did not finish within ${this.#timeoutMs} ms`, { cause: error, details: { where: this.where } }));
          return;
        }
        const reason = e.code === 'ENOENT' ? `${program} is not installed or not on PATH` : e.message;
        reject(new DeviceConnectionError(`local: cannot run ${program}: ${reason}`, { cause: error, details: { where: this.where, program } }));
      });
    });
  }

  async close(): Promise<void> {
    // Nothing is held between commands.
  }
}

/** Wraps the runner of a session for one device (the conformance harness: counting writes, injecting a fault). */
export type RouterRunnerTap = (runner: RouterRunner) => RouterRunner;

/**
 * Runner taps by device name: a session for device `name` runs through the tap registered for it. Shipped code
 * registers none; the conformance harness of this package does.
 */
export const routerRunnerTaps = {
  taps: new Map<string, RouterRunnerTap>(),
  /** Registers `tap` for `device`. */
  set(device: string, tap: RouterRunnerTap): void {
    this.taps.set(device, tap);
  },
  /** Removes the tap of `device`. */
  delete(device: string): void {
    this.taps.delete(device);
  },
  /** `runner` through the tap of `device`, if any. */
  wrap(device: string, runner: RouterRunner): RouterRunner {
    return this.taps.get(device)?.(runner) ?? runner;
  },
};
