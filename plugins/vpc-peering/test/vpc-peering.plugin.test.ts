import { strict as assert } from 'node:assert';
import { createVpc } from '@netloom/domain';
import { plugin } from '@netloom/plugin-vpc-peering';
import { cluster, fakeContext, peeringCr, type FakeContext } from './fake-context';

/** A context whose network has VPCs a, b, c and the kube-system VPC `sys`, as the kubernetes plugin would leave it. */
function withVpcs(ctx: FakeContext): FakeContext {
  for (const [name, namespaces] of [['a', ['a']], ['b', ['b']], ['c', ['c']], ['sys', ['kube-system']]] as const) ctx.network.addVpc(createVpc({ name, namespaces: [...namespaces] }));
  return ctx;
}

describe('plugin-vpc-peering', () => {
  it('is the IntentPlugin `vpc-peering`, after `kubernetes`', () => {
    assert.equal(plugin.id, 'vpc-peering');
    assert.deepEqual(plugin.after, ['kubernetes']);
  });

  it('adds a peering and one allow policy per match and direction', async () => {
    const ctx = withVpcs(fakeContext(cluster({ peerings: [peeringCr('a-b', ['a', 'b'], [{ protocol: 'tcp', ports: [8080] }])] })));
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.peerings.map((p) => [p.name, p.vpcs]), [['a-b', ['a', 'b']]]);
    const peer = ctx.built.policies.filter((p) => p.source.kind === 'peering');
    assert.deepEqual(peer.map((p) => [p.key, p.srcVpc, p.dstVpc, p.match.protocol, p.match.ports]), [
      ['peer-a-b-0-a-to-b', 'a', 'b', 'tcp', [{ from: 8080, to: 8080 }]],
      ['peer-a-b-0-b-to-a', 'b', 'a', 'tcp', [{ from: 8080, to: 8080 }]],
    ]);
    assert.deepEqual(ctx.problemList, []);
  });

  it('opens DNS (UDP and TCP 53) from every other VPC towards the VPC of kube-system, and nothing else without peerings', async () => {
    const ctx = withVpcs(fakeContext(cluster()));
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.policies.map((p) => [p.key, p.dstVpc]), [
      ['dns-a-udp', 'sys'],
      ['dns-a-tcp', 'sys'],
      ['dns-b-udp', 'sys'],
      ['dns-b-tcp', 'sys'],
      ['dns-c-udp', 'sys'],
      ['dns-c-tcp', 'sys'],
    ]);
    assert.ok(ctx.built.policies.every((p) => p.source.kind === 'dns' && JSON.stringify(p.match.ports) === '[{"from":53,"to":53}]'));
  });

  it('reports a peering of an unknown VPC, a bad match and a second peering of the same pair; skips one of a failed VPC', async () => {
    const ctx = withVpcs(
      fakeContext(
        cluster({
          peerings: [
            peeringCr('a-b', ['a', 'b'], [{ protocol: 'any' }]),
            peeringCr('b-a', ['b', 'a'], [{ protocol: 'any' }]),
            peeringCr('a-x', ['a', 'x'], [{ protocol: 'any' }]),
            peeringCr('a-sys-bad', ['a', 'sys'], [{ protocol: 'tcp', ports: [70000] }]),
            peeringCr('b-c', ['b', 'c'], [{ protocol: 'any' }]),
          ],
        }),
      ),
    );
    ctx.problems.failVpc('c');
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.peerings.map((p) => p.name), ['a-b']);
    assert.deepEqual(ctx.problemList.map((p) => [p.name, p.code]).sort(), [['a-sys-bad', 'INPUT.INVALID'], ['a-x', 'NOT_FOUND'], ['b-a', 'CONFLICT']]);
    assert.ok(!ctx.built.policies.some((p) => p.srcVpc === 'c' || p.dstVpc === 'c'), 'nothing towards or from the failed VPC');
  });
});
