// The adapter against the Huawei CE simulator over SSH: the two-stage commit, failures on the way, credentials and
// host keys. Each test starts its own simulated leaf and stops it afterwards.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parseConfigText, readFabric, resolveOptions, vrp8Dialect, type HuaweiCeFabricSession } from '@netloom/adapter-huawei-ce';
import { openReplaySession, transcriptFromJson, transcriptToJson } from '@netloom/cli-session';
import { ErrorCode, emptyFabricConfig, isNetloomError, type FabricConfig } from '@netloom/ports';
import { decode, recordingLogger, rejection, small, smallInput, startLeaf, type EditableInput, type Leaf } from './support';

const codeOf = (e: unknown): string | undefined => (isNetloomError(e) ? e.code : undefined);

describe('huawei-ce sessions on the simulator', function () {
  this.timeout(60_000);
  let leaf: Leaf | undefined;
  const sessions: HuaweiCeFabricSession[] = [];

  async function connect(l: Leaf, options: Record<string, unknown> = {}): Promise<HuaweiCeFabricSession> {
    const s = await l.driver(options).connect();
    sessions.push(s);
    return s;
  }

  /** The owned objects in the simulator's running configuration (read through the harness view, not the session). */
  const owned = (l: Leaf): FabricConfig => readFabric(parseConfigText(l.sim.runningConfig(), 'running'), resolveOptions({}, 'leaf1').render, 'running').config;

  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    await leaf?.stop();
    leaf = undefined;
  });

  it('plans the exact lines, applies them in one trial commit, confirms; a second plan is empty and applying it sends nothing', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const plan = await s.plan({ desired: small() });
    assert.ok(plan.operations.every((o) => o.medium === 'cli'));
    assert.deepEqual(
      plan.operations.slice(0, 9).map((o) => o.text),
      ['ip vpn-instance vpc1', 'description netloom:vpc1', 'ipv4-family', 'route-distinguisher 65000:50001', 'vpn-target 65000:50001 export-extcommunity evpn', 'vpn-target 65000:50001 import-extcommunity evpn', 'quit', 'vxlan vni 50001', 'quit'],
    );
    const tx = await s.apply({ changeSet: plan, confirmWithinSec: 300 });
    assert.equal(tx.state, 'applied');
    assert.equal(tx.id, String(leaf.sim.commitHistory().at(-1)?.id));
    assert.ok(tx.confirmBy !== undefined && Date.parse(tx.confirmBy) > Date.now() + 290_000);
    assert.equal(leaf.sim.trialPending, true);
    assert.equal(leaf.sim.lockHolder?.user, 'netloom');
    await s.confirm({ transaction: tx });
    assert.equal(tx.state, 'confirmed');
    assert.equal(leaf.sim.trialPending, false);
    assert.equal(leaf.sim.lockHolder, undefined);
    assert.equal(leaf.sim.stats.trialsConfirmed, 1);
    assert.deepEqual(owned(leaf), small());
    assert.deepEqual((await s.observe()).config, small());

    const again = await s.plan({ desired: small() });
    assert.equal(again.changes.length, 0);
    assert.equal(again.operations.length, 0);
    const before = leaf.sim.stats;
    const noop = await s.apply({ changeSet: again });
    assert.equal(noop.state, 'confirmed');
    const after = leaf.sim.stats;
    assert.equal(after.commandsReceived, before.commandsReceived);
    assert.equal(after.configEdits, before.configEdits);
    assert.equal(after.commits, before.commits);
  });

  it('refuses injection attempts and values a CloudEngine cannot hold before sending a single command', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const sent = leaf.sim.stats.commandsReceived;
    const variants: Array<[string, (c: EditableInput) => void]> = [
      ['vrf name with a newline', (c) => (c.vrf = { 'vpc1\nquit': { key: 'vpc1\nquit', name: 'vpc1\nquit', l3Vni: 50001 } })],
      ['vrf name with ;', (c) => (c.vrf = { 'a;reboot': { key: 'a;reboot', name: 'a;reboot', l3Vni: 50001 } })],
      ['segment name with a space', (c) => (c.segment['10020'] = { key: '10020', name: 'ls db', l2Vni: 10020 })],
      ['segment name with |', (c) => (c.segment['10020'] = { key: '10020', name: 'ls|more', l2Vni: 10020 })],
      ['interface with a quote', (c) => (c.binding = { '10GE1/0/1":9': { key: '10GE1/0/1":9', interface: '10GE1/0/1"', vlan: 9, l2Vni: 10020 } })],
      ['interface that is not a CE port', (c) => (c.binding = { 'Ethernet1/1:9': { key: 'Ethernet1/1:9', interface: 'Ethernet1/1', vlan: 9, l2Vni: 10020 } })],
      ['L2 VNI above the CE range', (c) => (c.segment['16000001'] = { key: '16000001', name: 'ls-big', l2Vni: 16_000_001 })],
      ['VLAN 4095', (c) => (c.binding = { '10GE1/0/1:4095': { key: '10GE1/0/1:4095', interface: '10GE1/0/1', vlan: 4095, l2Vni: 10020 } })],
      ['VPN instance name over 31 characters', (c) => (c.vrf['v'.repeat(32)] = { key: 'v'.repeat(32), name: 'v'.repeat(32), l3Vni: 50002 })],
    ];
    for (const [what, edit] of variants) {
      const input = smallInput();
      edit(input);
      const e = await rejection(s.plan({ desired: input as unknown as FabricConfig }));
      assert.equal(codeOf(e), ErrorCode.INPUT_INVALID, `${what}: ${e.message}`);
    }
    // A change set tampered with after planning never reaches the device either.
    const plan = await s.plan({ desired: small(), observed: emptyFabricConfig() });
    const extraLine = { ...plan, operations: [...plan.operations, { medium: 'cli', text: 'undo bridge-domain 20000' }] };
    assert.equal(codeOf(await rejection(s.apply({ changeSet: extraLine }))), ErrorCode.INPUT_INVALID);
    const badName = { ...plan, changes: plan.changes.map((c) => (c.kind === 'vrf' ? { ...c, after: { ...c.after!, name: 'vpc1 ;reboot' } } : c)) };
    assert.equal(codeOf(await rejection(s.apply({ changeSet: badName }))), ErrorCode.INPUT_INVALID);
    assert.equal(codeOf(await rejection(s.apply({ changeSet: plan, confirmWithinSec: 30 }))), ErrorCode.INPUT_INVALID);
    assert.equal(leaf.sim.stats.commandsReceived, sent, 'no command was sent for any refused input');
  });

  it('refuses IPv6 anycast gateways, two IPv4 gateway addresses and interconnects with NotSupportedError, sending nothing', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const sent = leaf.sim.stats.commandsReceived;
    const v6 = smallInput();
    v6.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'] } };
    const two = smallInput();
    two.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.1/24', '10.2.0.1/24'] } };
    const ic = smallInput();
    ic.interconnect['vrb'] = { key: 'vrb', name: 'vrb', vrf: 'vpc1', importRouteTargets: ['65100:1'], exportRouteTargets: ['65000:50001'], borderPeers: [] };
    for (const input of [v6, two, ic]) {
      const e = await rejection(s.plan({ desired: decode(input) }));
      assert.equal(codeOf(e), ErrorCode.NOT_SUPPORTED, e.message);
    }
    assert.equal(leaf.sim.stats.commandsReceived, sent);
  });

  it('a failed commit leaves running unchanged, reports the device text, and the next apply works', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const running = leaf.sim.runningConfig();
    leaf.sim.failNextCommit('the service module is busy');
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: small() }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /Error: Failed to generate committed config\. the service module is busy\./);
    assert.match(e.message, /nothing was committed/);
    assert.equal(leaf.sim.runningConfig(), running);
    assert.equal(leaf.sim.lockHolder, undefined);
    assert.equal(leaf.sim.stats.commitFailures, 1);
    const tx = await s.apply({ changeSet: await s.plan({ desired: small() }) });
    await s.confirm({ transaction: tx });
    assert.deepEqual(owned(leaf), small());
  });

  it('a line the switch refuses: CommitError with its text, the candidate discarded, running unchanged', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const running = leaf.sim.runningConfig();
    const input = smallInput();
    // Two gateways of one VRF in overlapping subnets: the switch refuses the second address.
    input.segment['10020'] = { key: '10020', name: 'ls-db', l2Vni: 10020, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.2/24'] } };
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: decode(input) }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /refused "ip address 10\.1\.0\.2 255\.255\.255\.0": Error: The specified IP address conflicts with the address of interface Vbdif10010\./);
    assert.match(e.message, /nothing was committed/);
    assert.equal(leaf.sim.runningConfig(), running);
    assert.equal(leaf.sim.lockHolder, undefined);
    assert.equal(leaf.sim.stats.commits, 0);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    assert.deepEqual(owned(leaf), small());
  });

  it('a connection dropped while typing the lines: nothing committed, running unchanged, the session reconnects', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const running = leaf.sim.runningConfig();
    const plan = await s.plan({ desired: small() });
    leaf.sim.dropConnectionDuring(/^vxlan vni 10010$/);
    const e = await rejection(s.apply({ changeSet: plan }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /nothing was committed/);
    assert.equal(codeOf(e.cause), ErrorCode.DEVICE_CONNECTION);
    assert.equal(leaf.sim.stats.connectionsDropped, 1);
    assert.equal(leaf.sim.runningConfig(), running);
    assert.equal(leaf.sim.lockHolder, undefined);
    assert.deepEqual((await s.observe()).config, emptyFabricConfig());
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.deepEqual(owned(leaf), small());
  });

  it('a connection dropped after "commit trial" reached the device: netloom aborts the trial', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const running = leaf.sim.runningConfig();
    leaf.sim.dropConnectionDuring(/^commit trial/, { when: 'after' });
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: small() }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /commit 1000000001 was aborted \(abort trial\)/);
    assert.equal(leaf.sim.trialPending, false);
    assert.equal(leaf.sim.stats.trialsAborted, 1);
    assert.equal(leaf.sim.runningConfig(), running);
  });

  it('commitMode plain: a connection dropped after "commit" is undone with rollback configuration to commit-id', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf, { commitMode: 'plain' });
    const base = await s.apply({ changeSet: await s.plan({ desired: { ...emptyFabricConfig(), segment: { '10020': small().segment['10020']! } } }) });
    assert.equal(base.confirmBy, undefined);
    await s.confirm({ transaction: base });
    const running = leaf.sim.runningConfig();
    leaf.sim.dropConnectionDuring(/^commit$/, { when: 'after' });
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: small() }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, new RegExp(`rolled back to commit ${base.id}`));
    assert.equal(leaf.sim.stats.rollbacks, 1);
    assert.equal(leaf.sim.runningConfig(), running);
    assert.match(transcriptToJson(s.transcript()), new RegExp(`"rollback configuration to commit-id ${base.id}\\\\n"`));
  });

  it('commitMode plain: rollback of an applied transaction restores the previous configuration by commit id', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf, { commitMode: 'plain' });
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    const first = leaf.sim.commitHistory().at(-1)!.id;
    const tx = await s.apply({ changeSet: await s.plan({ desired: { ...small(), binding: {} } }) });
    assert.deepEqual(owned(leaf).binding, {});
    await s.rollback({ transaction: tx });
    assert.equal(tx.state, 'rolled-back');
    assert.deepEqual(owned(leaf), small());
    assert.equal(leaf.sim.commitHistory().at(-1)?.kind, 'rollback');
    assert.match(transcriptToJson(s.transcript()), new RegExp(`"rollback configuration to commit-id ${first}\\\\n"`));
  });

  it('a trial that is not confirmed is rolled back by the device after its (scaled) timer; confirm then fails', async () => {
    leaf = await startLeaf({ trialScale: 0.001 }); // commit trial 60 lasts 60 ms
    const s = await connect(leaf);
    const expired = leaf.sim.next('trial-ended', (ev) => ev.how === 'expired');
    const tx = await s.apply({ changeSet: await s.plan({ desired: small() }), confirmWithinSec: 60 });
    await expired;
    assert.equal(tx.id, String(leaf.sim.commitHistory().find((r) => r.kind === 'trial')?.id), 'the transaction is the trial commit, not its expiry');
    assert.deepEqual(owned(leaf), emptyFabricConfig());
    const e = await rejection(s.confirm({ transaction: tx }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /rolled back by the device before it was confirmed/);
    assert.equal(tx.state, 'rolled-back');
    assert.equal(leaf.sim.lockHolder, undefined);
    await s.rollback({ transaction: tx }); // idempotent
  });

  it('a transaction whose CLI session was lost cannot be confirmed: netloom aborts the trial', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const tx = await s.apply({ changeSet: await s.plan({ desired: small() }) });
    leaf.sim.dropConnectionDuring(/^display current-configuration$/);
    assert.deepEqual((await s.observe()).config, small()); // the read is retried on a new connection
    const e = await rejection(s.confirm({ transaction: tx }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /the CLI session that committed the trial was lost/);
    assert.equal(tx.state, 'rolled-back');
    assert.equal(leaf.sim.trialPending, false);
    assert.equal(leaf.sim.stats.trialsAborted, 1);
    assert.deepEqual(owned(leaf), emptyFabricConfig());
  });

  it('a second session gets LockedError with the device text while a transaction is unconfirmed', async () => {
    leaf = await startLeaf();
    const a = await connect(leaf);
    const b = await connect(leaf);
    const txA = await a.apply({ changeSet: await a.plan({ desired: small() }) });
    const moreInput = smallInput();
    moreInput.segment['10030'] = { key: '10030', name: 'ls-more', l2Vni: 10030 };
    const more = decode(moreInput);
    const planB = await b.plan({ desired: more });
    const edits = leaf.sim.stats.configEdits;
    const e = await rejection(b.apply({ changeSet: planB }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_LOCKED);
    assert.match(e.message, /locked by another user/);
    assert.equal(leaf.sim.stats.configEdits, edits, 'the second writer typed nothing');
    await a.confirm({ transaction: txA });
    await b.confirm({ transaction: await b.apply({ changeSet: await b.plan({ desired: more }) }) });
    assert.deepEqual(Object.keys(owned(leaf).segment).sort(), ['10010', '10020', '10030']);
  });

  it('a create that would land on an object netloom does not own is refused before anything is written', async () => {
    leaf = await startLeaf();
    await leaf.sim.applyOutOfBand(['bridge-domain 10020', 'description made by hand', 'quit']);
    const s = await connect(leaf);
    const running = leaf.sim.runningConfig();
    const edits = leaf.sim.stats.configEdits;
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: small() }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /bridge-domain 10020 exists and netloom does not own it/);
    assert.match(e.message, /nothing was written/);
    assert.equal(leaf.sim.stats.configEdits, edits);
    assert.equal(leaf.sim.runningConfig(), running);
    assert.equal(leaf.sim.lockHolder, undefined);
  });

  it('facts come from display version and the prompt', async () => {
    leaf = await startLeaf();
    const f = await (await connect(leaf)).facts();
    assert.equal(f.vendor, 'Huawei');
    assert.equal(f.model, 'CE6881-48S6CQ');
    assert.equal(f.osVersion, 'V200R005C10SPC800');
    assert.equal(f.hostname, 'Leaf1');
    assert.equal(f.extra?.['vrp'], '8.180');
  });

  it('refuses a host key that does not match the pinned fingerprint before sending the password', async () => {
    leaf = await startLeaf();
    const wrong = `SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
    const e = await rejection(leaf.driver({}, { hostKey: { verify: true, fingerprint: wrong } }).connect());
    assert.equal(codeOf(e), ErrorCode.DEVICE_CONNECTION);
    assert.match(e.message, /host key not trusted/);
    assert.equal(leaf.sim.stats.logins, 0);
    assert.equal(leaf.sim.stats.loginFailures, 0, 'no authentication was attempted');
    // Without any host key policy the driver is not even created; verify: false must be said explicitly.
    assert.throws(() => leaf!.driver({}, { hostKey: undefined }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /target\.hostKey/.test((x as Error).message));
    const insecure = await leaf.driver({}, { hostKey: { verify: false } }).connect();
    sessions.push(insecure);
    assert.equal((await insecure.facts()).model, 'CE6881-48S6CQ');
  });

  it('a wrong password is a DeviceAuthError that never shows the password', async () => {
    leaf = await startLeaf();
    const bad = `Wr0ng-${randomBytes(8).toString('hex')}`;
    const e = await rejection(leaf.driver({}, { credentials: { username: 'netloom', password: bad } }).connect());
    assert.equal(codeOf(e), ErrorCode.DEVICE_AUTH);
    assert.ok(!e.message.includes(bad));
    assert.ok(isNetloomError(e) && !JSON.stringify(e.toJSON()).includes(bad));
    assert.equal(leaf.sim.stats.loginFailures, 1);
  });

  it('the password never appears in a transcript, even where the device prints it', async () => {
    // The switch's name is the password here, so the device prints it in every prompt and in `sysname`.
    leaf = await startLeaf({ hostname: 'S3cret-Pw-42', password: 'S3cret-Pw-42' });
    const log = recordingLogger();
    const s = await leaf.driver({}, {}, log.logger).connect();
    sessions.push(s);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    const json = transcriptToJson(s.transcript());
    assert.ok(!json.includes('S3cret-Pw-42'));
    assert.ok(json.includes('<***>'), 'prompts are recorded with the secret redacted');
    assert.ok(json.includes('commit trial 120'), 'the transcript records the session');
    assert.ok(log.lines.length > 0 && log.lines.every((l) => !l.includes('S3cret-Pw-42')), `no log entry holds the password: ${log.lines.filter((l) => l.includes('S3cret-Pw-42')).join('\n')}`);
  });

  it('a recorded session replays through the same adapter code without a device', async () => {
    leaf = await startLeaf();
    const driver = leaf.driver();
    const live = await driver.connect();
    const observedLive = (await live.observe()).config;
    const plan = await live.plan({ desired: small() });
    const tx = await live.apply({ changeSet: plan });
    await live.confirm({ transaction: tx });
    await live.close();
    const recorded = transcriptFromJson(transcriptToJson(live.transcript()));
    await leaf.stop();
    leaf = undefined;

    const replay = driver.attach(await openReplaySession(recorded, vrp8Dialect));
    assert.deepEqual((await replay.observe()).config, observedLive);
    const replayedPlan = await replay.plan({ desired: small() });
    assert.deepEqual(replayedPlan.operations, plan.operations);
    const replayedTx = await replay.apply({ changeSet: replayedPlan });
    assert.equal(replayedTx.id, tx.id);
    await replay.confirm({ transaction: replayedTx });
    await replay.close();
  });

  it('validates options and refuses unknown ones', async () => {
    leaf = await startLeaf();
    assert.throws(() => leaf!.driver({ trialSeconds: 30 }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /trialSeconds: 30 is outside 60\.\.65535/.test((x as Error).message));
    assert.throws(() => leaf!.driver({ commitMode: 'yolo' }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /commitMode/.test((x as Error).message));
    assert.throws(() => leaf!.driver({ bogus: 1 }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /bogus: unknown field/.test((x as Error).message));
    assert.throws(() => leaf!.driver({}, { credentials: { username: 'netloom' } }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /password or a private key/.test((x as Error).message));
  });
});
