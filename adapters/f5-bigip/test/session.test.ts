// Connecting to a BIG-IP: certificate verification, token login and refresh, Basic authentication, error mapping,
// credentials kept out of every error and log line, injection attempts refused before any request, options.
import { strict as assert } from 'node:assert';
import { request as httpsRequest } from 'node:https';
import { createServer, type Socket } from 'node:net';
import { adapter, F5BigipOptionsCodec, type F5BigipSession } from '@netloom/adapter-f5-bigip';
import { makeTestCertificates } from '@netloom/conformance/simulators';
import { ErrorCode, isNetloomError, type LoadBalancerConfig } from '@netloom/ports';
import { Fixture, RecordingLogger, everyText, type EditableConfig } from './support';
import { CREDENTIALS } from './targets';

const codeOf = (e: unknown): string | undefined => (isNetloomError(e) ? e.code : undefined);

const small = (): EditableConfig => ({
  partition: { shop: { key: 'shop', name: 'shop', vpc: 'shop' } },
  monitor: {},
  pool: { 'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin' } },
  member: {},
  virtualServer: {},
});

describe('F5 BIG-IP adapter: sessions', function () {
  this.timeout(30000);
  const fx = new Fixture();
  afterEach(() => fx.cleanup());

  it('reads the device facts from /mgmt/tm/sys/version', async () => {
    const sim = await fx.simulator({ facts: { version: '16.1.4', build: '0.0.47', edition: 'Point Release 4' } });
    const s = await fx.session(sim);
    assert.deepEqual(await s.facts(), { vendor: 'F5', model: 'BIG-IP', osVersion: '16.1.4', extra: { build: '0.0.47', edition: 'Point Release 4', title: 'Main Package' } });
  });

  describe('certificates', () => {
    it('refuses a device whose certificate is not signed by the target CA, before sending anything', async () => {
      const sim = await fx.simulator();
      const other = await makeTestCertificates({ caName: 'some other CA' });
      for (const tls of [{ verify: true }, { verify: true, ca: other.ca }]) {
        const e = await fx.driver(sim, { target: { tls } }).connect().then(
          () => assert.fail('connected to an untrusted device'),
          (err: unknown) => err,
        );
        assert.equal(codeOf(e), ErrorCode.DEVICE_CONNECTION);
        assert.match((e as Error).message, /TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/);
      }
      assert.equal(sim.stats.requests, 0, 'no request (and no credential) went to the untrusted device');
    });

    it('connects without verification only when the profile says tls.verify: false', async () => {
      const sim = await fx.simulator();
      const s = await fx.session(sim, { target: { tls: { verify: false } } });
      assert.equal((await s.facts()).vendor, 'F5');
    });
  });

  describe('authentication', () => {
    it('refuses bad credentials with DeviceAuthError, and the password appears in no error, cause or log line', async () => {
      const sim = await fx.simulator();
      const logger = new RecordingLogger();
      const wrong = 'Wr0ng-Passw0rd-123';
      const e = await fx
        .driver(sim, { target: { credentials: { username: CREDENTIALS.username, password: wrong } }, logger })
        .connect()
        .then(
          () => assert.fail('logged in with a wrong password'),
          (err: unknown) => err,
        );
      assert.equal(codeOf(e), ErrorCode.DEVICE_AUTH);
      assert.match((e as Error).message, /login as "netloom" was refused \(401\): Authentication failed\./);
      assert.ok(!everyText(e).includes(wrong), 'the password is not in the error');
      assert.ok(!JSON.stringify(e).includes(wrong));
      assert.ok(!logger.lines.join('\n').includes(wrong), 'the password is not logged');
      assert.equal(sim.stats.loginFailures, 1);
    });

    it('never logs the password or the token during a whole session', async () => {
      const sim = await fx.simulator();
      const logger = new RecordingLogger();
      const s = await fx.session(sim, { logger });
      const tx = await s.apply({ changeSet: await s.plan({ desired: small() as unknown as LoadBalancerConfig }) });
      await s.confirm({ transaction: tx });
      await s.close();
      const text = logger.lines.join('\n');
      assert.ok(logger.lines.length > 5);
      assert.ok(!text.includes(CREDENTIALS.password));
      assert.ok(!/[A-Z2-7]{26}/.test(text), 'no token in the log');
      assert.equal(sim.tokens().length, 0, 'close ended the token on the device');
    });

    it('logs in again before the token expires (lifetimes scaled down), without a single 401', async () => {
      const sim = await fx.simulator({ timeScale: 1 / 3000 }); // a 1200 s token lives 400 ms
      const s = await fx.session(sim);
      await s.observe();
      await new Promise((r) => setTimeout(r, 500));
      await s.observe();
      await new Promise((r) => setTimeout(r, 500));
      await s.observe();
      assert.ok(sim.stats.logins >= 3, `expected a login per token lifetime, got ${sim.stats.logins}`);
      assert.equal(sim.stats.unauthorized, 0, 'the token was renewed before it expired');
      assert.ok(sim.tokens().length <= 1, 'replaced tokens were ended on the device');
    });

    it('after a 401 (token gone on the device) logs in once and retries; DeviceAuthError when that login fails', async () => {
      const sim = await fx.simulator();
      const s = await fx.session(sim);
      sim.expireTokens();
      const before = sim.stats.logins;
      await s.observe();
      assert.equal(sim.stats.logins, before + 1, 'the parallel reads that met the dead token shared one login');
      assert.ok(sim.stats.unauthorized >= 1);
      sim.expireTokens();
      sim.users.set(CREDENTIALS.username, { password: 'rotated-elsewhere' });
      const e = await s.observe().then(
        () => assert.fail('observed without valid credentials'),
        (err: unknown) => err,
      );
      assert.equal(codeOf(e), ErrorCode.DEVICE_AUTH);
      assert.ok(!everyText(e).includes(CREDENTIALS.password));
    });

    it('uses a token handed in as credentials.token without logging in; once it is gone: DeviceAuthError', async () => {
      const sim = await fx.simulator();
      const token = await new Promise<string>((resolve, reject) => {
        const body = JSON.stringify({ username: CREDENTIALS.username, password: CREDENTIALS.password, loginProviderName: 'tmos' });
        const req = httpsRequest(
          { host: sim.host, port: sim.port, path: '/mgmt/shared/authn/login', method: 'POST', ca: sim.ca, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
          (res) => {
            let data = '';
            res.on('data', (c: Buffer) => (data += c.toString()));
            res.on('end', () => resolve((JSON.parse(data) as { token: { token: string } }).token.token));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      const logins = sim.stats.logins;
      const s = await fx.session(sim, { target: { credentials: { username: CREDENTIALS.username, token } } });
      assert.deepEqual((await s.observe()).config.pool, {});
      assert.equal(sim.stats.logins, logins, 'no login with a handed-in token');
      sim.expireTokens();
      const e = await s.observe().then(
        () => assert.fail('observed with a dead token'),
        (err: unknown) => err,
      );
      assert.equal(codeOf(e), ErrorCode.DEVICE_AUTH);
      assert.ok(!everyText(e).includes(token), 'the token is redacted');
    });

    it('works with HTTP Basic authentication (option auth: basic) without logging in', async () => {
      const sim = await fx.simulator();
      const s = await fx.session(sim, { options: { auth: 'basic' } });
      assert.deepEqual((await s.observe()).config.partition, {});
      assert.equal(sim.stats.logins, 0);
      assert.ok(sim.requestLog().every((r) => r.path !== '/mgmt/shared/authn/login'));
    });
  });

  describe('input', () => {
    it('refuses injection attempts in names, addresses and paths with InputError before any request', async () => {
      const sim = await fx.simulator();
      const s = await fx.session(sim);
      const requests = sim.stats.requests;
      const attempts: Array<[string, (c: EditableConfig) => void]> = [
        ['a partition named "~Common~x"', (c) => (c.partition = { '~Common~x': { key: '~Common~x', name: '~Common~x' } })],
        ['a pool named "web/../../sys"', (c) => (c.pool = { 'shop/web/../../sys': { key: 'shop/web/../../sys', partition: 'shop', name: 'web/../../sys', loadBalancing: 'round-robin' } })],
        ['a pool named "web;delete"', (c) => (c.pool = { 'shop/web;delete': { key: 'shop/web;delete', partition: 'shop', name: 'web;delete', loadBalancing: 'round-robin' } })],
        ['a pool named "<script>"', (c) => (c.pool = { 'shop/<script>': { key: 'shop/<script>', partition: 'shop', name: '<script>', loadBalancing: 'round-robin' } })],
        [
          'a member address "10.0.0.1 80"',
          (c) => (c.member = { 'shop/web/10.0.0.1 80:80': { key: 'shop/web/10.0.0.1 80:80', partition: 'shop', pool: 'web', address: '10.0.0.1 80', port: 80, state: 'enabled' } }),
        ],
        [
          'a health-check path with a header',
          (c) => (c.monitor = { 'shop/m': { key: 'shop/m', partition: 'shop', name: 'm', type: 'http', intervalSec: 5, timeoutSec: 16, httpPath: '/x HTTP/1.1\r\nHost: evil' } }),
        ],
        ['the device partition Common', (c) => (c.partition = { Common: { key: 'Common', name: 'Common' } })],
      ];
      for (const [what, edit] of attempts) {
        const desired = small();
        edit(desired);
        const e = await s.plan({ desired: desired as unknown as LoadBalancerConfig }).then(
          () => assert.fail(`plan accepted ${what}`),
          (err: unknown) => err,
        );
        assert.equal(codeOf(e), ErrorCode.INPUT_INVALID, `${what}: ${String(e)}`);
      }
      assert.equal(sim.stats.requests, requests, 'not a single request for a refused input');
    });

    it('validates options strictly', () => {
      const sim = { host: '127.0.0.1', port: 1 };
      const make = (options: Record<string, unknown>) => () => adapter.ports.loadBalancer!({ target: { name: 'lb1', address: sim.host, port: sim.port }, options, logger: new RecordingLogger() });
      assert.throws(make({ retires: 3 }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID && /retires: unknown field/.test((e as Error).message));
      assert.throws(make({ auth: 'ntlm' }), (e: unknown) => codeOf(e) === ErrorCode.INPUT_INVALID);
      assert.throws(() => adapter.ports.loadBalancer!({ target: { name: 'lb1' }, options: {}, logger: new RecordingLogger() }), /has no address/);
      assert.equal(F5BigipOptionsCodec.decode({ auth: 'basic', requestTimeoutMs: 5000, lockLeaseSec: 60, retries: 0, tokenRefreshMarginSec: 30, loginProviderName: 'tmos' })._tag, 'Right');
    });
  });

  describe('errors', () => {
    it('maps a device that does not answer to DeviceTimeoutError, and a closed port to DeviceConnectionError', async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((s) => sockets.add(s)); // accepts, never answers the TLS handshake
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      fx.defer(
        () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            silent.close(() => r());
          }),
      );
      const port = (silent.address() as { port: number }).port;
      const sim = await fx.simulator();
      const timeout = await fx
        .driver(sim, { target: { port }, options: { requestTimeoutMs: 300 } })
        .connect()
        .then(
          () => assert.fail('connected to a silent server'),
          (e: unknown) => e,
        );
      assert.equal(codeOf(timeout), ErrorCode.DEVICE_TIMEOUT, String(timeout));
      await sim.close();
      const refused = await fx.driver(sim).connect().then(
        () => assert.fail('connected to a closed port'),
        (e: unknown) => e,
      );
      assert.equal(codeOf(refused), ErrorCode.DEVICE_CONNECTION, String(refused));
      assert.match((refused as Error).message, /ECONNREFUSED/);
      assert.ok(!everyText(refused).includes(CREDENTIALS.password), 'the login body is not kept in the cause');
    });

    it('keeps reads working across a dropped connection (retried), and says which request failed when retries run out', async () => {
      const sim = await fx.simulator();
      const s: F5BigipSession = await fx.session(sim);
      sim.dropConnectionDuring(/^\/mgmt\/tm\/ltm\/virtual$/, { method: 'GET' });
      await s.observe();
      assert.equal(sim.stats.connectionsDropped, 1);
      sim.dropConnectionDuring(/^\/mgmt\/tm\/sys\/version$/, { method: 'GET', once: false });
      const e = await s.facts().then(
        () => assert.fail('facts without an answer'),
        (err: unknown) => err,
      );
      assert.equal(codeOf(e), ErrorCode.DEVICE_CONNECTION);
      assert.match((e as Error).message, /GET \/mgmt\/tm\/sys\/version failed/);
      assert.equal(sim.stats.connectionsDropped, 4, 'one try and two retries');
    });
  });
});
