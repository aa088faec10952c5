import { strict as assert } from 'node:assert';
import { compileIntent, MemoryStore, project, securityGroupRuleName, type DesiredConfigs, type DesiredState } from '@netloom/engine';
import { createSecurityGroup, type SecurityGroup } from '@netloom/domain';
import { decodeOrThrow, VSwitchConfigCodec, type KubeSecurityGroup, type VSwitchConfigInput } from '@netloom/ports';
import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
import { plugin as securityGroups } from '@netloom/plugin-security-groups';
import { cluster, ns, pod, settings } from './intent.fixtures';

const sg = (namespace: string, name: string, spec: KubeSecurityGroup['spec']): KubeSecurityGroup => ({ kind: 'SecurityGroup', metadata: { name, namespace, uid: `sg-${namespace}-${name}`, resourceVersion: '1' }, spec });
const inGroups = (groups: string) => ({ annotations: { 'netloom.io/security-groups': groups } });

/**
 * shop: `web` (https from 10.0.0.0/8) used by a (worker-1) and a2 (worker-2); `db` (postgres from the members of web)
 * used by b (worker-2); `unused` used by nobody; c (worker-3) in no group. pay: x (worker-1) in no group.
 */
const scenario = () => ({
  ...cluster({
    namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay')],
    pods: [
      pod('shop', 'a', 'worker-1', inGroups('web')),
      pod('shop', 'a2', 'worker-2', inGroups('web')),
      pod('shop', 'b', 'worker-2', inGroups('db')),
      pod('shop', 'c', 'worker-3'),
      pod('pay', 'x', 'worker-1'),
    ],
  }),
  securityGroups: [
    sg('shop', 'web', { rules: [{ name: 'https', direction: 'ingress', protocol: 'tcp', ports: [443], remote: { cidr: '10.0.0.0/8' } }] }),
    sg('shop', 'db', { rules: [{ name: 'pg', direction: 'ingress', protocol: 'tcp', ports: [5432], remote: { group: 'web' } }] }),
    sg('shop', 'unused', { rules: [{ name: 'all', direction: 'egress', protocol: 'any' }] }),
  ],
});

const vswitch = (configs: DesiredConfigs, device: string): VSwitchConfigInput => {
  const d = configs.devices.get(device);
  assert.ok(d, `no config for ${device}`);
  // Every projected config is valid in the port's vocabulary.
  decodeOrThrow(VSwitchConfigCodec, d.config, device);
  return d.config as unknown as VSwitchConfigInput;
};

describe('project: security groups on the vswitches', () => {
  let desired: DesiredState;
  let configs: DesiredConfigs;
  before(async () => {
    desired = await compileIntent({ plugins: [kubernetes, securityGroups], cluster: scenario(), settings: settings(), store: new MemoryStore() });
    assert.deepEqual(desired.problems, []);
    configs = project({ desired, settings: settings() });
  });
  const group = (name: string): SecurityGroup => {
    const g = desired.network.securityGroups?.find((x) => x.name === name);
    assert.ok(g, `no group ${name}`);
    return g;
  };
  const ipOf = (id: string): string => desired.network.endpoints?.find((e) => e.id === id)?.ips[0] as string;

  it('the engine puts every compiled group into the validated network, and the endpoints list theirs', () => {
    assert.deepEqual(desired.network.securityGroups?.map((g) => `${g.name} ${g.vpc} ${g.rules.length}`), ['shop.db shop 1', 'shop.unused shop 2', 'shop.web shop 1']);
    assert.deepEqual(
      desired.network.endpoints?.map((e) => `${e.id} ${e.securityGroups.join(',')}`),
      ['pay.x ', 'shop.a shop.web', 'shop.a2 shop.web', 'shop.b shop.db', 'shop.c '],
    );
  });

  it('a vswitch gets exactly the rules of the groups its endpoints use', () => {
    const web = group('shop.web');
    const https = web.rules[0];
    assert.ok(https);
    const name = securityGroupRuleName(https);
    assert.match(name, /^in-tcp-[0-9a-f]{8}$/);
    assert.deepEqual(vswitch(configs, 'vs-worker-1').securityGroupRule, {
      [`shop.web:${name}`]: { key: `shop.web:${name}`, name, group: 'shop.web', direction: 'ingress', protocol: 'tcp', ports: [{ from: 443, to: 443 }], remote: { cidr: '10.0.0.0/8' } },
    });
    const ports = vswitch(configs, 'vs-worker-1').endpointPort;
    assert.deepEqual(Object.values(ports).map((p) => `${p.endpointId} ${(p.securityGroups ?? []).join(',')}`).sort(), ['pay/pay.x ', 'shop/shop.a shop.web']);
  });

  it('a remote group is a { group } rule for the members on the node, and a /32 rule per member address on other nodes', () => {
    const pg = group('shop.db').rules[0];
    assert.ok(pg);
    const name = securityGroupRuleName(pg);
    const a = ipOf('shop.a');
    const rules = vswitch(configs, 'vs-worker-2').securityGroupRule;
    const base = { group: 'shop.db', direction: 'ingress', protocol: 'tcp', ports: [{ from: 5432, to: 5432 }] };
    const remoteKeys = Object.keys(rules).filter((k) => k.startsWith('shop.db:'));
    assert.equal(remoteKeys.length, 2, `rules: ${remoteKeys.join(', ')}`);
    assert.deepEqual(rules[`shop.db:${name}`], { key: `shop.db:${name}`, name, ...base, remote: { group: 'shop.web' } });
    const member = Object.values(rules).find((r) => r.group === 'shop.db' && r.name !== name);
    assert.ok(member);
    assert.match(member.name, new RegExp(`^${name}\\.[0-9a-f]{8}$`));
    // a2 is on this node: the { group } rule covers it; only a (worker-1) is spelled out.
    assert.deepEqual(member, { key: `shop.db:${member.name}`, name: member.name, ...base, remote: { cidr: `${a}/32` } });
    // worker-2 also hosts a2 (group web): web's rule is there too, and nothing else.
    assert.deepEqual(Object.keys(rules).filter((k) => !k.startsWith('shop.db:')), [`shop.web:${securityGroupRuleName(group('shop.web').rules[0] as SecurityGroup['rules'][number])}`]);
  });

  it('a group no endpoint on the node uses is not sent there; nodes without grouped endpoints get no rules', () => {
    for (const device of ['vs-worker-3', 'vs-edge-1', 'vs-edge-2']) assert.deepEqual(vswitch(configs, device).securityGroupRule, {}, device);
    for (const d of configs.devices.values()) {
      if (d.port !== 'vswitch') continue;
      const rules = Object.values((d.config as unknown as VSwitchConfigInput).securityGroupRule);
      assert.ok(!rules.some((r) => r.group === 'shop.unused'), `${d.device} got the unused group`);
    }
  });

  it('rule names are stable and unique: they follow the rule, not its position', () => {
    const g = createSecurityGroup({
      name: 'g',
      vpc: 'v',
      rules: [
        { direction: 'ingress', match: { protocol: 'tcp', ports: [80] }, remote: { cidr: '0.0.0.0/0' } },
        { direction: 'ingress', match: { protocol: 'tcp', ports: [80] }, remote: { cidr: '::/0' } },
        { direction: 'egress', match: { protocol: 'tcp', ports: [80] }, remote: { cidr: '0.0.0.0/0' } },
        { direction: 'ingress', match: { protocol: 'tcp', ports: [81] }, remote: { cidr: '0.0.0.0/0' } },
      ],
    });
    const names = g.rules.map(securityGroupRuleName);
    assert.equal(new Set(names).size, 4);
    const reordered = createSecurityGroup({ name: 'g', vpc: 'v', rules: [...g.rules].reverse() });
    assert.deepEqual(reordered.rules.map(securityGroupRuleName), [...names].reverse());
    assert.match(names[2] ?? '', /^out-tcp-/);
  });

  it('removing a pod’s annotation removes the rules from its node', async () => {
    const s = scenario();
    const without = { ...s, pods: s.pods.map((p) => (p.metadata.name === 'a' ? pod('shop', 'a', 'worker-1') : p)) };
    const d2 = await compileIntent({ plugins: [kubernetes, securityGroups], cluster: without, settings: settings(), store: new MemoryStore() });
    const c2 = project({ desired: d2, settings: settings() });
    assert.deepEqual(vswitch(c2, 'vs-worker-1').securityGroupRule, {});
    assert.ok(Object.values(vswitch(c2, 'vs-worker-1').endpointPort).every((p) => p.securityGroups === undefined));
    // a left group web: worker-2's db rule no longer spells out a's address.
    assert.deepEqual(Object.values(vswitch(c2, 'vs-worker-2').securityGroupRule).filter((r) => r.group === 'shop.db').map((r) => r.remote), [{ group: 'shop.web' }]);
  });
});
