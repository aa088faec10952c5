// The adapter against the Ruijie RGOS simulator over SSH: the emulated transaction (lock marker, lines, read-back,
// inverse lines), failures on the way, second writers, credentials and host keys. Each test starts its own simulated
// leaf and stops it afterwards.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RuijieRgosFabricDriver, parseRunningConfig, readDevice, rgosDialect, type RuijieRgosFabricSession } from '@netloom/adapter-ruijie-rgos';
import { openReplaySession, transcriptFromJson, transcriptToJson, type CliTranscript } from '@netloom/cli-session';
import { ErrorCode, emptyFabricConfig, isNetloomError, silentLogger, type FabricConfig } from '@netloom/ports';
import { baseline, decode, markersIn, recordingLogger, rejection, small, smallInput, startLeaf, type EditableInput, type Leaf } from './support';

const codeOf = (e: unknown): string | undefined => (isNetloomError(e) ? e.code : undefined);

/** The lines a transcript sent, without line endings (login included). */
const sent = (t: CliTranscript): string[] => t.entries.filter((e) => e.dir === 'send').map((e) => e.text.replace(/\r?\n$/, ''));

describe('ruijie-rgos sessions on the simulator', function () {
  this.timeout(60_000);
  let leaf: Leaf | undefined;
  const sessions: RuijieRgosFabricSession[] = [];

  async function connect(l: Leaf, options: Record<string, unknown> = {}): Promise<RuijieRgosFabricSession> {
    const s = await l.driver(options).connect();
    sessions.push(s);
    return s;
  }

  /** The owned objects in the simulator's running configuration (read through the harness view, not the session). */
  const owned = (l: Leaf): FabricConfig => readDevice(parseRunningConfig(l.sim.runningConfig(), 'running'), 'running').config;

  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    await leaf?.stop();
    leaf = undefined;
  });

  it('plans the exact lines, applies them under a lock marker, confirms with write; a second plan is empty and applying it sends nothing', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const plan = await s.plan({ desired: small() });
    assert.ok(plan.operations.every((o) => o.medium === 'cli'));
    assert.deepEqual(
      plan.operations.slice(0, 11).map((o) => o.text),
      ['vrf definition vpc1', 'description netloom:vpc1', 'rd 65000:50001', 'vni 50001', 'route-target export 65000:50001', 'route-target import 65000:50001', 'exit', 'vlan 100', 'description netloom:10010 ls-web', 'vxlan vni 10010', 'exit'],
    );
    const tx = await s.apply({ changeSet: plan, confirmWithinSec: 300 });
    assert.equal(tx.state, 'applied');
    assert.equal(tx.confirmBy, undefined, 'RGOS has no confirmed commit');
    const markers = markersIn(leaf.sim.runningConfig());
    assert.equal(markers.length, 1, 'the lock marker is on the device while the transaction is open');
    assert.equal(markers[0], `vrf definition ${tx.id}`);
    assert.deepEqual(owned(leaf), small(), 'RGOS applies at once: the objects are live before confirm');
    assert.equal(leaf.sim.stats.writes, 0);
    await s.confirm({ transaction: tx });
    assert.equal(tx.state, 'confirmed');
    assert.deepEqual(markersIn(leaf.sim.runningConfig()), [], 'confirm removes the marker');
    assert.equal(leaf.sim.stats.writes, 1, 'confirm saves with write');
    assert.match(leaf.sim.savedConfig() ?? '', /vlan 100\n description netloom:10010 ls-web/);
    assert.deepEqual((await s.observe()).config, small());

    const again = await s.plan({ desired: small() });
    assert.equal(again.changes.length, 0);
    assert.equal(again.operations.length, 0);
    const before = leaf.sim.stats;
    const noop = await s.apply({ changeSet: again });
    assert.equal(noop.state, 'confirmed');
    const after = leaf.sim.stats;
    assert.equal(after.commandsReceived, before.commandsReceived, 'an empty change set sends no command at all');
    assert.equal(after.configChanges, before.configChanges);
  });

  it('sends exactly: read, lock marker, read, the planned lines, read-back; confirm: read, write, marker removed', async () => {
    leaf = await startLeaf();
    const fixed = Date.parse('2031-05-06T07:08:09.000Z');
    const s = await new RuijieRgosFabricDriver({ target: leaf.target, options: {}, logger: silentLogger }, { now: () => fixed, token: () => 'c0ffee00' }).connect();
    sessions.push(s);
    const plan = await s.plan({ desired: baseline() });
    const from = sent(s.transcript()).length;
    const tx = await s.apply({ changeSet: plan, confirmWithinSec: 60 });
    await s.confirm({ transaction: tx });
    const expiry = Math.ceil(fixed / 1000) + 60 + 60;
    const marker = `netloom-lock-${expiry.toString(36)}-c0ffee00`;
    assert.equal(tx.id, marker);
    assert.deepEqual(sent(s.transcript()).slice(from), [
      'show running-config',
      'configure terminal',
      `vrf definition ${marker}`,
      `description netloom-lock until ${new Date(expiry * 1000).toISOString()}`,
      'exit',
      'end',
      'show running-config',
      'configure terminal',
      'vlan 3000',
      'description netloom:10020 ls-db',
      'vxlan vni 10020',
      'exit',
      'interface Nve 1',
      'member vni 10020',
      'exit',
      'end',
      'show running-config',
      'show running-config',
      'write',
      'configure terminal',
      `no vrf definition ${marker}`,
      'end',
    ]);
  });

  it('refuses injection attempts and values an RGOS leaf cannot hold before sending a single command', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const sent0 = leaf.sim.stats.commandsReceived;
    const variants: Array<[string, (c: EditableInput) => void]> = [
      ['vrf name with a newline', (c) => (c.vrf = { 'vpc1\nexit': { key: 'vpc1\nexit', name: 'vpc1\nexit', l3Vni: 50001 } })],
      ['vrf name with ;', (c) => (c.vrf = { 'a;reload': { key: 'a;reload', name: 'a;reload', l3Vni: 50001 } })],
      ['segment name with a space', (c) => (c.segment['10020'] = { key: '10020', name: 'ls db', l2Vni: 10020 })],
      ['segment name with |', (c) => (c.segment['10020'] = { key: '10020', name: 'ls|more', l2Vni: 10020 })],
      ['interface with a quote', (c) => (c.binding = { 'TenGigabitEthernet0/1":9': { key: 'TenGigabitEthernet0/1":9', interface: 'TenGigabitEthernet0/1"', vlan: 9, l2Vni: 10020 } })],
      ['interface that is not an RGOS port', (c) => (c.binding = { 'Ethernet1/1:9': { key: 'Ethernet1/1:9', interface: 'Ethernet1/1', vlan: 9, l2Vni: 10020 } })],
      ['VLAN 4095', (c) => (c.binding = { 'TenGigabitEthernet0/1:4095': { key: 'TenGigabitEthernet0/1:4095', interface: 'TenGigabitEthernet0/1', vlan: 4095, l2Vni: 10020 } })],
      ['VRF name over 31 characters', (c) => (c.vrf['v'.repeat(32)] = { key: 'v'.repeat(32), name: 'v'.repeat(32), l3Vni: 50002 })],
      ['VRF name in the lock marker namespace', (c) => (c.vrf['netloom-lock-1'] = { key: 'netloom-lock-1', name: 'netloom-lock-1', l3Vni: 50002 })],
    ];
    for (const [what, edit] of variants) {
      const input = smallInput();
      edit(input);
      const e = await rejection(s.plan({ desired: input as unknown as FabricConfig }));
      assert.equal(codeOf(e), ErrorCode.INPUT_INVALID, `${what}: ${e.message}`);
    }
    assert.equal(leaf.sim.stats.commandsReceived, sent0, 'no command was sent for any refused desired config');
    // A change set tampered with after planning never reaches the device either.
    const plan = await s.plan({ desired: small(), observed: emptyFabricConfig() });
    const sent1 = leaf.sim.stats.commandsReceived;
    const extraLine = { ...plan, operations: [...plan.operations, { medium: 'cli', text: 'hostname evil' }] };
    const tampered = await rejection(s.apply({ changeSet: extraLine }));
    assert.equal(codeOf(tampered), ErrorCode.INPUT_INVALID);
    assert.match(tampered.message, /"hostname evil" \(cli\) is not a line of the RGOS command table/);
    const smuggled = { ...plan, operations: [...plan.operations, { medium: 'cli', text: 'vlan 100\nhostname evil' }] };
    assert.equal(codeOf(await rejection(s.apply({ changeSet: smuggled }))), ErrorCode.INPUT_INVALID);
    const badName = { ...plan, changes: plan.changes.map((c) => (c.kind === 'vrf' ? { ...c, after: { ...c.after!, name: 'vpc1 ;reload' } } : c)) };
    assert.equal(codeOf(await rejection(s.apply({ changeSet: badName }))), ErrorCode.INPUT_INVALID);
    assert.equal(codeOf(await rejection(s.apply({ changeSet: { ...plan, device: 'leaf2' } }))), ErrorCode.INPUT_INVALID);
    assert.equal(leaf.sim.stats.commandsReceived, sent1, 'no command was sent for any refused change set');
    assert.equal(leaf.sim.stats.configChanges, 0);
  });

  it('refuses bindings that need VLAN translation, two IPv4 gateway addresses and interconnects with NotSupportedError, sending nothing', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const sent0 = leaf.sim.stats.commandsReceived;
    const twoVlans = smallInput();
    twoVlans.binding['TenGigabitEthernet0/3:300'] = { key: 'TenGigabitEthernet0/3:300', interface: 'TenGigabitEthernet0/3', vlan: 300, l2Vni: 10020 };
    const sharedVlan = smallInput();
    sharedVlan.binding['TenGigabitEthernet0/3:100'] = { key: 'TenGigabitEthernet0/3:100', interface: 'TenGigabitEthernet0/3', vlan: 100, l2Vni: 10020 };
    const two = smallInput();
    two.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.1/24', '10.2.0.1/24'] } };
    const ic = smallInput();
    ic.interconnect['vrb'] = { key: 'vrb', name: 'vrb', vrf: 'vpc1', importRouteTargets: ['65100:1'], exportRouteTargets: ['65000:50001'], borderPeers: [] };
    const expected: Array<[EditableInput, RegExp]> = [
      [twoVlans, /segment 10020: its bindings use VLANs 200, 300/],
      [sharedVlan, /VLAN 100: bindings map it to segments 10010, 10020/],
      [two, /more than one IPv4 anycast gateway address/],
      [ic, /does not support: interconnect/],
    ];
    for (const [input, why] of expected) {
      const e = await rejection(s.plan({ desired: decode(input) }));
      assert.equal(codeOf(e), ErrorCode.NOT_SUPPORTED, e.message);
      assert.match(e.message, why);
    }
    assert.equal(leaf.sim.stats.commandsReceived, sent0);
  });

  it('a line the switch refuses mid-apply: CommitError with its text, the lines before it undone, running back at the pre-apply configuration', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: baseline() }) }) });
    const running = leaf.sim.runningConfig();
    assert.match(running, /vlan 3000\n description netloom:10020 ls-db/);
    const plan = await s.plan({ desired: small() });
    const refusedAt = plan.operations.findIndex((o) => o.text === 'anycast-gateway');
    assert.ok(refusedAt > 10, 'the refused line comes after many applied ones (the segment has already moved to VLAN 200)');
    leaf.sim.failNextCommand(/^anycast-gateway$/, 'Hardware resources are insufficient');
    const changesBefore = leaf.sim.stats.configChanges;
    const e = await rejection(s.apply({ changeSet: plan }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, new RegExp(`refused "anycast-gateway" \\(line ${refusedAt + 1} of ${plan.operations.length}\\): % Hardware resources are insufficient`));
    assert.match(e.message, /back at the configuration before the apply/);
    assert.equal(isNetloomError(e) && e.details['deviceMessage'], '% Hardware resources are insufficient');
    assert.ok(leaf.sim.stats.configChanges - changesBefore > refusedAt, 'the lines before the refused one took effect, and were undone');
    assert.equal(leaf.sim.runningConfig(), running, 'running is exactly the pre-apply configuration (marker removed too)');
    assert.equal(leaf.sim.stats.injectedFailures, 1);
    assert.equal(leaf.sim.stats.writes, 1, 'only the baseline was saved');
    // The device takes the next change.
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    assert.deepEqual(owned(leaf), small());
  });

  it('a connection dropped mid-apply (the line took effect, its reply was lost): the session reconnects and undoes it', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: baseline() }) }) });
    const running = leaf.sim.runningConfig();
    const plan = await s.plan({ desired: small() });
    leaf.sim.dropConnectionDuring(/^ip address 10\.1\.0\.1 /, { when: 'after' });
    const e = await rejection(s.apply({ changeSet: plan }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.equal(codeOf(e.cause), ErrorCode.DEVICE_CONNECTION);
    assert.match(e.message, /at line \d+ of \d+ \("ip address 10\.1\.0\.1 255\.255\.255\.0"\)/);
    assert.match(e.message, /back at the configuration before the apply/);
    assert.equal(leaf.sim.stats.connectionsDropped, 1);
    assert.equal(leaf.sim.runningConfig(), running);
    assert.deepEqual((await s.observe()).config, baseline());
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    assert.deepEqual(owned(leaf), small());
  });

  it('a connection dropped mid-apply that cannot be re-established: the error names the lines that may have taken effect and the lock marker left', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf, { reconnectAttempts: 0 });
    const plan = await s.plan({ desired: small() });
    const cut = plan.operations.findIndex((o) => o.text === 'vlan 200');
    leaf.sim.dropConnectionDuring(/^vlan 200$/);
    const e = await rejection(s.apply({ changeSet: plan }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, new RegExp(`may hold lines 1\\.\\.${cut + 1} of ${plan.operations.length} \\(up to "vlan 200"\\)`));
    assert.match(e.message, /lock marker "vrf definition netloom-lock-[0-9a-z]+-[0-9a-f]{8}" may remain until \d{4}-/);
    // What the message says is left is what is left: the lines before the cut, and the marker.
    const running = leaf.sim.runningConfig();
    assert.match(running, /vlan 100\n description netloom:10010 ls-web/);
    assert.doesNotMatch(running, /vlan 200/);
    assert.equal(markersIn(running).length, 1);
    // Another netloom writer respects the marker until it expires.
    const other = await connect(leaf);
    const locked = await rejection(other.apply({ changeSet: await other.plan({ desired: small() }) }));
    assert.equal(codeOf(locked), ErrorCode.DEVICE_LOCKED);
  });

  it('an undo that itself fails: the error says exactly what is left, and the same session repairs it on its next apply', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    leaf.sim.failNextCommand(/^anycast-gateway$/, 'Hardware resources are insufficient');
    leaf.sim.failNextCommand(/^no vlan 100$/, 'The VLAN is busy');
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: small() }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /refused "anycast-gateway" \(line \d+ of \d+\): % Hardware resources are insufficient; undoing it failed \(.*% The VLAN is busy\)/);
    assert.match(e.message, /Left on the device: vrf definition vpc1 is present; vlan 100 is present; vlan 200 is present;/);
    assert.match(e.message, /lock marker "vrf definition netloom-lock-[0-9a-z]+-[0-9a-f]{8}" may remain until/);
    // The message is the truth: exactly these objects are left (the SVI went before the refused undo line).
    const left = owned(leaf);
    assert.deepEqual(Object.keys(left.vrf), ['vpc1']);
    assert.deepEqual(Object.keys(left.segment).sort(), ['10010', '10020']);
    assert.equal(left.segment['10010']?.vrf, undefined);
    assert.equal(markersIn(leaf.sim.runningConfig()).length, 1);
    // Another controller is kept out by the marker; this session takes its own marker back and finishes the job.
    const other = await connect(leaf);
    assert.equal(codeOf(await rejection(other.apply({ changeSet: await other.plan({ desired: small() }) }))), ErrorCode.DEVICE_LOCKED);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    assert.deepEqual(owned(leaf), small());
    assert.deepEqual(markersIn(leaf.sim.runningConfig()), []);
  });

  it('a connection dropped right after the lock marker: the marker is taken away again, nothing else was written', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const running = leaf.sim.runningConfig();
    leaf.sim.dropConnectionDuring(/^description netloom-lock until /, { when: 'after' });
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: small() }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /the lock marker was taken away again, nothing else was written/);
    assert.equal(codeOf(e.cause), ErrorCode.DEVICE_CONNECTION);
    assert.equal(leaf.sim.runningConfig(), running);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    assert.deepEqual(owned(leaf), small());
  });

  it('a second writer gets LockedError and types nothing while a transaction is unconfirmed; after confirm it succeeds', async () => {
    leaf = await startLeaf();
    const a = await connect(leaf);
    const b = await connect(leaf);
    const txA = await a.apply({ changeSet: await a.plan({ desired: small() }) });
    const moreInput = smallInput();
    moreInput.segment['10030'] = { key: '10030', name: 'ls-more', l2Vni: 10030 };
    const more = decode(moreInput);
    const planB = await b.plan({ desired: more });
    const changes = leaf.sim.stats.configChanges;
    const e = await rejection(b.apply({ changeSet: planB }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_LOCKED);
    assert.match(e.message, new RegExp(`another netloom writer holds the device \\(lock marker "vrf definition ${txA.id}", until `));
    assert.equal(leaf.sim.stats.configChanges, changes, 'the second writer typed nothing');
    // The same session cannot open a second transaction either.
    assert.equal(codeOf(await rejection(a.apply({ changeSet: await a.plan({ desired: more }) }))), ErrorCode.DEVICE_LOCKED);
    await a.confirm({ transaction: txA });
    await b.confirm({ transaction: await b.apply({ changeSet: await b.plan({ desired: more }) }) });
    assert.deepEqual(Object.keys(owned(leaf).segment).sort(), ['10010', '10020', '10030']);
  });

  it("a stale lock marker is removed by the next writer; another controller's fresh marker is respected", async () => {
    leaf = await startLeaf();
    const fresh = `netloom-lock-${Math.ceil(Date.now() / 1000 + 3600).toString(36)}-0badc0de`;
    await leaf.sim.applyOutOfBand([`vrf definition ${fresh}`, 'exit']);
    const s = await connect(leaf);
    const plan = await s.plan({ desired: small() });
    const e = await rejection(s.apply({ changeSet: plan }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_LOCKED);
    assert.match(e.message, new RegExp(fresh));
    const stale = `netloom-lock-${Math.floor(Date.now() / 1000 - 5).toString(36)}-0badc0de`;
    await leaf.sim.applyOutOfBand([`no vrf definition ${fresh}`, `vrf definition ${stale}`, 'description netloom-lock until 2020-01-01T00:00:00.000Z', 'exit']);
    const tx = await s.apply({ changeSet: plan });
    assert.deepEqual(markersIn(leaf.sim.runningConfig()), [`vrf definition ${tx.id}`], 'the stale marker is gone, ours is there');
    await s.confirm({ transaction: tx });
    assert.deepEqual(markersIn(leaf.sim.runningConfig()), []);
  });

  it('rollback types the inverse lines and restores the previous configuration, saving nothing; close rolls back an unconfirmed transaction', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    const running = leaf.sim.runningConfig();
    const changed = smallInput();
    changed.vrf['vpc1'] = { key: 'vpc1', name: 'vpc1', l3Vni: 50002, exportRouteTargets: ['65000:7'] };
    changed.vrf['vpc2'] = { key: 'vpc2', name: 'vpc2', l3Vni: 50003 };
    changed.segment['10010'] = { key: '10010', name: 'ls-web2', l2Vni: 10010, vrf: 'vpc2', anycastGateway: { ipv4: ['10.9.0.1/24'], ipv6: ['fd00:9::1/64'] } };
    changed.binding = { 'TenGigabitEthernet0/3:300': { key: 'TenGigabitEthernet0/3:300', interface: 'TenGigabitEthernet0/3', vlan: 300, l2Vni: 10020 } };
    const tx = await s.apply({ changeSet: await s.plan({ desired: decode(changed) }) });
    assert.deepEqual(owned(leaf), decode(changed));
    await s.rollback({ transaction: tx });
    assert.equal(tx.state, 'rolled-back');
    assert.equal(leaf.sim.runningConfig(), running);
    assert.equal(leaf.sim.stats.writes, 1, 'rollback saves nothing');
    await s.rollback({ transaction: tx }); // idempotent

    const s2 = await connect(leaf);
    await s2.apply({ changeSet: await s2.plan({ desired: emptyFabricConfig() }) });
    assert.deepEqual(owned(leaf), emptyFabricConfig());
    await s2.close();
    assert.equal(leaf.sim.runningConfig(), running, 'close rolled the unconfirmed deletion back');
  });

  it('a segment moves to the VLAN of its first binding: its old VLAN and NVE member go, the new ones come', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: baseline() }) }) });
    const withBinding = decode({ ...smallInput(), vrf: {}, segment: { '10020': smallInput().segment['10020']! }, binding: { 'TenGigabitEthernet0/2:200': smallInput().binding['TenGigabitEthernet0/2:200']! } });
    const plan = await s.plan({ desired: withBinding });
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['create binding TenGigabitEthernet0/2:200']);
    assert.deepEqual(
      plan.operations.map((o) => o.text),
      ['interface Nve 1', 'no member vni 10020', 'exit', 'no vlan 3000', 'vlan 200', 'description netloom:10020 ls-db', 'vxlan vni 10020', 'exit', 'interface Nve 1', 'member vni 10020', 'exit', 'interface TenGigabitEthernet 0/2', 'switchport trunk allowed vlan add 200', 'exit'],
    );
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.deepEqual(owned(leaf), withBinding);
    assert.doesNotMatch(leaf.sim.runningConfig(), /vlan 3000/);
    // Without its binding, the segment keeps VLAN 200.
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: baseline() }) }) });
    assert.match(leaf.sim.runningConfig(), /vlan 200\n description netloom:10020 ls-db/);
  });

  it('a create that would land on an object netloom does not own, or on a port that is no trunk, is refused before anything is written', async () => {
    leaf = await startLeaf();
    await leaf.sim.applyOutOfBand(['vlan 100', 'description made by hand', 'exit', 'interface TenGigabitEthernet 0/2', 'switchport mode access', 'exit']);
    const s = await connect(leaf);
    const running = leaf.sim.runningConfig();
    const changes = leaf.sim.stats.configChanges;
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: small() }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /vlan 100 exists and netloom does not own it/);
    assert.match(e.message, /interface TenGigabitEthernet 0\/2 is not a trunk with an explicit allowed VLAN list/);
    assert.match(e.message, /nothing was written/);
    assert.equal(leaf.sim.stats.configChanges, changes);
    assert.equal(leaf.sim.runningConfig(), running);
  });

  it('a change set planned against a device that changed since is refused before anything is written', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf);
    const plan = await s.plan({ desired: baseline() });
    await leaf.sim.applyOutOfBand(['vlan 3000', 'exit']); // the leaf VLAN the plan chose is taken meanwhile
    const changes = leaf.sim.stats.configChanges;
    const e = await rejection(s.apply({ changeSet: plan }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.match(e.message, /the device changed since the plan: at operation 1 the plan says "vlan 3000" but the device now needs "vlan 3001"; nothing was written/);
    assert.equal(leaf.sim.stats.configChanges, changes);
  });

  it('saveOnConfirm: false confirms without write', async () => {
    leaf = await startLeaf();
    const s = await connect(leaf, { saveOnConfirm: false });
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    assert.equal(leaf.sim.stats.writes, 0);
    assert.deepEqual(markersIn(leaf.sim.runningConfig()), []);
    assert.deepEqual(owned(leaf), small());
  });

  it('facts come from show version and the prompt', async () => {
    leaf = await startLeaf();
    const f = await (await connect(leaf)).facts();
    assert.equal(f.vendor, 'Ruijie');
    assert.equal(f.model, 'RG-S6510-48VS8CQ');
    assert.equal(f.osVersion, 'RGOS 11.0(5)B9P59');
    assert.equal(f.serial, 'SIM00000001');
    assert.equal(f.hostname, 'Leaf1');
    assert.equal(f.extra?.['sysObjectId'], '1.3.6.1.4.1.4881.1.1.10.1.2601');
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
    assert.equal((await insecure.facts()).model, 'RG-S6510-48VS8CQ');
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

  it('the password never appears in a transcript, an error or a log line, even where the device prints it', async () => {
    // The switch's host name is the password here, so the device prints it in every prompt and in `hostname`.
    leaf = await startLeaf({ hostname: 'S3cret-Pw-42', password: 'S3cret-Pw-42' });
    const log = recordingLogger();
    const s = await leaf.driver({}, {}, log.logger).connect();
    sessions.push(s);
    await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: small() }) }) });
    const more = smallInput();
    more.segment['10030'] = { key: '10030', name: 'ls-more', l2Vni: 10030 };
    leaf.sim.failNextCommand(/^vlan 3000$/, 'refused near S3cret-Pw-42'); // the device echoes the secret in its error
    const e = await rejection(s.apply({ changeSet: await s.plan({ desired: decode(more) }) }));
    assert.equal(codeOf(e), ErrorCode.DEVICE_COMMIT);
    assert.ok(!e.message.includes('S3cret-Pw-42') && !JSON.stringify(isNetloomError(e) ? e.toJSON() : {}).includes('S3cret-Pw-42'), e.message);
    const json = transcriptToJson(s.transcript());
    assert.ok(!json.includes('S3cret-Pw-42'));
    assert.ok(json.includes('***#'), 'prompts are recorded with the secret redacted');
    assert.ok(json.includes('show running-config'), 'the transcript records the session');
    assert.ok(log.lines.length > 0 && log.lines.every((l) => !l.includes('S3cret-Pw-42')), `no log entry holds the password: ${log.lines.filter((l) => l.includes('S3cret-Pw-42')).join('\n')}`);
  });

  it('a recorded session replays through the same adapter code without a device', async () => {
    leaf = await startLeaf();
    const fixed = Date.parse('2031-05-06T07:08:09.000Z');
    const seams = { now: () => fixed, token: () => 'c0ffee00' };
    const driver = new RuijieRgosFabricDriver({ target: leaf.target, options: {}, logger: silentLogger }, seams);
    const live = await driver.connect();
    const observedLive = (await live.observe()).config;
    const plan = await live.plan({ desired: small() });
    const tx = await live.apply({ changeSet: plan });
    await live.confirm({ transaction: tx });
    const facts = await live.facts();
    await live.close();
    const recorded = transcriptFromJson(transcriptToJson(live.transcript()));
    await leaf.stop();
    leaf = undefined;

    const replay = driver.attach(await openReplaySession(recorded, rgosDialect));
    assert.deepEqual((await replay.observe()).config, observedLive);
    const replayedPlan = await replay.plan({ desired: small() });
    assert.deepEqual(replayedPlan.operations, plan.operations);
    const replayedTx = await replay.apply({ changeSet: replayedPlan });
    assert.equal(replayedTx.id, tx.id);
    await replay.confirm({ transaction: replayedTx });
    assert.deepEqual(await replay.facts(), facts);
    await replay.close();
  });

  it('validates options and refuses unknown ones', async () => {
    leaf = await startLeaf();
    assert.throws(() => leaf!.driver({ lockSeconds: 30 }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /lockSeconds: 30 is outside 60\.\.86400/.test((x as Error).message));
    assert.throws(() => leaf!.driver({ segmentVlans: { from: 10, to: 5 } }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /segmentVlans\.to: 5 is below from/.test((x as Error).message));
    assert.throws(() => leaf!.driver({ bogus: 1 }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /bogus: unknown field/.test((x as Error).message));
    assert.throws(() => leaf!.driver({}, { credentials: { username: 'netloom' } }), (x: unknown) => codeOf(x) === ErrorCode.INPUT_INVALID && /password or a private key/.test((x as Error).message));
  });
});
