import { strict as assert } from 'node:assert';
import { createIntentTestContext, kubeVpcPeering, type IntentTestContext } from '@netloom/conformance';
import { createLogicalRouter, createVpc } from '@netloom/domain';
import { peeringVrbName, plugin } from '@netloom/plugin-vpc-peering';

/** A context whose network has VPCs a, b, c and the kube-system VPC `sys`, as the kubernetes plugin would leave it. */
function withVpcs(ctx: IntentTestContext): IntentTestContext {
  for (const [name, namespaces] of [['a', ['a']], ['b', ['b']], ['c', ['c']], ['sys', ['kube-system']]] as const) ctx.network.addVpc(createVpc({ name, namespaces: [...namespaces] }));
  return ctx;
}

/** Also each VPC's LR, as the kubernetes plugin adds them: a 50001, b 50002, c 50003 (sys has none). */
function withRouters(ctx: IntentTestContext): IntentTestContext {
  withVpcs(ctx);
  for (const [vpc, l3Vni] of [['a', 50_001], ['b', 50_002], ['c', 50_003]] as const) ctx.network.addLogicalRouter(createLogicalRouter({ name: `lr-${vpc}`, vpc, l3Vni }));
  return ctx;
}

/** The VRBs a context got, as `<name> <vpc> <direction>:<rt>...`, with the peering each leaks for. */
const vrbLines = (ctx: IntentTestContext): string[] =>
  ctx.built.vrbs.map(({ vrb, peering }) => `${vrb.name} ${vrb.vpc} ${vrb.routeTargets.map((r) => `${r.direction}:${r.value}`).join(' ')} (${peering ?? '-'})`).sort();

describe('plugin-vpc-peering', () => {
  it('is the IntentPlugin `vpc-peering`, after `kubernetes`', () => {
    assert.equal(plugin.id, 'vpc-peering');
    assert.deepEqual(plugin.after, ['kubernetes']);
  });

  it('adds a peering and one allow policy per match and direction', async () => {
    const ctx = withVpcs(createIntentTestContext({ cluster: { peerings: [kubeVpcPeering('a-b', ['a', 'b'], [{ protocol: 'tcp', ports: [8080] }])] } }));
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
    const ctx = withVpcs(createIntentTestContext());
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
      createIntentTestContext({
        cluster: {
          peerings: [
            kubeVpcPeering('a-b', ['a', 'b'], [{ protocol: 'any' }]),
            kubeVpcPeering('b-a', ['b', 'a'], [{ protocol: 'any' }]),
            kubeVpcPeering('a-x', ['a', 'x'], [{ protocol: 'any' }]),
            kubeVpcPeering('a-sys-bad', ['a', 'sys'], [{ protocol: 'tcp', ports: [70000] }]),
            kubeVpcPeering('b-c', ['b', 'c'], [{ protocol: 'any' }]),
          ],
        },
      }),
    );
    ctx.problems.failVpc('c');
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.peerings.map((p) => p.name), ['a-b']);
    assert.deepEqual(ctx.problemList.map((p) => [p.name, p.code]).sort(), [['a-sys-bad', 'INPUT.INVALID'], ['a-x', 'NOT_FOUND'], ['b-a', 'CONFLICT']]);
    assert.ok(!ctx.built.policies.some((p) => p.srcVpc === 'c' || p.dstVpc === 'c'), 'nothing towards or from the failed VPC');
  });

  describe('route leaking (VRBs)', () => {
    it('gives each VPC of a peering a VRB importing the route target the other VRF exports and exporting its own', async () => {
      const ctx = withRouters(createIntentTestContext({ cluster: { peerings: [kubeVpcPeering('a-b', ['a', 'b'], [{ protocol: 'tcp', ports: [8080] }])] } }));
      await plugin.compile(ctx);
      assert.deepEqual(vrbLines(ctx), ['peer-a-b_a a import:65000:50002 export:65000:50001 (a-b)', 'peer-a-b_b b import:65000:50001 export:65000:50002 (a-b)']);
      assert.equal(peeringVrbName('a-b', 'a'), 'peer-a-b_a');
      assert.deepEqual(ctx.problemList, []);
    });

    it('derives the route targets from the settings\' routeTargetAsn', async () => {
      const ctx = withRouters(createIntentTestContext({ cluster: { peerings: [kubeVpcPeering('a-c', ['a', 'c'], [{ protocol: 'any' }])] }, settings: { routeTargetAsn: 64_512 } }));
      await plugin.compile(ctx);
      assert.deepEqual(vrbLines(ctx), ['peer-a-c_a a import:64512:50003 export:64512:50001 (a-c)', 'peer-a-c_c c import:64512:50001 export:64512:50003 (a-c)']);
    });

    it('deleting the peering removes its VRBs (the next pass adds none); other peerings keep theirs', async () => {
      const both = withRouters(createIntentTestContext({ cluster: { peerings: [kubeVpcPeering('a-b', ['a', 'b'], [{ protocol: 'any' }]), kubeVpcPeering('b-c', ['b', 'c'], [{ protocol: 'any' }])] } }));
      await plugin.compile(both);
      assert.equal(both.built.vrbs.length, 4);
      const after = withRouters(createIntentTestContext({ cluster: { peerings: [kubeVpcPeering('b-c', ['b', 'c'], [{ protocol: 'any' }])] } }));
      await plugin.compile(after);
      assert.deepEqual(vrbLines(after), ['peer-b-c_b b import:65000:50003 export:65000:50002 (b-c)', 'peer-b-c_c c import:65000:50002 export:65000:50003 (b-c)']);
      const none = withRouters(createIntentTestContext());
      await plugin.compile(none);
      assert.deepEqual(none.built.vrbs, []);
    });

    it('adds no VRB for a peering that is refused, nor for a VPC without an LR (no L3 VNI to import)', async () => {
      const ctx = withRouters(
        createIntentTestContext({
          cluster: {
            peerings: [kubeVpcPeering('a-b', ['a', 'b'], [{ protocol: 'any' }]), kubeVpcPeering('b-a', ['b', 'a'], [{ protocol: 'any' }]), kubeVpcPeering('a-x', ['a', 'x'], [{ protocol: 'any' }]), kubeVpcPeering('a-sys', ['a', 'sys'], [{ protocol: 'any' }])],
          },
        }),
      );
      await plugin.compile(ctx);
      assert.deepEqual(ctx.built.peerings.map((p) => p.name), ['a-b', 'a-sys']);
      assert.deepEqual(ctx.built.vrbs.map((v) => v.vrb.name).sort(), ['peer-a-b_a', 'peer-a-b_b'], 'a-sys: sys has no LR; b-a and a-x are refused');
    });
  });
});
