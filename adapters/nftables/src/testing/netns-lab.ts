/**
 * A packet lab of network namespaces for tests of a VFW on real nftables: namespaces routed through one that
 * forwards (the VFW, where the adapter writes its table), a TCP server to connect to, and probes (`pings`,
 * `connects`) from a namespace. Needs root, `ip` (iproute2) and `nft`; {@link skipUnlessNft} skips a suite where
 * they are missing. Everything is asynchronous (the package's sources do no synchronous I/O).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Why real nftables and network namespaces cannot be used here, or undefined when they can: not root, or `nft` or
 * `ip` missing from PATH.
 * @example if ((await nftUnavailableReason()) === undefined) await startVfwLab({ ... });
 */
export async function nftUnavailableReason(): Promise<string | undefined> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (network namespaces and nftables need root)';
  for (const [cmd, args] of [
    ['nft', ['--version']],
    ['ip', ['-V']],
  ] as const) {
    try {
      await run(cmd, [...args]);
    } catch {
      return `${cmd} is not installed or not on PATH`;
    }
  }
  return undefined;
}

/**
 * In a mocha `before` (awaited): skips the suite with a printed reason when nftables is unavailable, or fails it
 * when the lab is required (`NETLOOM_LAB_REQUIRED=1`), like `skipUnlessOvs` of `@netloom/ovsdb/testing`.
 * @example before(async function () { await skipUnlessNft(this); });
 */
export async function skipUnlessNft(ctx: { skip(): void }): Promise<void> {
  const reason = await nftUnavailableReason();
  if (reason === undefined) return;
  if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
  process.stdout.write(`      skipped: ${reason}\n`);
  ctx.skip();
}

/**
 * Runs `ip` with `args` (never through a shell); rejects with its stderr when it fails.
 * @example await ip('-n', 'vfw1', 'link', 'set', 'lo', 'up');
 */
export async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/**
 * Runs `cmd` inside network namespace `netns` and returns its standard output.
 * @example await inNetns('vfw1', 'sysctl', '-w', 'net.ipv4.ip_forward=1');
 */
export async function inNetns(netns: string, cmd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', netns, cmd, ...args]);
  return stdout;
}

/**
 * True if one ping from `netns` to `address` is answered within a second.
 * @example assert.ok(!(await pings('pod-a', '10.91.2.2')), 'ICMP must be dropped');
 */
export async function pings(netns: string, address: string): Promise<boolean> {
  try {
    await inNetns(netns, 'ping', '-c', '1', '-W', '1', address);
    return true;
  } catch {
    return false;
  }
}

// Runs in the client namespace (`node -e`): prints what the server greets with, or `failed`.
const CLIENT = `
const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.setTimeout(1500, () => { console.log('failed'); process.exit(1); });
s.on('data', (d) => { console.log(String(d)); process.exit(0); });
s.on('error', () => { console.log('failed'); process.exit(1); });
`;

/**
 * True if a TCP connection from `netns` to `address:port` is accepted and the greeting of the lab's server on that
 * port (`hello <port>`) comes back within 1.5 s: the request passed the VFW and so did the reply.
 * @example assert.ok(await connects('pod-a', '10.91.2.2', 8080), 'the policy opens 8080');
 */
export async function connects(netns: string, address: string, port: number): Promise<boolean> {
  try {
    return (await inNetns(netns, process.execPath, '-e', CLIENT, address, String(port))).includes(`hello ${port}`);
  } catch {
    return false;
  }
}

/** One namespace behind the VFW: a veth pair from it into the VFW namespace, with an address at each end. */
export interface VfwLabSide {
  /** The namespace (created by the lab). */
  readonly netns: string;
  /** Its end of the veth pair. */
  readonly dev: string;
  /** Its address with prefix; its default route goes via the VFW end's address. @example '10.91.1.2/24' */
  readonly address: string;
  /** The VFW's end of the pair (the interface a zone lists). */
  readonly vfwDev: string;
  /** The VFW end's address with prefix (the side's gateway). @example '10.91.1.1/24' */
  readonly vfwAddress: string;
}

/** Options of {@link startVfwLab}. */
export interface VfwLabOptions {
  /** The VFW's namespace (created by the lab, forwarding IPv4): point the adapter at it with `options.netns`. */
  readonly vfw: string;
  readonly sides: readonly VfwLabSide[];
  /** A TCP server in one side's namespace, greeting with `hello <port>` on each port (see {@link connects}). */
  readonly server?: { readonly netns: string; readonly ports: readonly number[] };
}

/** A running lab of {@link startVfwLab}. */
export interface VfwLab {
  /** Every namespace of the lab, the VFW's first. */
  readonly namespaces: readonly string[];
  /** Stops the server and deletes the namespaces (with them the veth pairs). Idempotent; never throws. */
  stop(): Promise<void>;
}

/**
 * Builds the lab: the namespaces, one veth pair per side created directly inside the namespaces (nothing appears in
 * the host namespace), addresses, default routes via the VFW, loopbacks up, IPv4 forwarding in the VFW, and the
 * server once it listens. What it built is removed again when a step fails. Use names that carry the pid, and call
 * `stop()` in `after`.
 * @example
 * const lab = await startVfwLab({
 *   vfw: `vfw-${process.pid}`,
 *   sides: [
 *     { netns: `a-${process.pid}`, dev: 'a0', address: '10.91.1.2/24', vfwDev: 'va', vfwAddress: '10.91.1.1/24' },
 *     { netns: `b-${process.pid}`, dev: 'b0', address: '10.91.2.2/24', vfwDev: 'vb', vfwAddress: '10.91.2.1/24' },
 *   ],
 *   server: { netns: `b-${process.pid}`, ports: [8080, 8081] },
 * });
 */
export async function startVfwLab(opts: VfwLabOptions): Promise<VfwLab> {
  const namespaces = [opts.vfw, ...opts.sides.map((s) => s.netns)];
  const created: string[] = [];
  let server: ChildProcess | undefined;
  let stopped = false;
  const lab: VfwLab = {
    namespaces,
    async stop() {
      if (stopped) return;
      stopped = true;
      server?.kill('SIGKILL');
      server = undefined;
      for (const ns of created) await ip('netns', 'del', ns).catch(() => undefined);
    },
  };
  try {
    for (const ns of namespaces) {
      await ip('netns', 'add', ns);
      created.push(ns);
    }
    for (const s of opts.sides) await ip('link', 'add', s.vfwDev, 'netns', opts.vfw, 'type', 'veth', 'peer', 'name', s.dev, 'netns', s.netns);
    for (const s of opts.sides) await addressUp(opts.vfw, s.vfwDev, s.vfwAddress);
    for (const s of opts.sides) await addressUp(s.netns, s.dev, s.address, s.vfwAddress.split('/')[0]);
    for (const ns of namespaces) await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await inNetns(opts.vfw, 'sysctl', '-w', 'net.ipv4.ip_forward=1');
    if (opts.server !== undefined) server = await startServer(opts.server.netns, opts.server.ports);
  } catch (e) {
    await lab.stop();
    throw e;
  }
  return lab;
}

async function addressUp(netns: string, dev: string, address: string, gateway?: string): Promise<void> {
  await ip('-n', netns, 'addr', 'add', address, 'dev', dev);
  await ip('-n', netns, 'link', 'set', dev, 'up');
  if (gateway !== undefined) await ip('-n', netns, 'route', 'add', 'default', 'via', gateway);
}

/**
 * Starts the lab's greeting server in `netns` (answers `hello <port>` on each port, see {@link connects}) and resolves
 * once every port listens. Kill the returned process (`kill('SIGKILL')`) when done; deleting the namespace does not.
 * @example const server = await startGreetingServer('pod-b', [8080, 8081]);
 */
export async function startGreetingServer(netns: string, ports: readonly number[]): Promise<ChildProcess> {
  return startServer(netns, ports);
}

/** Starts the greeting server in `netns` and resolves once every port listens. */
async function startServer(netns: string, ports: readonly number[]): Promise<ChildProcess> {
  const script = `
const net = require('net');
let up = 0;
for (const port of ${JSON.stringify(ports)}) {
  net.createServer((c) => c.end('hello ' + port)).listen(port, '0.0.0.0', () => { if (++up === ${ports.length}) console.log('ready'); });
}
`;
  const srv = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      srv.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('ready')) resolve();
      });
      srv.once('error', reject);
      srv.once('exit', (code) => reject(new Error(`the test server in ${netns} exited (${String(code)})`)));
    });
  } catch (e) {
    srv.kill('SIGKILL');
    throw e;
  }
  return srv;
}
