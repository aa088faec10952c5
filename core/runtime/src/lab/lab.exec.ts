/**
 * Running the lab's tools (iproute2, Open vSwitch, vtep-ctl) through execFile — never a shell — and waiting for
 * conditions. Failures become netloom errors that name the command and keep the tool's message and the original
 * error as `cause`.
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeviceProtocolError, DeviceTimeoutError } from '@netloom/ports';

/** The result of a command that is allowed to fail. */
export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link tryRun} and {@link run}. */
export interface ExecOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs a command and reports its exit code instead of throwing.
 * @example const r = await tryRun('ip', ['netns', 'list']); r.code === 0
 */
export function tryRun(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, [...args], { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1;
      resolve({ code, stdout: String(stdout).trim(), stderr: String(stderr).trim() });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/**
 * Runs a command; resolves with its stdout (trimmed).
 * @throws DeviceProtocolError naming the command, with the tool's message
 */
export async function run(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await tryRun(cmd, args, opts);
  if (r.code !== 0) {
    throw new DeviceProtocolError(`lab: ${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr || r.stdout || 'no output'}`);
  }
  return r.stdout;
}

/** Runs a command inside a network namespace (`ip netns exec <ns> ...`). */
export function runIn(ns: string, cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/** Like {@link runIn} but never throws. */
export function tryRunIn(ns: string, cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return tryRun('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/**
 * Polls `probe` until it returns true (or a value other than undefined/false).
 * @throws DeviceTimeoutError naming `what` and the last error the probe threw
 */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new DeviceTimeoutError(`lab: timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`, last === undefined ? {} : { cause: last });
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True when a program is on PATH (or is an existing absolute path). */
export function onPath(cmd: string): boolean {
  if (path.isAbsolute(cmd)) return fs.existsSync(cmd);
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir !== '' && fs.existsSync(path.join(dir, cmd))) return true;
  }
  return false;
}

/** True when a process with that PID exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process (`/proc/<pid>/cmdline`, NUL-separated arguments joined by spaces), or undefined. */
export function processCommandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}
