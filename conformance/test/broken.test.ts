// Proof the kit bites: each broken variant of the fake adapter fails the kit, and the reason names the problem.
import { strict as assert } from 'node:assert';
import { fabricConformance, runChecks, type CheckResult, type ConformanceReport } from '@netloom/conformance';
import { fakeTarget } from './fake.target';
import { liesDeclared, liesUndeclared, notIdempotent, swallowsFault, touchesForeign } from './broken';
import type { AdapterDefinition } from '@netloom/ports';

const run = (adapter: AdapterDefinition): Promise<ConformanceReport> => runChecks(fabricConformance({ adapter, target: fakeTarget('fabric') }));
const failed = (r: ConformanceReport): CheckResult[] => r.results.filter((x) => x.status === 'failed');
const result = (r: ConformanceReport, id: string): CheckResult => {
  const found = r.results.find((x) => x.id === id);
  assert.ok(found, `no result for ${id}`);
  return found;
};

describe('the kit fails broken adapters, naming the problem', () => {
  it('(a) declares a capability but throws NotSupportedError for it', async () => {
    const r = await run(liesDeclared);
    const c = result(r, 'capability.interconnect');
    assert.equal(c.status, 'failed');
    assert.match(c.reason ?? '', /declares interconnect, but planning a config that uses it threw NotSupportedError \(NOT_SUPPORTED\)/);
    // The sample config uses interconnect too, so the lie breaks every check that applies it.
    assert.ok(failed(r).some((x) => x.id === 'idempotency'));
  });

  it('(a) declares a capability false although it works', async () => {
    const r = await run(liesUndeclared);
    const c = result(r, 'not-supported.interconnect');
    assert.equal(c.status, 'failed');
    assert.match(c.reason ?? '', /declares interconnect: false, but a config using it planned and applied/);
    assert.equal(result(r, 'capability.interconnect').status, 'skipped');
    // Everything else holds: the kit used a sample without interconnect.
    assert.deepEqual(failed(r).map((x) => x.id), ['not-supported.interconnect']);
  });

  it('(b) is not idempotent: plan always returns a change', async () => {
    const r = await run(notIdempotent);
    const c = result(r, 'idempotency');
    assert.equal(c.status, 'failed');
    assert.match(c.reason ?? '', /not idempotent: planning the applied config again gives 1 change\(s\): update vrf "vpc-pay"/);
  });

  it('(c) touches a foreign object: deletes everything, foreign included', async () => {
    const r = await run(touchesForeign);
    const c = result(r, 'ownership.foreign-untouched');
    assert.equal(c.status, 'failed');
    assert.match(c.reason ?? '', /after deleting everything netloom owns, the foreign segment "20000" was deleted/);
    assert.deepEqual(failed(r).map((x) => x.id), ['ownership.foreign-untouched']);
  });

  it('(d) ignores a fault mid-commit and reports success', async () => {
    const r = await run(swallowsFault);
    const c = result(r, 'rollback.fault-mid-commit');
    assert.equal(c.status, 'failed');
    assert.match(c.reason ?? '', /apply reported success .* although the device failed mid-commit; it must throw CommitError/);
    assert.deepEqual(failed(r).map((x) => x.id), ['rollback.fault-mid-commit']);
  });
});
