// Flood VTEPs (hybrid overlay) on a real ovsdb-server serving hardware_vtep: the exact transaction, the rows vtep-ctl
// reads back, observe round-trips, the flood list grows, shrinks and goes, rollback restores it.
import { strict as assert } from 'node:assert';
import { type HwVtepDeviceHarness } from '@netloom/adapter-hw-vtep';
import { FabricConfigCodec, configEquals, decodeOrThrow, type FabricConfig } from '@netloom/ports';
import { type Leaf, converge, fabric, freshLeafPerTest } from './support';

/** Segment 5000 bound on Ethernet1/1 VLAN 100, with flood VTEPs to `ips`. */
function withFlood(ips: readonly string[], segments: readonly number[] = [5000]): FabricConfig {
  return fabric(
    segments.map((vni) => [vni, `ls-${vni}`] as const),
    [['Ethernet1/1', 100, 5000]],
    ips.map((ip) => [5000, ip] as const),
  );
}

describe('hw-vtep flood VTEPs (Mcast_Macs_Remote unknown-dst → Physical_Locator_Set)', function () {
  let leaf: Leaf;
  let h: HwVtepDeviceHarness;
  const vt = (...args: string[]): Promise<string> => h.sandbox.vtepctl(...args);

  freshLeafPerTest((l, harness) => {
    leaf = l;
    h = harness;
  });

  it('golden: the first flood VTEP of a new segment is a locator, a locator set and an unknown-dst row, in one transaction', async () => {
    const s = await leaf.connect();
    const e11 = (await s.read()).ports.get('Ethernet1/1')!._uuid;
    const plan = await s.plan({ desired: withFlood(['192.0.2.141']) });
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['create segment 5000', 'create floodVtep 5000:192.0.2.141', 'create binding Ethernet1/1:100']);
    assert.deepEqual(
      plan.operations.map((o) => o.text),
      [
        '{"op":"assert","lock":"netloom_leaf1"}',
        `{"op":"comment","comment":"netloom: 3 change(s) on ${leaf.instance.target.name}"}`,
        '{"op":"wait","table":"Logical_Switch","where":[["name","==","nl-5000"]],"columns":["name"],"until":"==","rows":[],"timeout":0}',
        '{"op":"wait","table":"Logical_Switch","where":[["tunnel_key","==",5000]],"columns":["name"],"until":"==","rows":[],"timeout":0}',
        `{"op":"wait","table":"Physical_Port","where":[["_uuid","==",["uuid","${e11}"]]],"columns":["name","vlan_bindings"],"until":"==","rows":[{"name":"Ethernet1/1","vlan_bindings":["map",[]]}],"timeout":0}`,
        '{"op":"insert","table":"Logical_Switch","row":{"name":"nl-5000","description":"netloom:5000","tunnel_key":5000,"other_config":["map",[["netloom-name","ls-5000"]]],"replication_mode":"source_node"},"uuid-name":"ls_5000"}',
        '{"op":"insert","table":"Physical_Locator","row":{"encapsulation_type":"vxlan_over_ipv4","dst_ip":"192.0.2.141"},"uuid-name":"pl_192_0_2_141"}',
        '{"op":"insert","table":"Physical_Locator_Set","row":{"locators":["set",[["named-uuid","pl_192_0_2_141"]]]},"uuid-name":"pls_5000"}',
        '{"op":"insert","table":"Mcast_Macs_Remote","row":{"MAC":"unknown-dst","logical_switch":["named-uuid","ls_5000"],"locator_set":["named-uuid","pls_5000"],"ipaddr":""}}',
        `{"op":"mutate","table":"Physical_Port","where":[["_uuid","==",["uuid","${e11}"]]],"mutations":[["vlan_bindings","insert",["map",[[100,["named-uuid","ls_5000"]]]]]]}`,
      ],
    );
    assert.equal(await h.writeCount(), 0, 'plan writes nothing');
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.equal(await h.commitCount(), 1);
    assert.equal(await vt('list-remote-macs', 'nl-5000'), 'ucast-mac-remote\n\nmcast-mac-remote\n  unknown-dst -> vxlan_over_ipv4/192.0.2.141');
    assert.equal(await vt('get', 'Logical_Switch', 'nl-5000', 'replication_mode'), 'source_node');
    assert.ok(configEquals((await s.observe()).config, withFlood(['192.0.2.141'])));
  });

  it('a second VTEP replaces the immutable set (reusing the existing locator); removing them shrinks it, then deletes the row', async () => {
    const s = await leaf.connect();
    await converge(s, withFlood(['192.0.2.141']));
    const before = await s.read();
    const loc141 = before.locators.get('192.0.2.141')!._uuid;
    const row = before.floodRows.get('5000')!;
    const plan = await s.plan({ desired: withFlood(['192.0.2.141', '192.0.2.142']) });
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['create floodVtep 5000:192.0.2.142']);
    const texts = plan.operations.map((o) => o.text);
    const ls5000 = before.ownedSwitches.get('5000')!._uuid;
    assert.deepEqual(texts.slice(-4), [
      '{"op":"insert","table":"Physical_Locator","row":{"encapsulation_type":"vxlan_over_ipv4","dst_ip":"192.0.2.142"},"uuid-name":"pl_192_0_2_142"}',
      `{"op":"insert","table":"Physical_Locator_Set","row":{"locators":["set",[["uuid","${loc141}"],["named-uuid","pl_192_0_2_142"]]]},"uuid-name":"pls_5000"}`,
      `{"op":"update","table":"Logical_Switch","where":[["_uuid","==",["uuid","${ls5000}"]]],"row":{"replication_mode":"source_node"}}`,
      `{"op":"update","table":"Mcast_Macs_Remote","where":[["_uuid","==",["uuid","${row._uuid}"]]],"row":{"locator_set":["named-uuid","pls_5000"]}}`,
    ]);
    assert.ok(texts.some((t) => t.startsWith('{"op":"wait","table":"Mcast_Macs_Remote"')), 'the row must be unchanged since it was read');
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.equal(await vt('list-remote-macs', 'nl-5000'), 'ucast-mac-remote\n\nmcast-mac-remote\n  unknown-dst -> vxlan_over_ipv4/192.0.2.141\n  unknown-dst -> vxlan_over_ipv4/192.0.2.142');
    assert.ok(configEquals((await s.observe()).config, withFlood(['192.0.2.141', '192.0.2.142'])));

    await converge(s, withFlood(['192.0.2.142']));
    assert.equal(await vt('list-remote-macs', 'nl-5000'), 'ucast-mac-remote\n\nmcast-mac-remote\n  unknown-dst -> vxlan_over_ipv4/192.0.2.142');
    const last = await s.plan({ desired: withFlood([]) });
    assert.deepEqual(last.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['delete floodVtep 5000:192.0.2.142']);
    const lastRow = (await s.read()).floodRows.get('5000')!._uuid;
    assert.ok(last.operations.some((o) => o.text === `{"op":"delete","table":"Mcast_Macs_Remote","where":[["_uuid","==",["uuid","${lastRow}"]]]}`));
    await s.confirm({ transaction: await s.apply({ changeSet: last }) });
    assert.equal(await vt('list-remote-macs', 'nl-5000'), 'ucast-mac-remote\n\nmcast-mac-remote');
    assert.ok(configEquals((await s.observe()).config, withFlood([])));
    // ovsdb-server collected the unreferenced set and locators.
    const [sets, locs] = (await h.transact([
      { op: 'select', table: 'Physical_Locator_Set', where: [] },
      { op: 'select', table: 'Physical_Locator', where: [] },
    ] as never)) as { rows: unknown[] }[];
    assert.equal(sets?.rows.length, 0);
    assert.equal(locs?.rows.length, 0);
  });

  it('rollback restores the previous flood list; deleting the segment takes its flood row with it', async () => {
    const s = await leaf.connect();
    await converge(s, withFlood(['192.0.2.141']));
    const tx = await s.apply({ changeSet: await s.plan({ desired: withFlood(['192.0.2.142', '192.0.2.143']) }) });
    assert.ok(configEquals((await s.observe()).config, withFlood(['192.0.2.142', '192.0.2.143'])));
    await s.rollback({ transaction: tx });
    assert.ok(configEquals((await s.observe()).config, withFlood(['192.0.2.141'])));
    assert.equal(await vt('list-remote-macs', 'nl-5000'), 'ucast-mac-remote\n\nmcast-mac-remote\n  unknown-dst -> vxlan_over_ipv4/192.0.2.141');

    const empty = decodeOrThrow(FabricConfigCodec, { vrf: {}, interconnect: {}, segment: {}, binding: {} }, 'empty');
    const plan = await s.plan({ desired: empty });
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['delete binding Ethernet1/1:100', 'delete floodVtep 5000:192.0.2.141', 'delete segment 5000']);
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.equal(await vt('list-ls'), '');
    assert.ok(configEquals((await s.observe()).config, empty));
  });

  it('an out-of-band edit of the flood list is drift: observe shows it and plan repairs it', async () => {
    const s = await leaf.connect();
    await converge(s, withFlood(['192.0.2.141', '192.0.2.142']));
    await h.changeOutOfBand({ kind: 'floodVtep', key: '5000:192.0.2.141', object: undefined });
    assert.ok(configEquals((await s.observe()).config, withFlood(['192.0.2.142'])));
    const plan = await s.plan({ desired: withFlood(['192.0.2.141', '192.0.2.142']) });
    assert.deepEqual(plan.changes.map((c) => `${c.op} ${c.kind} ${c.key}`), ['create floodVtep 5000:192.0.2.141']);
    await s.confirm({ transaction: await s.apply({ changeSet: plan }) });
    assert.ok(configEquals((await s.observe()).config, withFlood(['192.0.2.141', '192.0.2.142'])));
  });
});
