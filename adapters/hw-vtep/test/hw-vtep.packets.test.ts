// With real packets (LAB.md "A leaf switch: the OVS hardware-VTEP emulator"): two nodes (OVS bridges) each with a
// pod namespace on its own VLAN (100 on node a, 230 on node b) trunk into the ports of a leaf emulated by ovs-vtep.
// The leaf is driven only through the adapter: the segment with L2 VNI 5000 and the bindings (l1p1, 100) and
// (l1p2, 230) make the pods reach each other; deleting one binding separates them again.
import { strict as assert } from 'node:assert';
import { type HwVtepFabricSession } from '@netloom/adapter-hw-vtep';
import { configEquals } from '@netloom/ports';
import { type OvsSandbox } from '@netloom/ovsdb/testing';
import { VtepPacketLab, converge, describeNothingLeftBehind, eventually, fabric, pings } from './support';

// Unique per run, and short: ovs-vtep names its bridge per logical switch <leaf>_vtep_ls<n>, and with the userspace
// datapath every bridge is also a network device (at most 15 characters).
const sfx = String(process.pid % 10_000);
const N = {
  leaf: `l${sfx}`,
  nodeA: `na${sfx}`,
  nodeB: `nb${sfx}`,
  podA: `nlpoda${process.pid}`,
  podB: `nlpodb${process.pid}`,
  vethA: `va${sfx}`,
  vethB: `vb${sfx}`,
  podIfA: `ea${sfx}`,
  podIfB: `eb${sfx}`,
  upA: `ua${sfx}`,
  upB: `ub${sfx}`,
  l1p1: `l1p1x${sfx}`,
  l1p2: `l1p2x${sfx}`,
};
const IP_A = '10.77.0.1';
const IP_B = '10.77.0.2';
/** Network devices this test creates in the host namespace (directly, or as bridges). */
const HOST_DEVICES = [N.leaf, `${N.leaf}_vtep_ls1`, 'vtep_bfd', N.nodeA, N.nodeB, N.vethA, N.vethB, N.upA, N.upB, N.l1p1, N.l1p2];

const lab = new VtepPacketLab();

describe('hw-vtep with real packets through ovs-vtep', function () {
  this.timeout(120_000);
  let ovs: OvsSandbox | undefined;
  let session: HwVtepFabricSession | undefined;

  before(async function () {
    ovs = await lab.start(this);
    // Pods: a namespace each, a veth into the node bridge as an access port of the pod's VLAN.
    await lab.addPod(N.podA, N.vethA, N.podIfA, IP_A);
    await lab.addPod(N.podB, N.vethB, N.podIfB, IP_B);
    // Nodes: OVS bridges with the pod port (tagged) and a trunk uplink veth whose other end is a leaf port.
    await lab.addNetworkNode({ bridge: N.nodeA, podVeth: N.vethA, vlan: 100, uplink: N.upA, leafPort: N.l1p1 });
    await lab.addNetworkNode({ bridge: N.nodeB, podVeth: N.vethB, vlan: 230, uplink: N.upB, leafPort: N.l1p2 });
    // The leaf: an OVS bridge with the two ports, known to hardware_vtep as a Physical_Switch with those ports.
    await lab.startLeaf({ name: N.leaf, ports: [N.l1p1, N.l1p2], tunnelIp: '127.0.0.1' });
    session = await lab.connect('leaf-pkt', N.leaf);
  });

  after(async function () {
    this.timeout(60_000);
    // Deletes every bridge (the leaf, the nodes, ovs-vtep's), stops ovsdb-server and ovs-vswitchd.
    await lab.stop([N.upA, N.upB, N.vethA, N.vethB]);
  });

  it('before netloom binds anything, the pods do not reach each other', async () => {
    assert.ok(configEquals((await session!.observe()).config, fabric([])));
    assert.equal(await pings(N.podA, IP_B), false);
    assert.equal(await pings(N.podA, IP_B), false);
  });

  it('segment 5000 with bindings (l1p1, 100) and (l1p2, 230), applied through the adapter, connects the pods', async () => {
    const desired = fabric([[5000, 'ls-pods']], [
      [N.l1p1, 100, 5000],
      [N.l1p2, 230, 5000],
    ]);
    await converge(session!, desired);
    assert.ok(configEquals((await session!.observe()).config, desired));
    await eventually('pod a to reach pod b through the leaf', () => pings(N.podA, IP_B), 60_000);
    assert.equal(await pings(N.podB, IP_A), true);
    // ovs-vtep built its per-switch bridge and the two binding patches from what the adapter wrote.
    const ports = (await ovs!.vsctl('list-ports', N.leaf)).split('\n');
    assert.ok(ports.includes(`0100-${N.l1p1}-p`) && ports.includes(`0230-${N.l1p2}-p`), ports.join(','));
  });

  it('after deleting the binding (l1p2, 230) through the adapter, the pods no longer reach each other', async () => {
    const desired = fabric([[5000, 'ls-pods']], [[N.l1p1, 100, 5000]]);
    await converge(session!, desired);
    assert.ok(configEquals((await session!.observe()).config, desired));
    await eventually('ovs-vtep to remove the binding patch of (l1p2, 230)', async () => !(await ovs!.vsctl('list-ports', N.leaf)).split('\n').includes(`0230-${N.l1p2}-p`), 30_000);
    for (let i = 0; i < 3; i++) assert.equal(await pings(N.podA, IP_B), false, `ping ${i + 1} went through`);
  });
});

describeNothingLeftBehind('hw-vtep with real packets: nothing left behind', lab, { test: 'the packet test above', pods: [N.podA, N.podB], hostDeviceNames: HOST_DEVICES });
