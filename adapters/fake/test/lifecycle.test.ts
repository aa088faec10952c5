import { strict as assert } from 'node:assert';
import {
  CommitError,
  configEquals,
  decodeOrThrow,
  fabricVocabulary,
  firewallVocabulary,
  loadBalancerVocabulary,
  silentLogger,
  vswitchVocabulary,
  type ConfigObject,
  type DeviceConfig,
  type DeviceDriver,
  type DevicePortKind,
  type DeviceVocabulary,
  type PortFactoryOptions,
} from '@netloom/ports';
import { fakeDeviceRegistry, fakeFabric, fakeFirewall, fakeLoadBalancer, fakeVSwitch, type FakeDevice } from '@netloom/adapter-fake';
import { fabricSample, firewallSample, loadBalancerSample, vswitchSample } from './samples';

interface PortCase {
  readonly port: DevicePortKind;
  readonly make: (opts: PortFactoryOptions) => DeviceDriver<DeviceConfig>;
  readonly vocabulary: DeviceVocabulary<DevicePortKind, DeviceConfig>;
  readonly sample: () => unknown;
  /** A foreign object (not netloom's) by kind. */
  readonly foreign: Readonly<Record<string, Readonly<Record<string, ConfigObject & Record<string, unknown>>>>>;
}

const cases: PortCase[] = [
  {
    port: 'fabric',
    make: fakeFabric as unknown as PortCase['make'],
    vocabulary: fabricVocabulary as unknown as PortCase['vocabulary'],
    sample: fabricSample,
    foreign: { segment: { '20000': { key: '20000', name: 'legacy', l2Vni: 20000 } }, vrf: { mgmt: { key: 'mgmt', name: 'mgmt', l3Vni: 9 } } },
  },
  {
    port: 'vswitch',
    make: fakeVSwitch as unknown as PortCase['make'],
    vocabulary: vswitchVocabulary as unknown as PortCase['vocabulary'],
    sample: vswitchSample,
    foreign: { endpointPort: { 'tap-vm1': { key: 'tap-vm1', name: 'tap-vm1', bridge: 'br-int', vmId: 'vm1' } } },
  },
  {
    port: 'firewall',
    make: fakeFirewall as unknown as PortCase['make'],
    vocabulary: firewallVocabulary as unknown as PortCase['vocabulary'],
    sample: firewallSample,
    foreign: { zone: { dmz: { key: 'dmz', name: 'dmz', interfaces: ['eth9'], cidrs: [] } } },
  },
  {
    port: 'loadBalancer',
    make: fakeLoadBalancer as unknown as PortCase['make'],
    vocabulary: loadBalancerVocabulary as unknown as PortCase['vocabulary'],
    sample: loadBalancerSample,
    foreign: { partition: { Common: { key: 'Common', name: 'Common' } } },
  },
];

describe('adapter-fake: device lifecycle (every port)', () => {
  afterEach(() => fakeDeviceRegistry.reset());

  for (const c of cases) {
    describe(c.port, () => {
      const name = `dev-${c.port}`;
      const driver = (options: Record<string, unknown> = {}): DeviceDriver<DeviceConfig> => c.make({ target: { name }, options, logger: silentLogger });
      const device = (): FakeDevice => fakeDeviceRegistry.get(name)!;
      const desired = (): DeviceConfig => decodeOrThrow(c.vocabulary.configCodec, c.sample(), 'sample');

      it('facts → observe → plan → apply → confirm → close', async () => {
        const s = await driver().connect();
        const facts = await s.facts();
        assert.equal(facts.vendor, 'netloom');
        assert.equal(facts.model, `fake-${c.port}`);
        const before = await s.observe();
        assert.ok(configEquals(before.config, c.vocabulary.empty()));
        assert.ok(!Number.isNaN(Date.parse(before.observedAt)));

        const plan = await s.plan({ desired: desired() });
        assert.equal(plan.device, name);
        assert.equal(plan.port, c.port);
        assert.ok(plan.changes.length > 0 && plan.changes.every((x) => x.op === 'create'));
        assert.equal(plan.operations.length, plan.changes.length);
        assert.ok(plan.operations.every((o, i) => o.medium === 'memory' && o.text.startsWith(`create ${plan.changes[i]!.kind} ${plan.changes[i]!.key} {`)));
        assert.equal(device().writes, 0, 'plan writes nothing');

        const tx = await s.apply({ changeSet: plan, confirmWithinSec: 60 });
        assert.equal(tx.state, 'applied');
        assert.equal(tx.device, name);
        assert.equal(device().writes, plan.changes.length);
        assert.ok(device().locked);
        assert.ok(configEquals((await s.observe()).config, desired()), 'observe shows the applied change');
        assert.ok(configEquals(device().committed(), c.vocabulary.empty()), 'not committed before confirm');

        await s.confirm({ transaction: tx });
        assert.equal(tx.state, 'confirmed');
        assert.ok(!device().locked);
        assert.ok(configEquals(device().committed(), desired()));
        await s.confirm({ transaction: tx }); // idempotent
        await s.close();
        await s.close(); // idempotent
        assert.ok(configEquals(device().committed(), desired()), 'close keeps a confirmed transaction');
        await assert.rejects(s.observe(), /closed/);
      });

      it('is idempotent: after apply, a second plan is empty and applying it writes nothing', async () => {
        const s = await driver().connect();
        const tx = await s.apply({ changeSet: await s.plan({ desired: desired() }) });
        await s.confirm({ transaction: tx });
        const writes = device().writes;
        const observed = (await s.observe()).config;
        const again = await s.plan({ desired: desired(), observed });
        assert.deepEqual(again.changes, []);
        assert.deepEqual(again.operations, []);
        const tx2 = await s.apply({ changeSet: again });
        assert.equal(tx2.state, 'confirmed');
        assert.equal(device().writes, writes, 'an empty change set writes nothing');
        assert.ok(!device().locked);
        await s.rollback({ transaction: tx2 }); // nothing to undo
        await s.close();
      });

      it('never observes or touches foreign objects, also when deleting everything netloom owns', async () => {
        const d = driver({ seed: { foreign: c.foreign } });
        const foreignBefore = device().foreign();
        assert.deepEqual(foreignBefore, c.foreign);
        const s = await d.connect();
        assert.ok(configEquals((await s.observe()).config, c.vocabulary.empty()), 'foreign objects are not observed');
        await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: desired() }) }) });
        const removeAll = await s.plan({ desired: c.vocabulary.empty() });
        assert.ok(removeAll.changes.length > 0 && removeAll.changes.every((x) => x.op === 'delete'));
        await s.confirm({ transaction: await s.apply({ changeSet: removeAll }) });
        assert.ok(configEquals(device().owned(), c.vocabulary.empty()));
        assert.deepEqual(device().foreign(), foreignBefore, 'foreign objects untouched');
        await s.close();
      });

      it('rolls back on request, and a failed commit (dropMidCommit) leaves the last committed config', async () => {
        const s = await driver().connect();
        const full = desired();
        // commit one kind first, so "last committed" is not empty
        const firstKind = c.vocabulary.order[0]!;
        const partial: DeviceConfig = { ...c.vocabulary.empty(), [firstKind]: full[firstKind]! };
        await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: partial }) }) });
        const committed = device().committed();

        const tx = await s.apply({ changeSet: await s.plan({ desired: full }) });
        await s.rollback({ transaction: tx });
        assert.equal(tx.state, 'rolled-back');
        assert.ok(configEquals(device().owned(), committed));
        await s.rollback({ transaction: tx }); // idempotent
        await assert.rejects(s.confirm({ transaction: tx }), CommitError);
        await s.close();

        const dropping = await driver({ dropMidCommit: true }).connect();
        const plan = await dropping.plan({ desired: full });
        const writes = device().writes;
        await assert.rejects(dropping.apply({ changeSet: plan }), (e: unknown) => {
          assert.ok(e instanceof CommitError, String(e));
          assert.match(e.message, /back at its last committed configuration/);
          assert.equal(e.details['restored'], true);
          return true;
        });
        assert.ok(device().writes > writes, 'part of the change was written');
        assert.ok(configEquals(device().owned(), committed), 'the device is back at its last committed config');
        assert.ok(!device().locked, 'no lock is left behind');
        await dropping.close();
      });
    });
  }
});
