// The kit's own behaviour: loud input validation, runChecks without mocha, skips with reasons, timeouts.
import { strict as assert } from 'node:assert';
import { adapter as fakeAdapter } from '@netloom/adapter-fake';
import { adapter as sqliteAdapter } from '@netloom/adapter-sqlite';
import {
  deviceChecks,
  fabricConformance,
  firewallConformance,
  loadBalancerConformance,
  runChecks,
  storeConformance,
  vswitchConformance,
  type DeviceConformanceOptions,
  type DeviceTargetSpec,
} from '@netloom/conformance';
import { ErrorCode, isNetloomError, type AdapterDefinition } from '@netloom/ports';
import { fakeTarget } from './fake.target';

const throwsCode = (fn: () => unknown, code: string, message: RegExp): void =>
  assert.throws(fn, (e: unknown) => isNetloomError(e) && e.code === code && message.test(e.message));

describe('conformance kit: inputs are validated loudly', () => {
  it('a missing adapter, or one without the port, is an InputError naming the path', () => {
    throwsCode(() => fabricConformance({ target: fakeTarget('fabric') } as unknown as DeviceConformanceOptions), ErrorCode.INPUT_INVALID, /adapter: required/);
    throwsCode(() => fabricConformance({ adapter: sqliteAdapter, target: fakeTarget('fabric') }), ErrorCode.INPUT_INVALID, /adapter\.ports\.fabric: adapter "sqlite" does not provide the fabric port \(it provides: store\)/);
    throwsCode(() => fabricConformance({ adapter: { id: 'x' } as unknown as AdapterDefinition, target: fakeTarget('fabric') }), ErrorCode.INPUT_INVALID, /is not an adapter definition/);
    throwsCode(() => fabricConformance(undefined as unknown as DeviceConformanceOptions), ErrorCode.INPUT_INVALID, /required: \{ adapter, target \}/);
  });

  it('a bad target is an InputError (a missing recording or target file included)', () => {
    throwsCode(() => fabricConformance({ adapter: fakeAdapter } as unknown as DeviceConformanceOptions), ErrorCode.INPUT_INVALID, /target: required/);
    throwsCode(() => fabricConformance({ adapter: fakeAdapter, target: { kind: 'lab' } as unknown as DeviceTargetSpec }), ErrorCode.INPUT_INVALID, /target\.kind: "lab" is not a target kind/);
    throwsCode(() => fabricConformance({ adapter: fakeAdapter, target: { kind: 'simulator' } as unknown as DeviceTargetSpec }), ErrorCode.INPUT_INVALID, /target\.create: required/);
    throwsCode(() => fabricConformance({ adapter: fakeAdapter, target: { ...fakeTarget('fabric'), lacks: ['qos'] } }), ErrorCode.INPUT_INVALID, /target\.lacks\[0\]: "qos" is not a fabric capability/);
    throwsCode(() => fabricConformance({ adapter: fakeAdapter, target: { kind: 'replay', dir: 'fixtures' } }), ErrorCode.INPUT_INVALID, /no recording in fixtures \(no manifest\.json\): record one with --record against a live target/);
    throwsCode(() => vswitchConformance({ adapter: fakeAdapter, target: { kind: 'live', file: 'lab.yaml' } }), ErrorCode.INPUT_INVALID, /target file lab\.yaml cannot be read \(ENOENT\)/);
    throwsCode(() => vswitchConformance({ adapter: fakeAdapter, target: { kind: 'live' } as unknown as DeviceTargetSpec }), ErrorCode.INPUT_INVALID, /target\.file: required/);
  });

  it('bad samples are an InputError naming each problem', () => {
    throwsCode(
      () => fabricConformance({ adapter: fakeAdapter, target: fakeTarget('fabric'), samples: { full: () => ({ vrf: {}, segment: { '0': { key: '0', name: 'x', l2Vni: 0 } }, binding: {}, interconnect: {} }) } }),
      ErrorCode.INPUT_INVALID,
      /samples\.full\.segment\["0"\]\.l2Vni: 0 is outside/,
    );
    throwsCode(
      () => firewallConformance({ adapter: fakeAdapter, target: fakeTarget('firewall'), samples: { byCapability: { zones: { zone: ['nope'] } } } }),
      ErrorCode.INPUT_INVALID,
      /samples\.byCapability\.zones: selection zone\["nope"\]: no such object/,
    );
    throwsCode(
      () => loadBalancerConformance({ adapter: fakeAdapter, target: fakeTarget('loadBalancer'), samples: { foreign: { kind: 'partition', object: { key: 'shop', name: 'shop' } } } }),
      ErrorCode.INPUT_INVALID,
      /samples\.foreign\.object\.key: "shop" is also a partition of samples\.full/,
    );
  });

  it('the store kit needs create', () => {
    throwsCode(() => storeConformance({} as never), ErrorCode.INPUT_INVALID, /create: required/);
    throwsCode(() => storeConformance({ create: () => undefined as never, adapter: fakeAdapter }), ErrorCode.INPUT_INVALID, /adapter: adapter "fake" does not provide the store port/);
  });
});

describe('conformance kit: runChecks (no mocha needed)', () => {
  it('the fake adapters pass every device-port kit: results with id, title, status and duration', async () => {
    for (const [make, port] of [
      [fabricConformance, 'fabric'],
      [vswitchConformance, 'vswitch'],
      [firewallConformance, 'firewall'],
      [loadBalancerConformance, 'loadBalancer'],
    ] as const) {
      const suite = make({ adapter: fakeAdapter, target: fakeTarget(port) });
      assert.deepEqual(suite.checks.map((c) => c.id), deviceChecks(port).map((c) => c.id));
      const report = await runChecks(suite);
      assert.equal(report.suite, `${port} conformance: fake`);
      assert.equal(report.summary.failed, 0, JSON.stringify(report.results.filter((r) => r.status === 'failed')));
      for (const r of report.results) {
        assert.ok(typeof r.title === 'string' && r.title.length > 0);
        assert.ok(r.durationMs >= 0);
        // Every skip says why: here only the NotSupported direction of declared capabilities.
        if (r.status === 'skipped') assert.match(`${r.id} ${r.reason ?? ''}`, /^not-supported\.\S+ \S+ is declared/);
      }
      assert.equal(report.summary.passed + report.summary.skipped, report.results.length);
    }
  });

  it('only runs the named checks; an unknown id is an error', async () => {
    const suite = fabricConformance({ adapter: fakeAdapter, target: fakeTarget('fabric') });
    const report = await runChecks(suite, { only: ['idempotency', 'facts.decode'] });
    assert.deepEqual(report.results.map((r) => [r.id, r.status]), [
      ['facts.decode', 'passed'],
      ['idempotency', 'passed'],
    ]);
    await assert.rejects(runChecks(suite, { only: ['nope'] }), /unknown check id\(s\) "nope"/);
  });

  it('without a harness, the checks that need it skip with a reason', async () => {
    const report = await runChecks(fabricConformance({ adapter: fakeAdapter, target: fakeTarget('fabric', { withoutHarness: true }) }));
    assert.equal(report.summary.failed, 0);
    for (const id of ['ownership.foreign-untouched', 'rollback.fault-mid-commit', 'drift.visible']) {
      const r = report.results.find((x) => x.id === id);
      assert.deepEqual([r?.status, r?.reason], ['skipped', 'the target provides no device harness']);
    }
    assert.equal(report.results.find((x) => x.id === 'idempotency')?.status, 'passed');
  });

  it('a check that takes too long fails with a timeout; a failing create fails setup', async () => {
    const slow = await runChecks(fabricConformance({ adapter: fakeAdapter, target: fakeTarget('fabric', { options: { latencyMs: 200 } }), timeoutMs: 50 }), { only: ['facts.decode'] });
    assert.deepEqual([slow.results[0]?.status, slow.results[0]?.reason], ['failed', 'check facts.decode timed out after 50 ms']);
    const broken = await runChecks(
      fabricConformance({
        adapter: fakeAdapter,
        target: {
          kind: 'simulator',
          create: () => {
            throw new Error('simulator did not start');
          },
        },
      }),
      { only: ['facts.decode'] },
    );
    assert.deepEqual([broken.results[0]?.status, broken.results[0]?.reason], ['failed', 'setup failed: Error: simulator did not start']);
  });
});
