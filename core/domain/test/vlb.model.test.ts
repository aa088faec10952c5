import assert from 'node:assert/strict';
import { Invariant, createVlb, type VlbInput } from '@netloom/domain';
import { throwsInvariant } from './helpers';

type VsInput = NonNullable<VlbInput['virtualServers']>[number];

describe('VLB model', () => {
  const vs: VsInput = {
    name: 'web',
    vip: '198.51.100.10',
    port: 443,
    protocol: 'tcp',
    pool: { name: 'web', members: [{ ip: '10.0.0.5', port: 8443 }, { ip: '10.0.0.6', port: 8443, state: 'draining' }] },
  };
  const vlb = (...servers: VsInput[]): VlbInput => ({ name: 'lb', vpc: 'shop', virtualServers: servers });

  it('creates a VLB; member state defaults to enabled', () => {
    const lb = createVlb(vlb(vs));
    assert.deepEqual(lb.virtualServers[0]?.pool.members, [
      { ip: '10.0.0.5', port: 8443, state: 'enabled' },
      { ip: '10.0.0.6', port: 8443, state: 'draining' },
    ]);
    assert.equal(createVlb(vlb({ ...vs, vip: '2001:DB8::10' })).virtualServers[0]?.vip, '2001:db8::10');
    assert.deepEqual(createVlb(vlb({ ...vs, pool: { name: 'empty' } })).virtualServers[0]?.pool.members, []);
  });

  it('the same VIP on another port or protocol is allowed', () => {
    assert.equal(createVlb(vlb(vs, { ...vs, name: 'web-80', port: 80 }, { ...vs, name: 'web-udp', protocol: 'udp' })).virtualServers.length, 3);
  });

  it('duplicate: virtual server name, listener, member', () => {
    throwsInvariant(() => createVlb(vlb(vs, { ...vs, port: 80 })), Invariant.DUPLICATE, /two virtual servers named "web"/);
    throwsInvariant(() => createVlb(vlb(vs, { ...vs, name: 'web2' })), Invariant.DUPLICATE, /"web" and "web2" both listen on tcp 198\.51\.100\.10:443/);
    throwsInvariant(
      () => createVlb(vlb({ ...vs, pool: { name: 'p', members: [{ ip: 'fd00::5', port: 80 }, { ip: 'FD00::5', port: 80 }] } })),
      Invariant.DUPLICATE,
      /pool "p" lists member \[fd00::5\]:80 twice/,
    );
  });

  it('port-range: listener or member port', () => {
    throwsInvariant(() => createVlb(vlb({ ...vs, port: 0 })), Invariant.PORT_RANGE, /virtualServers\[0\]\.port 0 is outside 1\.\.65535/);
    throwsInvariant(() => createVlb(vlb({ ...vs, pool: { name: 'p', members: [{ ip: '10.0.0.5', port: 65_536 }] } })), Invariant.PORT_RANGE, /members\[0\]\.port/);
  });

  it('ip-invalid: VIP or member address', () => {
    throwsInvariant(() => createVlb(vlb({ ...vs, vip: '198.51.100.256' })), Invariant.IP_INVALID, /virtualServers\[0\]\.vip/);
    throwsInvariant(() => createVlb(vlb({ ...vs, pool: { name: 'p', members: [{ ip: 'x', port: 1 }] } })), Invariant.IP_INVALID, /members\[0\]\.ip/);
  });

  it('value-invalid: protocol and member state', () => {
    throwsInvariant(() => createVlb(vlb({ ...vs, protocol: 'icmp' as never })), Invariant.VALUE_INVALID, /protocol "icmp" is not one of tcp, udp/);
    throwsInvariant(() => createVlb(vlb({ ...vs, pool: { name: 'p', members: [{ ip: '10.0.0.5', port: 1, state: 'up' as never }] } })), Invariant.VALUE_INVALID, /state "up"/);
  });

  it('name-invalid: VLB, virtual server and pool names', () => {
    throwsInvariant(() => createVlb({ name: 'lb 1', vpc: 'shop' }), Invariant.NAME_INVALID);
    throwsInvariant(() => createVlb(vlb({ ...vs, name: '~Common~web' })), Invariant.NAME_INVALID, /virtualServers\[0\]\.name/);
    throwsInvariant(() => createVlb(vlb({ ...vs, pool: { name: '' } })), Invariant.NAME_INVALID, /pool\.name/);
  });
});
