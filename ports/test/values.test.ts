import { strict as assert } from 'node:assert';
import type * as t from 'io-ts';
import {
  AsnCodec,
  CidrCodec,
  InterfaceNameCodec,
  IpAddressCodec,
  Ipv4AddressCodec,
  Ipv4InterfaceAddressCodec,
  Ipv6AddressCodec,
  Ipv6CidrCodec,
  KubeNameCodec,
  L4PortCodec,
  MacAddressCodec,
  ObjectIdCodec,
  PortNameCodec,
  PortRangeCodec,
  RouteTargetCodec,
  SafeNameCodec,
  VlanCodec,
  VniCodec,
  canonicalIpv6,
  decodeProblems,
} from '@netloom/ports';

function ok<A, O>(codec: t.Type<A, O, unknown>, value: unknown): A {
  const r = decodeProblems(codec, value);
  assert.deepEqual(r.problems, [], `${JSON.stringify(value)} should be a valid ${codec.name}`);
  return r.value as A;
}

function bad<A, O>(codec: t.Type<A, O, unknown>, value: unknown): string {
  const r = decodeProblems(codec, value);
  assert.equal(r.problems.length, 1, `${JSON.stringify(value)} should be an invalid ${codec.name}: ${JSON.stringify(r.problems)}`);
  return r.problems[0]!.reason;
}

/** Names that try to smuggle a second command, a quote or a control character into a device. */
const INJECTIONS = [
  'bd1\nquit',
  'x; reboot',
  'x && reboot',
  'x | cat',
  '$(reboot)',
  '`id`',
  'a b',
  "it's",
  'say "hi"',
  'x\u0000',
  'x\r',
  'x\tquit',
  '../../etc',
  'ünï',
  '',
  '-leading-dash',
  'x'.repeat(64),
];

describe('ports: value codecs', () => {
  it('SafeName accepts the allowlist and rejects every injection attempt', () => {
    for (const n of ['a', 'ls-web_1.a', 'VPC1', '0abc', 'x'.repeat(63)]) ok(SafeNameCodec, n);
    for (const n of INJECTIONS) assert.match(bad(SafeNameCodec, n), /is not a safe name/, JSON.stringify(n));
    assert.equal(bad(SafeNameCodec, 5), 'expected SafeName, got 5');
  });

  it('InterfaceName allows slashes but no separators, quotes or colons', () => {
    for (const n of ['Ethernet1/1', '10GE1/0/1', 'eth0', 'Port-Channel10', 'GigabitEthernet0/0/1.100']) ok(InterfaceNameCodec, n);
    for (const n of [...INJECTIONS.filter((x) => x !== '../../etc' && x !== 'x'.repeat(64)), 'Eth1/1:100']) assert.match(bad(InterfaceNameCodec, n), /is not an interface name/, JSON.stringify(n));
  });

  it('PortName is a safe name of at most 15 characters', () => {
    ok(PortNameCodec, 'veth3f2a1b');
    assert.match(bad(PortNameCodec, 'x'.repeat(16)), /longer than 15/);
    assert.match(bad(PortNameCodec, 'br int'), /not a safe name/);
  });

  it('ObjectId and KubeName', () => {
    ok(ObjectIdCodec, 'shop/web-0');
    ok(ObjectIdCodec, '6b1f0c2e-7d2b-4c1e-9a53-0f4f2f1b2c3d');
    assert.match(bad(ObjectIdCodec, 'shop/web 0'), /is not an id/);
    assert.match(bad(ObjectIdCodec, 'a\nb'), /is not an id/);
    ok(KubeNameCodec, 'web-0.shop');
    assert.match(bad(KubeNameCodec, 'Web'), /not a Kubernetes name/);
  });

  it('VNI is 1..16777215 and VLAN 1..4094, integers only', () => {
    ok(VniCodec, 1);
    ok(VniCodec, 16_777_215);
    assert.equal(bad(VniCodec, 0), '0 is outside 1..16777215');
    assert.equal(bad(VniCodec, 16_777_216), '16777216 is outside 1..16777215');
    assert.equal(bad(VniCodec, 1.5), '1.5 is not an integer');
    assert.equal(bad(VniCodec, '10010'), 'expected Vni, got "10010"');
    ok(VlanCodec, 1);
    ok(VlanCodec, 4094);
    assert.equal(bad(VlanCodec, 0), '0 is outside 1..4094');
    assert.equal(bad(VlanCodec, 4095), '4095 is outside 1..4094');
    assert.equal(bad(VlanCodec, 5000), '5000 is outside 1..4094');
    assert.equal(bad(VlanCodec, NaN), 'NaN is not an integer');
    ok(L4PortCodec, 65535);
    assert.equal(bad(L4PortCodec, 0), '0 is outside 1..65535');
    ok(AsnCodec, 4_200_000_000);
  });

  it('IPv4 addresses: dotted quads without leading zeros', () => {
    for (const a of ['0.0.0.0', '10.0.0.1', '255.255.255.255']) ok(Ipv4AddressCodec, a);
    for (const a of ['10.0.0.300', '10.0.0', '10.0.0.01', '10.0.0.1 ', ' 10.0.0.1', '10.0.0.1\n', 'a.b.c.d']) assert.match(bad(Ipv4AddressCodec, a), /is not an IPv4 address/, a);
  });

  it('IPv6 addresses decode to RFC 5952 text', () => {
    assert.equal(ok(Ipv6AddressCodec, '2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(ok(Ipv6AddressCodec, '2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(ok(Ipv6AddressCodec, '::'), '::');
    assert.equal(ok(Ipv6AddressCodec, 'fe80::'), 'fe80::');
    assert.equal(ok(Ipv6AddressCodec, '2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    // IPv4-mapped addresses keep the dotted quad (RFC 5952 §5), as everywhere in the domain (formatIp).
    assert.equal(canonicalIpv6('::ffff:10.0.0.1'), '::ffff:10.0.0.1');
    assert.equal(canonicalIpv6('::FFFF:a00:1'), '::ffff:10.0.0.1');
    for (const a of ['1::2::3', '1:2:3:4:5:6:7:8:9', ':::', 'g::1', '12345::', '1:2:3:4:5:6:7']) assert.match(bad(Ipv6AddressCodec, a), /is not an IPv6 address/, a);
    assert.equal(ok(IpAddressCodec, 'FD00::A'), 'fd00::a');
    assert.equal(ok(IpAddressCodec, '10.1.0.5'), '10.1.0.5');
  });

  it('CIDRs: prefix length in range, host bits clear, canonical text', () => {
    assert.equal(ok(CidrCodec, '10.1.0.0/16'), '10.1.0.0/16');
    assert.equal(ok(CidrCodec, '0.0.0.0/0'), '0.0.0.0/0');
    assert.equal(ok(CidrCodec, 'FD00:0:0:0::/48'), 'fd00::/48');
    assert.equal(bad(CidrCodec, '10.1.0.1/16'), '"10.1.0.1/16" has host bits set (the network is 10.1.0.0/16)');
    assert.equal(bad(CidrCodec, 'fd00::1/64'), '"fd00::1/64" has host bits set (the network is fd00::/64)');
    assert.match(bad(CidrCodec, '10.0.0.0/33'), /prefix length must be 0\.\.32/);
    assert.match(bad(CidrCodec, '10.0.0.0/08'), /prefix length/);
    assert.match(bad(CidrCodec, '10.0.0.0'), /has no prefix length/);
    assert.match(bad(Ipv6CidrCodec, '10.0.0.0/8'), /is not an IPv6 prefix/);
    assert.equal(ok(Ipv4InterfaceAddressCodec, '10.1.0.1/24'), '10.1.0.1/24');
    assert.match(bad(Ipv4InterfaceAddressCodec, 'fd00::1/64'), /is not an IPv4 prefix/);
  });

  it('MAC addresses decode to lower case with colons', () => {
    assert.equal(ok(MacAddressCodec, '00-00-5E-00-01-01'), '00:00:5e:00:01:01');
    assert.equal(ok(MacAddressCodec, '0a:58:0a:01:00:05'), '0a:58:0a:01:00:05');
    for (const m of ['00:00:5e:00:01', '00:00:5e-00:01:01', 'zz:00:5e:00:01:01', '0000.5e00.0101']) assert.match(bad(MacAddressCodec, m), /is not a MAC address/, m);
  });

  it('route targets: ASN:nn and IPv4:nn within their type ranges', () => {
    for (const r of ['65000:10010', '1:4294967295', '4200000000:1', '10.0.0.1:5']) ok(RouteTargetCodec, r);
    for (const r of ['65000', 'x:1', '65000:-1', '4200000000:70000', '10.0.0.1:70000', '65000:1; quit']) bad(RouteTargetCodec, r);
  });

  it('port ranges need from <= to', () => {
    ok(PortRangeCodec, { from: 80, to: 80 });
    assert.deepEqual(decodeProblems(PortRangeCodec, { from: 90, to: 80 }).problems, [{ path: 'to', reason: '80 is below from (90)' }]);
  });
});
