/**
 * Open vSwitch inside a network namespace for the lab (LAB.md "Open vSwitch without the kernel module"): an
 * ovsdb-server and a userspace ovs-vswitchd started with `ip netns exec`, their sockets, databases, logs and
 * pidfiles in a directory of the lab. Each process is recorded in the state file before it starts, its PID right
 * after.
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeviceConnectionError } from '@netloom/ports';
import { run, waitUntil } from './lab.exec';
import type { LabState } from './lab.state';
import { ovsdbSocket } from './lab.topology';

/** Where Debian puts the schemas and the emulator. */
export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
export const VTEP_SCHEMA = '/usr/share/openvswitch/vtep.ovsschema';
export const OVS_VTEP = '/usr/share/openvswitch/scripts/ovs-vtep';
/** ovs-vtep needs Debian's interpreter (it has the `ovs` module). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** The environment OVS tools need for an OVS directory. */
export function ovsEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
}

/** `ovs-vsctl` against the OVSDB of an OVS directory (from any namespace: the socket is a file). */
export function vsctl(dir: string, ...args: string[]): Promise<string> {
  return run('ovs-vsctl', [`--db=unix:${ovsdbSocket(dir)}`, '--timeout=15', ...args], { env: ovsEnv(dir) });
}

/** `vtep-ctl` against the `hardware_vtep` database of an OVS directory. */
export function vtepctl(dir: string, ...args: string[]): Promise<string> {
  return run('vtep-ctl', [`--db=unix:${ovsdbSocket(dir)}`, '--timeout=15', ...args], { env: ovsEnv(dir) });
}

/** What to start. */
export interface LabProcessSpec {
  /** Unique id in the state file. */
  readonly id: string;
  /** A readable name (`ovsdb-server of node-1`). */
  readonly name: string;
  /** The program; its base name must appear in the process's command line (checked before it is killed). */
  readonly program: string;
  readonly args: readonly string[];
  /** The network namespace to run it in. */
  readonly ns: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly pidfile?: string;
  /** Where stdout and stderr go (appended). */
  readonly log: string;
  /**
   * Enter only the network namespace (`nsenter --net`) and keep the host's mount namespace. `ip netns exec` gives
   * the process a mount namespace of its own, so namespaces the process creates with `ip netns add` (the
   * linux-router adapter's VRFs, made by the controller in the lab daemon) would be mounted only there: invisible
   * to `ip netns` outside it. Default: `ip netns exec`.
   */
  readonly hostMounts?: boolean;
}

/**
 * Starts a detached process inside a namespace (`ip netns exec`, or `nsenter --net` with `hostMounts`; both exec
 * the program, so the PID is the program's), recorded in the state before it starts. Returns the PID.
 */
export function startLabProcess(state: LabState, spec: LabProcessSpec): number {
  state.record({ kind: 'process', id: spec.id, name: spec.name, program: spec.program, ns: spec.ns, ...(spec.pidfile !== undefined ? { pidfile: spec.pidfile } : {}) });
  const out = fs.openSync(spec.log, 'a', 0o600);
  try {
    // Both exec the program: the PID is the program's.
    const [cmd, ...prefix] = spec.hostMounts === true ? ['nsenter', `--net=/var/run/netns/${spec.ns}`, '--'] : ['ip', 'netns', 'exec', spec.ns];
    const child = spawn(cmd!, [...prefix, spec.program, ...spec.args], { env: spec.env ?? process.env, detached: true, stdio: ['ignore', out, out] });
    child.unref();
    if (child.pid === undefined) throw new DeviceConnectionError(`lab: ${spec.name} did not start`);
    state.setPid(spec.id, child.pid);
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}

/** Options of {@link startOvs}. */
export interface StartOvsOptions {
  /** Id prefix in the state file (`node-1`). */
  readonly id: string;
  readonly ns: string;
  readonly dir: string;
  /** Also serve the `hardware_vtep` database (the leaf). */
  readonly vtep?: boolean;
}

/**
 * Creates the databases and starts ovsdb-server and ovs-vswitchd in `ns`, waiting until ovs-vswitchd has read the
 * database. The directory must be recorded by the caller.
 */
export async function startOvs(state: LabState, o: StartOvsOptions): Promise<void> {
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const env = ovsEnv(o.dir);
  const dbs = [path.join(o.dir, 'conf.db')];
  // A directory kept by `down --keep` may still hold the databases of the last run.
  for (const f of ['conf.db', 'vtep.db']) fs.rmSync(path.join(o.dir, f), { force: true });
  await run('ovsdb-tool', ['create', dbs[0]!, VSWITCH_SCHEMA], { env });
  if (o.vtep === true) {
    dbs.push(path.join(o.dir, 'vtep.db'));
    await run('ovsdb-tool', ['create', dbs[1]!, VTEP_SCHEMA], { env });
  }
  const sock = ovsdbSocket(o.dir);
  startLabProcess(state, {
    id: `${o.id}:ovsdb-server`,
    name: `ovsdb-server of ${o.id}`,
    program: 'ovsdb-server',
    args: [...dbs, `--remote=punix:${sock}`, `--pidfile=${path.join(o.dir, 'ovsdb.pid')}`, `--unixctl=${path.join(o.dir, 'ovsdb.ctl')}`, `--log-file=${path.join(o.dir, 'ovsdb.log')}`, '-vconsole:off'],
    ns: o.ns,
    env,
    pidfile: path.join(o.dir, 'ovsdb.pid'),
    log: path.join(o.dir, 'ovsdb.out'),
  });
  await waitUntil(`ovsdb-server of ${o.id} to listen on ${sock}`, async () => fs.existsSync(sock), 15_000, 50);
  await vsctl(o.dir, '--no-wait', 'init');
  startLabProcess(state, {
    id: `${o.id}:ovs-vswitchd`,
    name: `ovs-vswitchd of ${o.id}`,
    program: 'ovs-vswitchd',
    args: [`unix:${sock}`, `--pidfile=${path.join(o.dir, 'vswitchd.pid')}`, `--unixctl=${path.join(o.dir, 'vswitchd.ctl')}`, `--log-file=${path.join(o.dir, 'vswitchd.log')}`, '-vconsole:off'],
    ns: o.ns,
    env,
    pidfile: path.join(o.dir, 'vswitchd.pid'),
    log: path.join(o.dir, 'vswitchd.out'),
  });
  // Without --no-wait, ovs-vsctl returns once ovs-vswitchd has applied the change: it is up.
  await vsctl(o.dir, 'set', 'Open_vSwitch', '.', `external_ids:hostname=${o.id}`, 'external_ids:netloom-lab=1');
}
