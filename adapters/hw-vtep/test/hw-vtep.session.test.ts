import { strict as assert } from 'node:assert';
import { CONFORMANCE_PORTS, type HwVtepDeviceHarness, hwVtepFabric, lockName } from '@netloom/adapter-hw-vtep';
import {
  CommitError,
  DeviceConnectionError,
  DeviceProtocolError,
  InputError,
  LockedError,
  NotSupportedError,
  configEquals,
  silentLogger,
  type FabricConfig,
  type FabricConfigInput,
} from '@netloom/ports';
import { OvsdbClient, namedUuid, op } from '@netloom/ovsdb';
import { startOvsSandbox } from '@netloom/ovsdb/testing';
import { type Leaf, converge, fabric, freshLeafPerTest } from './support';

const DB = 'hardware_vtep';

/** Everything the device holds, and the adapter's committed writes so far. */
async function snapshot(h: HwVtepDeviceHarness) {
  return { config: await h.readConfig(), writes: await h.writeCount(), commits: await h.commitCount() };
}

async function assertUnchanged(h: HwVtepDeviceHarness, before: Awaited<ReturnType<typeof snapshot>>, when: string): Promise<void> {
  const now = await snapshot(h);
  assert.equal(now.writes, before.writes, `${when}: the adapter committed ${now.writes - before.writes} write(s)`);
  assert.equal(now.commits, before.commits, `${when}: the adapter committed a transaction`);
  assert.ok(configEquals(now.config, before.config), `${when}: the device changed: ${JSON.stringify(now.config)} vs ${JSON.stringify(before.config)}`);
}

describe('hw-vtep session against ovsdb-server (hardware_vtep)', function () {
  let leaf: Leaf;
  let h: HwVtepDeviceHarness;

  freshLeafPerTest((l, harness) => {
    leaf = l;
    h = harness;
  });

  it('plan renders the exact OVSDB transaction; apply sends it as one transaction that vtep-ctl reads back', async () => {
    const s = await leaf.connect();
    const state = await s.read();
    const e11 = state.ports.get('Ethernet1/1')!._uuid;
    const e12 = state.ports.get('Ethernet1/2')!._uuid;
    const desired = fabric([[5000, 'ls-pods']], [
      ['Ethernet1/1', 100, 5000],
      ['Ethernet1/2', 230, 5000],
    ]);
    const plan = await s.plan({ desired });
    assert.deepEqual(
      plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`),
      ['create segment 5000', 'create binding Ethernet1/1:100', 'create binding Ethernet1/2:230'],
    );
    assert.ok(plan.operations.every((o) => o.medium === 'ovsdb'));
    assert.deepEqual(
      plan.operations.map((o) => o.text),
      [
        '{"op":"assert","lock":"netloom_leaf1"}',
        `{"op":"comment","comment":"netloom: 3 change(s) on ${leaf.instance.target.name}"}`,
        '{"op":"wait","table":"Logical_Switch","where":[["name","==","nl-5000"]],"columns":["name"],"until":"==","rows":[],"timeout":0}',
        '{"op":"wait","table":"Logical_Switch","where":[["tunnel_key","==",5000]],"columns":["name"],"until":"==","rows":[],"timeout":0}',
        `{"op":"wait","table":"Physical_Port","where":[["_uuid","==",["uuid","${e11}"]]],"columns":["name","vlan_bindings"],"until":"==","rows":[{"name":"Ethernet1/1","vlan_bindings":["map",[]]}],"timeout":0}`,
        `{"op":"wait","table":"Physical_Port","where":[["_uuid","==",["uuid","${e12}"]]],"columns":["name","vlan_bindings"],"until":"==","rows":[{"name":"Ethernet1/2","vlan_bindings":["map",[]]}],"timeout":0}`,
        '{"op":"insert","table":"Logical_Switch","row":{"name":"nl-5000","description":"netloom:5000","tunnel_key":5000,"other_config":["map",[["netloom-name","ls-pods"]]],"replication_mode":"source_node"},"uuid-name":"ls_5000"}',
        `{"op":"mutate","table":"Physical_Port","where":[["_uuid","==",["uuid","${e11}"]]],"mutations":[["vlan_bindings","insert",["map",[[100,["named-uuid","ls_5000"]]]]]]}`,
        `{"op":"mutate","table":"Physical_Port","where":[["_uuid","==",["uuid","${e12}"]]],"mutations":[["vlan_bindings","insert",["map",[[230,["named-uuid","ls_5000"]]]]]]}`,
      ],
    );
    // plan wrote nothing
    assert.equal(await h.writeCount(), 0);
    const tx = await s.apply({ changeSet: plan });
    assert.equal(tx.state, 'applied');
    assert.equal(tx.confirmBy, undefined, 'no confirmed commit on hardware_vtep');
    assert.equal(await h.commitCount(), 1, 'one transaction');
    assert.equal(await h.writeCount(), 3, 'insert + two mutates');
    await s.confirm({ transaction: tx });
    const vt = h.sandbox.vtepctl.bind(h.sandbox);
    assert.equal(await vt('list-ls'), 'nl-5000');
    assert.equal(await vt('get', 'Logical_Switch', 'nl-5000', 'tunnel_key'), '5000');
    assert.equal(await vt('get', 'Logical_Switch', 'nl-5000', 'description'), '"netloom:5000"');
    assert.equal(await vt('list-bindings', 'leaf1', 'Ethernet1/1'), '0100 nl-5000');
    assert.equal(await vt('list-bindings', 'leaf1', 'Ethernet1/2'), '0230 nl-5000');
    assert.ok(configEquals((await s.observe()).config, desired));

    // Rename, re-point one binding to a new segment, delete the other and the old segment: one transaction.
    const next = fabric([[6000, 'ls-b']], [['Ethernet1/1', 100, 6000]]);
    const plan2 = await s.plan({ desired: next });
    const ls5000 = (await s.read()).ownedSwitches.get('5000')!._uuid;
    const texts = plan2.operations.map((o) => o.text);
    assert.ok(texts.includes(`{"op":"mutate","table":"Physical_Port","where":[["_uuid","==",["uuid","${e11}"]]],"mutations":[["vlan_bindings","delete",["set",[100]]],["vlan_bindings","insert",["map",[[100,["named-uuid","ls_6000"]]]]]]}`));
    assert.ok(texts.includes(`{"op":"mutate","table":"Physical_Port","where":[["_uuid","==",["uuid","${e12}"]]],"mutations":[["vlan_bindings","delete",["set",[230]]]]}`));
    for (const table of ['Ucast_Macs_Local', 'Ucast_Macs_Remote', 'Mcast_Macs_Local', 'Mcast_Macs_Remote', 'Logical_Switch']) {
      const where = table === 'Logical_Switch' ? '_uuid' : 'logical_switch';
      assert.ok(texts.includes(`{"op":"delete","table":"${table}","where":[["${where}","==",["uuid","${ls5000}"]]]}`), `delete ${table}`);
    }
    await s.confirm({ transaction: await s.apply({ changeSet: plan2 }) });
    assert.equal(await h.commitCount(), 2);
    assert.equal(await vt('list-ls'), 'nl-6000');
    assert.equal(await vt('list-bindings', 'leaf1', 'Ethernet1/1'), '0100 nl-6000');
    assert.equal(await vt('list-bindings', 'leaf1', 'Ethernet1/2'), '');
    assert.ok(configEquals((await s.observe()).config, next));
  });

  it('refuses injection attempts, out-of-range VLANs and VNIs, unknown ports and unsupported kinds before any write', async () => {
    const s = await leaf.connect();
    await h.seedForeign({ kind: 'segment', object: { key: '20000', name: 'legacy-bd', l2Vni: 20000, description: 'made by hand' } });
    const before = await snapshot(h);
    const base: FabricConfigInput = fabric([[5000, 'ls-a']], [['Ethernet1/1', 100, 5000]]);
    const withSegment = (seg: Record<string, unknown>): FabricConfigInput =>
      ({ ...base, segment: { ...base.segment, [String(seg['key'])]: seg } }) as unknown as FabricConfigInput;
    const withBinding = (b: Record<string, unknown>): FabricConfigInput => ({ ...base, binding: { ...base.binding, [String(b['key'])]: b } }) as unknown as FabricConfigInput;
    const refused: Array<[string, FabricConfigInput, RegExp]> = [
      ['name with ";"', withSegment({ key: '5001', name: 'x;reboot', l2Vni: 5001 }), /segment\["5001"\]\.name/],
      ['name with a newline', withSegment({ key: '5001', name: 'x\n{"op":"delete"}', l2Vni: 5001 }), /segment\["5001"\]\.name/],
      ['name with a quote', withSegment({ key: '5001', name: 'x","description":"netloom:1', l2Vni: 5001 }), /segment\["5001"\]\.name/],
      ['VNI 0', withSegment({ key: '0', name: 'zero', l2Vni: 0 }), /l2Vni: 0 is outside 1\.\.16777215/],
      ['VNI 2^24', withSegment({ key: '16777216', name: 'big', l2Vni: 16_777_216 }), /l2Vni: 16777216 is outside/],
      ['VLAN 0', withBinding({ key: 'Ethernet1/2:0', interface: 'Ethernet1/2', vlan: 0, l2Vni: 5000 }), /vlan: 0 is outside 1\.\.4094/],
      ['VLAN 4095', withBinding({ key: 'Ethernet1/2:4095', interface: 'Ethernet1/2', vlan: 4095, l2Vni: 5000 }), /vlan: 4095 is outside 1\.\.4094/],
      ['interface with a space', withBinding({ key: 'Eth 1:10', interface: 'Eth 1', vlan: 10, l2Vni: 5000 }), /interface/],
      ['unknown port', withBinding({ key: 'Ethernet9/9:100', interface: 'Ethernet9/9', vlan: 100, l2Vni: 5000 }), /binding\["Ethernet9\/9:100"\]\.interface: "Ethernet9\/9" is not a port of Physical_Switch "leaf1" \(ports: Ethernet1\/1, Ethernet1\/2, Ethernet1\/3, Ethernet1\/4\)/],
    ];
    for (const [what, desired, message] of refused) {
      await assert.rejects(s.plan({ desired: desired as FabricConfig }), (e: unknown) => {
        assert.ok(e instanceof InputError, `${what}: expected InputError, got ${String(e)}`);
        assert.match(e.message, message, what);
        return true;
      });
    }
    await assert.rejects(
      s.plan({ desired: { ...base, vrf: { v: { key: 'v', name: 'v', l3Vni: 50001 } } } as unknown as FabricConfig }),
      (e: unknown) => e instanceof NotSupportedError && /does not support: vrf/.test(e.message),
    );
    await assertUnchanged(h, before, 'after refusing every invalid input');
    assert.equal(before.writes, 0);
  });

  it('a change set planned before an out-of-band edit is refused with CommitError and changes nothing', async () => {
    const s = await leaf.connect();
    await converge(s, fabric([[5000, 'ls-a']], [['Ethernet1/1', 100, 5000]]));
    const plan = await s.plan({ desired: fabric([[5000, 'ls-b']], [['Ethernet1/1', 100, 5000], ['Ethernet1/2', 230, 5000]]) });
    // An operator renames the segment behind netloom's back.
    await h.changeOutOfBand({ kind: 'segment', key: '5000', object: { key: '5000', name: 'ls-ops', l2Vni: 5000 } as never });
    const before = await snapshot(h);
    await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => {
      assert.ok(e instanceof CommitError, String(e));
      assert.equal(e.details['stale'], true);
      assert.equal(e.details['written'], 0);
      assert.match(e.message, /changed since it was observed.*nothing was written/s);
      return true;
    });
    await assertUnchanged(h, before, 'after the stale apply');
    assert.equal((await s.observe()).config.segment['5000']?.name, 'ls-ops', "the operator's edit is kept");
    // The session is not left locked: a fresh plan applies.
    await converge(s, fabric([[5000, 'ls-b']], [['Ethernet1/1', 100, 5000]]));
  });

  it('an edit that races the commit fails its precondition: CommitError, nothing written', async () => {
    const s = await leaf.connect();
    await h.seedForeign({ kind: 'segment', object: { key: '20000', name: 'legacy-bd', l2Vni: 20000 } });
    const legacy = (await s.read()).logicalSwitches.find((l) => l.name === 'legacy-bd')!._uuid;
    const e11 = (await s.read()).ports.get('Ethernet1/1')!._uuid;
    const plan = await s.plan({ desired: fabric([[5000, 'ls-a']], [['Ethernet1/1', 100, 5000]]) });
    // Between the adapter's read and its commit, another controller binds VLAN 300 of the same port.
    h.beforeNextCommit(async () => {
      await h.transact([op.mutate('Physical_Port', [['_uuid', '==', e11]], [['vlan_bindings', 'insert', new Map([[300, legacy]])]])]);
    });
    const before = await snapshot(h);
    await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => {
      assert.ok(e instanceof CommitError, String(e));
      assert.equal(e.details['stale'], true);
      assert.match(String(e.details['failed']), /precondition: the VLAN bindings of port Ethernet1\/1 unchanged/);
      return true;
    });
    const now = await snapshot(h);
    assert.equal(now.writes, before.writes);
    assert.equal(now.commits, before.commits);
    assert.deepEqual(now.config.owned, fabric([]), 'nothing of the change set was committed');
    assert.ok((now.config.foreign['binding'] as Record<string, unknown>)['leaf1/Ethernet1/1:300'] !== undefined, "the other controller's binding is there");
    // Planned again on the new state, it applies and leaves the foreign binding alone.
    await converge(s, fabric([[5000, 'ls-a']], [['Ethernet1/1', 100, 5000]]));
    assert.equal(await h.sandbox.vtepctl('list-bindings', 'leaf1', 'Ethernet1/1'), '0100 nl-5000\n0300 legacy-bd');
  });

  it('refuses (CommitError, nothing written) to take a VNI, a switch name or a VLAN held by a foreign row', async () => {
    const s = await leaf.connect();
    await h.seedForeign({ kind: 'segment', object: { key: '20000', name: 'legacy-bd', l2Vni: 20000 } });
    await h.transact([op.insert('Logical_Switch', { name: 'nl-7000', description: 'squatter' })]);
    const before = await snapshot(h);
    const cases: Array<[FabricConfig, RegExp]> = [
      [fabric([[20000, 'ls-x']]), /VNI 20000 is the tunnel_key of Logical_Switch "legacy-bd", which is not netloom's/],
      [fabric([[7000, 'ls-y']]), /a Logical_Switch named nl-7000 exists and is not netloom's/],
      [fabric([[5000, 'ls-z']], [['Ethernet1/2', 200, 5000]]), /VLAN 200 of port Ethernet1\/2 is bound to Logical_Switch "legacy-bd", which is not netloom's/],
    ];
    for (const [desired, message] of cases) {
      const plan = await s.plan({ desired });
      await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => e instanceof CommitError && message.test(e.message) && e.details['written'] === 0);
    }
    await assertUnchanged(h, before, 'after refusing conflicting creates');
  });

  it('single writer: a second session gets LockedError while the first has an unconfirmed transaction', async () => {
    const a = await leaf.connect();
    const b = await leaf.connect();
    const txA = await a.apply({ changeSet: await a.plan({ desired: fabric([[5000, 'ls-a']]) }) });
    const planB = await b.plan({ desired: fabric([[6000, 'ls-b']]) });
    const before = await snapshot(h);
    await assert.rejects(b.apply({ changeSet: planB }), (e: unknown) => e instanceof LockedError && /another netloom session holds the OVSDB lock netloom_leaf1/.test(e.message));
    await assertUnchanged(h, before, 'after the refused second writer');
    // The same session cannot stack a second transaction either.
    await assert.rejects(a.apply({ changeSet: await a.plan({ desired: fabric([[5000, 'ls-a'], [5001, 'ls-c']]) }) }), LockedError);
    await a.confirm({ transaction: txA });
    // Free again: b applies (its plan is stale, so it plans again first).
    await converge(b, fabric([[5000, 'ls-a'], [6000, 'ls-b']]));
    assert.ok(configEquals((await a.observe()).config, fabric([[5000, 'ls-a'], [6000, 'ls-b']])));
  });

  it('any OVSDB client holding netloom_<switch> keeps the adapter out (LockedError, nothing written)', async () => {
    const other = await OvsdbClient.connect({ remote: h.sandbox.unixRemote, reconnect: false });
    try {
      assert.deepEqual(await other.lock(lockName('leaf1')), { locked: true });
      const s = await leaf.connect();
      const plan = await s.plan({ desired: fabric([[5000, 'ls-a']]) });
      const before = await snapshot(h);
      await assert.rejects(s.apply({ changeSet: plan }), LockedError);
      await assertUnchanged(h, before, 'while another client holds the lock');
      await other.unlock(lockName('leaf1'));
      await converge(s, fabric([[5000, 'ls-a']]));
    } finally {
      await other.close();
    }
  });

  it('connection lost before the commit reached the server: CommitError "not committed", device unchanged, session recovers', async () => {
    const s = await leaf.connect();
    await converge(s, fabric([[5000, 'ls-a']]));
    const before = await snapshot(h);
    const plan = await s.plan({ desired: fabric([[5000, 'ls-a'], [6000, 'ls-b']], [['Ethernet1/1', 100, 6000]]) });
    await h.injectFault({ type: 'midCommit', lose: 'request' });
    await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => {
      assert.ok(e instanceof CommitError, String(e));
      assert.equal(e.details['outcome'], 'not-committed');
      assert.ok(e.cause instanceof DeviceConnectionError, 'the lost connection is the cause');
      return true;
    });
    await assertUnchanged(h, before, 'after the lost commit');
    await converge(s, fabric([[5000, 'ls-a'], [6000, 'ls-b']], [['Ethernet1/1', 100, 6000]]));
  });

  it('reply lost after the server committed: the adapter finds out, reverts, and says so (CommitError "reverted")', async () => {
    const s = await leaf.connect();
    await converge(s, fabric([[5000, 'ls-a']], [['Ethernet1/1', 100, 5000]]));
    const before = await snapshot(h);
    const plan = await s.plan({ desired: fabric([[5000, 'ls-renamed']], [['Ethernet1/2', 230, 5000]]) });
    await h.injectFault({ type: 'midCommit', lose: 'reply' });
    await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => {
      assert.ok(e instanceof CommitError, String(e));
      assert.equal(e.details['outcome'], 'reverted');
      assert.match(e.message, /back at its last committed configuration/);
      return true;
    });
    const now = await snapshot(h);
    assert.equal(now.commits, before.commits + 2, 'the lost commit and its revert');
    assert.ok(configEquals(now.config, before.config), `the device is back where it was: ${JSON.stringify(now.config.owned)}`);
    // No stale lock: the session applies again.
    await converge(s, fabric([[5000, 'ls-renamed']], [['Ethernet1/2', 230, 5000]]));
  });

  it('rollback is one inverse transaction; it refuses to overwrite an out-of-band edit made after apply', async () => {
    const s = await leaf.connect();
    const base = fabric([[5000, 'ls-a']], [['Ethernet1/1', 100, 5000]]);
    await converge(s, base);
    const commits = await h.commitCount();
    const tx = await s.apply({ changeSet: await s.plan({ desired: fabric([[6000, 'ls-b']], [['Ethernet1/1', 100, 6000], ['Ethernet1/3', 300, 6000]]) }) });
    await s.rollback({ transaction: tx });
    assert.equal(tx.state, 'rolled-back');
    assert.equal(await h.commitCount(), commits + 2, 'apply and its inverse: one transaction each');
    assert.ok(configEquals((await s.observe()).config, base));
    await assert.rejects(s.confirm({ transaction: tx }), CommitError);

    const tx2 = await s.apply({ changeSet: await s.plan({ desired: fabric([[5000, 'ls-a'], [6000, 'ls-b']], [['Ethernet1/1', 100, 5000]]) }) });
    await h.changeOutOfBand({ kind: 'segment', key: '6000', object: { key: '6000', name: 'ls-ops', l2Vni: 6000 } as never });
    const before = await snapshot(h);
    await assert.rejects(s.rollback({ transaction: tx2 }), (e: unknown) => e instanceof CommitError && e.details['stale'] === true);
    await assertUnchanged(h, before, 'after the refused rollback');
    assert.equal(tx2.state, 'applied');
  });

  it('deleting a segment also deletes its MAC table entries (written by the switch), nothing else', async () => {
    const s = await leaf.connect();
    await converge(s, fabric([[5000, 'ls-a']], [['Ethernet1/1', 100, 5000]]));
    await h.seedForeign({ kind: 'segment', object: { key: '20000', name: 'legacy-bd', l2Vni: 20000 } });
    const st = await s.read();
    const ours = st.ownedSwitches.get('5000')!._uuid;
    const theirs = st.logicalSwitches.find((l) => l.name === 'legacy-bd')!._uuid;
    // What ovs-vtep writes for a switch: an unknown-dst multicast entry and a learned MAC.
    await h.transact([
      op.insert('Physical_Locator', { encapsulation_type: 'vxlan_over_ipv4', dst_ip: '127.0.0.1' }, 'loc'),
      op.insert('Physical_Locator_Set', { locators: [namedUuid('loc')] }, 'set'),
      op.insert('Mcast_Macs_Local', { MAC: 'unknown-dst', logical_switch: ours, locator_set: namedUuid('set') }),
      op.insert('Ucast_Macs_Local', { MAC: '02:00:00:00:00:01', logical_switch: ours, locator: namedUuid('loc') }),
      op.insert('Ucast_Macs_Local', { MAC: '02:00:00:00:00:02', logical_switch: theirs, locator: namedUuid('loc') }),
    ]);
    await converge(s, fabric([]));
    const client = await OvsdbClient.connect({ remote: h.sandbox.unixRemote, reconnect: false });
    try {
      const [m, u] = await client.transact(DB, [op.select('Mcast_Macs_Local', [], ['MAC']), op.select('Ucast_Macs_Local', [], ['MAC'])] as const);
      assert.deepEqual(m.rows, []);
      assert.deepEqual(u.rows.map((r) => r['MAC']), ['02:00:00:00:00:02']);
    } finally {
      await client.close();
    }
    assert.equal(await h.sandbox.vtepctl('list-ls'), 'legacy-bd');
  });

  it("observe fails loudly (DeviceProtocolError naming row and column) when an owned row was edited out of netloom's form", async () => {
    const s = await leaf.connect();
    await converge(s, fabric([[5000, 'ls-a']]));
    await h.transact([op.update('Logical_Switch', [['name', '==', 'nl-5000']], { tunnel_key: 6000 })]);
    await assert.rejects(s.observe(), (e: unknown) => e instanceof DeviceProtocolError && /Logical_Switch "nl-5000" \([0-9a-f-]+\)\.tunnel_key: is 6000, netloom's marker says 5000/.test(e.message));
    // Repaired, it reads back; a foreign row that merely looks similar is ignored.
    await h.transact([op.update('Logical_Switch', [['name', '==', 'nl-5000']], { tunnel_key: 5000 }), op.insert('Logical_Switch', { name: 'nl-9', description: 'netloom test by hand' })]);
    assert.ok(configEquals((await s.observe()).config, fabric([[5000, 'ls-a']])));
    // A row that claims the marker must carry a VNI in it.
    await h.transact([op.update('Logical_Switch', [['name', '==', 'nl-9']], { description: 'netloom:abc' })]);
    await assert.rejects(s.observe(), (e: unknown) => e instanceof DeviceProtocolError && /"netloom:abc" carries netloom's marker but "abc" is not an L2 VNI/.test(e.message));
  });

  it('facts: vendor from the Physical_Switch description, model hardware_vtep, OS version = schema version', async () => {
    const s = await leaf.connect();
    const facts = await s.facts();
    assert.deepEqual(facts, {
      vendor: 'netloom simulated leaf (ovsdb-server hardware_vtep)',
      model: 'hardware_vtep',
      osVersion: '1.7.0',
      hostname: 'leaf1',
      extra: { database: DB, tunnelIps: '127.0.0.1', managementIps: '', ports: CONFORMANCE_PORTS.length },
    });
  });

  it('connect: unknown physical switch, a server without hardware_vtep, nobody listening → DeviceConnectionError; closed sessions refuse calls', async () => {
    await assert.rejects(leaf.connect({ physicalSwitch: 'leaf9' }), (e: unknown) => e instanceof DeviceConnectionError && /no Physical_Switch "leaf9" \(it has: leaf1, leaf2\)/.test(e.message));
    const plain = await startOvsSandbox({});
    try {
      const driver = hwVtepFabric({ target: { name: 'plain' }, options: { physicalSwitch: 'leaf1', remote: plain.unixRemote }, logger: silentLogger });
      await assert.rejects(driver.connect(), (e: unknown) => e instanceof DeviceConnectionError && /does not serve the hardware_vtep database \(it serves: Open_vSwitch/.test(e.message));
    } finally {
      await plain.stop();
    }
    const nowhere = hwVtepFabric({ target: { name: 'nowhere' }, options: { physicalSwitch: 'leaf1', remote: `unix:${h.sandbox.dir}/nope.sock` }, logger: silentLogger });
    await assert.rejects(nowhere.connect(), DeviceConnectionError);
    const s = await leaf.connect();
    await s.close();
    await s.close();
    await assert.rejects(s.observe(), DeviceConnectionError);
  });
});
