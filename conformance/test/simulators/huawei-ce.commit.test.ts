// Two-stage commit on the Huawei CE simulator: per-session candidates, commit and its failures, trials,
// rollback points, the exclusive lock, concurrent writers and out-of-band changes.
import { strict as assert } from 'node:assert';
import { ErrorCode, isNetloomError } from '@netloom/ports';
import { Fixture } from './support/fixture';

describe('Huawei CE simulator: candidate and commit', () => {
  const fx = new Fixture();
  afterEach(() => fx.cleanup());

  it('keeps each session its own candidate: uncommitted edits are invisible to other sessions and to running', async () => {
    const sim = await fx.start();
    const a = await fx.shell(sim);
    const b = await fx.shell(sim);
    assert.equal(await fx.type(a, ['system-view', 'bridge-domain 10', 'vxlan vni 10']), '[*Leaf1-bd10]');
    assert.equal(await fx.type(b, ['system-view']), '[~Leaf1]');
    assert.equal((await b.run('display configuration candidate changes')).output, '');
    assert.doesNotMatch((await b.run('display current-configuration')).output, /bridge-domain 10/);
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 10/);
    // B commits something else: A's candidate is untouched and still pending.
    await fx.type(b, ['bridge-domain 20', 'commit']);
    assert.equal((await a.run('display configuration candidate changes')).output, '+bridge-domain 10\n+ vxlan vni 10');
    assert.equal((await a.run('commit')).prompt, '[~Leaf1-bd10]');
    assert.match(sim.runningConfig(), /bridge-domain 10\n vxlan vni 10/);
    assert.match(sim.runningConfig(), /bridge-domain 20/);
    assert.equal(sim.commitHistory().length, 2);
  });

  it('lists exactly the pending lines in display configuration candidate changes (+ added, - removed)', async () => {
    const sim = await fx.start({ initialConfig: ['bridge-domain 30', 'description old', 'vxlan vni 30'] });
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 30', 'description new', 'quit', 'bridge-domain 40', 'undo bridge-domain 40', 'bridge-domain 41']);
    const changes = (await sh.run('display configuration candidate changes')).output.split('\n');
    assert.deepEqual(changes, [' bridge-domain 30', '- description old', '+ description new', '+bridge-domain 41']);
    // The pending commands as typed, with the views they were typed in.
    const typed = (await sh.run('display configuration candidate')).output.split('\n');
    assert.deepEqual(typed, ['#', 'bridge-domain 30', ' description new', 'bridge-domain 40', 'undo bridge-domain 40', 'bridge-domain 41', '#']);
    // merge: the whole candidate configuration.
    const merged = (await sh.run('display configuration candidate merge')).output;
    assert.match(merged, /\nbridge-domain 30\n description new\n vxlan vni 30\n#\nbridge-domain 41\n#/);
  });

  it('discards the candidate with clear configuration candidate', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 10', 'evpn-overlay enable', 'bridge-domain 10', 'evpn']);
    const r = await sh.run('clear configuration candidate');
    // The uncommitted configuration is deleted and the system view is displayed.
    assert.equal(r.prompt, '[~Leaf1]');
    assert.equal((await sh.run('display configuration candidate changes')).output, '');
    assert.equal((await sh.run('commit')).prompt, '[~Leaf1]');
    assert.equal(sim.commitHistory().length, 0);
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 10|evpn-overlay/);
  });

  it('commits atomically: an injected failure prints the error, changes nothing and keeps the candidate', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    const before = sim.runningConfig();
    sim.failNextCommit('The BD configuration failed to be delivered');
    await fx.type(sh, ['system-view', 'bridge-domain 10', 'vxlan vni 10', 'quit', 'bridge-domain 11', 'vxlan vni 11']);
    const failed = await sh.run('commit');
    assert.equal(failed.output, 'Error: Failed to generate committed config. The BD configuration failed to be delivered.');
    assert.equal(failed.prompt, '[*Leaf1-bd11]');
    assert.equal(sim.runningConfig(), before);
    assert.equal(sim.commitHistory().length, 0);
    assert.equal(sim.stats.commitFailures, 1);
    // The fault was one-shot: the same candidate commits whole.
    const ok = await sh.run('commit');
    assert.equal(ok.output, '');
    assert.equal(ok.prompt, '[~Leaf1-bd11]');
    assert.match(sim.runningConfig(), /bridge-domain 10\n vxlan vni 10\n#\nbridge-domain 11\n vxlan vni 11/);
    assert.deepEqual(
      sim.commitHistory().map((c) => c.id),
      [1000000001],
    );
  });

  it('records commit ids with labels and descriptions, and rolls back to an earlier commit id', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 10', 'commit label first']);
    await fx.type(sh, ['bridge-domain 20', 'commit description second change']);
    await fx.type(sh, ['bridge-domain 30', 'commit label third description the third']);
    const dup = await sh.run('bridge-domain 40');
    assert.equal(dup.prompt, '[*Leaf1-bd40]');
    assert.equal((await sh.run('commit label first')).output, 'Error: The label first already exists.');
    await fx.type(sh, ['clear configuration candidate']);
    assert.deepEqual(
      sim.commitHistory().map((c) => [c.id, c.label ?? '-', c.description ?? '-']),
      [
        [1000000001, 'first', '-'],
        [1000000002, '-', 'second change'],
        [1000000003, 'third', 'the third'],
      ],
    );
    const list = (await sh.run('display configuration commit list')).output.split('\n');
    assert.equal(list[0], 'Config commit list:');
    assert.match(list[3]!, /^ 1 {4}1000000003 {4}third/);
    assert.match(list[5]!, /^ 3 {4}1000000001 {4}first/);
    const verbose = (await sh.run('display configuration commit list verbose')).output;
    assert.match(verbose, /^1\) CommitId: 1000000003\n {3}Label: third\n {3}User: netloom\n {3}User-Intf: VTY 0\n/);
    assert.match(verbose, /Description: second change/);

    // rollback is a user-view command.
    const inSystem = await sh.run('rollback configuration to commit-id 1000000001');
    assert.match(inSystem.output, /Error: Unrecognized command/);
    await fx.type(sh, ['return']);
    const rb = await sh.run('rollback configuration to commit-id 1000000001');
    assert.equal(rb.output, 'Info: Succeeded in rolling back the configuration.');
    assert.match(sim.runningConfig(), /bridge-domain 10/);
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 20|bridge-domain 30/);
    assert.equal(sim.stats.rollbacks, 1);
    // The rollback is itself a rollback point; label and "last n" forms work too.
    assert.equal((await sh.run('rollback configuration to label third')).output, 'Info: Succeeded in rolling back the configuration.');
    assert.match(sim.runningConfig(), /bridge-domain 30/);
    assert.equal((await sh.run('rollback configuration to commit-id 1000000999')).output, 'Error: The specified rollback point does not exist.');
    // `last 5` goes back before the 5 rollback points so far (3 commits, 2 rollbacks): the power-on configuration.
    assert.equal(sim.commitHistory().length, 5);
    await sh.run('rollback configuration last 5');
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain/);
  });

  it('rolls a trial commit back automatically when it is not confirmed', async () => {
    // trialScale 0.001: `commit trial 60` expires after 60 ms.
    const sim = await fx.start({ trialScale: 0.001 });
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 10', 'commit']);
    const expired = sim.next('trial-ended');
    await fx.type(sh, ['bridge-domain 20']);
    const r = await sh.run('commit trial 60');
    assert.equal(
      r.output,
      'Info: The system enters the trial configuration mode. The system will revert to previous configuration if the trial configuration is not confirmed in 60 seconds.',
    );
    assert.equal((await expired).how, 'expired');
    assert.equal(sim.trialPending, false);
    assert.match(sim.runningConfig(), /bridge-domain 10/);
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 20/);
    assert.equal(sim.stats.trialsExpired, 1);
    // The session's (empty) candidate follows running: BD 20 is gone for it too.
    assert.doesNotMatch((await sh.run('display configuration candidate merge')).output, /bridge-domain 20/);
  });

  it('confirms a trial with commit, and rolls it back with abort trial', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 10', 'commit trial 600']);
    assert.equal(sim.trialPending, true);
    // Another session may not commit while the trial runs.
    const other = await fx.shell(sim);
    await fx.type(other, ['system-view', 'bridge-domain 99']);
    assert.match((await other.run('commit')).output, /^Error: A trial configuration of another user is running/);
    await fx.type(other, ['clear configuration candidate']);
    // `commit` confirms.
    const confirmed = sim.next('trial-ended');
    assert.equal((await sh.run('commit')).output, '');
    assert.equal((await confirmed).how, 'confirmed');
    assert.equal(sim.trialPending, false);
    assert.match(sim.runningConfig(), /bridge-domain 10/);

    await fx.type(sh, ['bridge-domain 20', 'commit trial']);
    assert.equal(sim.trialPending, true);
    const r = await sh.answer('abort trial', 'Continue? [Y/N]:', 'y');
    assert.equal(r.prompt, '[~Leaf1-bd20]');
    assert.equal(sim.trialPending, false);
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 20/);
    assert.match(sim.runningConfig(), /bridge-domain 10/);
    assert.equal((await sh.run('abort trial')).output, 'Error: No trial configuration exists.');
    assert.equal(sim.stats.trialsConfirmed, 1);
    assert.equal(sim.stats.trialsAborted, 1);
  });

  it('refuses a second writer while another session holds configuration exclusive', async () => {
    const sim = await fx.start();
    const owner = await fx.shell(sim);
    const other = await fx.shell(sim);
    assert.equal((await owner.run('configuration exclusive')).output, '');
    assert.equal(sim.lockHolder?.user, 'netloom');
    assert.match((await other.run('configuration exclusive')).output, /^Error: The configuration has been locked by another user/);
    // The other session may edit but not commit.
    await fx.type(other, ['system-view', 'bridge-domain 50']);
    const refused = await other.run('commit');
    assert.match(refused.output, /^Error: The configuration is locked by another user \(user netloom, session \d+\)\.$/);
    assert.equal(refused.prompt, '[*Leaf1-bd50]');
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 50/);
    // Out-of-band writers are refused too.
    await assert.rejects(sim.applyOutOfBand(['bridge-domain 51']), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.DEVICE_LOCKED);
    // The owner commits; after unlocking, the other session's commit goes through.
    await fx.type(owner, ['system-view', 'bridge-domain 60', 'commit']);
    assert.match((await other.run('undo configuration exclusive')).output, /^Error: The configuration is not locked by the current user\./);
    assert.equal((await owner.run('undo configuration exclusive')).output, '');
    assert.equal((await other.run('commit')).output, '');
    assert.match(sim.runningConfig(), /bridge-domain 50[\s\S]*bridge-domain 60/);
  });

  it('releases the exclusive lock when the holder disconnects', async () => {
    const sim = await fx.start();
    const owner = await fx.shell(sim);
    await owner.run('configuration exclusive');
    assert.notEqual(sim.lockHolder, undefined);
    const closed = sim.next('session-close');
    await owner.close();
    await closed;
    assert.equal(sim.lockHolder, undefined);
    assert.equal(await sim.applyOutOfBand(['bridge-domain 5']), 1000000001);
  });

  it('lets only the first of two conflicting commits through and leaves running consistent', async () => {
    const sim = await fx.start();
    const a = await fx.shell(sim);
    const b = await fx.shell(sim);
    await fx.type(a, ['system-view', 'bridge-domain 10', 'vxlan vni 5000']);
    await fx.type(b, ['system-view', 'bridge-domain 20', 'vxlan vni 5000', 'quit', 'bridge-domain 21']);
    assert.equal((await a.run('commit')).output, '');
    const second = await b.run('commit');
    assert.equal(second.output, 'Error: Failed to generate committed config. The VNI 5000 has been bound to BD 10.');
    assert.equal(second.prompt, '[*Leaf1-bd21]');
    // Nothing of B's candidate reached running, not even the non-conflicting BD 21.
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 2[01]/);
    assert.match(sim.runningConfig(), /bridge-domain 10\n vxlan vni 5000/);
    assert.equal(sim.commitHistory().length, 1);
  });

  it('shows an out-of-band change to a session and rebases its pending candidate on it', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 10']);
    const commits: number[] = [];
    sim.on('commit', (e) => commits.push(e.id));
    const id = await sim.applyOutOfBand(['bridge-domain 77', 'description changed by someone else', 'quit', 'evpn-overlay enable'], { user: 'operator' });
    assert.equal(id, 1000000001);
    assert.deepEqual(commits, [1000000001]);
    assert.equal(sim.commitHistory()[0]!.user, 'operator');
    const shown = (await sh.run('display current-configuration | include ^bridge-domain|^ description|^evpn')).output;
    assert.equal(shown, 'evpn-overlay enable\nbridge-domain 77\n description changed by someone else');
    // The pending candidate is running + this session's edits (the foreign BD is not shown as a removal).
    assert.equal((await sh.run('display configuration candidate changes')).output, '+bridge-domain 10');
    await sh.run('commit');
    assert.match(sim.runningConfig(), /bridge-domain 10\n#\nbridge-domain 77/);
  });

  it('refuses out-of-band lines the device would refuse, with the device error in the InputError', async () => {
    const sim = await fx.start();
    await assert.rejects(
      sim.applyOutOfBand(['interface Vbdif99']),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && /Error: The BD 99 does not exist\./.test(e.message),
    );
    assert.equal(sim.commitHistory().length, 0);
    assert.equal(await sim.applyOutOfBand('bridge-domain 5\nquit'), 1000000001);
    assert.equal(await sim.applyOutOfBand(['bridge-domain 5']), undefined, 'no change, no commit');
  });
});
