// netloom-cni without root: environment, configuration and stdin validation (io-ts, the spec's error codes and
// JSON), result shape, name derivation, allocation annotations, the bounded wait against a tiny HTTP API server,
// the kubeconfig reader, OVS drift, the log file, and the executable's VERSION and error output.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CniError,
  CniResultCodec,
  KubeApi,
  allocationFromAnnotations,
  buildResult,
  fileLogger,
  hostVethName,
  ifaceExternalIds,
  loadKubeconfig,
  parseCniArgs,
  parseConfig,
  planAttachment,
  portDrift,
  portExternalIds,
  readCniEnv,
  resolveEndpoint,
  runCni,
  waitForEndpoint,
  type CniEnv,
  type CniPortSpec,
  type KubeConnection,
  type ObservedPort,
  type PodEndpoint,
} from '@netloom/cni';
import type { KubeSubnet } from '@netloom/ports';
import { runPlugin } from './cni.helpers';

/** Runs `fn` and returns the CniError it throws (fails when it throws something else or nothing). */
function cniError(fn: () => unknown): CniError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CniError, `expected a CniError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a CniError');
}
async function cniErrorAsync(p: Promise<unknown>): Promise<CniError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CniError, `expected a CniError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a CniError');
}

const ADD_ENV = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c0ffee01', CNI_NETNS: '/var/run/netns/cni-1', CNI_IFNAME: 'eth0', CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0;K8S_POD_UID=u-1', CNI_PATH: '/opt/cni/bin:/usr/lib/cni' };
const MIN_CONFIG = { cniVersion: '1.0.0', name: 'netloom', type: 'netloom-cni' };
const subnetCr = (spec: KubeSubnet['spec']): KubeSubnet => ({ kind: 'Subnet', metadata: { name: 'web', uid: 's1', resourceVersion: '1' }, spec });

describe('netloom-cni: environment (CNI_* variables)', function () {
  it('reads a complete ADD environment with the pod from CNI_ARGS', function () {
    const env = readCniEnv(ADD_ENV);
    assert.deepEqual(env, {
      command: 'ADD',
      containerId: 'c0ffee01',
      netns: '/var/run/netns/cni-1',
      ifname: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'shop', K8S_POD_NAME: 'web-0', K8S_POD_UID: 'u-1' },
      pod: { namespace: 'shop', name: 'web-0', uid: 'u-1' },
      path: ['/opt/cni/bin', '/usr/lib/cni'],
    });
  });

  it('names every missing or invalid variable with code 4', function () {
    const e = cniError(() => readCniEnv({ CNI_COMMAND: 'ADD', CNI_IFNAME: 'a-very-long-ifname', CNI_CONTAINERID: '-bad' }));
    assert.equal(e.code, 4);
    assert.match(e.message, /CNI_CONTAINERID "-bad" is not an alphanumeric start/);
    assert.match(e.message, /CNI_NETNS is not set/);
    assert.match(e.message, /CNI_IFNAME "a-very-long-ifname" is longer than 15 characters/);
    assert.match(e.message, /CNI_ARGS must carry K8S_POD_NAMESPACE and K8S_POD_NAME/);
    assert.equal(cniError(() => readCniEnv({})).code, 4);
    assert.match(cniError(() => readCniEnv({ CNI_COMMAND: 'GC' })).message, /CNI_COMMAND "GC" is not one of ADD, DEL, CHECK, VERSION/);
    assert.match(cniError(() => readCniEnv({ ...ADD_ENV, CNI_IFNAME: 'eth:0' })).message, /contains "\/", ":" or white space/);
    assert.match(cniError(() => readCniEnv({ ...ADD_ENV, CNI_NETNS: 'relative/ns' })).message, /is not an absolute path/);
    assert.match(cniError(() => readCniEnv({ ...ADD_ENV, CNI_ARGS: 'K8S_POD_NAMESPACE=Bad_NS;K8S_POD_NAME=web-0' })).message, /K8S_POD_NAMESPACE "Bad_NS" is not a Kubernetes namespace name/);
  });

  it('lets DEL do without a network namespace and without the pod', function () {
    const env = readCniEnv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c1', CNI_IFNAME: 'eth0' });
    assert.equal(env.netns, '');
    assert.equal(env.pod, undefined);
  });

  it('reads VERSION from CNI_COMMAND alone', function () {
    assert.equal(readCniEnv({ CNI_COMMAND: 'VERSION' }).command, 'VERSION');
  });

  it('parses CNI_ARGS and rejects a malformed pair with code 6', function () {
    assert.deepEqual(parseCniArgs('A=1;B=x=y;;C='), { A: '1', B: 'x=y', C: '' });
    assert.deepEqual(parseCniArgs(''), {});
    const e = cniError(() => parseCniArgs('A=1;oops'));
    assert.equal(e.code, 6);
    assert.match(e.message, /pair 2 \("oops"\) is not KEY=VALUE/);
    assert.equal(cniError(() => readCniEnv({ ...ADD_ENV, CNI_ARGS: '=x' })).code, 6);
  });
});

describe('netloom-cni: network configuration (stdin)', function () {
  it('applies the defaults', function () {
    const c = parseConfig(JSON.stringify(MIN_CONFIG));
    assert.deepEqual(c, { ...MIN_CONFIG, bridge: 'br-int', ovsdb: 'unix:/var/run/openvswitch/db.sock', ovsdbTimeoutMs: 10_000, annotationTimeoutMs: 30_000, apiTimeoutMs: 5_000, logLevel: 'info' });
  });

  it('keeps the spec fields the runtime adds and decodes prevResult', function () {
    const prevResult = { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:05', sandbox: '/var/run/netns/x' }], ips: [{ address: '10.1.0.5/24', gateway: '10.1.0.1', interface: 0 }], routes: [{ dst: '0.0.0.0/0' }], dns: {} };
    const c = parseConfig(JSON.stringify({ ...MIN_CONFIG, runtimeConfig: { portMappings: [] }, args: {}, capabilities: {}, dns: { nameservers: ['10.96.0.10'] }, prevResult }));
    assert.deepEqual(c.prevResult, prevResult);
    assert.deepEqual(c.dns, { nameservers: ['10.96.0.10'] });
  });

  it('rejects stdin that is not a JSON object with code 6', function () {
    assert.equal(cniError(() => parseConfig('{"cniVersion": ')).code, 6);
    assert.match(cniError(() => parseConfig('[1]')).message, /not a JSON object/);
  });

  it('rejects an unsupported cniVersion with code 1', function () {
    const e = cniError(() => parseConfig(JSON.stringify({ ...MIN_CONFIG, cniVersion: '0.3.1' })));
    assert.equal(e.code, 1);
    assert.match(e.message, /cniVersion "0\.3\.1" is not supported; netloom-cni supports 1\.0\.0/);
  });

  it('rejects unknown and unsupported fields with code 2, naming the key and the value', function () {
    const e = cniError(() => parseConfig(JSON.stringify({ ...MIN_CONFIG, brigde: 'br-int' })));
    assert.equal(e.code, 2);
    assert.equal(e.message, 'unsupported field brigde: "br-int"');
    const ipam = cniError(() => parseConfig(JSON.stringify({ ...MIN_CONFIG, ipam: { type: 'host-local' } })));
    assert.equal(ipam.code, 2);
    assert.equal(ipam.message, 'unsupported field ipam: {"type":"host-local"}');
    assert.match(ipam.details ?? '', /takes addresses from the netloom controller/);
    assert.equal(cniError(() => parseConfig(JSON.stringify({ ...MIN_CONFIG, toString: 1 }))).code, 2);
  });

  it('reports every wrong value with code 7, its path and the reason', function () {
    const e = cniError(() => parseConfig(JSON.stringify({ name: 'n', type: 't', mtu: 9_000_000, bridge: 'br int', ovsdb: 'db.sock', kubeconfig: 'kc.json', logLevel: 'loud', annotationTimeoutMs: -1 })));
    assert.equal(e.code, 7);
    const lines = (e.details ?? '').split('\n');
    assert.deepEqual(lines, [
      'cniVersion: required',
      'bridge: "br int" contains "/", ":" or white space',
      'ovsdb: "db.sock" is not "unix:<absolute path>", "tcp:<host>:<port>" or "ssl:<host>:<port>"',
      'kubeconfig: "kc.json" is not an absolute path',
      'annotationTimeoutMs: -1 is outside 0..600000',
      'mtu: 9000000 is outside 68..65535',
      'logLevel: expected "debug" | "info" | "warn" | "error", got "loud"',
    ]);
    assert.match(e.message, /^the network configuration is invalid: cniVersion: required; /);
  });
});

describe('netloom-cni: names and marks', function () {
  it('derives a 15-character host veth name from the container id and the interface name', function () {
    const a = hostVethName('4c1ae9', 'eth0');
    assert.equal(a, 'nlvcf81b3da1211');
    assert.equal(a.length, 15);
    assert.equal(hostVethName('4c1ae9', 'eth0'), a, 'deterministic');
    assert.notEqual(hostVethName('4c1ae8', 'eth0'), a, 'another container, another name');
    assert.notEqual(hostVethName('4c1ae9', 'net1'), a, 'another attachment of the same container, another name');
    const long = hostVethName('f'.repeat(64), 'eth0');
    assert.match(long, /^nlv[0-9a-f]{12}$/);
    // The controller's endpoint ports are `nl` + 11 hex characters: never the same as a CNI veth.
    assert.doesNotMatch(long, /^nl[0-9a-f]{11}$/);
  });

  it('marks the Port and Interface rows with netloom ownership under kinds the OVS adapter does not manage', function () {
    const spec: CniPortSpec = { bridge: 'br-int', name: 'nlv0123456789ab', pod: { namespace: 'shop', name: 'web-0' }, containerId: 'c1', ifname: 'eth0', mac: '02:00:00:00:00:05', ips: ['10.1.0.5'], tunnelKey: 5001, subnet: 'web' };
    assert.deepEqual(portExternalIds(spec), {
      'netloom-owner': 'netloom',
      'netloom-kind': 'cni-port',
      'netloom-key': 'nlv0123456789ab',
      'netloom-pod-namespace': 'shop',
      'netloom-pod-name': 'web-0',
      'netloom-container-id': 'c1',
      'netloom-ifname': 'eth0',
      'netloom-mac': '02:00:00:00:00:05',
      'netloom-ips': '10.1.0.5',
      'netloom-subnet': 'web',
      'netloom-tunnel-key': '5001',
    });
    assert.equal(ifaceExternalIds(spec)['netloom-kind'], 'cni-iface');
    assert.equal(ifaceExternalIds(spec)['iface-id'], 'shop/web-0');
  });
});

describe('netloom-cni: allocation and endpoint', function () {
  const full = { 'netloom.io/allocated-ips': '10.1.0.5', 'netloom.io/mac-address': '02:AA:00:00:00:05', 'netloom.io/vlan': '100', 'netloom.io/allocated-subnet': 'web' };

  it('is pending while annotations are missing or empty, and names them', function () {
    assert.deepEqual(allocationFromAnnotations({}), { state: 'pending', missing: ['netloom.io/allocated-ips', 'netloom.io/mac-address', 'netloom.io/vlan or netloom.io/tunnel-key', 'netloom.io/allocated-subnet'] });
    assert.deepEqual(allocationFromAnnotations({ ...full, 'netloom.io/allocated-ips': '' }), { state: 'pending', missing: ['netloom.io/allocated-ips'] });
  });

  it('reads a complete allocation canonically (MAC lower-case, IPv4 first)', function () {
    assert.deepEqual(allocationFromAnnotations({ ...full, 'netloom.io/allocated-ips': 'FD00::5,10.1.0.5' }), {
      state: 'ready',
      allocation: { ips: ['10.1.0.5', 'fd00::5'], mac: '02:aa:00:00:00:05', vlan: 100, subnet: 'web' },
    });
  });

  it('rejects malformed values with code 104 naming the annotation', function () {
    const bad = (a: Record<string, string>, re: RegExp): void => {
      const e = cniError(() => allocationFromAnnotations({ ...full, ...a }));
      assert.equal(e.code, 104);
      assert.match(e.message, re);
    };
    bad({ 'netloom.io/allocated-ips': '10.1.0.300' }, /netloom\.io\/allocated-ips="10\.1\.0\.300" holds "10\.1\.0\.300", which is not an IP address/);
    bad({ 'netloom.io/allocated-ips': '10.1.0.5,10.1.0.6' }, /holds two IPv4 addresses/);
    bad({ 'netloom.io/mac-address': '01:00:5e:00:00:01' }, /netloom\.io\/mac-address="01:00:5e:00:00:01" is not a unicast MAC/);
    bad({ 'netloom.io/vlan': '4095' }, /netloom\.io\/vlan="4095" is not an integer in 1\.\.4094/);
    bad({ 'netloom.io/tunnel-key': '5001' }, /comes together with netloom\.io\/tunnel-key/);
  });

  it('takes prefix length and gateway from the Subnet (default gateway: first address; explicit gateway kept)', function () {
    const pod = { namespace: 'shop', name: 'web-0' };
    const alloc = { ips: ['10.1.0.5', 'fd00::5'], mac: '02:00:00:00:00:05', vlan: 100, subnet: 'web' };
    const ep = resolveEndpoint(pod, alloc, subnetCr({ cidrs: ['10.1.0.0/24', 'fd00::/64'], gateways: ['fd00::fffe'] }));
    assert.deepEqual(ep.addresses, [
      { family: 4, ip: '10.1.0.5', cidr: '10.1.0.5/24', gateway: '10.1.0.1' },
      { family: 6, ip: 'fd00::5', cidr: 'fd00::5/64', gateway: 'fd00::fffe' },
    ]);
    assert.match(cniError(() => resolveEndpoint(pod, { ...alloc, ips: ['10.2.0.5'] }, subnetCr({ cidrs: ['10.1.0.0/24'] }))).message, /10\.2\.0\.5, which is outside 10\.1\.0\.0\/24 of Subnet web/);
    assert.match(cniError(() => resolveEndpoint(pod, alloc, subnetCr({ cidrs: ['10.1.0.0/24'] }))).message, /has the IPv6 address fd00::5 but Subnet web has no IPv6 CIDR/);
    assert.equal(cniError(() => resolveEndpoint(pod, alloc, subnetCr({ cidrs: ['10.1.0.1/24'] }))).code, 104);
  });
});

describe('netloom-cni: plan and result', function () {
  const env: CniEnv = readCniEnv(ADD_ENV);
  const endpoint: PodEndpoint = { pod: { namespace: 'shop', name: 'web-0' }, mac: '02:00:00:00:00:05', vlan: 100, subnet: 'web', addresses: [{ family: 4, ip: '10.1.0.5', cidr: '10.1.0.5/24', gateway: '10.1.0.1' }] };

  it('picks the MTU: 1500 on a VLAN, 1450 on a tunnel key, the configured one when given', function () {
    const c = parseConfig(JSON.stringify(MIN_CONFIG));
    assert.equal(planAttachment(env, c, endpoint).mtu, 1500);
    const { vlan: _vlan, ...rest } = endpoint;
    assert.equal(planAttachment(env, c, { ...rest, tunnelKey: 5001 }).mtu, 1450);
    assert.equal(planAttachment(env, parseConfig(JSON.stringify({ ...MIN_CONFIG, mtu: 9000 })), endpoint).mtu, 9000);
  });

  it('builds the spec result: host and container interfaces, addresses on the container interface, default routes, DNS', function () {
    const c = parseConfig(JSON.stringify({ ...MIN_CONFIG, dns: { nameservers: ['10.96.0.10'], search: ['svc.cluster.local'] } }));
    const plan = planAttachment(env, c, endpoint);
    const result = buildResult(plan, '6a:00:00:00:00:01', c);
    assert.deepEqual(result, {
      cniVersion: '1.0.0',
      interfaces: [
        { name: hostVethName('c0ffee01', 'eth0'), mac: '6a:00:00:00:00:01' },
        { name: 'eth0', mac: '02:00:00:00:00:05', sandbox: '/var/run/netns/cni-1' },
      ],
      ips: [{ address: '10.1.0.5/24', gateway: '10.1.0.1', interface: 1 }],
      routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }],
      dns: { nameservers: ['10.96.0.10'], search: ['svc.cluster.local'] },
    });
    assert.equal(CniResultCodec.decode(JSON.parse(JSON.stringify(result)))._tag, 'Right');
    assert.ok(result.interfaces?.[result.ips?.[0]?.interface ?? -1]?.sandbox !== undefined, 'the address is on the interface inside the sandbox');
  });

  it('finds drift on the OVS port: tag, marks, interface', function () {
    const c = parseConfig(JSON.stringify(MIN_CONFIG));
    const spec = planAttachment(env, c, endpoint).port;
    const observed = (tag: number | null, portExt: Record<string, string>, ifaceExt: Record<string, string>): ObservedPort => ({
      port: { _uuid: 'p', name: spec.name, interfaces: ['i'], tag, external_ids: new Map(Object.entries(portExt)) },
      bridge: 'br-int',
      interfaces: [{ _uuid: 'i', name: spec.name, type: '', ofport: 1, error: null, external_ids: new Map(Object.entries(ifaceExt)) }],
    });
    assert.deepEqual(portDrift(spec, observed(100, portExternalIds(spec), ifaceExternalIds(spec))), []);
    assert.deepEqual(portDrift(spec, observed(200, portExternalIds(spec), ifaceExternalIds(spec))), [`OVS port ${spec.name} has tag 200, expected 100`]);
    assert.deepEqual(portDrift(spec, observed(100, { ...portExternalIds(spec), 'netloom-ips': '10.1.0.6' }, ifaceExternalIds(spec))), [`OVS port ${spec.name} external_ids:netloom-ips is "10.1.0.6", expected "10.1.0.5"`]);
    assert.match(portDrift(spec, observed(100, { owner: 'someone' }, {}))[0] ?? '', /exists but is not netloom-cni's/);
    assert.deepEqual(portDrift(spec, undefined), [`OVS port ${spec.name} is missing from br-int`]);
  });
});

describe('netloom-cni: waiting for the allocation (Kubernetes API over node:http)', function () {
  let server: http.Server;
  let url = '';
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, res) => res.end();
  const requests: string[] = [];
  const TOKEN = 'token-that-must-not-leak-0123456789';
  const pod = (annotations: Record<string, string> | undefined, uid = 'u-1'): string =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop', uid, resourceVersion: '1', ...(annotations ? { annotations } : {}) }, spec: { nodeName: 'n1' } });
  const subnet = JSON.stringify({ apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: 'web', uid: 's', resourceVersion: '1' }, spec: { cidrs: ['10.1.0.0/24'] } });
  const allocated = { 'netloom.io/allocated-ips': '10.1.0.5', 'netloom.io/mac-address': '02:00:00:00:00:05', 'netloom.io/vlan': '100', 'netloom.io/allocated-subnet': 'web' };
  const api = (): KubeApi => new KubeApi({ connection: { server: new URL(url), token: TOKEN, insecureSkipTlsVerify: false, source: 'test' } as KubeConnection, timeoutMs: 2000 });
  const POD = { namespace: 'shop', name: 'web-0', uid: 'u-1' };

  before(async function () {
    server = http.createServer((req, res) => {
      requests.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization === `Bearer ${TOKEN}` ? 'auth' : 'noauth'}`);
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async function () {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(function () {
    requests.length = 0;
  });

  it('retries until the annotations appear, then reads the Subnet (with the bearer token)', async function () {
    let podReads = 0;
    handler = (req, res) => {
      if (req.url === '/api/v1/namespaces/shop/pods/web-0') {
        podReads++;
        res.end(pod(podReads < 3 ? undefined : allocated));
      } else if (req.url === '/apis/netloom.io/v1alpha1/subnets/web') res.end(subnet);
      else res.writeHead(404).end('{}');
    };
    const ep = await waitForEndpoint(api(), POD, { timeoutMs: 10_000, initialDelayMs: 10 });
    assert.deepEqual(ep.addresses, [{ family: 4, ip: '10.1.0.5', cidr: '10.1.0.5/24', gateway: '10.1.0.1' }]);
    assert.equal(podReads, 3);
    assert.deepEqual(requests.slice(-1), ['GET /apis/netloom.io/v1alpha1/subnets/web auth']);
  });

  it('gives up after the bound with code 11 and the last reason (missing pod, other UID, server errors)', async function () {
    handler = (_req, res) => res.end(pod(allocated, 'u-OLD'));
    const e = await cniErrorAsync(waitForEndpoint(api(), POD, { timeoutMs: 300, initialDelayMs: 10 }));
    assert.equal(e.code, 11);
    assert.match(e.details ?? '', /the API shows pod shop\/web-0 with UID u-OLD, the runtime asked for UID u-1/);
    assert.ok(requests.length >= 2, 'it asked more than once');
    handler = (_req, res) => res.writeHead(503).end('{"kind":"Status","message":"etcd is down"}');
    assert.match((await cniErrorAsync(waitForEndpoint(api(), POD, { timeoutMs: 200, initialDelayMs: 10 }))).details ?? '', /503 etcd is down/);
    handler = (_req, res) => res.writeHead(404).end('{}');
    assert.match((await cniErrorAsync(waitForEndpoint(api(), POD, { timeoutMs: 0 }))).details ?? '', /pod shop\/web-0 not found/);
  });

  it('fails at once with code 100 when the API refuses the credentials, without the token in the message', async function () {
    handler = (_req, res) => res.writeHead(401).end('{}');
    const e = await cniErrorAsync(waitForEndpoint(api(), POD, { timeoutMs: 10_000, initialDelayMs: 10 }));
    assert.equal(e.code, 100);
    assert.match(e.message, /401 Unauthorized/);
    assert.equal(requests.length, 1, 'no retry');
    assert.ok(!JSON.stringify({ m: e.message, d: e.details }).includes(TOKEN));
  });

  it('reports an unreachable API server as try again later', async function () {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = new KubeApi({ connection: { server: new URL(`http://127.0.0.1:${port}`), insecureSkipTlsVerify: false, source: 'test' }, timeoutMs: 500 });
    const e = await cniErrorAsync(waitForEndpoint(down, POD, { timeoutMs: 200, initialDelayMs: 10 }));
    assert.equal(e.code, 11);
    assert.match(e.details ?? '', /ECONNREFUSED/);
  });

  it('refuses a subnet the controller carved (no Subnet resource) with code 104', async function () {
    handler = (_req, res) => res.end(pod({ ...allocated, 'netloom.io/allocated-subnet': 'shop_default' }));
    const e = await cniErrorAsync(waitForEndpoint(api(), POD, { timeoutMs: 1000, initialDelayMs: 10 }));
    assert.equal(e.code, 104);
    assert.match(e.message, /subnet "shop_default" of pod shop\/web-0 has no Subnet resource/);
  });

  it('rejects a reply that is not a pod with code 100 naming the problem', async function () {
    handler = (_req, res) => res.end('{"kind":"Pod","metadata":{"name":"web-0"}}');
    const e = await cniErrorAsync(waitForEndpoint(api(), POD, { timeoutMs: 1000, initialDelayMs: 10 }));
    assert.equal(e.code, 100);
    assert.match(e.message, /pod shop\/web-0 does not have the expected shape: metadata\.uid: required/);
  });
});

describe('netloom-cni: kubeconfig (JSON) and the log file', function () {
  let dir = '';
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-cni-unit-'));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const kc = (user: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://10.0.0.1:6443', 'certificate-authority': 'ca.pem' }): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  const write = (name: string, content: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, content);
    return f;
  };

  it('reads server, CA (relative to the kubeconfig), token and client certificate data', function () {
    write('ca.pem', 'CA-PEM');
    const c = loadKubeconfig(write('kc.json', JSON.stringify(kc({ token: 'abc', 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') }))));
    assert.equal(c.server.href, 'https://10.0.0.1:6443/');
    assert.equal(c.ca?.toString(), 'CA-PEM');
    assert.equal(c.token, 'abc');
    assert.equal(c.cert?.toString(), 'CERT');
    assert.equal(c.key?.toString(), 'KEY');
    assert.equal(c.insecureSkipTlsVerify, false);
  });

  it('refuses YAML, exec users and dangling contexts with code 7, without secrets in the message', function () {
    const yaml = cniError(() => loadKubeconfig(write('kc.yaml', 'apiVersion: v1\nkind: Config\n')));
    assert.equal(yaml.code, 7);
    assert.match(yaml.message, /is not JSON; write it with `kubectl config view --raw --flatten -o json`/);
    assert.match(cniError(() => loadKubeconfig(write('exec.json', JSON.stringify(kc({ exec: { command: 'aws' } }))))).message, /uses exec or auth-provider credentials/);
    const dangling = cniError(() => loadKubeconfig(write('d.json', JSON.stringify({ ...kc({ token: 'sekret-token-1' }), 'current-context': 'nope' }))));
    assert.match(dangling.message, /current-context "nope" is not among its contexts/);
    assert.ok(!dangling.message.includes('sekret-token-1'));
    assert.match(cniError(() => loadKubeconfig(path.join(dir, 'missing.json'))).message, /cannot read the kubeconfig .*missing\.json: ENOENT/);
  });

  it('appends JSON lines at or above the level and redacts registered secrets', function () {
    const file = path.join(dir, 'cni.log');
    const log = fileLogger(file, 'info', { command: 'ADD' });
    log.addSecret('hunter2');
    log.debug({}, 'dropped');
    log.child({ step: 'x' }).warn({ note: 'token hunter2 seen', err: new Error('boom hunter2') }, 'careful');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['level'], 'warn');
    assert.equal(lines[0]?.['command'], 'ADD');
    assert.equal(lines[0]?.['step'], 'x');
    assert.equal(lines[0]?.['note'], 'token *** seen');
    assert.deepEqual(lines[0]?.['err'], { type: 'Error', message: 'boom ***' });
    assert.equal(lines[0]?.['msg'], 'careful');
  });
});

describe('netloom-cni: the program (stdout JSON and exit codes)', function () {
  it('VERSION prints the supported versions (the real executable)', async function () {
    const r = await runPlugin({ CNI_COMMAND: 'VERSION' }, { cniVersion: '1.0.0' });
    assert.equal(r.code, 0);
    assert.deepEqual(r.json, { cniVersion: '1.0.0', supportedVersions: ['1.0.0'] });
    const empty = await runPlugin({ CNI_COMMAND: 'VERSION' }, '');
    assert.deepEqual(empty.json, { cniVersion: '1.0.0', supportedVersions: ['1.0.0'] });
  });

  it('prints the error JSON on stdout and exits non-zero (the real executable)', async function () {
    const r = await runPlugin({ CNI_COMMAND: 'ADD' }, MIN_CONFIG);
    assert.equal(r.code, 1);
    assert.equal(r.json?.['cniVersion'], '1.0.0');
    assert.equal(r.json?.['code'], 4);
    assert.match(String(r.json?.['msg']), /CNI_CONTAINERID is not set/);
    assert.equal(r.stderr, '');
  });

  it('maps configuration problems to codes 6, 1, 2 and 7 in-process, and ADD of a missing namespace to 3', async function () {
    const out = async (stdin: string, env: Record<string, string> = ADD_ENV): Promise<Record<string, unknown>> => {
      const r = await runCni({ env, stdin });
      assert.equal(r.exitCode, 1);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    assert.equal((await out('not json'))['code'], 6);
    assert.equal((await out(JSON.stringify({ ...MIN_CONFIG, cniVersion: '0.4.0' })))['code'], 1);
    assert.equal((await out(JSON.stringify({ ...MIN_CONFIG, extra: true })))['code'], 2);
    assert.equal((await out(JSON.stringify({ ...MIN_CONFIG, mtu: 'big' })))['code'], 7);
    const missing = await out(JSON.stringify(MIN_CONFIG), { ...ADD_ENV, CNI_NETNS: '/var/run/netns/netloom-cni-does-not-exist' });
    assert.deepEqual(missing, { cniVersion: '1.0.0', code: 3, msg: 'network namespace /var/run/netns/netloom-cni-does-not-exist does not exist' });
  });
});
