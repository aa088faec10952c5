'use strict';
// 1,000 endpoint ports on a real ovsdb-server + ovs-vswitchd (userspace datapath), three ways:
//   1. through the OVS adapter: one plan + one apply (one OVSDB transaction and one OpenFlow batch) + confirm;
//   2. through ovs-vsctl, one process per port (what a naive integration does);
//   3. through one batched ovs-vsctl (`add-port ... -- add-port ...`, one transaction).
// Each way on a fresh bridge, then the ports are removed the same way. Prints times and ratios; asserts nothing.
//
//   npm run bench -- ovsdb                 1,000 ports
//   BENCH_PORTS=200 npm run bench -- ovsdb
//
// Needs Open vSwitch (openvswitch-switch) and root (ovs-vswitchd on the userspace datapath); otherwise it says why
// and exits 0.
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const run = promisify(execFile);

const PORTS = Number(process.env.BENCH_PORTS ?? 1000);
if (!(Number.isInteger(PORTS) && PORTS > 0)) throw new Error(`BENCH_PORTS must be a positive integer, got ${process.env.BENCH_PORTS}`);

const { ovsUnavailableReason } = require('@netloom/ovsdb/testing');
const reason = ovsUnavailableReason({ vswitchd: true });
if (reason !== undefined) {
  console.log(`ovsdb benchmark skipped: ${reason}`);
  process.exit(0);
}
const { ovsVSwitch, startOvsSandboxDevice } = require('@netloom/adapter-ovs');
const { emptyVSwitchConfig, silentLogger } = require('@netloom/ports');

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const pad = (n, w) => String(n).padStart(w, '0');
const mac = (i) => `0a:58:0a:${pad(((i >> 16) & 0xff).toString(16), 2)}:${pad(((i >> 8) & 0xff).toString(16), 2)}:${pad((i & 0xff).toString(16), 2)}`;

function desired(bridge, count) {
  const endpointPort = {};
  for (let i = 0; i < count; i++) {
    const name = `bp${pad(i, 4)}`;
    endpointPort[name] = {
      key: name,
      name,
      bridge,
      mac: mac(i + 1),
      ips: [`10.${(i >> 8) & 0xff}.${i & 0xff}.2`],
      attachment: { type: 'vlan', vlan: 100 + (i % 50) },
      endpointId: `bench/pod-${i}`,
    };
  }
  return { ...emptyVSwitchConfig(), bridge: { [bridge]: { key: bridge, name: bridge, failMode: 'secure' } }, endpointPort };
}

async function main() {
  const device = await startOvsSandboxDevice();
  const sandbox = device.sandbox;
  const results = [];
  try {
    // 1. The adapter.
    const session = await ovsVSwitch({ target: { name: 'bench' }, options: device.options, logger: silentLogger }).connect();
    try {
      const want = desired('br-ad', PORTS);
      let t0 = process.hrtime.bigint();
      const plan = await session.plan({ desired: want });
      const tx = await session.apply({ changeSet: plan });
      await session.confirm({ transaction: tx });
      const create = ms(t0);
      const count = Number(await sandbox.vsctl('--format=csv', '--no-headings', '--columns=name', 'find', 'Port', `external_ids:netloom-owner=netloom`).then((s) => s.split('\n').filter((l) => /bp\d{4}/.test(l)).length));
      t0 = process.hrtime.bigint();
      const plan2 = await session.plan({ desired: { ...want, endpointPort: {} } });
      const tx2 = await session.apply({ changeSet: plan2 });
      await session.confirm({ transaction: tx2 });
      results.push({ way: 'adapter (one transaction + one flow batch)', create, remove: ms(t0), ports: count });
      // Leave no bridge behind for the next ways.
      const tx3 = await session.apply({ changeSet: await session.plan({ desired: emptyVSwitchConfig() }) });
      await session.confirm({ transaction: tx3 });
    } finally {
      await session.close();
    }

    // 2. ovs-vsctl, one process per port.
    await sandbox.vsctl('add-br', 'br-one', '--', 'set', 'bridge', 'br-one', 'datapath_type=netdev');
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < PORTS; i++) {
      const name = `op${pad(i, 4)}`;
      await sandbox.vsctl('--no-wait', 'add-port', 'br-one', name, `tag=${100 + (i % 50)}`, '--', 'set', 'Interface', name, `external_ids:attached-mac=${mac(i + 1)}`, `external_ids:iface-id=bench/pod-${i}`);
    }
    const oneCreate = ms(t0);
    const oneCount = (await sandbox.vsctl('list-ports', 'br-one')).split('\n').filter((l) => l !== '').length;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < PORTS; i++) await sandbox.vsctl('--no-wait', 'del-port', 'br-one', `op${pad(i, 4)}`);
    results.push({ way: 'ovs-vsctl, one process per port', create: oneCreate, remove: ms(t0), ports: oneCount });
    await sandbox.vsctl('del-br', 'br-one');

    // 3. One batched ovs-vsctl.
    await sandbox.vsctl('add-br', 'br-bat', '--', 'set', 'bridge', 'br-bat', 'datapath_type=netdev');
    const addArgs = [];
    const delArgs = [];
    for (let i = 0; i < PORTS; i++) {
      const name = `tp${pad(i, 4)}`;
      addArgs.push('--', 'add-port', 'br-bat', name, `tag=${100 + (i % 50)}`, '--', 'set', 'Interface', name, `external_ids:attached-mac=${mac(i + 1)}`, `external_ids:iface-id=bench/pod-${i}`);
      delArgs.push('--', 'del-port', 'br-bat', name);
    }
    t0 = process.hrtime.bigint();
    await run('ovs-vsctl', [`--db=${sandbox.unixRemote}`, '--timeout=120', '--no-wait', ...addArgs.slice(1)], { env: sandbox.env, maxBuffer: 1 << 26 });
    const batCreate = ms(t0);
    const batCount = (await sandbox.vsctl('list-ports', 'br-bat')).split('\n').filter((l) => l !== '').length;
    t0 = process.hrtime.bigint();
    await run('ovs-vsctl', [`--db=${sandbox.unixRemote}`, '--timeout=120', '--no-wait', ...delArgs.slice(1)], { env: sandbox.env, maxBuffer: 1 << 26 });
    results.push({ way: 'ovs-vsctl, one batched process', create: batCreate, remove: ms(t0), ports: batCount });
    await sandbox.vsctl('del-br', 'br-bat');
  } finally {
    await device.dispose();
  }

  console.log(`${PORTS} endpoint ports (VLAN tag, MAC, endpoint id) on a real ovsdb-server + userspace ovs-vswitchd`);
  const base = results[0];
  for (const r of results) {
    console.log(
      `${r.way.padEnd(44)} create ${fmt(r.create).padStart(9)}  remove ${fmt(r.remove).padStart(9)}  ports seen ${String(r.ports).padStart(5)}  ` +
        `ratio to the adapter: create ${(r.create / base.create).toFixed(1)}x, remove ${(r.remove / base.remove).toFixed(1)}x`,
    );
  }
  console.log('(the adapter times include plan, apply, the OpenFlow batch with its barrier, and confirm; ovs-vsctl runs with --no-wait)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
