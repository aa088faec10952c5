import assert from 'node:assert/strict';
import { Invariant, createSubnet, parseIp, subnetCidrs, subnetExcludeRanges, subnetFamilies, subnetFamily, subnetReservedReason, formatCidr } from '@netloom/domain';
import { SubnetMother } from '@netloom/domain/testing';
import { throwsInvariant } from './helpers';

const input = SubnetMother.input;

describe('subnet model', () => {
  describe('valid subnets', () => {
    it('IPv4 only, with the default gateway', () => {
      const s = createSubnet(input({ cidrs: ['10.0.0.0/24'] }));
      assert.equal(s.ipv6, undefined);
      assert.ok(Object.isFrozen(s) && Object.isFrozen(s.ipv4) && Object.isFrozen(s.namespaces));
      assert.deepEqual(s, {
        name: 'web',
        vpc: 'vpc-a',
        ipv4: { cidr: '10.0.0.0/24', gateway: '10.0.0.1', excludeRanges: [] },
        namespaces: [],
        default: false,
      });
    });

    it('dual stack: one IPv4 and one IPv6 CIDR, gateways matched by family in any order', () => {
      const s = createSubnet(
        input({
          cidrs: ['FD00:0:0:1::/64', '10.1.0.0/16'],
          gateways: ['fd00:0:0:1::fffe', '10.1.255.254'],
          excludeRanges: ['10.1.0.2..10.1.0.9', 'FD00:0:0:1::2', '10.1.1.1'],
          namespaces: ['shop', 'shop-batch'],
          default: true,
        }),
      );
      assert.deepEqual(s.ipv4, { cidr: '10.1.0.0/16', gateway: '10.1.255.254', excludeRanges: ['10.1.0.2..10.1.0.9', '10.1.1.1'] });
      assert.deepEqual(s.ipv6, { cidr: 'fd00:0:0:1::/64', gateway: 'fd00:0:0:1::fffe', excludeRanges: ['fd00:0:0:1::2'] });
      assert.deepEqual(s.namespaces, ['shop', 'shop-batch']);
      assert.equal(s.default, true);
      assert.deepEqual(subnetCidrs(s).map(formatCidr), ['10.1.0.0/16', 'fd00:0:0:1::/64']);
      assert.equal(subnetFamilies(s).length, 2);
      assert.equal(subnetFamily(s, 6)?.gateway, 'fd00:0:0:1::fffe');
      assert.equal(subnetExcludeRanges(s.ipv4!).length, 2);
    });

    it('IPv6 only, default gateway ::1 of the block', () => {
      const s = SubnetMother.ipv6('fd00:0:0:2::/64');
      assert.equal(s.ipv4, undefined);
      assert.equal(s.ipv6?.gateway, 'fd00:0:0:2::1');
    });

    it('accepts /31 with an explicit gateway on either address (no network/broadcast, RFC 3021)', () => {
      assert.equal(createSubnet(input({ cidrs: ['10.0.0.0/31'], gateways: ['10.0.0.0'] })).ipv4?.gateway, '10.0.0.0');
      assert.equal(createSubnet(input({ cidrs: ['10.0.0.0/31'], gateways: ['10.0.0.1'] })).ipv4?.gateway, '10.0.0.1');
    });

    it('an exclude range may cover the whole CIDR', () => {
      const s = createSubnet(input({ cidrs: ['10.0.0.0/30'], excludeRanges: ['10.0.0.0..10.0.0.3'] }));
      assert.deepEqual(s.ipv4?.excludeRanges, ['10.0.0.0..10.0.0.3']);
    });

    it('reserved addresses: gateway, and for IPv4 the network and broadcast addresses', () => {
      const s = SubnetMother.dualStack('10.0.0.0/24', 'fd00::/64');
      assert.equal(subnetReservedReason(s.ipv4!, parseIp('10.0.0.1')), 'gateway');
      assert.equal(subnetReservedReason(s.ipv4!, parseIp('10.0.0.0')), 'network address');
      assert.equal(subnetReservedReason(s.ipv4!, parseIp('10.0.0.255')), 'broadcast address');
      assert.equal(subnetReservedReason(s.ipv4!, parseIp('10.0.0.2')), undefined);
      assert.equal(subnetReservedReason(s.ipv6!, parseIp('fd00::1')), 'gateway');
      assert.equal(subnetReservedReason(s.ipv6!, parseIp('fd00::')), undefined);
      assert.equal(subnetReservedReason(s.ipv6!, parseIp('10.0.0.1')), undefined);
    });
  });

  describe('invariants', () => {
    it('name-invalid: subnet name', () => {
      const e = throwsInvariant(() => createSubnet(input({ name: 'web;reboot' })), Invariant.NAME_INVALID, /subnet name "web;reboot" is not allowed/);
      assert.equal(e.details['value'], 'web;reboot');
    });

    it('name-invalid: vpc reference and namespaces', () => {
      throwsInvariant(() => createSubnet(input({ vpc: '' })), Invariant.NAME_INVALID, /subnet "web" vpc/);
      throwsInvariant(() => createSubnet(input({ namespaces: ['ok', 'a b'] })), Invariant.NAME_INVALID, /namespaces\[1\]/);
    });

    it('duplicate: a namespace listed twice', () => {
      throwsInvariant(() => createSubnet(input({ namespaces: ['a', 'a'] })), Invariant.DUPLICATE, /namespaces lists "a" twice/);
    });

    it('value-invalid: no CIDR, or three', () => {
      throwsInvariant(() => createSubnet(input({ cidrs: [] })), Invariant.VALUE_INVALID, /one CIDR or one IPv4 and one IPv6 CIDR, got 0/);
      throwsInvariant(() => createSubnet(input({ cidrs: ['10.0.0.0/24', 'fd00::/64', '10.1.0.0/24'] })), Invariant.VALUE_INVALID, /got 3/);
      throwsInvariant(() => createSubnet({ name: 'web', vpc: 'a' } as never), Invariant.VALUE_INVALID, /cidrs must be a list/);
    });

    it('duplicate: two CIDRs of one family', () => {
      throwsInvariant(() => createSubnet(input({ cidrs: ['10.0.0.0/24', '10.0.1.0/24'] })), Invariant.DUPLICATE, /two IPv4 CIDRs \(10\.0\.0\.0\/24, 10\.0\.1\.0\/24\)/);
      throwsInvariant(() => createSubnet(input({ cidrs: ['fd00::/64', 'fd01::/64'] })), Invariant.DUPLICATE, /two IPv6 CIDRs/);
    });

    it('cidr-invalid: host bits set, with the suggested network', () => {
      const e = throwsInvariant(() => createSubnet(input({ cidrs: ['10.0.0.5/24'] })), Invariant.CIDR_INVALID, /subnet "web" cidrs\[0\]: .*the network is 10\.0\.0\.0\/24/);
      assert.equal(e.details['suggestion'], '10.0.0.0/24');
      assert.equal(e.details['field'], 'cidrs[0]');
      assert.equal(e.details['name'], 'web');
    });

    it('cidr-invalid: malformed CIDR', () => {
      throwsInvariant(() => createSubnet(input({ cidrs: ['10.0.0.0'] })), Invariant.CIDR_INVALID, /missing "\/prefix"/);
    });

    it('ip-invalid: malformed gateway', () => {
      throwsInvariant(() => createSubnet(input({ gateways: ['10.0.0.300'] })), Invariant.IP_INVALID, /gateways\[0\]: "10\.0\.0\.300"/);
    });

    it('gateway-outside-cidr: gateway outside the CIDR (message says what, where, value)', () => {
      const e = throwsInvariant(
        () => createSubnet(input({ cidrs: ['10.0.0.0/24'], gateways: ['10.1.1.1'] })),
        Invariant.GATEWAY_OUTSIDE_CIDR,
        /^subnet "web" gateway 10\.1\.1\.1 is outside 10\.0\.0\.0\/24$/,
      );
      assert.equal(e.details['value'], '10.1.1.1');
      assert.equal(e.details['cidr'], '10.0.0.0/24');
      throwsInvariant(() => createSubnet(input({ cidrs: ['fd00::/64'], gateways: ['fd01::1'] })), Invariant.GATEWAY_OUTSIDE_CIDR, /fd01::1 is outside fd00::\/64/);
    });

    it('gateway-outside-cidr: IPv4 network or broadcast address as gateway', () => {
      throwsInvariant(() => createSubnet(input({ gateways: ['10.0.0.0'] })), Invariant.GATEWAY_OUTSIDE_CIDR, /10\.0\.0\.0 is the network address of 10\.0\.0\.0\/24/);
      throwsInvariant(() => createSubnet(input({ gateways: ['10.0.0.255'] })), Invariant.GATEWAY_OUTSIDE_CIDR, /broadcast address/);
      throwsInvariant(() => createSubnet(input({ cidrs: ['10.0.0.0/30'], gateways: ['10.0.0.3'] })), Invariant.GATEWAY_OUTSIDE_CIDR, /broadcast/);
    });

    it('family-mismatch: gateway of a family the subnet has no CIDR for', () => {
      throwsInvariant(() => createSubnet(input({ cidrs: ['10.0.0.0/24'], gateways: ['fd00::1'] })), Invariant.FAMILY_MISMATCH, /gateway fd00::1 is IPv6 but the subnet has no IPv6 CIDR/);
    });

    it('duplicate: two gateways of one family', () => {
      throwsInvariant(() => createSubnet(input({ gateways: ['10.0.0.1', '10.0.0.2'] })), Invariant.DUPLICATE, /two IPv4 gateways/);
    });

    it('value-invalid: a block too small for a default gateway', () => {
      throwsInvariant(() => createSubnet(input({ cidrs: ['10.0.0.0/31'] })), Invariant.VALUE_INVALID, /10\.0\.0\.0\/31 is too small for a default gateway/);
      throwsInvariant(() => createSubnet(input({ cidrs: ['fd00::1/128'] })), Invariant.VALUE_INVALID, /too small/);
    });

    it('exclude-outside-cidr: range partly or wholly outside', () => {
      throwsInvariant(
        () => createSubnet(input({ excludeRanges: ['10.0.0.250..10.0.1.5'] })),
        Invariant.EXCLUDE_OUTSIDE_CIDR,
        /^subnet "web" exclude range 10\.0\.0\.250\.\.10\.0\.1\.5 is outside 10\.0\.0\.0\/24$/,
      );
      throwsInvariant(() => createSubnet(input({ excludeRanges: ['192.168.0.1'] })), Invariant.EXCLUDE_OUTSIDE_CIDR, /192\.168\.0\.1 is outside/);
    });

    it('range-invalid: exclude range start after end', () => {
      throwsInvariant(() => createSubnet(input({ excludeRanges: ['10.0.0.9..10.0.0.2'] })), Invariant.RANGE_INVALID, /subnet "web" excludeRanges\[0\]: .*start is after end/);
    });

    it('family-mismatch: exclude range of a missing family', () => {
      throwsInvariant(() => createSubnet(input({ excludeRanges: ['fd00::2..fd00::9'] })), Invariant.FAMILY_MISMATCH, /exclude range fd00::2\.\.fd00::9 is IPv6/);
    });

    it('ip-invalid: malformed exclude range', () => {
      throwsInvariant(() => createSubnet(input({ excludeRanges: ['10.0.0.2-10.0.0.9'] })), Invariant.IP_INVALID, /excludeRanges\[0\]/);
    });

    it('value-invalid: default flag not a boolean, input not an object', () => {
      throwsInvariant(() => createSubnet(input({ default: 'yes' as unknown as boolean })), Invariant.VALUE_INVALID, /default must be true or false/);
      throwsInvariant(() => createSubnet(null as never), Invariant.VALUE_INVALID, /subnet must be an object/);
    });
  });
});
