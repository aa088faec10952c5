import assert from 'node:assert/strict';
import { Invariant, createSecurityGroup, isCidrRemote, type SecurityGroupInput } from '@netloom/domain';
import { throwsInvariant } from './helpers';

type RuleInput = NonNullable<SecurityGroupInput['rules']>[number];

describe('security group model', () => {
  const rule: RuleInput = { direction: 'ingress', match: { protocol: 'tcp', ports: ['80', 443] }, remote: { cidr: '0.0.0.0/0' } };
  const sg = (...rules: RuleInput[]): SecurityGroupInput => ({ name: 'web', vpc: 'shop', rules });

  it('creates a group with CIDR and group remotes', () => {
    const g = createSecurityGroup(sg(rule, { direction: 'egress', match: { protocol: 'udp', ports: [53] }, remote: { group: 'dns' } }, { direction: 'ingress', match: { protocol: 'icmp' }, remote: { cidr: 'FD00::/8' } }));
    assert.equal(g.rules.length, 3);
    assert.ok(isCidrRemote(g.rules[0]!.remote));
    assert.deepEqual(g.rules[1]?.remote, { group: 'dns' });
    assert.deepEqual(g.rules[2]?.remote, { cidr: 'fd00::/8' });
    assert.deepEqual(createSecurityGroup({ name: 'empty', vpc: 'shop' }).rules, []);
  });

  it('value-invalid: direction, remote with both or neither side', () => {
    throwsInvariant(() => createSecurityGroup(sg({ ...rule, direction: 'in' as never })), Invariant.VALUE_INVALID, /rules\[0\]\.direction "in"/);
    throwsInvariant(() => createSecurityGroup(sg({ ...rule, remote: { cidr: '0.0.0.0/0', group: 'x' } as never })), Invariant.VALUE_INVALID, /remote must be \{ cidr \} or \{ group \}, exactly one/);
    throwsInvariant(() => createSecurityGroup(sg({ ...rule, remote: {} as never })), Invariant.VALUE_INVALID, /exactly one/);
  });

  it('cidr-invalid: remote CIDR with host bits', () => {
    throwsInvariant(() => createSecurityGroup(sg({ ...rule, remote: { cidr: '10.0.0.1/8' } })), Invariant.CIDR_INVALID, /rules\[0\]\.remote\.cidr.*10\.0\.0\.0\/8/);
  });

  it('name-invalid: group name, vpc, remote group', () => {
    throwsInvariant(() => createSecurityGroup({ name: '', vpc: 'shop' }), Invariant.NAME_INVALID);
    throwsInvariant(() => createSecurityGroup({ name: 'web', vpc: 'a b' }), Invariant.NAME_INVALID, /vpc/);
    throwsInvariant(() => createSecurityGroup(sg({ ...rule, remote: { group: 'a;b' } })), Invariant.NAME_INVALID, /remote\.group/);
  });

  it('port-range and duplicate rules', () => {
    throwsInvariant(() => createSecurityGroup(sg({ ...rule, match: { protocol: 'tcp', ports: [0] } })), Invariant.PORT_RANGE);
    throwsInvariant(() => createSecurityGroup(sg(rule, { ...rule })), Invariant.DUPLICATE, /rules\[1\] repeats an earlier rule/);
  });
});
