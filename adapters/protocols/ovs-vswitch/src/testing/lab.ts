// Lab helpers for live tests of OVS-compatible vswitch adapters: pods as network namespaces (LAB.md "A pod is a
// network namespace"), TCP servers and clients in them, and clean-up by name and by the PIDs we started.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a command; resolves with stdout, rejects on a non-zero exit. */
export async function sh(cmd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args, { timeout: 20_000 });
  return stdout.trim();
}

/** Runs a command and reports its exit code instead of throwing. */
export async function exitCode(cmd: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 20_000 });
    return { code: 0, stdout: stdout.trim() };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: unknown };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: typeof err.stdout === 'string' ? err.stdout.trim() : '' };
  }
}

/** A pod: a network namespace with one veth end inside (`eth0`) and the other in the host namespace (`hostIf`). */
export interface Pod {
  readonly ns: string;
  readonly hostIf: string;
  readonly ip: string;
  readonly mac: string;
}

// NOTE: a veth hands TCP/UDP packets to the userspace datapath with the checksum left to "offload"; OVS forwards
// them as they are and the receiving pod drops them. Turning TX checksumming off in the pod makes the kernel
// compute it (ethtool -K eth0 tx off; ethtool is not installed here, so the ioctl it would make, from python3).
const TX_CSUM_OFF = `
import ctypes, fcntl, socket, struct, sys
value = ctypes.create_string_buffer(struct.pack('II', 0x17, 0))  # ETHTOOL_STXCSUM, off
ifreq = struct.pack('16sP16x', sys.argv[1].encode(), ctypes.addressof(value))
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(sock.fileno(), 0x8946, ifreq)  # SIOCETHTOOL
`;

/** Creates a pod. Names must be unique per run; interface names at most 15 characters. */
export async function createPod(pod: Pod): Promise<void> {
  await sh('ip', 'netns', 'add', pod.ns);
  await sh('ip', 'link', 'add', pod.hostIf, 'type', 'veth', 'peer', 'name', `${pod.hostIf}p`);
  await sh('ip', 'link', 'set', `${pod.hostIf}p`, 'netns', pod.ns);
  await sh('ip', 'netns', 'exec', pod.ns, 'ip', 'link', 'set', `${pod.hostIf}p`, 'name', 'eth0');
  await sh('ip', 'netns', 'exec', pod.ns, 'ip', 'link', 'set', 'eth0', 'address', pod.mac);
  await sh('ip', 'netns', 'exec', pod.ns, 'ip', 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0');
  await sh('ip', 'netns', 'exec', pod.ns, '/usr/bin/python3', '-c', TX_CSUM_OFF, 'eth0');
  await sh('ip', 'netns', 'exec', pod.ns, 'ip', 'link', 'set', 'eth0', 'up');
  await sh('ip', 'netns', 'exec', pod.ns, 'ip', 'link', 'set', 'lo', 'up');
  await sh('ip', 'link', 'set', pod.hostIf, 'up');
}

/** Deletes a pod (its namespace, and the host end of the veth if it is still there). Never throws. */
export async function deletePod(pod: Pick<Pod, 'ns' | 'hostIf'>): Promise<void> {
  await exitCode('ip', 'netns', 'del', pod.ns);
  await exitCode('ip', 'link', 'del', pod.hostIf);
}

/** True when `from` gets at least one echo reply from `ip`. */
export async function canPing(from: Pod, ip: string): Promise<boolean> {
  const r = await exitCode('ip', 'netns', 'exec', from.ns, 'ping', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '1', ip);
  return r.code === 0;
}

const SERVER = `
const net = require('node:net');
const ports = JSON.parse(process.argv[1]);
let up = 0;
for (const port of ports) {
  net.createServer((s) => s.on('data', (d) => s.end('pong:' + port + ':' + d))).listen(port, '0.0.0.0', () => {
    if (++up === ports.length) console.log('ready');
  });
}
`;

/** Starts a TCP server in the pod answering `pong:<port>:<data>` on each port; resolves once it listens. */
export async function startServer(pod: Pod, ports: readonly number[]): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', pod.ns, process.execPath, '-e', SERVER, JSON.stringify(ports)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (String(d).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)}`));
    });
  });
  return child;
}

const CLIENT = `
const [host, port] = process.argv.slice(1);
const s = require('node:net').connect({ host, port: Number(port) });
s.setTimeout(3000);
s.on('connect', () => s.write('ping'));
s.on('data', (d) => { console.log(String(d)); process.exit(0); });
s.on('timeout', () => { console.log('no answer'); process.exit(2); });
s.on('error', (e) => { console.log('error ' + e.code); process.exit(3); });
`;

/** Connects from `from` to `ip:port`, sends `ping`; resolves with the answer, or undefined when none came. */
export async function tcpExchange(from: Pod, ip: string, port: number): Promise<string | undefined> {
  const r = await exitCode('ip', 'netns', 'exec', from.ns, process.execPath, '-e', CLIENT, ip, String(port));
  return r.code === 0 ? r.stdout : undefined;
}

/** Stops a process we started (by its PID) and waits for it to exit. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
}
