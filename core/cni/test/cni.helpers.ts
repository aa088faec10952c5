// Helpers for the netloom-cni tests: run the real executable with CNI environment and stdin, run commands, read
// OVS rows. Nothing here starts a long-lived process.
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The executable the runtime would run. */
export const BIN = path.resolve(__dirname, '..', 'bin', 'netloom-cni.cjs');
/** The repository root (for deploy/crds). */
export const REPO = path.resolve(__dirname, '..', '..', '..');

/** What one run of the plugin printed. */
export interface PluginRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed (undefined when empty). */
  readonly json?: Record<string, unknown>;
}

/** Runs `node bin/netloom-cni.cjs` with `env` (added to a minimal environment) and `stdin` (an object: JSON). */
export function runPlugin(env: Record<string, string>, stdin: unknown): Promise<PluginRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN], { env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const json = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as Record<string, unknown>);
      resolve({ code, stdout, stderr, ...(json !== undefined ? { json } : {}) });
    });
    child.stdin.end(typeof stdin === 'string' ? stdin : JSON.stringify(stdin));
  });
}

/** Runs a command; resolves with stdout (trimmed), rejects on a non-zero exit. */
export async function sh(cmd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args, { timeout: 20_000 });
  return stdout.trim();
}

/** Runs a command and reports its exit code instead of throwing. */
export async function exitCode(cmd: string, ...args: string[]): Promise<number> {
  try {
    await run(cmd, args, { timeout: 20_000 });
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'number' ? code : -1;
  }
}

/** `ip -j …` parsed. */
export async function ipJson(...args: string[]): Promise<Array<Record<string, unknown>>> {
  const out = await sh('ip', '-j', ...args);
  return out === '' ? [] : (JSON.parse(out) as Array<Record<string, unknown>>);
}

/** True when a link of that name exists (in the host namespace, or in the named namespace `ns`). */
export async function linkExists(name: string, ns?: string): Promise<boolean> {
  return (await exitCode('ip', ...(ns !== undefined ? ['-n', ns] : []), 'link', 'show', 'dev', name)) === 0;
}

/** Waits until `probe` is true (for a condition another process brings about), at most `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

type OvsJson = string | number | boolean | ['uuid', string] | ['set', OvsJson[]] | ['map', Array<[OvsJson, OvsJson]>];

function fromOvsJson(v: OvsJson): unknown {
  if (!Array.isArray(v)) return v;
  if (v[0] === 'uuid') return v[1];
  if (v[0] === 'set') return v[1].length === 0 ? null : v[1].map(fromOvsJson);
  if (v[0] === 'map') return Object.fromEntries(v[1].map(([k, x]) => [String(fromOvsJson(k)), fromOvsJson(x)]));
  return v;
}

/** Rows of `table` whose name is `name`, as plain objects (maps as objects, empty sets as null), via ovs-vsctl. */
export async function ovsRows(vsctl: (...args: string[]) => Promise<string>, table: string, name: string, columns: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const out = JSON.parse(await vsctl('--format=json', `--columns=${columns.join(',')}`, 'find', table, `name=${name}`)) as { data: OvsJson[][]; headings: string[] };
  return out.data.map((row) => Object.fromEntries(out.headings.map((h, i) => [h, fromOvsJson(row[i]!)])));
}
