import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Invariant, isMac, isUnicastMac, parseMac, parseUnicastMac } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('mac', () => {
  it('parses colon, dash and dotted forms to lowercase colon form', () => {
    assert.equal(parseMac('00:11:22:AA:BB:CC'), '00:11:22:aa:bb:cc');
    assert.equal(parseMac('00-11-22-aa-bb-cc'), '00:11:22:aa:bb:cc');
    assert.equal(parseMac('0011.22aa.bbcc'), '00:11:22:aa:bb:cc');
  });

  for (const bad of ['', '00:11:22:33:44', '00:11:22:33:44:55:66', '00:11-22:33:44:55', '0:11:22:33:44:55', '00:11:22:33:44:gg', '001122334455', ' 00:11:22:33:44:55']) {
    it(`rejects ${JSON.stringify(bad)} with mac-invalid`, () => {
      throwsInvariant(() => parseMac(bad), Invariant.MAC_INVALID, /is not a MAC address/);
      assert.equal(isMac(bad), false);
    });
  }

  it('unicast: I/G bit clear and not all zeros', () => {
    assert.equal(isUnicastMac('02:00:00:00:00:01'), true);
    assert.equal(isUnicastMac('01:00:5e:00:00:01'), false);
    assert.equal(isUnicastMac('ff:ff:ff:ff:ff:ff'), false);
    assert.equal(isUnicastMac('00:00:00:00:00:00'), false);
    throwsInvariant(() => parseUnicastMac('01:00:5e:00:00:01'), Invariant.MAC_INVALID, /multicast\/broadcast/);
    throwsInvariant(() => parseUnicastMac('00:00:00:00:00:00'), Invariant.MAC_INVALID, /all zeros/);
    assert.equal(parseUnicastMac('AA-BB-CC-00-00-01'), 'aa:bb:cc:00:00:01');
  });

  it('round-trips random MACs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (bytes) => {
        const text = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
        assert.equal(parseMac(text.toUpperCase()), text);
        assert.equal(isUnicastMac(text), ((bytes[0] ?? 0) & 1) === 0 && bytes.some((b) => b !== 0));
      }),
    );
  });
});
