import { strict as assert } from 'node:assert';
import { createIntentTestContext, kubePod, kubeSecurityGroup, type IntentTestContext } from '@netloom/conformance';
import { createEndpoint, createVpc, type SecurityGroup } from '@netloom/domain';
import type { ClusterSnapshot, KubeSecurityGroup } from '@netloom/ports';
import { ANNOTATION_SECURITY_GROUPS, parseSecurityGroupsAnnotation, plugin, securityGroupName } from '@netloom/plugin-security-groups';

/**
 * A context as the kubernetes plugin would leave it: VPC `shop` (namespaces shop, shop-api), VPC `pay` (pay), an
 * endpoint per pod given (`<namespace>/<name>`), in its namespace's VPC.
 */
function context(cluster: Partial<ClusterSnapshot>, pods: readonly string[] = []): IntentTestContext {
  const ctx = createIntentTestContext({ cluster });
  ctx.network.addVpc(createVpc({ name: 'shop', namespaces: ['shop', 'shop-api'] }));
  ctx.network.addVpc(createVpc({ name: 'pay', namespaces: ['pay'] }));
  pods.forEach((key, i) => {
    const [namespace = '', name = ''] = key.split('/');
    const vpc = namespace === 'pay' ? 'pay' : 'shop';
    ctx.network.addEndpoint(
      createEndpoint({ id: `${namespace}.${name}`, vpc, subnet: `${vpc}-default`, node: 'worker-1', ips: [`10.0.${vpc === 'pay' ? 2 : 1}.${10 + i}`], owner: { kind: 'pod', namespace, name } }),
    );
  });
  return ctx;
}

const groups = (ctx: IntentTestContext): SecurityGroup[] => ctx.built.securityGroups.map((g) => g.group);
const groupOf = (ctx: IntentTestContext, name: string): SecurityGroup | undefined => groups(ctx).find((g) => g.name === name);
const groupsOfEndpoint = (ctx: IntentTestContext, id: string): readonly string[] | undefined => ctx.built.endpoints.find((e) => e.id === id)?.securityGroups;
const problems = (ctx: IntentTestContext): string[] => ctx.problemList.map((p) => `${p.kind} ${p.namespace ?? ''}/${p.name} ${p.code}: ${p.message}`);
const web: KubeSecurityGroup['spec'] = { rules: [{ name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [443, '8000-8080'], remote: { cidr: '10.0.0.0/8' } }] };

describe('plugin-security-groups', () => {
  it('is the IntentPlugin `security-groups`, after `kubernetes`', () => {
    assert.equal(plugin.id, 'security-groups');
    assert.deepEqual(plugin.after, ['kubernetes']);
  });

  it('names a group <namespace>.<name>, fitted to 63 characters; the annotation is a comma list', () => {
    assert.equal(securityGroupName('shop', 'web'), 'shop.web');
    const long = securityGroupName('shop', 'w'.repeat(80));
    assert.equal(long.length, 63);
    assert.match(long, /^shop\.w+_[0-9a-f]{8}$/);
    assert.notEqual(long, securityGroupName('shop', 'w'.repeat(81)));
    assert.deepEqual(parseSecurityGroupsAnnotation(' web, ops,,web '), ['web', 'ops']);
    assert.deepEqual(parseSecurityGroupsAnnotation(''), []);
  });

  it('maps a SecurityGroup to a group of its namespace’s VPC with its rules, reported on the resource', async () => {
    const ctx = context({ securityGroups: [kubeSecurityGroup('shop-api', 'web', web)] });
    await plugin.compile(ctx);
    assert.deepEqual(problems(ctx), []);
    assert.deepEqual(JSON.parse(JSON.stringify(groups(ctx))), [
      {
        name: 'shop-api.web',
        vpc: 'shop',
        rules: [
          {
            direction: 'ingress',
            match: {
              protocol: 'tcp',
              ports: [
                { from: 443, to: 443 },
                { from: 8000, to: 8080 },
              ],
            },
            remote: { cidr: '10.0.0.0/8' },
          },
        ],
      },
    ]);
    assert.deepEqual(ctx.built.securityGroups[0]?.ref, { kind: 'SecurityGroup', namespace: 'shop-api', name: 'web' });
  });

  it('spec.vpc wins over the namespace’s VPC; no rules allows nothing (a group without rules)', async () => {
    const ctx = context({ securityGroups: [kubeSecurityGroup('shop', 'deny-all', { vpc: 'pay' })] });
    await plugin.compile(ctx);
    assert.deepEqual(problems(ctx), []);
    assert.deepEqual(JSON.parse(JSON.stringify(groups(ctx))), [{ name: 'shop.deny-all', vpc: 'pay', rules: [] }]);
  });

  it('a rule without remote allows any address of each family its protocol has (icmp: IPv4 only)', async () => {
    const ctx = context({
      securityGroups: [
        kubeSecurityGroup('shop', 'open', {
          rules: [
            { name: 'dns', direction: 'egress', protocol: 'udp', ports: [53] },
            { name: 'ping', direction: 'ingress', protocol: 'icmp' },
          ],
        }),
      ],
    });
    await plugin.compile(ctx);
    assert.deepEqual(problems(ctx), []);
    assert.deepEqual(
      groupOf(ctx, 'shop.open')?.rules.map((r) => `${r.direction} ${r.match.protocol} ${'cidr' in r.remote ? r.remote.cidr : r.remote.group}`),
      ['egress udp 0.0.0.0/0', 'egress udp ::/0', 'ingress icmp 0.0.0.0/0'],
    );
  });

  it('remote.group names a SecurityGroup of the same namespace (by its domain name); one elsewhere is a problem and the rule is left out', async () => {
    const ctx = context({
      securityGroups: [
        kubeSecurityGroup('shop', 'db', {
          rules: [
            { name: 'from-web', direction: 'ingress', protocol: 'tcp', ports: [5432], remote: { group: 'web' } },
            { name: 'from-pay', direction: 'ingress', protocol: 'tcp', ports: [5432], remote: { group: 'billing' } },
          ],
        }),
        kubeSecurityGroup('shop', 'web', web),
        kubeSecurityGroup('pay', 'billing', {}),
      ],
    });
    await plugin.compile(ctx);
    assert.deepEqual(
      groupOf(ctx, 'shop.db')?.rules.map((r) => r.remote),
      [{ group: 'shop.web' }],
    );
    assert.deepEqual(problems(ctx), [
      'SecurityGroup shop/db NOT_FOUND: rule "from-pay" (spec.rules[1]): remote group "billing" is not a SecurityGroup of this namespace that compiles; the rule is left out',
    ]);
  });

  it('bad rules are problems on the SecurityGroup and left out; the rest of the group stays', async () => {
    const ctx = context({
      securityGroups: [
        kubeSecurityGroup('shop', 'mixed', {
          rules: [
            { name: 'ok', direction: 'ingress', protocol: 'tcp', ports: [80] },
            { name: 'ok', direction: 'ingress', protocol: 'tcp', ports: [81] },
            { name: 'sctp', direction: 'ingress', protocol: 'sctp', ports: [9] },
            { name: 'v6ping', direction: 'ingress', protocol: 'icmpv6' },
            { name: 'sideways', direction: 'sideways', protocol: 'tcp' },
            { name: 'icmp-ports', direction: 'ingress', protocol: 'icmp', ports: [1] },
            { name: 'bad-cidr', direction: 'ingress', protocol: 'tcp', remote: { cidr: '10.0.0.1/8' } },
            { name: 'both', direction: 'ingress', protocol: 'tcp', remote: { cidr: '10.0.0.0/8', group: 'x' } },
            { name: 'again', direction: 'ingress', protocol: 'tcp', ports: [80] },
          ],
        }),
      ],
    });
    await plugin.compile(ctx);
    assert.deepEqual(
      groupOf(ctx, 'shop.mixed')?.rules.map((r) => `${r.match.protocol} ${r.match.ports.map((p) => p.from).join(',')} ${'cidr' in r.remote ? r.remote.cidr : ''}`),
      ['tcp 80 0.0.0.0/0', 'tcp 80 ::/0'],
    );
    const byRule = ctx.problemList.map((p) => `${p.code} ${/^rule "([^"]+)"/.exec(p.message)?.[1] ?? p.message}`);
    assert.deepEqual(byRule, ['INPUT.INVALID ok', 'NOT_SUPPORTED sctp', 'NOT_SUPPORTED v6ping', 'INPUT.INVALID sideways', 'INPUT.INVALID icmp-ports', 'INPUT.INVALID bad-cidr', 'INPUT.INVALID both', 'INPUT.INVALID again']);
    assert.ok(ctx.problemList.every((p) => p.kind === 'SecurityGroup' && p.namespace === 'shop' && p.name === 'mixed' && / the rule is left out$|spec\.rules\[\d\]\): /.test(p.message)), problems(ctx).join('\n'));
  });

  it('a group of an unknown VPC or of a namespace in no VPC is a problem and left out; one of a failed VPC is left out silently', async () => {
    const ctx = context({
      securityGroups: [kubeSecurityGroup('shop', 'ghost', { vpc: 'ghost' }), kubeSecurityGroup('nowhere', 'web', {}), kubeSecurityGroup('pay', 'billing', {})],
    });
    ctx.problems.failVpc('pay');
    await plugin.compile(ctx);
    assert.deepEqual(groups(ctx), []);
    assert.deepEqual(problems(ctx), [
      'SecurityGroup nowhere/web NOT_FOUND: namespace "nowhere" is in no VPC; set spec.vpc',
      'SecurityGroup shop/ghost NOT_FOUND: VPC "ghost" does not exist',
    ]);
  });

  it('pods join the groups their annotation names; pods without it are left alone', async () => {
    const ctx = context(
      {
        securityGroups: [kubeSecurityGroup('shop', 'web', web), kubeSecurityGroup('shop', 'ops', {})],
        pods: [kubePod('shop', 'web-0', 'worker-1', { [ANNOTATION_SECURITY_GROUPS]: 'web, ops' }), kubePod('shop', 'db-0', 'worker-1')],
      },
      ['shop/web-0', 'shop/db-0'],
    );
    await plugin.compile(ctx);
    assert.deepEqual(problems(ctx), []);
    assert.deepEqual(groupsOfEndpoint(ctx, 'shop.web-0'), ['shop.web', 'shop.ops']);
    assert.deepEqual(groupsOfEndpoint(ctx, 'shop.db-0'), []);
  });

  it('an unknown group, one with problems, or one of another VPC is a problem on the Pod, which stays connected in the others', async () => {
    const ctx = context(
      {
        securityGroups: [kubeSecurityGroup('shop', 'web', web), kubeSecurityGroup('shop', 'broken', { vpc: 'ghost' }), kubeSecurityGroup('shop', 'paygroup', { vpc: 'pay' })],
        pods: [kubePod('shop', 'web-0', 'worker-1', { [ANNOTATION_SECURITY_GROUPS]: 'nosuch,web,broken,paygroup' }), kubePod('shop', 'web-1', 'worker-1', { [ANNOTATION_SECURITY_GROUPS]: 'nosuch' })],
      },
      ['shop/web-0', 'shop/web-1'],
    );
    await plugin.compile(ctx);
    assert.deepEqual(groupsOfEndpoint(ctx, 'shop.web-0'), ['shop.web']);
    assert.deepEqual(groupsOfEndpoint(ctx, 'shop.web-1'), [], 'with no group left the pod is not filtered');
    assert.deepEqual(
      problems(ctx).filter((p) => p.startsWith('Pod ')),
      [
        'Pod shop/web-0 NOT_FOUND: netloom.io/security-groups: SecurityGroup "nosuch" does not exist in namespace "shop"; the pod is connected without it',
        'Pod shop/web-0 INPUT.INVALID: netloom.io/security-groups: SecurityGroup "broken" has problems (see its events); the pod is connected without it',
        'Pod shop/web-0 CONFLICT: netloom.io/security-groups: SecurityGroup "paygroup" is of VPC "pay", the pod is in VPC "shop"; the pod is connected without it',
        'Pod shop/web-1 NOT_FOUND: netloom.io/security-groups: SecurityGroup "nosuch" does not exist in namespace "shop"; the pod is connected without it',
      ],
    );
  });

  it('a group name of another namespace does not resolve (groups are per namespace)', async () => {
    const ctx = context(
      { securityGroups: [kubeSecurityGroup('shop-api', 'web', web)], pods: [kubePod('shop', 'web-0', 'worker-1', { [ANNOTATION_SECURITY_GROUPS]: 'web' })] },
      ['shop/web-0'],
    );
    await plugin.compile(ctx);
    assert.deepEqual(groupsOfEndpoint(ctx, 'shop.web-0'), []);
    assert.deepEqual(problems(ctx), ['Pod shop/web-0 NOT_FOUND: netloom.io/security-groups: SecurityGroup "web" does not exist in namespace "shop"; the pod is connected without it']);
  });

  it('is deterministic: the same cluster gives the same groups and problems', async () => {
    const cluster: Partial<ClusterSnapshot> = {
      securityGroups: [kubeSecurityGroup('shop', 'b', web), kubeSecurityGroup('shop', 'a', { rules: [{ name: 'x', direction: 'egress', protocol: 'any', remote: { group: 'b' } }] })],
      pods: [kubePod('shop', 'web-0', 'worker-1', { [ANNOTATION_SECURITY_GROUPS]: 'b,a' })],
    };
    const one = context(cluster, ['shop/web-0']);
    const two = context({ ...cluster, securityGroups: [...(cluster.securityGroups ?? [])].reverse() }, ['shop/web-0']);
    await plugin.compile(one);
    await plugin.compile(two);
    assert.deepEqual(JSON.stringify(groups(one)), JSON.stringify(groups(two)));
    assert.deepEqual(groups(one).map((g) => g.name), ['shop.a', 'shop.b']);
    assert.deepEqual(groupsOfEndpoint(one, 'shop.web-0'), ['shop.b', 'shop.a']);
  });
});
