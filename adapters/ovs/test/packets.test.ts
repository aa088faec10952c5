// Real packets through the adapter: pods as network namespaces on a bridge netloom creates in a throw-away Open
// vSwitch (userspace datapath). VLAN isolation, a conntrack security group (allowed port, blocked port, replies,
// rule removal) and QoS rows read back with ovs-vsctl. netloom is the bridge's OpenFlow controller here (listen
// mode), the other mode of the conformance run.
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { type OvsSandbox, skipUnlessOvs, startOvsSandbox } from '@netloom/ovsdb/testing';
import { freePort, ovsVSwitch, type OvsVSwitchSession } from '@netloom/adapter-ovs';
import { emptyVSwitchConfig, silentLogger, type VSwitchConfig, type VSwitchConfigInput } from '@netloom/ports';
import { canPing, createPod, deletePod, sh, startServer, stopProcess, tcpExchange, type Pod } from '@netloom/ovs-vswitch/testing';

const id = process.pid;
const bridge = `nlb${id}`;
const podA: Pod = { ns: `nlo-a-${id}`, hostIf: `nloa${id}`, ip: '10.77.0.1', mac: '0a:58:0a:4d:00:01' };
const podB: Pod = { ns: `nlo-b-${id}`, hostIf: `nlob${id}`, ip: '10.77.0.2', mac: '0a:58:0a:4d:00:02' };
const podC: Pod = { ns: `nlo-c-${id}`, hostIf: `nloc${id}`, ip: '10.77.0.3', mac: '0a:58:0a:4d:00:03' };
const pods = [podA, podB, podC];

function port(pod: Pod, vlan: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { key: pod.hostIf, name: pod.hostIf, bridge, mac: pod.mac, ips: [pod.ip], attachment: { type: 'vlan', vlan }, endpointId: `test/${pod.ns}`, pod: { namespace: 'test', name: pod.ns }, ...extra };
}

interface Shape {
  /** A in group web; B in group client. */
  readonly isolateA?: boolean;
  readonly isolateB?: boolean;
  /** web: tcp 8080 in from B's address. */
  readonly ruleA?: boolean;
  /** client: tcp 8080 out to A's address. */
  readonly ruleB?: boolean;
  readonly qos?: boolean;
}

function config(opts: Shape = {}): VSwitchConfigInput {
  const base = emptyVSwitchConfig() as unknown as Record<string, Record<string, unknown>>;
  base['bridge'] = { [bridge]: { key: bridge, name: bridge, failMode: 'secure' } };
  const rules: Record<string, unknown> = {};
  if (opts.ruleA === true) {
    rules['web:http-in'] = { key: 'web:http-in', group: 'web', name: 'http-in', direction: 'ingress', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], remote: { cidr: `${podB.ip}/32` } };
  }
  if (opts.ruleB === true) {
    rules['client:http-out'] = { key: 'client:http-out', group: 'client', name: 'http-out', direction: 'egress', protocol: 'tcp', ports: [{ from: 8080, to: 8080 }], remote: { cidr: `${podA.ip}/32` } };
  }
  base['securityGroupRule'] = rules;
  if (opts.qos === true) base['qos'] = { silver: { key: 'silver', name: 'silver', ingressRateKbps: 50_000, egressRateKbps: 40_000, egressBurstKb: 4_000 } };
  const bQos = opts.qos === true ? { qos: { ingressRateKbps: 20_000, ingressBurstKb: 2_000, egressRateKbps: 10_000, egressBurstKb: 1_000 } } : {};
  base['endpointPort'] = {
    [podA.hostIf]: port(podA, 100, opts.isolateA === true ? { securityGroups: ['web'] } : {}),
    [podB.hostIf]: port(podB, 100, { ...bQos, ...(opts.isolateB === true ? { securityGroups: ['client'] } : {}) }),
    [podC.hostIf]: port(podC, 200, opts.qos === true ? { qos: 'silver' } : {}),
  };
  return base as unknown as VSwitchConfigInput;
}

async function converge(session: OvsVSwitchSession, desired: VSwitchConfigInput): Promise<void> {
  const plan = await session.plan({ desired: desired as unknown as VSwitchConfig });
  const tx = await session.apply({ changeSet: plan });
  await session.confirm({ transaction: tx });
  const again = await session.plan({ desired: desired as unknown as VSwitchConfig });
  assert.equal(again.changes.length, 0, 'converged: nothing left to change');
}

describe('ovs with real packets (pods as network namespaces)', function () {
  this.timeout(120_000);
  let sandbox: OvsSandbox | undefined;
  let session: OvsVSwitchSession | undefined;
  let server: ChildProcess | undefined;

  before(async function () {
    skipUnlessOvs(this, { vswitchd: true });
    sandbox = await startOvsSandbox({ vswitchd: true });
    for (const p of pods) await createPod(p);
    const driver = ovsVSwitch({
      target: { name: 'node-packets' },
      options: { ovsdb: sandbox.unixRemote, openflow: { listen: { host: '127.0.0.1', port: await freePort() } }, datapathType: 'netdev' },
      logger: silentLogger,
    });
    session = await driver.connect();
    await converge(session, config());
  });

  after(async function () {
    await stopProcess(server);
    await session?.close().catch(() => undefined);
    await sandbox?.stop().catch(() => undefined);
    for (const p of pods) await deletePod(p);
    const links = await sh('ip', '-br', 'link');
    for (const name of [...pods.map((p) => p.hostIf), bridge]) assert.equal(links.includes(name), false, `${name} is left in the host namespace`);
  });

  it('two pods on VLAN 100 reach each other; the pod on VLAN 200 reaches neither', async function () {
    assert.equal(await canPing(podA, podB.ip), true, 'A pings B');
    assert.equal(await canPing(podB, podA.ip), true, 'B pings A');
    assert.equal(await canPing(podA, podC.ip), false, 'A must not reach C (VLAN 200)');
    assert.equal(await canPing(podC, podB.ip), false, 'C must not reach B (VLAN 100)');
  });

  it('a security group admits tcp 8080 from B to A, with replies, and nothing else; removing the rule closes 8080', async function () {
    server = await startServer(podA, [8080, 8081]);
    // Not isolated yet: both ports answer (the server works).
    assert.equal(await tcpExchange(podB, podA.ip, 8080), 'pong:8080:ping');
    assert.equal(await tcpExchange(podB, podA.ip, 8081), 'pong:8081:ping');

    await converge(session!, config({ isolateA: true, ruleA: true }));
    assert.equal(await tcpExchange(podB, podA.ip, 8080), 'pong:8080:ping', 'allowed: B → A:8080, and A’s reply comes back (conntrack)');
    assert.equal(await tcpExchange(podB, podA.ip, 8081), undefined, 'A:8081 must be closed (no rule)');
    assert.equal(await canPing(podB, podA.ip), false, 'ICMP to A is not allowed by the group');
    assert.equal(await canPing(podA, podB.ip), false, 'A has no egress rule: it cannot start anything');

    await converge(session!, config({ isolateA: true, ruleA: false }));
    assert.equal(await tcpExchange(podB, podA.ip, 8080), undefined, 'after removing the rule A:8080 is closed');

    await converge(session!, config());
    assert.equal(await tcpExchange(podB, podA.ip, 8081), 'pong:8081:ping', 'not isolated any more: everything passes again');
  });

  it('both ends isolated: traffic needs the sender’s egress rule and the receiver’s ingress rule (a conntrack zone each)', async function () {
    server ??= await startServer(podA, [8080, 8081]);
    await converge(session!, config({ isolateA: true, ruleA: true, isolateB: true }));
    assert.equal(await tcpExchange(podB, podA.ip, 8080), undefined, 'B has no egress rule');

    await converge(session!, config({ isolateA: true, ruleA: true, isolateB: true, ruleB: true }));
    assert.equal(await tcpExchange(podB, podA.ip, 8080), 'pong:8080:ping', 'B may send, A may receive, replies pass both zones');
    assert.equal(await tcpExchange(podB, podA.ip, 8081), undefined, 'neither rule allows 8081');

    await converge(session!, config({ isolateA: true, ruleA: false, isolateB: true, ruleB: true }));
    assert.equal(await tcpExchange(podB, podA.ip, 8080), undefined, 'B may send, but A no longer receives');

    await converge(session!, config());
    assert.equal(await tcpExchange(podB, podA.ip, 8080), 'pong:8080:ping');
  });

  it('QoS: policing and shaping rows are written with the right values, directions seen from the endpoint', async function () {
    await converge(session!, config({ qos: true }));
    const s = sandbox!;
    const get = (...args: string[]): Promise<string> => s.vsctl('get', ...args);
    // Endpoint egress (traffic from the pod) = OVS ingress policing, kbit/s and kbit.
    assert.equal(await get('interface', podB.hostIf, 'ingress_policing_rate'), '10000');
    assert.equal(await get('interface', podB.hostIf, 'ingress_policing_burst'), '1000');
    // Endpoint ingress (traffic to the pod) = OVS egress shaping: linux-htb with max-rate in bit/s.
    const qos = await get('port', podB.hostIf, 'qos');
    assert.equal(await get('qos', qos, 'type'), 'linux-htb');
    assert.equal(await get('qos', qos, 'other_config:max-rate'), '"20000000"');
    const queue = (await get('qos', qos, 'queues:0')).trim();
    assert.equal(await get('queue', queue, 'other_config:burst'), '"2000000"');
    // ovs-vswitchd turned the row into an HTB qdisc on the veth, also with the userspace datapath.
    assert.match(await sh('tc', 'qdisc', 'show', 'dev', podB.hostIf), /qdisc htb/);
    // A named profile: a shared QoS row, policing copied onto the interface.
    const silver = await get('port', podC.hostIf, 'qos');
    assert.equal(await get('qos', silver, 'other_config:max-rate'), '"50000000"');
    assert.equal(await get('qos', silver, 'external_ids:netloom-key'), 'silver');
    assert.equal(await get('interface', podC.hostIf, 'ingress_policing_rate'), '40000');
    assert.equal(await get('interface', podC.hostIf, 'ingress_policing_burst'), '4000');
    // observe reads the limits back.
    const observed = (await session!.observe()).config;
    assert.deepEqual(observed.endpointPort[podB.hostIf]?.qos, { ingressRateKbps: 20_000, ingressBurstKb: 2_000, egressRateKbps: 10_000, egressBurstKb: 1_000 });
    assert.equal(observed.endpointPort[podC.hostIf]?.qos, 'silver');
    // Removing QoS removes the rows netloom made.
    await converge(session!, config());
    assert.equal(await get('interface', podB.hostIf, 'ingress_policing_rate'), '0');
    assert.equal(await get('port', podB.hostIf, 'qos'), '[]');
    assert.equal(await s.vsctl('--columns=_uuid', 'find', 'qos', 'external_ids:netloom-owner=netloom'), '');
  });
});
