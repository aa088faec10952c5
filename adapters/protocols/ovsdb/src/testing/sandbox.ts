/**
 * A throw-away Open vSwitch for tests and the lab: a real `ovsdb-server` (the `Open_vSwitch` database, and the
 * `hardware_vtep` database when asked) and optionally a real `ovs-vswitchd` on the userspace datapath, all in a
 * fresh temporary directory, stopped by the PIDs this module started. Recipe: LAB.md "Open vSwitch without the
 * kernel module".
 *
 * Needs the Debian packages `openvswitch-switch` (and `openvswitch-vtep` for the VTEP schema). `ovs-vswitchd` creates
 * a tap device per bridge, so it needs root; `ovsdb-server` alone does not.
 *
 * @example
 * const ovs = await startOvsSandbox({ vswitchd: true });
 * try { await ovs.vsctl('add-br', 'br-int', '--', 'set', 'bridge', 'br-int', 'datapath_type=netdev'); }
 * finally { await ovs.stop(); }
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian puts the schemas. */
export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
export const VTEP_SCHEMA = '/usr/share/openvswitch/vtep.ovsschema';

export interface OvsSandboxOptions {
  /** Start `ovs-vswitchd` too (needs root). Default false. */
  readonly vswitchd?: boolean;
  /** Also serve the `hardware_vtep` database. Default false. */
  readonly vtep?: boolean;
  /** Keep the directory (logs, databases) after stop, for debugging. Default false. */
  readonly keepDir?: boolean;
  /**
   * How long to wait for another process's sandbox to stop its ovs-vswitchd (only one userspace ovs-vswitchd can run
   * per network namespace: each creates the `ovs-netdev` tap). Default 120000 ms.
   */
  readonly vswitchdWaitMs?: number;
}

/**
 * Only one userspace ovs-vswitchd can run per network namespace, so sandboxes with a vswitchd take a host-wide lock:
 * a directory (mkdir is atomic) holding the owner's PID. A lock whose owner is dead is taken over.
 */
const VSWITCHD_LOCK = path.join(os.tmpdir(), 'netloom-ovs-vswitchd.lock');
let vswitchdLockHeld = false;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireVswitchdLock(waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.mkdirSync(VSWITCHD_LOCK);
      fs.writeFileSync(path.join(VSWITCHD_LOCK, 'pid'), String(process.pid));
      vswitchdLockHeld = true;
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: number | undefined;
    try {
      owner = Number(fs.readFileSync(path.join(VSWITCHD_LOCK, 'pid'), 'utf8'));
    } catch {
      owner = undefined; // being written, or being removed: look again
    }
    if (owner !== undefined && Number.isInteger(owner) && owner > 0 && owner !== process.pid && !pidAlive(owner)) {
      fs.rmSync(VSWITCHD_LOCK, { recursive: true, force: true });
      continue;
    }
    if (owner === process.pid) throw new Error('OVS sandbox: this process already runs a sandbox with ovs-vswitchd; stop it first (one userspace ovs-vswitchd per network namespace)');
    if (Date.now() > deadline) throw new Error(`OVS sandbox: another process (pid ${owner ?? '?'}) runs a sandbox with ovs-vswitchd (lock ${VSWITCHD_LOCK}); only one userspace ovs-vswitchd can run per network namespace`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function releaseVswitchdLock(): void {
  if (!vswitchdLockHeld) return;
  vswitchdLockHeld = false;
  fs.rmSync(VSWITCHD_LOCK, { recursive: true, force: true });
}

export interface OvsSandbox {
  /** The temporary directory holding databases, sockets, logs and pidfiles. */
  readonly dir: string;
  /** Path of the ovsdb-server unix socket. */
  readonly socketPath: string;
  /** `unix:<socketPath>`, for `ovs-vsctl --db=`. */
  readonly unixRemote: string;
  /** The TCP port ovsdb-server listens on, on 127.0.0.1. */
  readonly tcpPort: number;
  /** Environment (OVS_RUNDIR etc.) to run OVS tools against this sandbox. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs `ovs-vsctl --db=unix:... --timeout=10 <args>` and returns stdout (trimmed). */
  vsctl(...args: string[]): Promise<string>;
  /** Runs `vtep-ctl --db=unix:... <args>` and returns stdout (trimmed). Needs `vtep: true`. */
  vtepctl(...args: string[]): Promise<string>;
  /** Runs `ovs-ofctl -O OpenFlow13 <args>` (needs vswitchd) and returns stdout (trimmed). */
  ofctl(...args: string[]): Promise<string>;
  /** Deletes every bridge (so no tap device is left in the host), stops the daemons, removes the directory. */
  stop(): Promise<void>;
}

/** Why a sandbox cannot start here, or undefined when it can. */
export function ovsUnavailableReason(options: OvsSandboxOptions = {}): string | undefined {
  const tools = ['ovsdb-server', 'ovsdb-tool', 'ovs-vsctl', ...(options.vswitchd ? ['ovs-vswitchd', 'ovs-ofctl'] : []), ...(options.vtep ? ['vtep-ctl'] : [])];
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length > 0) return `Open vSwitch is not installed (missing ${missing.join(', ')}; apt-get install openvswitch-switch openvswitch-vtep)`;
  if (!fs.existsSync(VSWITCH_SCHEMA)) return `${VSWITCH_SCHEMA} is missing`;
  if (options.vtep && !fs.existsSync(VTEP_SCHEMA)) return `${VTEP_SCHEMA} is missing (apt-get install openvswitch-vtep)`;
  if (options.vswitchd && process.getuid?.() !== 0) return 'ovs-vswitchd with the userspace datapath needs root (it creates a tap device per bridge)';
  return undefined;
}

/**
 * For mocha `before` hooks: skips the suite with a printed reason when OVS cannot run here, unless the environment
 * says lab tests are required (`NETLOOM_LAB_REQUIRED=1`, set by `.ci/run`), in which case it throws.
 */
export function skipUnlessOvs(ctx: { skip(): void }, options: OvsSandboxOptions = {}): void {
  const reason = ovsUnavailableReason(options);
  if (reason === undefined) return;
  if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
  process.stdout.write(`      skipped: ${reason}\n`);
  ctx.skip();
}

function onPath(cmd: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir !== '' && fs.existsSync(path.join(dir, cmd))) return true;
  }
  return false;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test run that dies leaves no daemon behind.
  process.once('exit', () => {
    for (const c of live) {
      try {
        c.kill('SIGTERM');
      } catch {
        /* already gone */
      }
    }
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, logFile?: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const log = logFile !== undefined && fs.existsSync(logFile) ? `\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}` : '';
      throw new Error(`OVS sandbox: timed out waiting for ${what}${log}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function startDaemon(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(cmd, args, { env, stdio: 'ignore' });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

async function stopDaemon(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Starts a sandbox. Throws with the reason (and the daemon's log tail) when it cannot. */
export async function startOvsSandbox(options: OvsSandboxOptions = {}): Promise<OvsSandbox> {
  const reason = ovsUnavailableReason(options);
  if (reason !== undefined) throw new Error(`OVS sandbox: ${reason}`);
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-ovs-'));
  // Unix socket paths are limited to ~107 bytes; mkdtemp under /tmp stays well below.
  const socketPath = path.join(dir, 'db.sock');
  const env: NodeJS.ProcessEnv = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  const dbs = [path.join(dir, 'conf.db')];
  await run('ovsdb-tool', ['create', dbs[0]!, VSWITCH_SCHEMA], { env });
  if (options.vtep) {
    dbs.push(path.join(dir, 'vtep.db'));
    await run('ovsdb-tool', ['create', dbs[1]!, VTEP_SCHEMA], { env });
  }
  const dbLog = path.join(dir, 'ovsdb.log');
  const server = startDaemon(
    'ovsdb-server',
    [...dbs, `--remote=punix:${socketPath}`, '--remote=ptcp:0:127.0.0.1', `--pidfile=${path.join(dir, 'ovsdb.pid')}`, `--unixctl=${path.join(dir, 'ovsdb.ctl')}`, `--log-file=${dbLog}`, '-vconsole:off'],
    env,
  );
  let vswitchd: ChildProcess | undefined;
  const vsctlBase = [`--db=unix:${socketPath}`, '--timeout=10'];
  const sandbox: OvsSandbox = {
    dir,
    socketPath,
    unixRemote: `unix:${socketPath}`,
    tcpPort: 0,
    env,
    async vsctl(...args) {
      const { stdout } = await run('ovs-vsctl', [...vsctlBase, ...args], { env });
      return stdout.trim();
    },
    async vtepctl(...args) {
      const { stdout } = await run('vtep-ctl', [`--db=unix:${socketPath}`, ...args], { env });
      return stdout.trim();
    },
    async ofctl(...args) {
      const { stdout } = await run('ovs-ofctl', ['-O', 'OpenFlow13', ...args], { env });
      return stdout.trim();
    },
    async stop() {
      try {
        if (vswitchd !== undefined && server.exitCode === null) {
          const bridges = (await sandbox.vsctl('list-br').catch(() => '')).split('\n').filter((b) => b !== '');
          for (const b of bridges) await sandbox.vsctl('--if-exists', 'del-br', b).catch(() => undefined);
        }
      } finally {
        await stopDaemon(vswitchd);
        if (vswitchd !== undefined) releaseVswitchdLock();
        await stopDaemon(server);
        if (!options.keepDir) fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    const tcpPort = await waitFor(
      'ovsdb-server to listen',
      () => {
        if (server.exitCode !== null) throw new Error(`ovsdb-server exited with ${server.exitCode}: ${fs.existsSync(dbLog) ? fs.readFileSync(dbLog, 'utf8') : ''}`);
        if (!fs.existsSync(socketPath) || !fs.existsSync(dbLog)) return undefined;
        const m = /listening on port (\d+)/.exec(fs.readFileSync(dbLog, 'utf8'));
        return m ? Number(m[1]) : undefined;
      },
      10_000,
      dbLog,
    );
    (sandbox as { tcpPort: number }).tcpPort = tcpPort;
    await sandbox.vsctl('--no-wait', 'init');
    if (options.vswitchd) {
      await acquireVswitchdLock(options.vswitchdWaitMs ?? 120_000);
      const swLog = path.join(dir, 'vswitchd.log');
      vswitchd = startDaemon(
        'ovs-vswitchd',
        [`unix:${socketPath}`, `--pidfile=${path.join(dir, 'vswitchd.pid')}`, `--unixctl=${path.join(dir, 'vswitchd.ctl')}`, `--log-file=${swLog}`, '-vconsole:off'],
        env,
      );
      // vswitchd bumps cur_cfg once it has read the database; `ovs-vsctl` (without --no-wait) waits for that.
      await sandbox.vsctl('set', 'Open_vSwitch', '.', 'external_ids:netloom-sandbox=1');
    }
    return sandbox;
  } catch (e) {
    await sandbox.stop().catch(() => undefined);
    throw e;
  }
}
