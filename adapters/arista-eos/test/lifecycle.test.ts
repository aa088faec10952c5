// The adapter against the EOS eAPI simulator over HTTPS: TLS and credentials, input refused before any request,
// idempotency in device writes, the commit timer as confirmed commit, failures that leave the switch untouched,
// reconnects and lost replies.
import { strict as assert } from 'node:assert';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeTestCertificates, startEosSimulator, type EosSimulator, type TestCertificates } from '@netloom/conformance/simulators';
import {
  ErrorCode,
  FabricConfigCodec,
  decodeOrThrow,
  emptyFabricConfig,
  isNetloomError,
  silentLogger,
  type DeviceTarget,
  type FabricConfig,
  type FabricConfigInput,
  type Logger,
} from '@netloom/ports';
import { adapter, type AristaEosSession } from '@netloom/adapter-arista-eos';

const PASSWORD = 'Ultra-S3cret-Passw0rd';

const config = (input: Partial<FabricConfigInput>): FabricConfig => decodeOrThrow(FabricConfigCodec, { ...emptyFabricConfig(), ...input }, 'test config');

const desired = config({
  vrf: { blue: { key: 'blue', name: 'blue', l3Vni: 50001, exportRouteTargets: ['65000:50001'], importRouteTargets: ['65000:50001'] } },
  segment: {
    '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'blue', anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } },
    '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 },
  },
  binding: {
    'Ethernet1/1:100': { key: 'Ethernet1/1:100', interface: 'Ethernet1/1', vlan: 100, l2Vni: 10010 },
    'Ethernet1/2:100': { key: 'Ethernet1/2:100', interface: 'Ethernet1/2', vlan: 100, l2Vni: 10020 },
  },
});

interface LogEntry {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

function capturingLogger(entries: LogEntry[]): Logger {
  const make = (): Logger => ({
    debug: (obj, msg) => entries.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => entries.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => entries.push({ level: 'error', obj, msg }),
    child: () => make(),
  });
  return make();
}

const code = (e: unknown): string | undefined => (isNetloomError(e) ? e.code : undefined);
const until = async (what: () => boolean, tries = 400): Promise<void> => {
  for (let i = 0; i < tries && !what(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('arista-eos adapter against the eAPI simulator', function () {
  this.timeout(30_000);
  let tls: TestCertificates;
  let sim: EosSimulator;
  let target: DeviceTarget;
  const sessions: AristaEosSession[] = [];

  const connect = async (t: DeviceTarget = target, options: Record<string, unknown> = { retryBackoffMs: 5, confirmTimeoutSec: 3600 }, logger: Logger = silentLogger): Promise<AristaEosSession> => {
    const s = (await adapter.ports.fabric!({ target: t, options, logger }).connect()) as AristaEosSession;
    sessions.push(s);
    return s;
  };

  before(async () => {
    tls = await makeTestCertificates();
  });
  beforeEach(async () => {
    sim = await startEosSimulator({ tls, timerScale: 10, users: { netloom: { password: PASSWORD, role: 'network-admin' } } });
    target = { name: 'leaf1', address: '127.0.0.1', port: sim.port, credentials: { username: 'netloom', password: PASSWORD }, tls: { verify: true, ca: tls.ca } };
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    await sim.close();
  });

  describe('connecting', () => {
    it('reads facts from show version and show hostname', async () => {
      const s = await connect();
      assert.deepEqual(await s.facts(), { vendor: 'Arista', model: 'DCS-7050CX3-32S', osVersion: '4.30.1F', serial: 'JPE00000001', hostname: 'leaf1', extra: { systemMac: '00:1c:73:00:00:01' } });
    });

    it('refuses a certificate its CA did not sign with DeviceConnectionError, sending no command', async () => {
      const other = await makeTestCertificates({ caName: 'not the switch CA' });
      await assert.rejects(connect({ ...target, tls: { verify: true, ca: other.ca } }), (e: unknown) => {
        assert.equal(code(e), ErrorCode.DEVICE_CONNECTION);
        assert.match((e as Error).message, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
        return true;
      });
      await assert.rejects(connect({ ...target, tls: { verify: true } }), (e: unknown) => code(e) === ErrorCode.DEVICE_CONNECTION);
      assert.equal(sim.stats.requests, 0);
    });

    it('connects to an untrusted certificate only with tls.verify: false (lab), and warns', async () => {
      const entries: LogEntry[] = [];
      const s = await connect({ ...target, tls: { verify: false } }, {}, capturingLogger(entries));
      assert.equal((await s.facts()).hostname, 'leaf1');
      assert.ok(entries.some((e) => e.level === 'warn' && /TLS certificate verification is off/.test(e.msg ?? '')));
    });

    it('maps bad credentials to DeviceAuthError without the password anywhere in the error or the log', async () => {
      const entries: LogEntry[] = [];
      const wrong = `${PASSWORD}-wrong`;
      const error = await connect({ ...target, credentials: { username: 'netloom', password: wrong } }, {}, capturingLogger(entries)).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.equal(code(error), ErrorCode.DEVICE_AUTH);
      const everything = `${String(error)} ${JSON.stringify(error)} ${JSON.stringify(isNetloomError(error) ? error.toJSON() : {})} ${String((error as Error).cause ?? '')} ${JSON.stringify(entries)}`;
      assert.match((error as Error).message, /refused the credentials of user "netloom" \(HTTP 401\)/);
      assert.ok(!everything.includes(wrong) && !everything.includes(PASSWORD), 'the password must not appear');
      assert.ok(!everything.includes(Buffer.from(`netloom:${wrong}`).toString('base64')), 'nor the Authorization header');
      assert.equal(sim.stats.authFailures, 1, 'an authentication failure is not retried');
    });

    it('maps a user without configuration rights to DeviceAuthError on the first write, leaving the switch untouched', async () => {
      sim.users.set('viewer', { password: PASSWORD, role: 'network-operator' });
      const s = await connect({ ...target, credentials: { username: 'viewer', password: PASSWORD } });
      const before = sim.runningConfig();
      await assert.rejects(s.apply({ changeSet: await s.plan({ desired }) }), (e: unknown) => code(e) === ErrorCode.DEVICE_AUTH && /user "viewer" may not run a command/.test((e as Error).message));
      assert.equal(sim.runningConfig(), before);
    });

    it('retries with backoff after a dropped connection and gets its answer', async () => {
      const s = await connect();
      sim.dropConnectionDuring(/^show running-config$/);
      const requests = sim.stats.requests;
      assert.deepEqual((await s.observe()).config, emptyFabricConfig());
      assert.equal(sim.stats.requests - requests, 2, 'one lost request, one retry');
    });

    it('gives up with DeviceConnectionError when the switch stays away', async () => {
      const s = await connect();
      await sim.close();
      await assert.rejects(s.observe(), (e: unknown) => code(e) === ErrorCode.DEVICE_CONNECTION && /cannot reach eAPI at 127\.0\.0\.1/.test((e as Error).message));
    });

    it('maps a switch that does not answer in time to DeviceTimeoutError', async () => {
      const silent = createServer({ cert: tls.cert, key: tls.key }, () => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as AddressInfo).port;
        const driver = adapter.ports.fabric!({ target: { ...target, port }, options: { retries: 0 }, logger: silentLogger });
        await assert.rejects(driver.connect({ timeoutMs: 150 }), (e: unknown) => code(e) === ErrorCode.DEVICE_TIMEOUT && /no eAPI answer from 127\.0\.0\.1:\d+ within 150 ms/.test((e as Error).message));
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('refuses unknown options', () => {
      assert.throws(() => adapter.ports.fabric!({ target, options: { vrfASN: 65001 }, logger: silentLogger }), (e: unknown) => code(e) === ErrorCode.INPUT_INVALID && /vrfASN: unknown field/.test((e as Error).message));
    });
  });

  describe('plan and apply', () => {
    it('refuses injection attempts in names before any request reaches the switch', async () => {
      const s = await connect();
      const before = sim.stats.requests;
      for (const name of ['bad\nvlan 4000', 'x;reboot', 'a|b', 'two words']) {
        const input = structuredClone(emptyFabricConfig()) as unknown as Record<string, Record<string, unknown>>;
        input['segment'] = { '10099': { key: '10099', name, l2Vni: 10099 } };
        await assert.rejects(s.plan({ desired: input as unknown as FabricConfig }), (e: unknown) => code(e) === ErrorCode.INPUT_INVALID && /is not a safe name/.test((e as Error).message));
        input['segment'] = {};
        input['vrf'] = { [name]: { key: name, name, l3Vni: 50099 } };
        await assert.rejects(s.plan({ desired: input as unknown as FabricConfig }), (e: unknown) => code(e) === ErrorCode.INPUT_INVALID);
      }
      assert.equal(sim.stats.requests - before, 0, 'no request may reach the switch');
    });

    it('plan → apply → confirm, then plan again is empty and applying it writes nothing', async () => {
      const s = await connect();
      const plan = await s.plan({ desired });
      assert.ok(plan.operations.some((o) => o.text === 'switchport vlan translation 100 2000'));
      await s.confirm({ transaction: await s.apply({ changeSet: plan, confirmWithinSec: 600 }) });
      assert.match(sim.runningConfig(), /^ {3}vxlan vlan 2001 vni 10020$/m);
      assert.deepEqual((await s.observe()).config, desired);
      const before = { ...sim.stats };
      const again = await s.plan({ desired });
      assert.deepEqual(again.changes, []);
      assert.deepEqual(again.operations, []);
      const tx = await s.apply({ changeSet: again });
      assert.equal(tx.state, 'confirmed');
      assert.equal(sim.stats.configCommands, before.configCommands, 'no configuration command');
      assert.equal(sim.stats.commits, before.commits, 'no commit');
      assert.equal(sim.stats.requests - before.requests, 1, 'one read (the plan observes), nothing else');
    });

    it('confirmed commit: without confirm the switch rolls the change back when its (scaled) commit timer expires', async () => {
      const s = await connect();
      const before = sim.runningConfig();
      const tx = await s.apply({ changeSet: await s.plan({ desired }), confirmWithinSec: 20 }); // 200 ms at 10 ms per second
      assert.equal(tx.state, 'applied');
      assert.ok(tx.confirmBy !== undefined);
      assert.match(sim.runningConfig(), /^vlan 2000$/m, 'the change is live while the timer runs');
      assert.equal(sim.sessions().find((x) => x.name === `netloom-${tx.id}`)?.state, 'pendingCommitTimer');
      await until(() => sim.events.length > 0);
      assert.deepEqual(sim.events.map((e) => e.session), [`netloom-${tx.id}`]);
      assert.equal(sim.runningConfig(), before);
      assert.deepEqual((await s.observe()).config, emptyFabricConfig());
      await assert.rejects(s.confirm({ transaction: tx }), (e: unknown) => code(e) === ErrorCode.DEVICE_COMMIT && /rolled back by the switch/.test((e as Error).message));
      assert.equal(tx.state, 'rolled-back');
    });

    it('is not locked by its own transaction once the switch rolled it back', async () => {
      const s = await connect();
      const tx = await s.apply({ changeSet: await s.plan({ desired }), confirmWithinSec: 20 });
      await until(() => sim.events.length > 0);
      const again = await s.apply({ changeSet: await s.plan({ desired }) });
      assert.equal(tx.state, 'rolled-back');
      await s.confirm({ transaction: again });
      assert.deepEqual((await s.observe()).config, desired);
    });

    it('a refused commit aborts the session: CommitError with the switch text, running-config unchanged', async () => {
      const s = await connect();
      const before = sim.runningConfig();
      sim.failNextCommit('Failed to commit configuration session: hardware table full');
      await assert.rejects(s.apply({ changeSet: await s.plan({ desired }) }), (e: unknown) => {
        assert.equal(code(e), ErrorCode.DEVICE_COMMIT);
        assert.match((e as Error).message, /hardware table full; the session was aborted, nothing was committed/);
        return true;
      });
      assert.equal(sim.runningConfig(), before);
      assert.deepEqual(sim.sessions(), [], 'the session was aborted');
      await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired }) }) });
      assert.deepEqual((await s.observe()).config, desired);
    });

    it('a line the switch refuses aborts the session: CommitError naming the line and the device text', async () => {
      const s = await connect();
      sim.applyOutOfBand(['vlan 700', 'name legacy', 'interface Vxlan1', 'vxlan vlan 700 vni 10020']);
      const before = sim.runningConfig();
      await assert.rejects(s.apply({ changeSet: await s.plan({ desired }) }), (e: unknown) => {
        assert.equal(code(e), ErrorCode.DEVICE_COMMIT);
        assert.match((e as Error).message, /refused line \d+ .*VNI 10020 is already used to map vlan 700/);
        return true;
      });
      assert.equal(sim.runningConfig(), before);
      assert.deepEqual(sim.sessions(), []);
    });

    it('refuses a change set planned against a switch that changed since, writing nothing', async () => {
      const s = await connect();
      const plan = await s.plan({ desired });
      sim.applyOutOfBand(['vlan 2000', 'name taken-meanwhile']);
      const before = { ...sim.stats };
      await assert.rejects(s.apply({ changeSet: plan }), (e: unknown) => code(e) === ErrorCode.DEVICE_COMMIT && /changed since the plan/.test((e as Error).message));
      assert.equal(sim.stats.configCommands, before.configCommands);
      assert.equal(sim.stats.commits, before.commits);
    });

    it('a second writer gets LockedError while a netloom session waits for its confirm', async () => {
      const a = await connect();
      const b = await connect();
      const txA = await a.apply({ changeSet: await a.plan({ desired }) });
      const planB = await b.plan({ desired: config({ segment: { '10030': { key: '10030', name: 'ls-other', l2Vni: 10030 } } }) });
      await assert.rejects(b.apply({ changeSet: planB }), (e: unknown) => code(e) === ErrorCode.DEVICE_LOCKED && new RegExp(`netloom-${txA.id}`).test((e as Error).message));
      await a.rollback({ transaction: txA });
      assert.deepEqual((await a.observe()).config, emptyFabricConfig());
    });

    it('survives a lost commit reply: the switch holds the commit timer, so the transaction is applied and can be confirmed', async () => {
      const s = await connect();
      sim.dropConnectionDuring(/^commit timer /, { when: 'after' });
      const tx = await s.apply({ changeSet: await s.plan({ desired }) });
      assert.equal(tx.state, 'applied');
      await s.confirm({ transaction: tx });
      assert.equal(sim.sessions().find((x) => x.name === `netloom-${tx.id}`)?.state, 'completed');
      assert.deepEqual((await s.observe()).config, desired);
    });

    it('a commit lost before it ran: the session is aborted and nothing is committed', async () => {
      const s = await connect();
      const before = sim.runningConfig();
      sim.dropConnectionDuring(/^commit timer /);
      await assert.rejects(s.apply({ changeSet: await s.plan({ desired }) }), (e: unknown) => code(e) === ErrorCode.DEVICE_COMMIT && /the commit was lost/.test((e as Error).message));
      assert.equal(sim.runningConfig(), before);
      assert.deepEqual(sim.sessions(), []);
    });

    it('deletes only what it owns: a foreign VLAN, VRF and port configuration stay as they were', async () => {
      const s = await connect();
      sim.applyOutOfBand(['vlan 300', 'name legacy', 'vrf instance red', 'interface Vxlan1', 'vxlan vlan 300 vni 20000', 'interface Ethernet1/2', 'description server-02']);
      await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired }) }) });
      await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired: emptyFabricConfig() }) }) });
      const cfg = sim.runningConfig();
      for (const line of [/^vlan 300\n {3}name legacy$/m, /^vrf instance red$/m, /^ {3}vxlan vlan 300 vni 20000$/m, /^interface Ethernet1\/2\n {3}description server-02$/m]) assert.match(cfg, line);
      assert.doesNotMatch(cfg, /netloom/);
    });
  });
});
