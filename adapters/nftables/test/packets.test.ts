// WITH REAL PACKETS: three namespaces routed through a fourth that runs the VFW (nftables driven by this adapter).
//
//   a  (10.91.1.2/24) ─┐
//   a2 (10.91.3.2/24) ─┼─ vfw (ip_forward=1; va, vc in zone vpc-a; vb in zone vpc-b)
//   b  (10.91.2.2/24) ─┘
//
// Proves the port's semantics on the wire: default deny between zones, intra-zone allowed, a policy opening one TCP
// port (and only that one; replies pass because the firewall is stateful), removing it closes the port again, and a
// deny policy within a zone overrides the intra-zone allow. Names carry the pid; everything is torn down in `after`.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { FirewallConfigCodec, decodeOrThrow, silentLogger, type FirewallConfig, type FirewallConfigInput } from '@netloom/ports';
import { NftablesDriver, type NftablesSession } from '@netloom/adapter-nftables';
import { skipUnlessNft } from './lab';

const pid = process.pid;
const NS = { a: `nlpa-${pid}`, a2: `nlpc-${pid}`, b: `nlpb-${pid}`, vfw: `nlpv-${pid}` };
const B_ADDR = '10.91.2.2';
const A2_ADDR = '10.91.3.2';

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'pipe' });
};
const inNs = (ns: string, cmd: string, ...args: string[]): void => {
  execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'pipe' });
};

/** True if `ping` from `ns` to `addr` gets an answer. */
function pings(ns: string, addr: string): boolean {
  try {
    inNs(ns, 'ping', '-c', '1', '-W', '1', addr);
    return true;
  } catch {
    return false;
  }
}

const CLIENT = `
const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.setTimeout(1500, () => { console.log('failed'); process.exit(1); });
s.on('data', (d) => { console.log(String(d)); process.exit(0); });
s.on('error', () => { console.log('failed'); process.exit(1); });
`;

/** True if a TCP connection from `ns` to `addr:port` is accepted and the server's greeting arrives. */
function connects(ns: string, addr: string, port: number): boolean {
  try {
    return execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, addr, String(port)], { encoding: 'utf8' }).includes('hello');
  } catch {
    return false;
  }
}

const SERVER = `
const net = require('net');
let up = 0;
for (const port of [8080, 8081]) {
  net.createServer((c) => c.end('hello ' + port)).listen(port, '0.0.0.0', () => { if (++up === 2) console.log('ready'); });
}
`;

function link(ns: string, dev: string, addr: string, gw?: string): void {
  ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
  ip('-n', ns, 'link', 'set', dev, 'up');
  if (gw !== undefined) ip('-n', ns, 'route', 'add', 'default', 'via', gw);
}

const zones = (): FirewallConfigInput['zone'] => ({
  'vpc-a': { key: 'vpc-a', name: 'vpc-a', vpc: 'a', interfaces: ['va', 'vc'], cidrs: ['10.91.1.0/24', '10.91.3.0/24'] },
  'vpc-b': { key: 'vpc-b', name: 'vpc-b', vpc: 'b', interfaces: ['vb'], cidrs: ['10.91.2.0/24'] },
});
const config = (policy: FirewallConfigInput['policy'] = {}): FirewallConfig => decodeOrThrow(FirewallConfigCodec, { zone: zones(), addressSet: {}, policy }, 'packet test config');
const allow8080: FirewallConfigInput['policy'] = {
  'a-to-b-8080': { key: 'a-to-b-8080', name: 'a-to-b-8080', priority: 100, srcZone: 'vpc-a', dstZone: 'vpc-b', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], action: 'allow' },
};

describe('nftables VFW with real packets between namespaces', function () {
  this.timeout(60_000);
  let server: ChildProcess | undefined;
  let session: NftablesSession | undefined;
  let created = false;

  const teardown = async (): Promise<void> => {
    server?.kill('SIGKILL');
    server = undefined;
    await session?.close().catch(() => undefined);
    session = undefined;
    for (const ns of Object.values(NS)) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not there
      }
    }
  };

  before(async function () {
    skipUnlessNft(this);
    created = true;
    for (const ns of Object.values(NS)) ip('netns', 'add', ns);
    // veth pairs are created directly inside the namespaces: nothing ever appears in the host namespace.
    ip('link', 'add', 'va', 'netns', NS.vfw, 'type', 'veth', 'peer', 'name', 'a0', 'netns', NS.a);
    ip('link', 'add', 'vc', 'netns', NS.vfw, 'type', 'veth', 'peer', 'name', 'c0', 'netns', NS.a2);
    ip('link', 'add', 'vb', 'netns', NS.vfw, 'type', 'veth', 'peer', 'name', 'b0', 'netns', NS.b);
    link(NS.vfw, 'va', '10.91.1.1/24');
    link(NS.vfw, 'vc', '10.91.3.1/24');
    link(NS.vfw, 'vb', '10.91.2.1/24');
    link(NS.a, 'a0', '10.91.1.2/24', '10.91.1.1');
    link(NS.a2, 'c0', '10.91.3.2/24', '10.91.3.1');
    link(NS.b, 'b0', '10.91.2.2/24', '10.91.2.1');
    for (const ns of Object.values(NS)) ip('-n', ns, 'link', 'set', 'lo', 'up');
    inNs(NS.vfw, 'sysctl', '-w', 'net.ipv4.ip_forward=1');
    const srv = spawn('ip', ['netns', 'exec', NS.b, process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('ready')) resolve();
      });
      srv.once('exit', (code) => reject(new Error(`the test server in ${NS.b} exited (${String(code)})`)));
    });
    const driver = new NftablesDriver({ target: { name: 'vfw-packets' }, options: { mode: 'local', netns: NS.vfw }, logger: silentLogger });
    session = await driver.connect();
  });

  after(async () => {
    if (created) await teardown();
  });

  const apply = async (desired: FirewallConfig): Promise<void> => {
    const s = session!;
    const tx = await s.apply({ changeSet: await s.plan({ desired }) });
    await s.confirm({ transaction: tx });
    assert.deepEqual((await s.observe()).config, desired);
  };

  it('without a firewall config, the topology forwards (control)', () => {
    assert.ok(pings(NS.a, B_ADDR), 'a → b should ping before netloom configures the VFW');
    assert.ok(connects(NS.a, B_ADDR, 8081), 'a → b:8081 should connect before netloom configures the VFW');
  });

  it('default deny between zones; traffic within a zone is allowed', async () => {
    await apply(config());
    assert.ok(!pings(NS.a, B_ADDR), 'a → b (vpc-a → vpc-b) must be dropped');
    assert.ok(!connects(NS.a, B_ADDR, 8080), 'a → b:8080 must be dropped without a policy');
    assert.ok(pings(NS.a, A2_ADDR), 'a → a2 (both vpc-a) must pass');
    assert.ok(connects(NS.b, B_ADDR, 8080), 'b → b itself does not cross the VFW');
  });

  it('a policy allowing tcp 8080 from vpc-a to vpc-b opens exactly that port (replies pass: stateful)', async () => {
    await apply(config(allow8080));
    assert.ok(connects(NS.a, B_ADDR, 8080), 'a → b:8080 must connect (and the reply must come back)');
    assert.ok(!connects(NS.a, B_ADDR, 8081), 'a → b:8081 must stay closed');
    assert.ok(!pings(NS.a, B_ADDR), 'a → b ping must stay dropped');
  });

  it('removing the policy closes 8080 again', async () => {
    await apply(config());
    assert.ok(!connects(NS.a, B_ADDR, 8080), 'a → b:8080 must be dropped again');
    assert.ok(pings(NS.a, A2_ADDR), 'intra-zone traffic still passes');
  });

  it('a deny policy within a zone overrides the intra-zone allow; rollback lifts it', async () => {
    const s = session!;
    const deny: FirewallConfigInput['policy'] = {
      'a-no-icmp': { key: 'a-no-icmp', name: 'a-no-icmp', priority: 10, srcZone: 'vpc-a', dstZone: 'vpc-a', protocol: 'icmp', action: 'deny' },
    };
    const tx = await s.apply({ changeSet: await s.plan({ desired: config(deny) }) });
    assert.ok(!pings(NS.a, A2_ADDR), 'a → a2 ping must be denied by the policy');
    await s.rollback({ transaction: tx });
    assert.ok(pings(NS.a, A2_ADDR), 'after rollback a → a2 pings again');
  });

  it('leaves nothing behind: namespaces gone, no interface of the test in the host namespace', async () => {
    await teardown();
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of Object.values(NS)) assert.ok(!namespaces.includes(ns), `${ns} still exists`);
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    for (const dev of ['va', 'vb', 'vc', 'a0', 'b0', 'c0']) assert.ok(!new RegExp(`^\\d+: ${dev}[@:]`, 'm').test(links), `${dev} is in the host namespace`);
  });
});
