// The F5 BIG-IP simulator through raw HTTPS (node:https, no netloom client): authentication, the LTM resources and
// their envelopes, TMOS and REST-framework errors, transactions, faults, the test API and the TCP data plane.
import { strict as assert } from 'node:assert';
import { request } from 'node:https';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { makeTestCertificates, startF5BigipSimulator, type F5BigipSimulator, type F5BigipSimulatorOptions, type TestCertificates } from '@netloom/conformance/simulators';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown> & { items?: Array<Record<string, unknown>> };
}

const PASSWORD = 'f5-S3cret!';

/** A raw iControl REST client: HTTPS with the simulator's CA, JSON in and out. */
class Raw {
  headers: Record<string, string> = {};
  constructor(
    private readonly sim: F5BigipSimulator,
    private readonly ca: string | undefined = sim.ca,
  ) {}

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        { host: this.sim.host, port: this.sim.port, path, method, ...(this.ca === undefined ? {} : { ca: this.ca }), agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...this.headers, ...headers } },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data === '' ? {} : (JSON.parse(data) as Reply['body']) }));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  async login(username = 'netloom', password = PASSWORD): Promise<Reply> {
    const r = await this.call('POST', '/mgmt/shared/authn/login', { username, password, loginProviderName: 'tmos' });
    const token = (r.body['token'] as { token?: string } | undefined)?.token;
    if (r.status === 200 && token !== undefined) this.headers = { 'X-F5-Auth-Token': token };
    return r;
  }
}

const items = (r: Reply): Array<Record<string, unknown>> => r.body.items ?? [];

/** A TCP server that answers every connection with its name, then echoes lines. */
async function pod(name: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.write(`${name}\n`);
    s.on('data', (d) => s.write(`${name}:${d.toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Connects, reads the first line (or '' when the connection is closed without one); keeps the socket when asked. */
function firstLine(port: number, keep = false): Promise<{ line: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (): void => {
      const line = data.split('\n')[0] ?? '';
      if (!keep) socket.destroy();
      resolve({ line, socket });
    };
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\n')) done();
    });
    socket.on('close', () => done());
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? done() : reject(e)));
  });
}

describe('F5 BIG-IP simulator (raw iControl REST)', function () {
  this.timeout(30000);
  let tls: TestCertificates;
  const started: F5BigipSimulator[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    tls = await makeTestCertificates({ caName: 'f5 simulator test CA' });
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    for (const s of started.splice(0)) await s.close();
  });

  async function start(options: F5BigipSimulatorOptions = {}): Promise<{ sim: F5BigipSimulator; rest: Raw }> {
    const sim = await startF5BigipSimulator({ tls, users: { netloom: { password: PASSWORD }, viewer: { password: 'view', role: 'guest' } }, ...options });
    started.push(sim);
    const rest = new Raw(sim);
    assert.equal((await rest.login()).status, 200);
    return { sim, rest };
  }

  describe('authentication', () => {
    it('hands out a token with its lifetime, and accepts it in X-F5-Auth-Token', async () => {
      const { sim, rest } = await start();
      const login = await new Raw(sim).login();
      const token = login.body['token'] as Record<string, unknown>;
      assert.equal(token['timeout'], 1200);
      assert.equal(token['userName'], 'netloom');
      assert.equal(token['kind'], 'shared:authz:tokens:authtokenitemstate');
      assert.match(String(token['token']), /^[A-Z2-7]{26}$/);
      assert.ok(Number(token['expirationMicros']) > Date.now() * 1000);
      assert.equal((await rest.call('GET', '/mgmt/tm/sys/folder')).status, 200);
      assert.equal(sim.stats.logins, 2);
    });

    it('refuses a wrong password with 401 in the REST-framework shape, without echoing the password', async () => {
      const { sim } = await start();
      const raw = new Raw(sim);
      const r = await raw.login('netloom', 'wrong-password');
      assert.equal(r.status, 401);
      assert.equal(r.body['kind'], ':resterrorresponse');
      assert.equal(r.body['code'], 401);
      assert.equal(r.body['message'], 'Authentication failed.');
      assert.ok(!JSON.stringify(r.body).includes('wrong-password'));
      assert.equal(sim.stats.loginFailures, 1);
    });

    it('answers 401 without credentials, takes Basic authentication, refuses wrong Basic credentials', async () => {
      const { sim } = await start();
      const raw = new Raw(sim);
      const none = await raw.call('GET', '/mgmt/tm/ltm/pool');
      assert.equal(none.status, 401);
      assert.match(String(none.body['message']), /^Authorization failed: no user authentication header or token detected/);
      const basic = `Basic ${Buffer.from(`netloom:${PASSWORD}`).toString('base64')}`;
      assert.equal((await raw.call('GET', '/mgmt/tm/ltm/pool', undefined, { Authorization: basic })).status, 200);
      const wrong = await raw.call('GET', '/mgmt/tm/ltm/pool', undefined, { Authorization: `Basic ${Buffer.from('netloom:nope').toString('base64')}` });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body['kind'], ':resterrorresponse');
    });

    it('expires tokens after their (scaled) lifetime; PATCH extends a token and DELETE ends it', async () => {
      const { sim, rest } = await start({ timeScale: 0.0005 }); // 1200 s → 600 ms
      await new Promise((r) => setTimeout(r, 800));
      const expired = await rest.call('GET', '/mgmt/tm/ltm/pool');
      assert.equal(expired.status, 401);
      assert.equal(expired.body['message'], 'X-F5-Auth-Token does not exist.');
      await rest.login();
      const token = rest.headers['X-F5-Auth-Token']!;
      const patched = await rest.call('PATCH', `/mgmt/shared/authz/tokens/${token}`, { timeout: 36000 });
      assert.equal(patched.status, 200);
      assert.equal(patched.body['timeout'], 36000);
      await new Promise((r) => setTimeout(r, 800));
      assert.equal((await rest.call('GET', '/mgmt/tm/ltm/pool')).status, 200, 'the extended token lives on');
      assert.equal((await rest.call('DELETE', `/mgmt/shared/authz/tokens/${token}`)).status, 200);
      assert.equal((await rest.call('GET', '/mgmt/tm/ltm/pool')).status, 401);
      assert.equal(sim.tokens().length, 0);
    });

    it('serves a certificate only the simulator CA verifies', async () => {
      const { sim } = await start();
      await assert.rejects(new Raw(sim, '').call('GET', '/mgmt/tm/sys/version'), (e: NodeJS.ErrnoException) => /certificate|self.signed|verify/i.test(String(e.code) + e.message));
    });

    it('lets a guest read but not write', async () => {
      const { sim } = await start();
      const guest = new Raw(sim);
      assert.equal((await guest.login('viewer', 'view')).status, 200);
      assert.equal((await guest.call('GET', '/mgmt/tm/sys/folder')).status, 200);
      const w = await guest.call('POST', '/mgmt/tm/sys/folder', { name: 'x', subPath: '/' });
      assert.equal(w.status, 401);
      assert.equal(sim.config.folders.has('x'), false);
    });
  });

  describe('partitions, pools, members, virtual servers, monitors', () => {
    it('creates, lists and deletes partitions; a partition with objects cannot be deleted (TMOS 400)', async () => {
      const { rest } = await start();
      const created = await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/', description: 'netloom:shop' });
      assert.equal(created.status, 200);
      assert.equal(created.body['kind'], 'tm:sys:folder:folderstate');
      assert.equal(created.body['fullPath'], '/shop');
      assert.match(String(created.body['selfLink']), /^https:\/\/localhost\/mgmt\/tm\/sys\/folder\/~shop\?ver=17\.1\.1$/);
      const list = await rest.call('GET', '/mgmt/tm/sys/folder');
      assert.equal(list.body['kind'], 'tm:sys:folder:foldercollectionstate');
      assert.deepEqual(items(list).map((f) => f['fullPath']), ['/', '/Common', '/shop']);
      assert.equal((await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' })).status, 409);
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop' });
      const busy = await rest.call('DELETE', '/mgmt/tm/sys/folder/~shop');
      assert.equal(busy.status, 400);
      assert.deepEqual(busy.body, { code: 400, message: '010713f9:3: The folder /shop cannot be deleted because it contains configuration item (pool /shop/web)', errorStack: [], apiError: 3 });
      assert.equal((await rest.call('DELETE', '/mgmt/tm/ltm/pool/~shop~web')).status, 200);
      assert.equal((await rest.call('DELETE', '/mgmt/tm/sys/folder/~shop')).status, 200);
      assert.equal((await rest.call('DELETE', '/mgmt/tm/sys/folder/~Common')).status, 400);
    });

    it('keeps pools with members (session, state, ratio), creates their nodes, names IPv6 members address.port', async () => {
      const { sim, rest } = await start();
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' });
      const pool = await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop', loadBalancingMode: 'least-connections-member', description: 'netloom:shop/web' });
      assert.equal(pool.body['kind'], 'tm:ltm:pool:poolstate');
      assert.equal(pool.body['fullPath'], '/shop/web');
      assert.equal(typeof pool.body['generation'], 'number');
      const m1 = await rest.call('POST', '/mgmt/tm/ltm/pool/~shop~web/members', { name: '10.1.0.5:8080', partition: 'shop', address: '10.1.0.5', ratio: 3 });
      assert.equal(m1.status, 200);
      assert.equal(m1.body['kind'], 'tm:ltm:pool:members:membersstate');
      assert.equal(m1.body['session'], 'user-enabled');
      assert.equal(m1.body['ratio'], 3);
      const m2 = await rest.call('POST', '/mgmt/tm/ltm/pool/~shop~web/members', { name: 'fd00:1::6.8080', partition: 'shop' });
      assert.equal(m2.status, 200);
      assert.equal(m2.body['address'], 'fd00:1::6');
      assert.equal(m2.body['selfLink'], 'https://localhost/mgmt/tm/ltm/pool/~shop~web/members/~shop~fd00:1::6.8080?ver=17.1.1');
      const nodes = await rest.call('GET', '/mgmt/tm/ltm/node');
      assert.deepEqual(items(nodes).map((n) => n['fullPath']).sort(), ['/shop/10.1.0.5', '/shop/fd00:1::6']);
      const drain = await rest.call('PATCH', '/mgmt/tm/ltm/pool/~shop~web/members/~shop~10.1.0.5:8080', { session: 'user-disabled' });
      assert.equal(drain.body['session'], 'user-disabled');
      assert.equal(drain.body['state'], 'unchecked');
      const off = await rest.call('PATCH', '/mgmt/tm/ltm/pool/~shop~web/members/~shop~fd00:1::6.8080', { session: 'user-disabled', state: 'user-down' });
      assert.equal(off.body['state'], 'user-down');
      const expanded = await rest.call('GET', '/mgmt/tm/ltm/pool?expandSubcollections=true');
      const ref = items(expanded)[0]!['membersReference'] as { isSubcollection: boolean; items: Array<Record<string, unknown>> };
      assert.equal(ref.isSubcollection, true);
      assert.deepEqual(ref.items.map((m) => [m['name'], m['session'], m['state']]), [
        ['10.1.0.5:8080', 'user-disabled', 'unchecked'],
        ['fd00:1::6.8080', 'user-disabled', 'user-down'],
      ]);
      const plain = await rest.call('GET', '/mgmt/tm/ltm/pool');
      assert.equal((items(plain)[0]!['membersReference'] as { items?: unknown }).items, undefined, 'members only with expandSubcollections');
      const gone = await rest.call('GET', '/mgmt/tm/ltm/pool/~shop~web/members/~shop~10.9.9.9:80');
      assert.equal(gone.status, 404);
      assert.equal(gone.body['message'], '01020036:3: The requested Pool Member (/shop/web /shop/10.9.9.9 80) was not found.');
      const nodeBusy = await rest.call('DELETE', '/mgmt/tm/ltm/node/~shop~10.1.0.5');
      assert.equal(nodeBusy.status, 400);
      assert.equal(nodeBusy.body['message'], "01070110:3: Node address '/shop/10.1.0.5' is referenced by a member of pool '/shop/web'.");
      assert.equal(sim.stats.writes, 6);
    });

    it('keeps virtual servers (destination /P/addr:port, pool, SNAT) with their virtual addresses, and checks references', async () => {
      const { rest } = await start();
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' });
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop' });
      const missing = await rest.call('POST', '/mgmt/tm/ltm/virtual', { name: 'vs', partition: 'shop', destination: '/shop/192.0.2.10:443', pool: '/shop/nope' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body['message'], '01020036:3: The requested Pool (/shop/nope) was not found.');
      const vs = await rest.call('POST', '/mgmt/tm/ltm/virtual', {
        name: 'web-443',
        partition: 'shop',
        destination: '/shop/192.0.2.10:443',
        mask: '255.255.255.255',
        ipProtocol: 'tcp',
        pool: '/shop/web',
        sourceAddressTranslation: { type: 'automap' },
      });
      assert.equal(vs.status, 200);
      assert.equal(vs.body['kind'], 'tm:ltm:virtual:virtualstate');
      assert.equal(vs.body['destination'], '/shop/192.0.2.10:443');
      assert.deepEqual(vs.body['sourceAddressTranslation'], { type: 'automap' });
      assert.deepEqual(items(await rest.call('GET', '/mgmt/tm/ltm/virtual-address')).map((a) => a['fullPath']), ['/shop/192.0.2.10']);
      const clash = await rest.call('POST', '/mgmt/tm/ltm/virtual', { name: 'other', partition: 'shop', destination: '/shop/192.0.2.10:443', ipProtocol: 'tcp' });
      assert.equal(clash.status, 400);
      assert.match(String(clash.body['message']), /^01070333:3: Virtual Server \/shop\/other illegally shares destination address/);
      const inUse = await rest.call('DELETE', '/mgmt/tm/ltm/pool/~shop~web');
      assert.equal(inUse.status, 400);
      assert.match(String(inUse.body['message']), /^01070265:3: The Pool \(\/shop\/web\) is referenced by the Virtual Server \(\/shop\/web-443\)/);
      const v6 = await rest.call('POST', '/mgmt/tm/ltm/virtual', { name: 'v6', partition: 'shop', destination: '/shop/2001:db8::10.80', pool: 'web' });
      assert.equal(v6.body['destination'], '/shop/2001:db8::10.80');
      assert.equal(v6.body['mask'], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
      assert.equal((await rest.call('DELETE', '/mgmt/tm/ltm/virtual/~shop~web-443')).status, 200);
      assert.deepEqual(items(await rest.call('GET', '/mgmt/tm/ltm/virtual-address')).map((a) => a['fullPath']), ['/shop/2001:db8::10'], 'the auto-created virtual address went with its last virtual server');
    });

    it('keeps tcp and http monitors; a monitor used by a pool cannot be deleted', async () => {
      const { rest } = await start();
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' });
      const http = await rest.call('POST', '/mgmt/tm/ltm/monitor/http', { name: 'http', partition: 'shop', defaultsFrom: '/Common/http', interval: 5, timeout: 16, send: 'GET /healthz HTTP/1.0\\r\\n\\r\\n', recv: '^HTTP/1\\.[01] 200' });
      assert.equal(http.status, 200);
      assert.equal(http.body['kind'], 'tm:ltm:monitor:http:httpstate');
      assert.equal(http.body['send'], 'GET /healthz HTTP/1.0\\r\\n\\r\\n');
      const tcp = await rest.call('POST', '/mgmt/tm/ltm/monitor/tcp', { name: 'tcp', partition: 'shop', interval: 10, timeout: 31 });
      assert.equal(tcp.body['defaultsFrom'], '/Common/tcp');
      assert.equal((await rest.call('POST', '/mgmt/tm/ltm/monitor/tcp', { name: 'http', partition: 'shop' })).status, 409, 'monitor names are unique across types');
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop', monitor: '/shop/http' });
      const inUse = await rest.call('DELETE', '/mgmt/tm/ltm/monitor/http/~shop~http');
      assert.equal(inUse.status, 400);
      assert.equal(inUse.body['message'], '01070083:3: Monitor /shop/http is in use.');
      const pool = await rest.call('PATCH', '/mgmt/tm/ltm/pool/~shop~web', { monitor: 'none' });
      assert.equal(pool.body['monitor'], undefined);
      assert.equal((await rest.call('DELETE', '/mgmt/tm/ltm/monitor/http/~shop~http')).status, 200);
      const list = await rest.call('GET', '/mgmt/tm/ltm/monitor/http');
      assert.deepEqual(items(list).map((m) => m['fullPath']), ['/Common/http']);
    });

    it('answers TMOS and REST-framework errors: not found, unknown URI, unexpected property, tag-like content, bad JSON', async () => {
      const { rest } = await start();
      const nf = await rest.call('GET', '/mgmt/tm/ltm/pool/~Common~nope');
      assert.deepEqual(nf.body, { code: 404, message: '01020036:3: The requested Pool (/Common/nope) was not found.', errorStack: [], apiError: 3 });
      const uri = await rest.call('GET', '/mgmt/tm/ltm/rule');
      assert.equal(uri.status, 404);
      assert.equal(uri.body['message'], 'Public URI path not registered: /mgmt/tm/ltm/rule');
      assert.equal(uri.body['kind'], ':resterrorresponse');
      const prop = await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'p', bogus: 1 });
      assert.equal(prop.status, 400);
      assert.match(String(prop.body['message']), /^Found unexpected json pair at configuration item \/ltm\/pool\. The json pair is "bogus":1\.$/);
      const tag = await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'p', description: '<script>' });
      assert.deepEqual(tag.body, { code: 400, message: 'HTML Tag-like Content in the Request URL/Body', errorStack: [], apiError: 26214401 });
      assert.equal((await rest.call('POST', '/mgmt/tm/ltm/pool', '{not json')).status, 400);
      const badName = await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'bad name;reboot' });
      assert.equal(badName.status, 400);
      const empty = await rest.call('GET', '/mgmt/tm/ltm/virtual');
      assert.deepEqual(Object.keys(empty.body).sort(), ['kind', 'selfLink'], 'an empty collection has no items, as TMOS answers');
    });

    it('reports the version facts', async () => {
      const { sim, rest } = await start({ facts: { version: '16.1.4', build: '0.0.47' } });
      const v = await rest.call('GET', '/mgmt/tm/sys/version');
      const entries = (v.body['entries'] as Record<string, { nestedStats: { entries: Record<string, { description: string }> } }>)['https://localhost/mgmt/tm/sys/version/0']!.nestedStats.entries;
      assert.equal(entries['Product']!.description, 'BIG-IP');
      assert.equal(entries['Version']!.description, '16.1.4');
      assert.equal(entries['Build']!.description, '0.0.47');
      sim.facts = { ...sim.facts, version: '17.5.0' };
      const again = await rest.call('GET', '/mgmt/tm/sys/version');
      assert.match(String(again.body['selfLink']), /ver=17\.5\.0$/);
    });
  });

  describe('transactions', () => {
    async function begin(rest: Raw): Promise<string> {
      const t = await rest.call('POST', '/mgmt/tm/transaction', {});
      assert.equal(t.status, 200);
      assert.equal(t.body['state'], 'STARTED');
      assert.equal(t.body['kind'], 'tm:transactionstate');
      return String(t.body['transId']);
    }

    it('queues requests under the coordination id, lists them, and applies them all on commit', async () => {
      const { sim, rest } = await start();
      const id = await begin(rest);
      const h = { 'X-F5-REST-Coordination-Id': id };
      const queued = await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' }, h);
      assert.equal(queued.body['kind'], 'tm:transaction:commands:commandsstate');
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop' }, h);
      await rest.call('POST', '/mgmt/tm/ltm/pool/~shop~web/members', { name: '10.1.0.5:80', partition: 'shop' }, h);
      assert.equal(sim.config.folders.has('shop'), false, 'queued, not run');
      const cmds = await rest.call('GET', `/mgmt/tm/transaction/${id}/commands`);
      assert.deepEqual(items(cmds).map((c) => [c['evalOrder'], c['method'], c['uri']]), [
        [1, 'POST', 'https://localhost/mgmt/tm/sys/folder'],
        [2, 'POST', 'https://localhost/mgmt/tm/ltm/pool'],
        [3, 'POST', 'https://localhost/mgmt/tm/ltm/pool/~shop~web/members'],
      ]);
      const withHeader = await rest.call('PATCH', `/mgmt/tm/transaction/${id}`, { state: 'VALIDATING' }, h);
      assert.equal(withHeader.status, 400, 'the commit must be sent without the coordination header');
      const commit = await rest.call('PATCH', `/mgmt/tm/transaction/${id}`, { state: 'VALIDATING' });
      assert.equal(commit.status, 200);
      assert.equal(commit.body['state'], 'COMPLETED');
      assert.equal(sim.config.pools.get('/shop/web')?.members.size, 1);
      assert.equal(sim.stats.writes, 3);
      assert.equal(sim.stats.transactionsCommitted, 1);
    });

    it('is all or nothing: a failing command rolls every command back', async () => {
      const { sim, rest } = await start();
      const id = await begin(rest);
      const h = { 'X-F5-REST-Coordination-Id': id };
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' }, h);
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop' }, h);
      await rest.call('POST', '/mgmt/tm/ltm/virtual', { name: 'vs', partition: 'shop', destination: '/shop/192.0.2.1:80', pool: '/shop/missing' }, h);
      const before = sim.dump();
      const commit = await rest.call('PATCH', `/mgmt/tm/transaction/${id}`, { state: 'VALIDATING' });
      assert.equal(commit.status, 400);
      assert.equal(commit.body['message'], 'transaction failed:01020036:3: The requested Pool (/shop/missing) was not found.');
      assert.deepEqual(sim.dump(), before);
      assert.equal(sim.stats.writes, 0);
      assert.equal(sim.stats.transactionsFailed, 1);
      assert.equal(sim.transactions()[0]?.state, 'FAILED');
    });

    it('failNextTransaction fails the next commit after some commands and changes nothing', async () => {
      const { sim, rest } = await start();
      sim.failNextTransaction({ afterCommands: 1 });
      const id = await begin(rest);
      const h = { 'X-F5-REST-Coordination-Id': id };
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'a', subPath: '/' }, h);
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'b', subPath: '/' }, h);
      const commit = await rest.call('PATCH', `/mgmt/tm/transaction/${id}`, { state: 'VALIDATING' });
      assert.equal(commit.status, 400);
      assert.match(String(commit.body['message']), /^transaction failed:01070734:3: /);
      assert.deepEqual([...sim.config.folders.keys()], ['Common']);
      const again = await begin(rest);
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'a', subPath: '/' }, { 'X-F5-REST-Coordination-Id': again });
      assert.equal((await rest.call('PATCH', `/mgmt/tm/transaction/${again}`, { state: 'VALIDATING' })).status, 200, 'one-shot');
    });

    it('drops a transaction that is not committed within its (scaled) timeout', async () => {
      const { sim, rest } = await start({ timeScale: 0.002 }); // 120 s → 240 ms
      const id = await begin(rest);
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'late', subPath: '/' }, { 'X-F5-REST-Coordination-Id': id });
      await new Promise((r) => setTimeout(r, 400));
      const commit = await rest.call('PATCH', `/mgmt/tm/transaction/${id}`, { state: 'VALIDATING' });
      assert.equal(commit.status, 404);
      assert.equal(sim.config.folders.has('late'), false);
      assert.equal(sim.stats.transactionsExpired, 1);
    });

    it('reorders and removes queued commands', async () => {
      const { sim, rest } = await start();
      const id = await begin(rest);
      const h = { 'X-F5-REST-Coordination-Id': id };
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop' }, h);
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' }, h);
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'junk', subPath: '/' }, h);
      assert.equal((await rest.call('PATCH', `/mgmt/tm/transaction/${id}/commands/2`, { evalOrder: 1 })).status, 200);
      assert.equal((await rest.call('DELETE', `/mgmt/tm/transaction/${id}/commands/3`)).status, 200);
      assert.equal((await rest.call('PATCH', `/mgmt/tm/transaction/${id}`, { state: 'VALIDATING' })).status, 200);
      assert.deepEqual([...sim.config.folders.keys()].sort(), ['Common', 'shop']);
      assert.ok(sim.config.pools.has('/shop/web'));
    });
  });

  describe('test API', () => {
    it('dropConnectionDuring cuts the connection before (nothing done) or after (done, reply lost) a request', async () => {
      const { sim, rest } = await start();
      sim.dropConnectionDuring(/^\/mgmt\/tm\/sys\/folder$/, { method: 'POST' });
      await assert.rejects(rest.call('POST', '/mgmt/tm/sys/folder', { name: 'a', subPath: '/' }), /socket hang up|ECONNRESET/);
      assert.equal(sim.config.folders.has('a'), false);
      sim.dropConnectionDuring(/^\/mgmt\/tm\/sys\/folder$/, { method: 'POST', when: 'after' });
      await assert.rejects(rest.call('POST', '/mgmt/tm/sys/folder', { name: 'b', subPath: '/' }), /socket hang up|ECONNRESET/);
      assert.equal(sim.config.folders.has('b'), true);
      assert.equal((await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'c', subPath: '/' })).status, 200, 'one-shot');
      assert.equal(sim.stats.connectionsDropped, 2);
    });

    it('applyOutOfBand changes the configuration all or nothing, counted apart from REST writes; dump shows every collection', async () => {
      const { sim, rest } = await start();
      await sim.applyOutOfBand([
        { method: 'POST', path: '/mgmt/tm/sys/folder', body: { name: 'ops', subPath: '/' } },
        { method: 'POST', path: '/mgmt/tm/ltm/pool', body: { name: 'legacy', partition: 'ops', members: ['10.9.0.1:80'] } },
      ]);
      await assert.rejects(sim.applyOutOfBand([
        { method: 'POST', path: '/mgmt/tm/sys/folder', body: { name: 'half', subPath: '/' } },
        { method: 'DELETE', path: '/mgmt/tm/ltm/pool/~ops~missing' },
      ]), /01020036:3: The requested Pool \(\/ops\/missing\) was not found/);
      assert.equal(sim.config.folders.has('half'), false);
      await sim.applyOutOfBand((c) => {
        c.pools.get('/ops/legacy')!.description = 'edited by hand';
      });
      assert.equal(sim.stats.writes, 0);
      assert.equal(sim.stats.outOfBandWrites, 3);
      const dump = sim.dump();
      assert.deepEqual(Object.keys(dump), [
        '/mgmt/tm/sys/folder',
        '/mgmt/tm/ltm/monitor/tcp',
        '/mgmt/tm/ltm/monitor/http',
        '/mgmt/tm/ltm/monitor/https',
        '/mgmt/tm/ltm/monitor/gateway-icmp',
        '/mgmt/tm/ltm/pool?expandSubcollections=true',
        '/mgmt/tm/ltm/node',
        '/mgmt/tm/ltm/virtual',
        '/mgmt/tm/ltm/virtual-address',
        '/mgmt/tm/ltm/data-group/internal',
      ]);
      assert.deepEqual(dump['/mgmt/tm/ltm/pool?expandSubcollections=true'], (await rest.call('GET', '/mgmt/tm/ltm/pool?expandSubcollections=true')).body);
      assert.ok(sim.requestLog().some((e) => e.method === 'GET' && e.path === '/mgmt/tm/ltm/pool' && e.status === 200));
    });

    it('lets tests change users while it runs', async () => {
      const { sim } = await start();
      sim.users.set('rotated', { password: 'new-pw' });
      assert.equal((await new Raw(sim).login('rotated', 'new-pw')).status, 200);
      sim.users.delete('rotated');
      assert.equal((await new Raw(sim).login('rotated', 'new-pw')).status, 401);
    });
  });

  describe('TCP forwarding', () => {
    it('forwards connections to a local VIP round robin to enabled members; a disabled member drains', async () => {
      const { sim, rest } = await start();
      const a = await pod('pod-a');
      const b = await pod('pod-b');
      cleanups.push(a.close, b.close);
      const vip = await freePort();
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' });
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop', members: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`] });
      await rest.call('POST', '/mgmt/tm/ltm/virtual', { name: 'web', partition: 'shop', destination: `/shop/127.0.0.1:${vip}`, pool: '/shop/web' });
      assert.deepEqual(sim.listeners().map((l) => [l.address, l.port, l.virtual]), [['127.0.0.1', vip, '/shop/web']]);
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push((await firstLine(vip)).line);
      assert.deepEqual([...new Set(seen)].sort(), ['pod-a', 'pod-b']);

      const held = await firstLine(vip, true);
      const drained = held.line;
      const other = drained === 'pod-a' ? 'pod-b' : 'pod-a';
      const drainedPort = drained === 'pod-a' ? a.port : b.port;
      await rest.call('PATCH', `/mgmt/tm/ltm/pool/~shop~web/members/~shop~127.0.0.1:${drainedPort}`, { session: 'user-disabled' });
      for (let i = 0; i < 4; i++) assert.equal((await firstLine(vip)).line, other, 'a disabled member gets no new connections');
      const echo = await new Promise<string>((resolve) => {
        held.socket.once('data', (d) => resolve(d.toString()));
        held.socket.write('still there?\n');
      });
      assert.equal(echo, `${drained}:still there?\n`, 'the open connection to the draining member runs on');
      held.socket.destroy();

      await rest.call('PATCH', `/mgmt/tm/ltm/pool/~shop~web/members/~shop~127.0.0.1:${other === 'pod-a' ? a.port : b.port}`, { session: 'user-disabled' });
      assert.equal((await firstLine(vip)).line, '', 'no enabled member: the connection is closed');
      assert.ok(sim.stats.refused >= 1);
      await rest.call('DELETE', '/mgmt/tm/ltm/virtual/~shop~web');
      assert.deepEqual(sim.listeners(), []);
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = createConnection({ host: '127.0.0.1', port: vip });
          s.on('connect', () => {
            s.destroy();
            resolve(undefined);
          });
          s.on('error', reject);
        }),
        /ECONNREFUSED/,
      );
    });

    it('does not listen for virtual servers on addresses that are not local', async () => {
      const { sim, rest } = await start();
      await rest.call('POST', '/mgmt/tm/sys/folder', { name: 'shop', subPath: '/' });
      await rest.call('POST', '/mgmt/tm/ltm/pool', { name: 'web', partition: 'shop' });
      await rest.call('POST', '/mgmt/tm/ltm/virtual', { name: 'web', partition: 'shop', destination: '/shop/192.0.2.10:443', pool: '/shop/web' });
      assert.deepEqual(sim.listeners(), []);
    });
  });
});
