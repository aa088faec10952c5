import assert from 'node:assert/strict';
import { Invariant, assertPort, createTrafficMatch, formatPortRange, isPort, matchesPort, parsePortRange } from '@netloom/domain';
import { throwsInvariant } from './helpers';

describe('traffic match', () => {
  it('parses ports and ranges', () => {
    assert.deepEqual(parsePortRange(443), { from: 443, to: 443 });
    assert.deepEqual(parsePortRange('443'), { from: 443, to: 443 });
    assert.deepEqual(parsePortRange('8000-8080'), { from: 8000, to: 8080 });
    assert.deepEqual(parsePortRange({ from: 1, to: 65535 }), { from: 1, to: 65535 });
    assert.equal(formatPortRange(parsePortRange('8000-8080')), '8000-8080');
    assert.equal(formatPortRange(parsePortRange(22)), '22');
  });

  it('port-range: outside 1..65535 or malformed', () => {
    throwsInvariant(() => parsePortRange(0), Invariant.PORT_RANGE, /port 0 is outside 1\.\.65535/);
    throwsInvariant(() => parsePortRange(65536), Invariant.PORT_RANGE);
    throwsInvariant(() => parsePortRange('80-'), Invariant.PORT_RANGE, /not a port or "from-to"/);
    throwsInvariant(() => parsePortRange('1-2-3'), Invariant.PORT_RANGE);
    throwsInvariant(() => parsePortRange('080'), Invariant.PORT_RANGE);
    throwsInvariant(() => parsePortRange(1.5), Invariant.PORT_RANGE);
    throwsInvariant(() => assertPort(70000, 'ports[0]'), Invariant.PORT_RANGE, /ports\[0\] 70000/);
    assert.equal(isPort(65535), true);
    assert.equal(isPort(0), false);
  });

  it('range-invalid: from after to', () => {
    throwsInvariant(() => parsePortRange('9000-8000'), Invariant.RANGE_INVALID, /9000-8000 starts after it ends/);
  });

  it('builds a match; ports only with tcp/udp', () => {
    const m = createTrafficMatch({ protocol: 'tcp', ports: [80, '8000-8080'] });
    assert.deepEqual(m, { protocol: 'tcp', ports: [{ from: 80, to: 80 }, { from: 8000, to: 8080 }] });
    assert.equal(matchesPort(m, 8042), true);
    assert.equal(matchesPort(m, 81), false);
    assert.equal(matchesPort(createTrafficMatch({ protocol: 'udp' }), 53), true);
    assert.deepEqual(createTrafficMatch({ protocol: 'icmp' }).ports, []);
    throwsInvariant(() => createTrafficMatch({ protocol: 'icmp', ports: [1] }), Invariant.VALUE_INVALID, /protocol icmp takes no ports/);
    throwsInvariant(() => createTrafficMatch({ protocol: 'any', ports: [1] }), Invariant.VALUE_INVALID);
  });

  it('value-invalid: unknown protocol', () => {
    throwsInvariant(() => createTrafficMatch({ protocol: 'sctp' as never }), Invariant.VALUE_INVALID, /"sctp" is not one of tcp, udp, icmp, any/);
  });

  it('duplicate: overlapping port ranges', () => {
    throwsInvariant(() => createTrafficMatch({ protocol: 'tcp', ports: ['1-100', 80] }), Invariant.DUPLICATE, /ports 1-100 and 80 overlap/);
  });
});
