// End to end: a virtual server applied through the adapter forwards real TCP connections (on 127.0.0.1) to its
// members, small servers that answer with their own name; draining a member through the adapter stops new
// connections to it while its open connection runs on.
import { strict as assert } from 'node:assert';
import { createConnection, type Socket } from 'node:net';
import type { F5BigipSession } from '@netloom/adapter-f5-bigip';
import type { LoadBalancerConfig, LoadBalancerConfigInput } from '@netloom/ports';
import { Fixture, freePort, startPod } from './support';

/** Connects to the VIP and reads the greeting line; `''` when the connection is closed without one. */
function greet(port: number, keep = false): Promise<{ name: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (!keep) socket.destroy();
      resolve({ name: data.split('\n')[0] ?? '', socket });
    };
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\n')) finish();
    });
    socket.on('close', finish);
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? finish() : reject(e)));
  });
}

async function applyAndConfirm(s: F5BigipSession, desired: LoadBalancerConfigInput): Promise<void> {
  const tx = await s.apply({ changeSet: await s.plan({ desired: desired as unknown as LoadBalancerConfig }) });
  await s.confirm({ transaction: tx });
}

describe('F5 BIG-IP adapter: traffic end to end', function () {
  this.timeout(30000);
  const fx = new Fixture();
  afterEach(() => fx.cleanup());

  it('a VIP on 127.0.0.1 answers from both members; after draining one, new connections reach only the other', async () => {
    const sim = await fx.simulator();
    const podA = await startPod('pod-a');
    const podB = await startPod('pod-b');
    fx.defer(podA.close);
    fx.defer(podB.close);
    const vip = await freePort();
    const member = (pod: { port: number }, state: 'enabled' | 'draining') => ({
      key: `shop/web/127.0.0.1:${pod.port}`,
      partition: 'shop',
      pool: 'web',
      address: '127.0.0.1',
      port: pod.port,
      state,
    });
    const desired = (stateA: 'enabled' | 'draining'): LoadBalancerConfigInput => ({
      partition: { shop: { key: 'shop', name: 'shop', vpc: 'shop' } },
      monitor: {},
      pool: { 'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin' } },
      member: { [`shop/web/127.0.0.1:${podA.port}`]: member(podA, stateA), [`shop/web/127.0.0.1:${podB.port}`]: member(podB, 'enabled') },
      virtualServer: { 'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', vip: '127.0.0.1', port: vip, protocol: 'tcp', pool: 'web' } },
    });
    const s = await fx.session(sim);
    await applyAndConfirm(s, desired('enabled'));

    const first: string[] = [];
    for (let i = 0; i < 6; i++) first.push((await greet(vip)).name);
    assert.deepEqual([...new Set(first)].sort(), ['pod-a', 'pod-b'], `answers: ${first.join(', ')}`);

    // Hold one connection to pod-a open across the drain.
    let held: { name: string; socket: Socket } | undefined;
    for (let i = 0; i < 4 && held === undefined; i++) {
      const c = await greet(vip, true);
      if (c.name === 'pod-a') held = c;
      else c.socket.destroy();
    }
    assert.ok(held !== undefined, 'round robin reached pod-a');
    fx.defer(() => {
      held!.socket.destroy();
    });

    await applyAndConfirm(s, desired('draining'));
    assert.equal((await s.observe()).config.member[`shop/web/127.0.0.1:${podA.port}`]?.state, 'draining');
    const after: string[] = [];
    for (let i = 0; i < 6; i++) after.push((await greet(vip)).name);
    assert.deepEqual(after, ['pod-b', 'pod-b', 'pod-b', 'pod-b', 'pod-b', 'pod-b'], 'a draining member gets no new connections');

    const echo = await new Promise<string>((resolve) => {
      held!.socket.once('data', (d) => resolve(d.toString()));
      held!.socket.write('still there\n');
    });
    assert.equal(echo, 'pod-a:still there\n', 'the connection opened before the drain runs on');
  });
});
