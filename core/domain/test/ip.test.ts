import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import {
  Invariant,
  cidrContains,
  cidrContainsCidr,
  cidrContainsRange,
  cidrFirst,
  cidrLast,
  cidrSize,
  cidrsOverlap,
  compareIp,
  formatCidr,
  formatIp,
  formatIpRange,
  ipEquals,
  ipFromBigint,
  ipRangeContains,
  ipRangeSize,
  isIpv4,
  isIpv6,
  makeCidr,
  parseCidr,
  parseIp,
  parseIpRange,
  tryParseCidr,
  tryParseIp,
  type Cidr,
  type IpFamily,
} from '@netloom/domain';
import { throwsInvariant } from './helpers';

const MAX_V4 = (1n << 32n) - 1n;
const MAX_V6 = (1n << 128n) - 1n;

const v4Value = fc.bigInt({ min: 0n, max: MAX_V4 });
const v6Value = fc.bigInt({ min: 0n, max: MAX_V6 });
/** IPv6 values with many zero groups, so that `::` compression is exercised. */
const sparseV6Value = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups) => groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));

describe('ip', () => {
  describe('parseIp / formatIp: IPv4', () => {
    const cases: Array<[string, bigint]> = [
      ['0.0.0.0', 0n],
      ['255.255.255.255', MAX_V4],
      ['10.0.0.1', 0x0a000001n],
      ['192.168.1.254', 0xc0a801fen],
      ['1.2.3.4', 0x01020304n],
    ];
    for (const [text, value] of cases) {
      it(`parses ${text}`, () => {
        const ip = parseIp(text);
        assert.equal(ip.family, 4);
        assert.equal(ip.value, value);
        assert.equal(formatIp(ip), text);
      });
    }

    const bad: Array<[string, RegExp]> = [
      ['10.0.0.300', /octet 300 is above 255/],
      ['256.0.0.0', /octet 256/],
      ['1.2.3', /four decimal octets/],
      ['1.2.3.4.5', /four decimal octets/],
      ['01.2.3.4', /leading zero/],
      ['1.2.3.04', /leading zero/],
      ['1.2.3.00', /leading zero/],
      ['1.2.3.', /four decimal octets/],
      ['.1.2.3', /four decimal octets/],
      [' 1.2.3.4', /four decimal octets/],
      ['1.2.3.4 ', /four decimal octets/],
      ['1.2.3.-4', /four decimal octets/],
      ['0x1.2.3.4', /four decimal octets/],
      ['1.2.3.4/32', /four decimal octets/],
      ['1234.1.1.1', /four decimal octets/],
      ['', /empty/],
    ];
    for (const [text, reason] of bad) {
      it(`rejects ${JSON.stringify(text)} with ip-invalid`, () => {
        const e = throwsInvariant(() => parseIp(text), Invariant.IP_INVALID, reason);
        assert.equal(e.details['value'], text);
        assert.ok(e.message.includes(JSON.stringify(text)), `message quotes the input: ${e.message}`);
        assert.equal(tryParseIp(text), undefined);
        assert.equal(isIpv4(text), false);
      });
    }

    it('rejects a non-string at run time (JavaScript callers)', () => {
      throwsInvariant(() => parseIp(42 as unknown as string), Invariant.IP_INVALID, /expected a string/);
      assert.equal(tryParseIp(undefined as unknown as string), undefined);
    });

    it('cuts a very long input in the message', () => {
      const e = throwsInvariant(() => parseIp('1'.repeat(10_000)), Invariant.IP_INVALID);
      assert.ok(e.message.length < 300, `message is short: ${e.message.length}`);
    });
  });

  describe('parseIp / formatIp: IPv6', () => {
    const cases: Array<[string, string]> = [
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      // RFC 5952 §4.2.2: a single zero group is not compressed.
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
      // §4.2.3: the longest run is compressed; on a tie the first one.
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      // §4.3: lowercase.
      ['FE80::ABCD', 'fe80::abcd'],
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
      // Embedded IPv4; IPv4-mapped stays in mixed notation (§5), other prefixes become hex.
      ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
      ['::FFFF:0102:0304', '::ffff:1.2.3.4'],
      ['0:0:0:0:0:ffff:10.0.0.1', '::ffff:10.0.0.1'],
      ['::1.2.3.4', '::102:304'],
      ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
      ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
      ['ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ];
    for (const [text, canonical] of cases) {
      it(`parses ${text} → ${canonical}`, () => {
        const ip = parseIp(text);
        assert.equal(ip.family, 6);
        assert.equal(formatIp(ip), canonical);
        assert.equal(isIpv6(text), true);
        assert.equal(isIpv4(text), false);
        assert.deepEqual(parseIp(canonical), ip);
      });
    }

    it('parses exact values', () => {
      assert.equal(parseIp('::1').value, 1n);
      assert.equal(parseIp('::ffff:1.2.3.4').value, 0xffff01020304n);
      assert.equal(parseIp('8000::').value, 1n << 127n);
    });

    const bad: Array<[string, RegExp]> = [
      [':::', /"::" may appear only once/],
      ['1::2::3', /"::" may appear only once/],
      ['1:2:3:4:5:6:7:8:9', /9 groups/],
      ['1:2:3:4:5:6:7', /7 groups/],
      ['1:2:3:4:5:6:7:8::', /at most 7/],
      ['::1:2:3:4:5:6:7:8', /at most 7/],
      [':1::', /empty group/],
      ['1::2:', /empty group/],
      [':1:2:3:4:5:6:7:8', /empty group/],
      ['12345::', /not 1-4 hex digits/],
      ['g::1', /only hex digits/],
      ['fe80::1%eth0', /zone ids/],
      ['fe80::1%1', /zone ids/],
      ['[::1]', /only hex digits/],
      [' ::1', /only hex digits/],
      ['::1.2.3', /embedded IPv4 part/],
      ['::01.2.3.4', /leading zero/],
      ['::1.2.3.4:1', /may only end/],
      ['1.2.3.4::', /may only end/],
      ['1:2:3:4:5:6:7:1.2.3.4', /9 groups/],
      ['::ffff:256.1.1.1', /above 255/],
      [':1.2.3.4', /2 groups/],
      ['ffff:'.repeat(10), /too long/],
    ];
    for (const [text, reason] of bad) {
      it(`rejects ${JSON.stringify(text)} with ip-invalid`, () => {
        throwsInvariant(() => parseIp(text), Invariant.IP_INVALID, reason);
        assert.equal(tryParseIp(text), undefined);
        assert.equal(isIpv6(text), false);
      });
    }
  });

  describe('properties', () => {
    it('formatIp(parseIp(x)) round-trips for random IPv4 values', () => {
      fc.assert(
        fc.property(v4Value, (value) => {
          const text = formatIp(ipFromBigint(4, value));
          assert.ok(isIPv4(text), `node agrees ${text} is IPv4`);
          const back = parseIp(text);
          assert.deepEqual(back, { family: 4, value });
          assert.equal(formatIp(back), text);
        }),
        { numRuns: 2000 },
      );
    });

    it('formatIp(parseIp(x)) round-trips for random IPv6 values (dense and sparse)', () => {
      fc.assert(
        fc.property(fc.oneof(v6Value, sparseV6Value), (value) => {
          const text = formatIp(ipFromBigint(6, value));
          assert.ok(isIPv6(text), `node agrees ${text} is IPv6`);
          assert.equal(text, text.toLowerCase());
          assert.ok(!/(^|:)0[0-9a-f]/.test(text), `no leading zeros in ${text}`);
          assert.ok(!text.includes(':0:0:') || text.includes('::'), `a run of zero groups is compressed: ${text}`);
          const back = parseIp(text);
          assert.deepEqual(back, { family: 6, value });
          assert.equal(formatIp(back), text);
        }),
        { numRuns: 2000 },
      );
    });

    it('IPv6 formatting agrees with the WHATWG URL host serializer (RFC 5952 compression) outside ::ffff:0:0/96', () => {
      fc.assert(
        fc.property(fc.oneof(v6Value, sparseV6Value), (value) => {
          fc.pre(value >> 32n !== 0xffffn);
          const text = formatIp(ipFromBigint(6, value));
          assert.equal(`[${text}]`, new URL(`http://[${text}]/`).hostname);
        }),
        { numRuns: 2000 },
      );
    });

    it('accepts exactly what node:net accepts, for generated IPv4/IPv6 texts (zone ids aside)', () => {
      const texts = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'.split('')), maxLength: 46 }));
      fc.assert(
        fc.property(texts, (text) => {
          fc.pre(!text.includes('%'));
          assert.equal(isIpv4(text), isIPv4(text), `isIpv4(${JSON.stringify(text)})`);
          assert.equal(isIpv6(text), isIPv6(text), `isIpv6(${JSON.stringify(text)})`);
          assert.equal(tryParseIp(text) !== undefined, isIPv4(text) || isIPv6(text));
        }),
        { numRuns: 5000 },
      );
    });

    it('every text form fast-check generates for an IPv6 address parses to the same value as its canonical form', () => {
      fc.assert(
        fc.property(fc.ipV6(), (text) => {
          const ip = parseIp(text);
          assert.deepEqual(parseIp(formatIp(ip)), ip);
        }),
      );
    });

    it('compareIp is a total order consistent with ipEquals', () => {
      const ip = fc.oneof(v4Value.map((v) => ipFromBigint(4, v)), v6Value.map((v) => ipFromBigint(6, v)));
      fc.assert(
        fc.property(ip, ip, (a, b) => {
          const ab = compareIp(a, b);
          assert.equal(Math.sign(ab) + Math.sign(compareIp(b, a)), 0, 'antisymmetric');
          assert.equal(ab === 0, ipEquals(a, b));
        }),
      );
    });
  });

  describe('ipFromBigint', () => {
    it('accepts the range ends', () => {
      assert.equal(formatIp(ipFromBigint(4, 0n)), '0.0.0.0');
      assert.equal(formatIp(ipFromBigint(4, MAX_V4)), '255.255.255.255');
      assert.equal(formatIp(ipFromBigint(6, MAX_V6)), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    });
    it('rejects values outside the family range', () => {
      throwsInvariant(() => ipFromBigint(4, MAX_V4 + 1n), Invariant.IP_INVALID, /outside the IPv4 range/);
      throwsInvariant(() => ipFromBigint(4, -1n), Invariant.IP_INVALID);
      throwsInvariant(() => ipFromBigint(6, MAX_V6 + 1n), Invariant.IP_INVALID, /outside the IPv6 range/);
    });
    it('rejects a bad family and a non-bigint value', () => {
      throwsInvariant(() => ipFromBigint(5 as IpFamily, 1n), Invariant.IP_INVALID, /not 4 or 6/);
      throwsInvariant(() => ipFromBigint(4, 1 as unknown as bigint), Invariant.IP_INVALID);
    });
    it('returns a frozen object', () => {
      assert.ok(Object.isFrozen(ipFromBigint(4, 1n)));
      assert.ok(Object.isFrozen(parseIp('::1')));
    });
    it('formatIp refuses a hand-made out-of-range object', () => {
      throwsInvariant(() => formatIp({ family: 4, value: 1n << 40n }), Invariant.IP_INVALID);
    });
  });

  describe('compareIp', () => {
    it('sorts IPv4 before IPv6, then numerically', () => {
      const sorted = ['::1', '10.0.0.2', '10.0.0.10', '::', '9.255.255.255'].map(parseIp).sort(compareIp).map(formatIp);
      assert.deepEqual(sorted, ['9.255.255.255', '10.0.0.2', '10.0.0.10', '::', '::1']);
    });
    it('returns 0 for the same address written two ways', () => {
      assert.equal(compareIp(parseIp('2001:db8::1'), parseIp('2001:DB8:0::0:1')), 0);
    });
    it('does not equate 0.0.0.1 and ::1', () => {
      assert.notEqual(compareIp(parseIp('0.0.0.1'), parseIp('::1')), 0);
    });
  });

  describe('parseCidr / formatCidr', () => {
    const cases: Array<[string, string, bigint, bigint]> = [
      ['0.0.0.0/0', '0.0.0.0/0', 0n, MAX_V4],
      ['::/0', '::/0', 0n, MAX_V6],
      ['10.0.0.0/8', '10.0.0.0/8', 0x0a000000n, 0x0affffffn],
      ['192.168.1.0/24', '192.168.1.0/24', 0xc0a80100n, 0xc0a801ffn],
      ['1.2.3.4/32', '1.2.3.4/32', 0x01020304n, 0x01020304n],
      ['10.0.0.0/31', '10.0.0.0/31', 0x0a000000n, 0x0a000001n],
      ['::1/128', '::1/128', 1n, 1n],
      ['2001:DB8::/32', '2001:db8::/32', 0x20010db8n << 96n, (0x20010db8n << 96n) | ((1n << 96n) - 1n)],
      ['fd00:0:0:1::/64', 'fd00:0:0:1::/64', 0xfd00_0000_0000_0001n << 64n, (0xfd00_0000_0000_0001n << 64n) | ((1n << 64n) - 1n)],
    ];
    for (const [text, canonical, first, last] of cases) {
      it(`parses ${text}`, () => {
        const c = parseCidr(text);
        assert.equal(formatCidr(c), canonical);
        assert.equal(cidrFirst(c), first);
        assert.equal(cidrLast(c), last);
        assert.equal(cidrSize(c), last - first + 1n);
        assert.deepEqual(tryParseCidr(text), c);
        assert.ok(Object.isFrozen(c));
      });
    }

    it('sizes: /32 and /128 hold one address, /0 the whole space', () => {
      assert.equal(cidrSize(parseCidr('1.2.3.4/32')), 1n);
      assert.equal(cidrSize(parseCidr('::1/128')), 1n);
      assert.equal(cidrSize(parseCidr('0.0.0.0/0')), 1n << 32n);
      assert.equal(cidrSize(parseCidr('::/0')), 1n << 128n);
      assert.equal(cidrSize(parseCidr('10.0.0.0/24')), 256n);
    });

    it('strict (default) rejects host bits and suggests the network', () => {
      const e = throwsInvariant(() => parseCidr('10.0.0.5/24'), Invariant.CIDR_INVALID, /host bits are set; the network is 10\.0\.0\.0\/24/);
      assert.equal(e.details['suggestion'], '10.0.0.0/24');
      throwsInvariant(() => parseCidr('fd00::1/64'), Invariant.CIDR_INVALID, /the network is fd00::\/64/);
      throwsInvariant(() => parseCidr('0.0.0.1/0'), Invariant.CIDR_INVALID, /the network is 0\.0\.0\.0\/0/);
      assert.equal(tryParseCidr('10.0.0.5/24'), undefined);
    });

    it('strict: false clears the host bits', () => {
      assert.equal(formatCidr(parseCidr('10.0.0.5/24', { strict: false })), '10.0.0.0/24');
      assert.equal(formatCidr(parseCidr('255.255.255.255/0', { strict: false })), '0.0.0.0/0');
      assert.equal(formatCidr(parseCidr('2001:db8::dead:beef/96', { strict: false })), '2001:db8::/96');
    });

    const bad: Array<[string, RegExp]> = [
      ['10.0.0.0', /missing "\/prefix"/],
      ['10.0.0.0/33', /0\.\.32/],
      ['::/129', /0\.\.128/],
      ['10.0.0.0/', /prefix ""/],
      ['10.0.0.0/08', /leading zeros/],
      ['10.0.0.0/-1', /prefix "-1"/],
      ['10.0.0.0/24/1', /prefix "24\/1"/],
      ['10.0.0.0/ 24', /prefix " 24"/],
      ['10.0.0.300/24', /address "10\.0\.0\.300": octet 300/],
      ['1::2::3/64', /"::" may appear only once/],
      ['/24', /address ""/],
      ['fe80::%eth0/64', /zone ids/],
    ];
    for (const [text, reason] of bad) {
      it(`rejects ${JSON.stringify(text)} with cidr-invalid`, () => {
        throwsInvariant(() => parseCidr(text), Invariant.CIDR_INVALID, reason);
        throwsInvariant(() => parseCidr(text, { strict: false }), Invariant.CIDR_INVALID);
        assert.equal(tryParseCidr(text), undefined);
      });
    }

    it('formatCidr refuses a malformed hand-made object', () => {
      throwsInvariant(() => formatCidr({ family: 4, network: 1n, prefix: 24 }), Invariant.CIDR_INVALID, /host bits/);
      throwsInvariant(() => formatCidr({ family: 4, network: 0n, prefix: 33 }), Invariant.CIDR_INVALID, /prefix/);
    });

    it('round-trips random CIDRs of both families', () => {
      const cidr = fc.oneof(
        fc.tuple(v4Value, fc.integer({ min: 0, max: 32 })).map(([v, p]) => makeCidr(ipFromBigint(4, v), p, { strict: false })),
        fc.tuple(v6Value, fc.integer({ min: 0, max: 128 })).map(([v, p]) => makeCidr(ipFromBigint(6, v), p, { strict: false })),
      );
      fc.assert(
        fc.property(cidr, (c) => {
          assert.deepEqual(parseCidr(formatCidr(c)), c);
          assert.ok(cidrContains(c, ipFromBigint(c.family, cidrFirst(c))));
          assert.ok(cidrContains(c, ipFromBigint(c.family, cidrLast(c))));
          assert.equal(cidrLast(c) - cidrFirst(c) + 1n, cidrSize(c));
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('makeCidr', () => {
    it('builds the block from an address and a prefix', () => {
      assert.equal(formatCidr(makeCidr(parseIp('10.1.0.0'), 16)), '10.1.0.0/16');
      assert.equal(formatCidr(makeCidr(parseIp('10.1.2.3'), 16, { strict: false })), '10.1.0.0/16');
    });
    it('rejects host bits (strict) and bad prefixes', () => {
      const e = throwsInvariant(() => makeCidr(parseIp('10.1.2.3'), 16), Invariant.CIDR_INVALID, /10\.1\.0\.0\/16/);
      assert.equal(e.details['suggestion'], '10.1.0.0/16');
      throwsInvariant(() => makeCidr(parseIp('10.0.0.0'), 33), Invariant.CIDR_INVALID);
      throwsInvariant(() => makeCidr(parseIp('10.0.0.0'), 1.5), Invariant.CIDR_INVALID);
      throwsInvariant(() => makeCidr(parseIp('::'), 129), Invariant.CIDR_INVALID);
    });
  });

  describe('containment and overlap', () => {
    const c = (t: string): Cidr => parseCidr(t);

    it('cidrContains', () => {
      assert.equal(cidrContains(c('10.0.0.0/24'), parseIp('10.0.0.0')), true);
      assert.equal(cidrContains(c('10.0.0.0/24'), parseIp('10.0.0.255')), true);
      assert.equal(cidrContains(c('10.0.0.0/24'), parseIp('10.0.1.0')), false);
      assert.equal(cidrContains(c('10.0.0.0/24'), parseIp('9.255.255.255')), false);
      assert.equal(cidrContains(c('0.0.0.0/0'), parseIp('255.255.255.255')), true);
      assert.equal(cidrContains(c('1.2.3.4/32'), parseIp('1.2.3.4')), true);
      assert.equal(cidrContains(c('1.2.3.4/32'), parseIp('1.2.3.5')), false);
      assert.equal(cidrContains(c('::/0'), parseIp('::ffff:1.2.3.4')), true);
    });

    it('is false across families', () => {
      assert.equal(cidrContains(c('0.0.0.0/0'), parseIp('::1')), false);
      assert.equal(cidrContains(c('::/0'), parseIp('0.0.0.1')), false);
      assert.equal(cidrContainsCidr(c('::/0'), c('0.0.0.0/0')), false);
      assert.equal(cidrsOverlap(c('::/0'), c('0.0.0.0/0')), false);
      assert.equal(cidrsOverlap(c('::/96'), c('0.0.0.0/0')), false);
    });

    it('cidrContainsCidr', () => {
      assert.equal(cidrContainsCidr(c('10.0.0.0/8'), c('10.1.0.0/16')), true);
      assert.equal(cidrContainsCidr(c('10.1.0.0/16'), c('10.0.0.0/8')), false);
      assert.equal(cidrContainsCidr(c('10.0.0.0/24'), c('10.0.0.0/24')), true);
      assert.equal(cidrContainsCidr(c('10.0.0.0/24'), c('10.0.1.0/24')), false);
      assert.equal(cidrContainsCidr(c('::/0'), c('2001:db8::/32')), true);
    });

    it('cidrsOverlap', () => {
      assert.equal(cidrsOverlap(c('10.0.0.0/24'), c('10.0.0.128/25')), true);
      assert.equal(cidrsOverlap(c('10.0.0.0/25'), c('10.0.0.128/25')), false);
      assert.equal(cidrsOverlap(c('10.0.0.0/24'), c('10.0.0.0/24')), true);
      assert.equal(cidrsOverlap(c('0.0.0.0/0'), c('1.2.3.4/32')), true);
      assert.equal(cidrsOverlap(c('fd00::/64'), c('fd00:0:0:1::/64')), false);
      assert.equal(cidrsOverlap(c('fd00::/48'), c('fd00:0:0:1::/64')), true);
    });

    it('overlap is symmetric and agrees with a brute-force check on small prefixes', () => {
      // IPv4 blocks inside 10.0.0.0/24 (prefix 24..32): small enough to enumerate every address.
      const base = 0x0a000000n;
      const smallCidr = fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 }))
        .map(([offset, prefix]) => makeCidr(ipFromBigint(4, base + BigInt(offset)), prefix, { strict: false }));
      const addresses = (x: Cidr): Set<bigint> => {
        const s = new Set<bigint>();
        for (let v = cidrFirst(x); v <= cidrLast(x); v++) s.add(v);
        return s;
      };
      fc.assert(
        fc.property(smallCidr, smallCidr, (a, b) => {
          const sa = addresses(a);
          const brute = [...addresses(b)].some((v) => sa.has(v));
          assert.equal(cidrsOverlap(a, b), brute, `${formatCidr(a)} vs ${formatCidr(b)}`);
          assert.equal(cidrsOverlap(b, a), cidrsOverlap(a, b));
          const containsBrute = [...addresses(b)].every((v) => sa.has(v));
          assert.equal(cidrContainsCidr(a, b), containsBrute, `${formatCidr(a)} ⊇ ${formatCidr(b)}`);
          // Two CIDR blocks overlap exactly when one contains the other.
          assert.equal(cidrsOverlap(a, b), cidrContainsCidr(a, b) || cidrContainsCidr(b, a));
        }),
        { numRuns: 1000 },
      );
    });

    it('overlap is symmetric for random IPv6 blocks', () => {
      const cidr = fc.tuple(sparseV6Value, fc.integer({ min: 0, max: 128 })).map(([v, p]) => makeCidr(ipFromBigint(6, v), p, { strict: false }));
      fc.assert(
        fc.property(cidr, cidr, (a, b) => {
          assert.equal(cidrsOverlap(a, b), cidrsOverlap(b, a));
          assert.equal(cidrsOverlap(a, b), cidrContainsCidr(a, b) || cidrContainsCidr(b, a));
        }),
      );
    });
  });

  describe('ranges', () => {
    it('parses a..b and a single address', () => {
      const r = parseIpRange('10.0.0.10..10.0.0.20');
      assert.deepEqual(r, { family: 4, first: 0x0a00000an, last: 0x0a000014n });
      assert.equal(ipRangeSize(r), 11n);
      assert.equal(formatIpRange(r), '10.0.0.10..10.0.0.20');
      const one = parseIpRange('FD00::5');
      assert.equal(ipRangeSize(one), 1n);
      assert.equal(formatIpRange(one), 'fd00::5');
      assert.equal(formatIpRange(parseIpRange('10.0.0.1..10.0.0.1')), '10.0.0.1');
    });
    it('contains', () => {
      const r = parseIpRange('10.0.0.10..10.0.0.20');
      assert.equal(ipRangeContains(r, parseIp('10.0.0.10')), true);
      assert.equal(ipRangeContains(r, parseIp('10.0.0.20')), true);
      assert.equal(ipRangeContains(r, parseIp('10.0.0.21')), false);
      assert.equal(ipRangeContains(r, parseIp('::a')), false);
      assert.equal(cidrContainsRange(parseCidr('10.0.0.0/24'), r), true);
      assert.equal(cidrContainsRange(parseCidr('10.0.0.16/28'), r), false);
    });
    it('rejects start after end with range-invalid', () => {
      throwsInvariant(() => parseIpRange('10.0.0.20..10.0.0.10'), Invariant.RANGE_INVALID, /start is after end/);
    });
    it('rejects mixed families with family-mismatch', () => {
      throwsInvariant(() => parseIpRange('10.0.0.1..::1'), Invariant.FAMILY_MISMATCH);
    });
    it('rejects bad addresses with ip-invalid', () => {
      throwsInvariant(() => parseIpRange('10.0.0.1..10.0.0.256'), Invariant.IP_INVALID, /end: octet 256/);
      throwsInvariant(() => parseIpRange('..10.0.0.1'), Invariant.IP_INVALID, /start: empty/);
      throwsInvariant(() => parseIpRange('10.0.0.1-10.0.0.2'), Invariant.IP_INVALID);
    });
  });
});
