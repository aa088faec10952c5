// The EOS eAPI simulator through its wire protocol only: raw HTTPS JSON-RPC requests with node:https, as an eAPI
// client would send them (PROTOCOLS.md §3).
import { strict as assert } from 'node:assert';
import { request } from 'node:https';
import { makeTestCertificates, startEosSimulator, type EosSimulator, type TestCertificates } from '@netloom/conformance/simulators';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

interface RpcOptions {
  readonly format?: 'json' | 'text';
  readonly auth?: string | null;
  readonly ca?: string;
  readonly raw?: string;
}

function post(sim: EosSimulator, ca: string, body: string, auth: string | null, path = '/command-api'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json-rpc' };
    if (auth !== null) headers['Authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`;
    const req = request({ host: '127.0.0.1', port: sim.port, path, method: 'POST', ca, headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => {
        let parsed: unknown = data;
        try {
          parsed = JSON.parse(data);
        } catch {
          // Not JSON (401, 404): keep the text.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Rpc = { result?: unknown[]; error?: { code: number; message: string; data?: unknown[] }; id?: unknown; jsonrpc?: string };

describe('EOS eAPI simulator (raw HTTPS JSON-RPC)', function () {
  this.timeout(30_000);
  let tls: TestCertificates;
  let sim: EosSimulator;
  const ADMIN = 'admin:s3cret-pw';

  const rpc = async (cmds: unknown[], o: RpcOptions = {}): Promise<Rpc> => {
    const body = o.raw ?? JSON.stringify({ jsonrpc: '2.0', method: 'runCmds', params: { version: 1, cmds, format: o.format ?? 'json' }, id: 'test-1' });
    const r = await post(sim, o.ca ?? tls.ca, body, o.auth === undefined ? ADMIN : o.auth);
    assert.equal(r.status, 200, `HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Rpc;
  };
  const ok = async (cmds: unknown[], o: RpcOptions = {}): Promise<unknown[]> => {
    const r = await rpc(cmds, o);
    assert.equal(r.error, undefined, `unexpected error: ${JSON.stringify(r.error)}`);
    return r.result!;
  };
  const running = (): string => sim.runningConfig();

  before(async () => {
    tls = await makeTestCertificates();
  });
  beforeEach(async () => {
    sim = await startEosSimulator({
      tls,
      timerScale: 5,
      users: { admin: { password: 's3cret-pw', role: 'network-admin' }, viewer: { password: 'view-pw', role: 'network-operator' } },
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  describe('transport and authentication', () => {
    it('answers runCmds with one result per command (JSON objects, {} for config commands)', async () => {
      const r = await rpc(['show hostname', 'enable', 'configure', 'vlan 10', 'end']);
      assert.equal(r.jsonrpc, '2.0');
      assert.equal(r.id, 'test-1');
      assert.deepEqual(r.result, [{ hostname: 'leaf1', fqdn: 'leaf1' }, {}, {}, {}, {}]);
      assert.match(running(), /^vlan 10$/m);
    });

    it('returns { output } per command with format "text"', async () => {
      const [host, version] = (await ok(['show hostname', 'show version'], { format: 'text' })) as { output: string }[];
      assert.equal(host!.output, 'Hostname: leaf1\nFQDN:     leaf1\n');
      assert.match(version!.output, /^Arista DCS-7050CX3-32S$/m);
    });

    it('reports the model, version, serial number and system MAC in show version', async () => {
      const [v] = (await ok(['show version'])) as Record<string, unknown>[];
      assert.equal(v!['modelName'], 'DCS-7050CX3-32S');
      assert.equal(v!['version'], '4.30.1F');
      assert.equal(v!['serialNumber'], 'JPE00000001');
      assert.equal(v!['mfgName'], 'Arista');
    });

    it('refuses a wrong password and a missing Authorization header with HTTP 401, running nothing', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', method: 'runCmds', params: { version: 1, cmds: ['configure', 'vlan 11'] }, id: 1 });
      const bad = await post(sim, tls.ca, body, 'admin:wrong');
      assert.equal(bad.status, 401);
      assert.match(String(bad.headers['www-authenticate']), /^Basic realm=/);
      assert.equal((await post(sim, tls.ca, body, null)).status, 401);
      assert.equal((await post(sim, tls.ca, body, 'nobody:s3cret-pw')).status, 401);
      assert.equal(sim.stats.authFailures, 3);
      assert.equal(sim.stats.commands, 0);
      assert.doesNotMatch(running(), /^vlan 11$/m);
    });

    it('serves only POST /command-api', async () => {
      const r = await post(sim, tls.ca, '{}', ADMIN, '/other');
      assert.equal(r.status, 404);
    });

    it('is refused by a client that does not trust its certificate', async () => {
      const other = await makeTestCertificates({ caName: 'someone else' });
      await assert.rejects(post(sim, other.ca, '{}', ADMIN), (e: NodeJS.ErrnoException) => /CERT|SIGNATURE|SELF_SIGNED|UNABLE/.test(String(e.code)));
    });

    it('answers JSON-RPC errors for malformed requests (-32700, -32600, -32601, -32602)', async () => {
      assert.equal((await rpc([], { raw: '{not json' })).error?.code, -32700);
      assert.equal((await rpc([], { raw: JSON.stringify({ method: 'runCmds', params: { version: 1, cmds: ['show version'] }, id: 1 }) })).error?.code, -32600);
      assert.equal((await rpc([], { raw: JSON.stringify({ jsonrpc: '2.0', method: 'runCommands', params: {}, id: 1 }) })).error?.code, -32601);
      assert.equal((await rpc([], { raw: JSON.stringify({ jsonrpc: '2.0', method: 'runCmds', params: { version: 1, cmds: [42] }, id: 1 }) })).error?.code, -32602);
    });

    it('takes commands with input ({ cmd, input })', async () => {
      assert.deepEqual(await ok([{ cmd: 'enable', input: 'secret' }, 'show hostname']), [{}, { hostname: 'leaf1', fqdn: 'leaf1' }]);
    });
  });

  describe('errors', () => {
    it('stops at the first failure: code 1002, the earlier results and {"errors": [...]} in data; later commands do not run', async () => {
      const r = await rpc(['show hostname', 'configure', 'vlan 20', 'vlan 5000', 'vlan 21']);
      assert.equal(r.result, undefined);
      assert.equal(r.error?.code, 1002);
      assert.equal(r.error?.message, "CLI command 4 of 5 'vlan 5000' failed: invalid command");
      assert.deepEqual(r.error?.data, [{ hostname: 'leaf1', fqdn: 'leaf1' }, {}, {}, { errors: ["Invalid input (at token 1: '5000')"] }]);
      assert.match(running(), /^vlan 20$/m, 'commands before the failure ran (configure terminal is immediate)');
      assert.doesNotMatch(running(), /^vlan 21$/m, 'commands after the failure must not run');
    });

    it('puts the EOS "% Invalid input" text into the output of a failed command in text format', async () => {
      const r = await rpc(['show hostname', 'show bogus'], { format: 'text' });
      assert.equal(r.error?.code, 1002);
      assert.deepEqual(r.error?.data?.[1], { output: "% Invalid input (at token 1: 'bogus')\n", errors: ["Invalid input (at token 1: 'bogus')"] });
      assert.deepEqual(r.error?.data?.[0], { output: 'Hostname: leaf1\nFQDN:     leaf1\n' });
    });

    it('answers 1003 for a show command without JSON form requested as JSON, and serves it as text', async () => {
      const r = await rpc(['show running-config']);
      assert.equal(r.error?.code, 1003);
      assert.match(String(r.error?.message), /^CLI command 1 of 1 'show running-config' failed/);
      const [text] = (await ok(['show running-config'], { format: 'text' })) as { output: string }[];
      assert.match(text!.output, /^! Command: show running-config$/m);
      assert.match(text!.output, /^end$/m);
    });

    it('answers 1004 for an incomplete command', async () => {
      const r = await rpc(['configure', 'vlan']);
      assert.equal(r.error?.code, 1004);
      assert.deepEqual(r.error?.data?.[1], { errors: ['Incomplete command'] });
    });

    it('answers 1005 when a network-operator tries to configure', async () => {
      const r = await rpc(['show hostname', 'configure'], { auth: 'viewer:view-pw' });
      assert.equal(r.error?.code, 1005);
      assert.equal(r.error?.data?.length, 2);
    });

    it('validates like EOS: VLAN and VNI ranges, existing interfaces, VNI uniqueness, existing VRFs', async () => {
      const refused = async (cmds: string[], code: number, text: RegExp): Promise<void> => {
        const r = await rpc(['configure', ...cmds]);
        assert.equal(r.error?.code, code, `${cmds.join(' / ')}: ${JSON.stringify(r.error)}`);
        const last = r.error?.data?.[r.error.data.length - 1] as { errors: string[] };
        assert.match(last.errors[0]!, text);
      };
      await refused(['interface Ethernet99/1'], 1002, /Invalid input \(at token 1: 'Ethernet99\/1'\)/);
      await refused(['interface Vxlan1', 'vxlan vlan 10 vni 16777216'], 1002, /Invalid input/);
      await refused(['interface Vxlan1', 'vxlan vlan 4095 vni 100'], 1002, /Invalid input/);
      await ok(['configure', 'interface Vxlan1', 'vxlan vlan 10 vni 10010']);
      await refused(['interface Vxlan1', 'vxlan vlan 11 vni 10010'], 1000, /VNI 10010 is already used to map vlan 10/);
      await refused(['ip routing vrf nope'], 1000, /VRF nope does not exist/);
      await ok(['configure', 'vrf instance blue', 'interface Vxlan1', 'vxlan vrf blue vni 50001']);
      await refused(['interface Vxlan1', 'vxlan vlan 12 vni 50001'], 1000, /VNI 50001 is already used to map vrf blue/);
      await refused(['router bgp 65099'], 1000, /BGP is already running with AS number 65001/);
      await refused(['no interface Ethernet1/1'], 1000, /physical/);
    });
  });

  describe('configuration modes', () => {
    it('leaves a nested mode implicitly: "vlan" inside router bgp → vrf opens a BGP VLAN section, not a global VLAN', async () => {
      await ok(['configure', 'router bgp 65001', 'vrf blue', 'rd 10.255.0.1:5', 'vlan 3000', 'rd 10.255.0.1:3000', 'interface Vxlan1', 'vxlan vlan 3000 vni 13000']);
      const cfg = running();
      assert.doesNotMatch(cfg, /^vlan 3000$/m);
      assert.match(cfg, /^ {3}vlan 3000\n {6}rd 10\.255\.0\.1:3000$/m);
      assert.match(cfg, /^ {3}vrf blue\n {6}rd 10\.255\.0\.1:5$/m);
      assert.match(cfg, /^ {3}vxlan vlan 3000 vni 13000$/m);
    });

    it('keeps trunk allowed-VLAN lists and translations as EOS prints them', async () => {
      await ok(['configure', 'interface Ethernet1/1', 'switchport trunk allowed vlan none', 'switchport mode trunk', 'switchport trunk allowed vlan add 10,12-14', 'switchport trunk allowed vlan remove 13', 'switchport vlan translation 100 10']);
      assert.match(running(), /^interface Ethernet1\/1\n {3}switchport trunk allowed vlan 10,12,14\n {3}switchport mode trunk\n {3}switchport vlan translation 100 10$/m);
    });

    it('shows the sections matching a regular expression (show running-config section, and | section)', async () => {
      await ok(['configure', 'vlan 42', 'name web']);
      for (const cmd of ['show running-config section vlan 42', 'show running-config | section vlan 42']) {
        const [r] = (await ok([cmd], { format: 'text' })) as { output: string }[];
        assert.equal(r!.output, 'vlan 42\n   name web\n!\n');
      }
    });

    it('reports VNI bindings in show vxlan vni JSON (PROTOCOLS.md §3.5 paths)', async () => {
      await ok(['configure', 'vlan 10', 'vrf instance blue', 'interface Vxlan1', 'vxlan vlan 10 vni 10010', 'vxlan vrf blue vni 50001', 'interface Ethernet1/2', 'switchport trunk allowed vlan 10', 'switchport mode trunk', 'switchport vlan translation 100 10']);
      const [r] = (await ok(['show vxlan vni'])) as { vxlanIntfs: { Vxlan1: { vniBindings: Record<string, unknown>; vniBindingsToVrf: Record<string, { vrfName: string; vlan: number; source: string }> } } }[];
      const vx = r!.vxlanIntfs.Vxlan1;
      assert.deepEqual(vx.vniBindings['10010'], { vlan: 10, dynamicVlan: false, source: 'static', interfaces: { 'Ethernet1/2': { dot1q: 100 }, Vxlan1: { dot1q: 10 } } });
      assert.equal(vx.vniBindingsToVrf['50001']?.vrfName, 'blue');
      assert.equal(vx.vniBindingsToVrf['50001']?.source, 'evpn');
    });

    it('lists VRFs with their route distinguisher in show vrf JSON', async () => {
      await ok(['configure', 'vrf instance blue', 'ip routing vrf blue', 'router bgp 65001', 'vrf blue', 'rd 10.255.0.1:7']);
      const [r] = (await ok(['show vrf'])) as { vrfs: Record<string, { routeDistinguisher: string }> }[];
      assert.deepEqual(Object.keys(r!.vrfs).sort(), ['blue', 'default']);
      assert.equal(r!.vrfs['blue']?.routeDistinguisher, '10.255.0.1:7');
    });

    it('lists the physical ports in show interfaces status', async () => {
      const [r] = (await ok(['show interfaces status'])) as { interfaceStatuses: Record<string, unknown> }[];
      assert.ok('Ethernet1/1' in r!.interfaceStatuses && 'Ethernet8/4' in r!.interfaceStatuses && 'Management1' in r!.interfaceStatuses);
    });
  });

  describe('configuration sessions', () => {
    it('keeps sessions apart from running-config and from each other; every call re-enters a session by name', async () => {
      await ok(['enable', 'configure session alpha', 'vlan 101', 'name from-alpha']);
      await ok(['enable', 'configure session beta', 'vlan 202']);
      await ok(['enable', 'configure session alpha', 'vlan 102']);
      assert.doesNotMatch(running(), /^vlan 10[12]$|^vlan 202$/m, 'nothing reaches running-config before a commit');
      const [, , alpha] = (await ok(['enable', 'configure session alpha', 'show session-config diffs'], { format: 'text' })) as { output: string }[];
      assert.match(alpha!.output, /^\+vlan 101$/m);
      assert.match(alpha!.output, /^\+ {3}name from-alpha$/m);
      assert.match(alpha!.output, /^\+vlan 102$/m);
      assert.doesNotMatch(alpha!.output, /vlan 202/);
      await ok(['enable', 'configure session alpha', 'commit']);
      assert.match(running(), /^vlan 101$/m);
      assert.doesNotMatch(running(), /^vlan 202$/m);
      const [, , beta] = (await ok(['enable', 'configure session beta', 'show session-config diffs'], { format: 'text' })) as { output: string }[];
      assert.match(beta!.output, /^\+vlan 202$/m);
    });

    it('prints session diffs as a unified diff against running-config (text only: 1003 as JSON)', async () => {
      await ok(['configure session d1', 'interface Vxlan1', 'vxlan vlan 10 vni 10010']);
      const [, diff] = (await ok(['configure session d1', 'show session-config diffs'], { format: 'text' })) as { output: string }[];
      const lines = diff!.output.split('\n');
      assert.equal(lines[0], '--- system:/running-config');
      assert.equal(lines[1], '+++ session:/d1-session-config');
      assert.match(lines[2]!, /^@@ -\d+,\d+ \+\d+,\d+ @@$/);
      assert.deepEqual(
        lines.filter((l) => l.startsWith('+') || l.startsWith('-')).slice(2),
        ['+   vxlan vlan 10 vni 10010'],
      );
      const json = await rpc(['configure session d1', 'show session-config diffs']);
      assert.equal(json.error?.code, 1003);
    });

    it('abort inside a session discards it', async () => {
      await ok(['configure session gone', 'vlan 77', 'abort']);
      assert.doesNotMatch(running(), /^vlan 77$/m);
      const [s] = (await ok(['show configuration sessions'])) as { sessions: Record<string, unknown> }[];
      assert.equal(s!.sessions['gone'], undefined);
    });

    it('commit timer applies at once and waits for "configure session <name> commit"; the confirmed change stays after the timer', async () => {
      // 20 simulated minutes at 1 ms per second: a wide window for the confirm, then wait the timer out.
      await sim.close();
      sim = await startEosSimulator({ tls, timerScale: 1, users: { admin: { password: 's3cret-pw', role: 'network-admin' } } });
      await ok(['configure session t1', 'vlan 300', 'commit timer 00:20:00']);
      assert.match(running(), /^vlan 300$/m, 'a commit with a timer is live at once');
      const [pending] = (await ok(['show configuration sessions detail'])) as { sessions: Record<string, { state: string; commitTimerExpireTime?: number }> }[];
      assert.equal(pending!.sessions['t1']?.state, 'pendingCommitTimer');
      assert.equal(typeof pending!.sessions['t1']?.commitTimerExpireTime, 'number');
      await ok(['configure session t1 commit']);
      const [done] = (await ok(['show configuration sessions'])) as { sessions: Record<string, { state: string }> }[];
      assert.equal(done!.sessions['t1']?.state, 'completed');
      await new Promise((r) => setTimeout(r, 1300));
      assert.match(running(), /^vlan 300$/m);
      assert.equal(sim.events.length, 0);
    });

    it('rolls back by itself when the commit timer expires unconfirmed; a late confirm is refused', async () => {
      await ok(['configure', 'vlan 299']);
      await ok(['configure session t2', 'vlan 301', 'no vlan 299', 'commit timer 00:00:20']); // 100 ms at 5 ms per second
      assert.match(running(), /^vlan 301$/m);
      for (let i = 0; i < 400 && sim.events.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(sim.events.map((e) => [e.type, e.session]), [['commitTimerExpired', 't2']]);
      assert.doesNotMatch(running(), /^vlan 301$/m);
      assert.match(running(), /^vlan 299$/m);
      const late = await rpc(['configure session t2 commit']);
      assert.equal(late.error?.code, 1000);
    });

    it('"configure session <name> abort" rolls a pending commit timer back at once', async () => {
      await ok(['configure session t3', 'vlan 302', 'commit timer 01:00:00']);
      assert.match(running(), /^vlan 302$/m);
      await ok(['configure session t3 abort']);
      assert.doesNotMatch(running(), /^vlan 302$/m);
      assert.equal(sim.stats.rollbacks, 1);
    });

    it('refuses a second commit while another session waits for its confirm', async () => {
      await ok(['configure session first', 'vlan 310', 'commit timer 01:00:00']);
      const r = await rpc(['configure session second', 'vlan 311', 'commit']);
      assert.equal(r.error?.code, 1000);
      assert.match(JSON.stringify(r.error?.data), /pending commit timer/);
      assert.doesNotMatch(running(), /^vlan 311$/m);
    });

    it('failNextCommit: the commit is refused, running-config is unchanged and the session stays open', async () => {
      sim.failNextCommit();
      const before = running();
      const r = await rpc(['configure session f1', 'vlan 320', 'commit timer 00:01:00']);
      assert.equal(r.error?.code, 1000);
      assert.equal(running(), before);
      const [s] = (await ok(['show configuration sessions'])) as { sessions: Record<string, { state: string }> }[];
      assert.equal(s!.sessions['f1']?.state, 'pending');
      await ok(['configure session f1', 'commit']);
      assert.match(running(), /^vlan 320$/m);
    });
  });

  describe('test API', () => {
    it('dropConnectionDuring drops the connection of the matching request before it runs (once)', async () => {
      sim.dropConnectionDuring(/^vlan 330$/);
      await assert.rejects(rpc(['configure', 'vlan 330']), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET' || /socket hang up/.test(e.message));
      assert.doesNotMatch(running(), /^vlan 330$/m);
      await ok(['configure', 'vlan 330']);
      assert.match(running(), /^vlan 330$/m);
    });

    it('dropConnectionDuring with when: "after" runs the commands and loses the reply', async () => {
      sim.dropConnectionDuring(/^vlan 331$/, { when: 'after' });
      await assert.rejects(rpc(['configure', 'vlan 331']));
      assert.match(running(), /^vlan 331$/m);
    });

    it('applyOutOfBand types lines at the console (not counted) and throws with the device text', () => {
      sim.applyOutOfBand(['vlan 340', 'name oob']);
      assert.match(running(), /^vlan 340\n {3}name oob$/m);
      assert.equal(sim.stats.commands, 0);
      assert.throws(() => sim.applyOutOfBand(['vlan 9999']), /Invalid input/);
    });

    it('counts requests, commands and commits', async () => {
      await ok(['show hostname']);
      await ok(['configure session c1', 'vlan 350', 'commit']);
      assert.equal(sim.stats.requests, 2);
      assert.equal(sim.stats.commands, 4);
      assert.equal(sim.stats.commits, 1);
      sim.resetStats();
      assert.equal(sim.stats.requests, 0);
    });
  });
});
