// Real nftables in a network namespace: random sequences of configs are applied one after the other (every kind of
// create, update and delete), each read back exactly, each followed by an empty plan; a rolled-back transaction
// leaves the previous config. Also: the lock holds across drivers, a fault mid-script leaves nothing behind, nft's
// error text reaches the CommitError, and objects outside the owned table are never touched.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fc from 'fast-check';
import { ErrorCode, firewallVocabulary, isNetloomError, silentLogger, type FirewallConfig } from '@netloom/ports';
import { NftablesDriver, type NftablesSession } from '@netloom/adapter-nftables';
import { firewallConfigArb } from './arbitraries';
import { skipUnlessNft } from '@netloom/adapter-nftables/testing';

const netns = `nlt-${process.pid}`;
const nft = (...args: string[]): string => execFileSync('ip', ['netns', 'exec', netns, 'nft', ...args], { encoding: 'utf8' });
const driver = (name = 'vfw-transitions') => new NftablesDriver({ target: { name }, options: { mode: 'local', netns }, logger: silentLogger });
const codeOf = (e: unknown): string | undefined => (isNetloomError(e) ? e.code : undefined);

describe('nftables on a real namespace: transitions', function () {
  let session: NftablesSession | undefined;
  before(async function () {
    await skipUnlessNft(this);
    execFileSync('ip', ['netns', 'add', netns]);
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });
  after(() => {
    try {
      execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
    } catch {
      // not created (skipped)
    }
  });

  const applyConfirm = async (s: NftablesSession, desired: FirewallConfig) => {
    const tx = await s.apply({ changeSet: await s.plan({ desired }) });
    await s.confirm({ transaction: tx });
  };

  it('property: any sequence of configs applies exactly, reads back, plans empty again; rollback restores', async function () {
    this.timeout(300_000);
    session = await driver().connect();
    const s = session;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(firewallConfigArb, fc.boolean()), { minLength: 1, maxLength: 4 }), async (steps) => {
        for (const [desired, rollBack] of steps) {
          const before = (await s.observe()).config;
          const plan = await s.plan({ desired });
          const tx = await s.apply({ changeSet: plan });
          assert.deepEqual((await s.observe()).config, desired, 'after apply');
          if (rollBack && plan.changes.length > 0) {
            await s.rollback({ transaction: tx });
            assert.deepEqual((await s.observe()).config, before, 'after rollback');
            continue;
          }
          await s.confirm({ transaction: tx });
          const again = await s.plan({ desired });
          assert.deepEqual(again.changes, [], 'plan after apply');
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a second driver cannot apply while a transaction is unconfirmed (LockedError), and can after confirm', async () => {
    session = await driver().connect();
    await applyConfirm(session, firewallVocabulary.empty());
    const desired = fc.sample(firewallConfigArb.filter((c) => Object.keys(c.zone).length > 0), { numRuns: 1, seed: 7 })[0]!;
    const tx = await session.apply({ changeSet: await session.plan({ desired }) });
    const other = await driver().connect();
    try {
      const plan = await other.plan({ desired: firewallVocabulary.empty() });
      await assert.rejects(other.apply({ changeSet: plan }), (e: unknown) => codeOf(e) === ErrorCode.DEVICE_LOCKED);
      await session.confirm({ transaction: tx });
      await applyConfirm(other, firewallVocabulary.empty());
      assert.deepEqual((await other.observe()).config, firewallVocabulary.empty());
    } finally {
      await other.close();
    }
  });

  it('nft rejecting a script is a CommitError with nft\'s text, and nothing of the script is applied', async () => {
    session = await driver().connect();
    await applyConfirm(session, firewallVocabulary.empty());
    const desired = fc.sample(firewallConfigArb.filter((c) => Object.keys(c.policy).length > 0), { numRuns: 1, seed: 3 })[0]!;
    const plan = await session.plan({ desired });
    // Someone takes a name netloom is about to create, with another type: the kernel refuses the whole batch.
    const zone = Object.keys(desired.zone)[0]!;
    nft('add', 'set', 'inet', 'netloom', `zone_${zone}_v4`, '{ type ipv6_addr; flags interval; }');
    const before = nft('list', 'table', 'inet', 'netloom');
    await assert.rejects(session.apply({ changeSet: plan }), (e: unknown) => codeOf(e) === ErrorCode.DEVICE_COMMIT && /nft said: .*Error/s.test((e as Error).message));
    assert.equal(nft('list', 'table', 'inet', 'netloom'), before);
    nft('delete', 'set', 'inet', 'netloom', `zone_${zone}_v4`);
  });

  it('never reads, changes or deletes what is outside its table', async () => {
    nft('add', 'table', 'inet', 'other');
    nft('add', 'chain', 'inet', 'other', 'o_fwd', '{ type filter hook forward priority 10; policy accept; }');
    nft('add', 'set', 'inet', 'other', 'zone_vpc-a_if', '{ type ifname; }');
    nft('add', 'rule', 'inet', 'other', 'o_fwd', 'iifname', '"eth7"', 'counter', 'accept', 'comment', '"netloom:zone:vpc-a"');
    const other = nft('list', 'table', 'inet', 'other');
    session = await driver().connect();
    const desired = fc.sample(firewallConfigArb.filter((c) => Object.keys(c.policy).length > 0), { numRuns: 1, seed: 11 })[0]!;
    await applyConfirm(session, desired);
    assert.deepEqual((await session.observe()).config, desired);
    await applyConfirm(session, firewallVocabulary.empty());
    assert.deepEqual((await session.observe()).config, firewallVocabulary.empty());
    assert.equal(nft('list', 'table', 'inet', 'other'), other);
    nft('delete', 'table', 'inet', 'other');
  });

  it('facts come from nft --version and the host', async () => {
    session = await driver().connect();
    const f = await session.facts();
    const version = /v([0-9.]+)/.exec(nft('--version'))![1];
    assert.equal(f.vendor, 'netfilter');
    assert.equal(f.model, 'nftables');
    assert.equal(f.osVersion, version);
    assert.equal(f.extra?.['runner'], `local netns ${netns}`);
  });

  it('a namespace that does not exist is a DeviceConnectionError at connect', async () => {
    const d = new NftablesDriver({ target: { name: 'nowhere' }, options: { mode: 'local', netns: `nlt-missing-${process.pid}` }, logger: silentLogger });
    await assert.rejects(d.connect(), (e: unknown) => codeOf(e) === ErrorCode.DEVICE_CONNECTION && /Cannot open network namespace/.test((e as Error).message));
  });

  it('a missing nft binary is a DeviceConnectionError at connect', async () => {
    const d = new NftablesDriver({ target: { name: 'nonft' }, options: { mode: 'local', nftPath: '/nonexistent/nft' }, logger: silentLogger });
    await assert.rejects(d.connect(), (e: unknown) => codeOf(e) === ErrorCode.DEVICE_CONNECTION && /not installed/.test((e as Error).message));
  });
});
