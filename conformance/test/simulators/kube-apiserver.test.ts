// The Kubernetes API server simulator through raw HTTP (node:http / node:https, no Kubernetes client): token
// authentication, discovery, create / update / patch / delete semantics, the status subresource, generation, list
// selectors and chunking, watch streams (resume, bookmarks, 410 Gone, dropped streams, selector transitions),
// namespace cascade, CRD schema validation and pruning, failure injection, the request log and the test API.
import { strict as assert } from 'node:assert';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { KubeApiServer, kubeValidateBySchema, parseKubeLabelSelector } from '@netloom/conformance/simulators';

const CRD_DIR = resolve(__dirname, '..', '..', '..', 'deploy', 'crds');

interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}
type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

/** A raw HTTP client with a bearer token. */
class Raw {
  constructor(
    private readonly api: KubeApiServer,
    public token: string = api.token,
  ) {}

  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
    const { host, port, ca, url } = this.api.endpoint;
    const text = body === undefined ? '' : JSON.stringify(body);
    const fn = url.startsWith('https') ? httpsRequest : httpRequest;
    return new Promise((res, rej) => {
      const req = fn(
        { host, port, path, method, agent: false, ...(ca === undefined ? {} : { ca }), headers: { ...(this.token === '' ? {} : { Authorization: `Bearer ${this.token}` }), 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) } },
        (r) => {
          let data = '';
          r.setEncoding('utf8');
          r.on('data', (d: string) => (data += d));
          r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: data === '' ? {} : (JSON.parse(data) as Record<string, unknown>) }));
        },
      );
      req.on('error', rej);
      req.end(text);
    });
  }

  /** Opens a watch; events arrive in `events`, `ended` resolves when the server ends the stream. */
  watch(path: string): Promise<{ status: number; events: { type: string; object: Obj }[]; ended: Promise<void>; close(): void }> {
    const { host, port, ca, url } = this.api.endpoint;
    const fn = url.startsWith('https') ? httpsRequest : httpRequest;
    return new Promise((res, rej) => {
      const req = fn({ host, port, path, agent: false, ...(ca === undefined ? {} : { ca }), headers: { Authorization: `Bearer ${this.token}` } }, (r) => {
        const events: { type: string; object: Obj }[] = [];
        let buf = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => {
          buf += d;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            events.push(JSON.parse(buf.slice(0, i)) as { type: string; object: Obj });
            buf = buf.slice(i + 1);
          }
        });
        const ended = new Promise<void>((done) => {
          r.on('end', () => done());
          r.on('close', () => done());
        });
        res({ status: r.statusCode ?? 0, events, ended, close: () => req.destroy() });
      });
      req.on('error', rej);
      req.end();
    });
  }
}

const until = async (what: string, cond: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const items = (r: Reply): Obj[] => r.body['items'] as Obj[];
const meta = (o: unknown): Record<string, unknown> => (o as Obj).metadata;
const causes = (r: Reply): { field: string; message: string; reason: string }[] => ((r.body['details'] as { causes?: { field: string; message: string; reason: string }[] }).causes ?? []);

describe('KubeApiServer (Kubernetes API server simulator)', () => {
  let api: KubeApiServer;
  let raw: Raw;
  before(async () => {
    api = new KubeApiServer({ crdDir: CRD_DIR, tls: false, bookmarkIntervalMs: 0 });
    await api.start();
    raw = new Raw(api);
  });
  after(async () => api.stop());
  afterEach(() => api.clearFailures());

  describe('authentication and discovery', () => {
    it('no token or a wrong one is 401 Unauthorized; a read-only user may read but gets 403 Forbidden on writes', async () => {
      const anon = await new Raw(api, '').call('GET', '/api/v1/namespaces');
      assert.equal(anon.status, 401);
      assert.deepEqual({ kind: anon.body['kind'], reason: anon.body['reason'], code: anon.body['code'] }, { kind: 'Status', reason: 'Unauthorized', code: 401 });
      assert.equal((await new Raw(api, 'not-the-token').call('GET', '/api')).status, 401);
      const ro = new KubeApiServer({ tls: false, tokens: { 'viewer-token-12345': { user: 'viewer', readOnly: true } } });
      await ro.start();
      try {
        const v = new Raw(ro, 'viewer-token-12345');
        assert.equal((await v.call('GET', '/api/v1/namespaces')).status, 200);
        const denied = await v.call('POST', '/api/v1/namespaces', { metadata: { name: 'x' } });
        assert.equal(denied.status, 403);
        assert.match(String(denied.body['message']), /User "viewer" cannot create resource "namespaces" in API group "" at the cluster scope/);
      } finally {
        await ro.stop();
      }
      assert.ok(api.requestLog().every((l) => !JSON.stringify(l).includes(api.token)), 'the request log holds a token');
    });

    it('serves /version, /api, /api/v1, /apis, /apis/<group> and /apis/<group>/<version> with the CRD kinds and status subresources', async () => {
      assert.equal((await raw.call('GET', '/version')).body['major'], '1');
      assert.deepEqual((await raw.call('GET', '/api')).body['versions'], ['v1']);
      const core = (await raw.call('GET', '/api/v1')).body['resources'] as { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
      for (const n of ['namespaces', 'nodes', 'pods', 'pods/status', 'services', 'services/status', 'events']) assert.ok(core.some((r) => r.name === n), `/api/v1 lacks ${n}`);
      assert.equal(core.find((r) => r.name === 'pods')?.namespaced, true);
      const groups = ((await raw.call('GET', '/apis')).body['groups'] as { name: string }[]).map((g) => g.name);
      for (const g of ['discovery.k8s.io', 'coordination.k8s.io', 'events.k8s.io', 'apiextensions.k8s.io', 'netloom.io']) assert.ok(groups.includes(g), `no group ${g}`);
      assert.equal(((await raw.call('GET', '/apis/netloom.io')).body['preferredVersion'] as { version: string }).version, 'v1alpha1');
      const nl = (await raw.call('GET', '/apis/netloom.io/v1alpha1')).body['resources'] as { name: string; kind: string; namespaced: boolean }[];
      assert.deepEqual(
        nl.map((r) => `${r.name}:${r.kind}:${r.namespaced}`).sort(),
        ['securitygroups/status:SecurityGroup:true', 'securitygroups:SecurityGroup:true', 'subnets/status:Subnet:false', 'subnets:Subnet:false', 'vpcpeerings/status:VpcPeering:false', 'vpcpeerings:VpcPeering:false'],
      );
      assert.equal((await raw.call('GET', '/apis/nothing.io/v1')).status, 404);
      const crds = items(await raw.call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).map((c) => meta(c)['name']);
      assert.deepEqual(crds, ['securitygroups.netloom.io', 'subnets.netloom.io', 'vpcpeerings.netloom.io']);
      assert.equal((await raw.call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/subnets.netloom.io')).status, 405);
    });

    it('HTTPS with the generated CA, and a kubeconfig that names it, the token and a context', async () => {
      const s = new KubeApiServer({ namespaces: ['default'] });
      const info = await s.start();
      try {
        assert.match(info.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.equal((await new Raw(s).call('GET', '/api/v1/namespaces')).status, 200);
        const kc = parseYaml(s.kubeconfig({ namespace: 'shop' })) as { clusters: { cluster: Record<string, string> }[]; users: { user: { token: string } }[]; contexts: { context: { namespace: string } }[]; 'current-context': string };
        assert.equal(kc.clusters[0]!.cluster['server'], info.url);
        assert.equal(Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(), info.ca);
        assert.equal(kc.users[0]!.user.token, s.token);
        assert.equal(kc.contexts[0]!.context.namespace, 'shop');
        assert.equal(kc['current-context'], 'netloom-sim');
      } finally {
        await s.stop();
      }
    });
  });

  describe('writes', () => {
    before(async () => {
      await api.put([{ kind: 'Namespace', metadata: { name: 'w' } }]);
    });

    it('POST creates with uid, creationTimestamp, resourceVersion and generation; a duplicate is 409 AlreadyExists; a missing namespace 404', async () => {
      const created = await raw.call('POST', '/api/v1/namespaces/w/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
      assert.equal(created.status, 201);
      const m = meta(created.body);
      assert.match(String(m['uid']), /^[0-9a-f-]{36}$/);
      assert.match(String(m['creationTimestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(m['generation'], 1);
      assert.equal(m['namespace'], 'w');
      assert.deepEqual(created.body['status'], { phase: 'Pending' }, 'status is not set by a create');
      const dup = await raw.call('POST', '/api/v1/namespaces/w/pods', { metadata: { name: 'p1' }, spec: {} });
      assert.deepEqual([dup.status, dup.body['reason'], dup.body['message']], [409, 'AlreadyExists', 'pods "p1" already exists']);
      const nons = await raw.call('POST', '/api/v1/namespaces/nope/pods', { metadata: { name: 'p1' }, spec: {} });
      assert.deepEqual([nons.status, nons.body['message']], [404, 'namespaces "nope" not found']);
      const gen = await raw.call('POST', '/api/v1/namespaces/w/events', { metadata: { generateName: 'p1.' }, involvedObject: { kind: 'Pod', name: 'p1' }, reason: 'X', message: 'y', type: 'Normal' });
      assert.match(String(meta(gen.body)['name']), /^p1\.[a-z0-9]{5}$/);
      const badName = await raw.call('POST', '/api/v1/namespaces/w/pods', { metadata: { name: 'Bad_Name' }, spec: {} });
      assert.deepEqual([badName.status, causes(badName)[0]?.field], [422, 'metadata.name']);
    });

    it('PUT needs the current resourceVersion (409 Conflict otherwise; custom resources 422 without one) and keeps the status of status-subresource kinds', async () => {
      await api.put([{ kind: 'Service', metadata: { name: 's1', namespace: 'w' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } }]);
      const cur = (await raw.call('GET', '/api/v1/namespaces/w/services/s1')).body as Obj;
      const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: '1' } };
      const conflict = await raw.call('PUT', '/api/v1/namespaces/w/services/s1', stale);
      assert.deepEqual([conflict.status, conflict.body['reason']], [409, 'Conflict']);
      assert.match(String(conflict.body['message']), /Operation cannot be fulfilled on services "s1": the object has been modified/);
      const ok = await raw.call('PUT', '/api/v1/namespaces/w/services/s1', { ...cur, spec: { type: 'ClusterIP' }, status: { loadBalancer: {} } });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body['status'], { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } }, 'PUT on the main resource changed the status');
      const st = await raw.call('PUT', '/api/v1/namespaces/w/services/s1/status', { ...(ok.body as Obj), spec: { type: 'NodePort' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } } });
      assert.deepEqual([st.body['spec'], st.body['status']], [{ type: 'ClusterIP' }, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } }], '/status changes the status only');
      await api.put([{ kind: 'Subnet', metadata: { name: 'w-put' }, spec: { cidrs: ['10.3.0.0/24'] } }]);
      const sub = (await raw.call('GET', '/apis/netloom.io/v1alpha1/subnets/w-put')).body as Obj;
      const norv = await raw.call('PUT', '/apis/netloom.io/v1alpha1/subnets/w-put', { ...sub, metadata: { name: 'w-put' } });
      assert.deepEqual([norv.status, causes(norv)[0]?.field], [422, 'metadata.resourceVersion']);
    });

    it('PATCH: merge patch (null deletes), strategic merge as merge, JSON patch with test, a resourceVersion precondition, 415 for apply patches', async () => {
      await api.put([{ kind: 'Pod', metadata: { name: 'pp', namespace: 'w', annotations: { keep: '1', drop: '2' } }, spec: { nodeName: 'n1' } }]);
      const path = '/api/v1/namespaces/w/pods/pp';
      const m = await raw.call('PATCH', path, { metadata: { annotations: { drop: null, add: '3' } } }, 'application/merge-patch+json');
      assert.deepEqual(meta(m.body)['annotations'], { keep: '1', add: '3' });
      const s = await raw.call('PATCH', path, { metadata: { labels: { app: 'web' } } }, 'application/strategic-merge-patch+json');
      assert.deepEqual(meta(s.body)['labels'], { app: 'web' });
      const j = await raw.call('PATCH', path, [{ op: 'test', path: '/spec/nodeName', value: 'n1' }, { op: 'replace', path: '/metadata/labels/app', value: 'db' }, { op: 'add', path: '/metadata/labels/tier', value: 'x' }], 'application/json-patch+json');
      assert.deepEqual(meta(j.body)['labels'], { app: 'db', tier: 'x' });
      const failedTest = await raw.call('PATCH', path, [{ op: 'test', path: '/spec/nodeName', value: 'n2' }], 'application/json-patch+json');
      assert.equal(failedTest.status, 422);
      const rv = String(meta(j.body)['resourceVersion']);
      const pre = await raw.call('PATCH', path, { metadata: { resourceVersion: String(Number(rv) - 1), annotations: { x: 'y' } } }, 'application/merge-patch+json');
      assert.deepEqual([pre.status, pre.body['reason']], [409, 'Conflict']);
      const fine = await raw.call('PATCH', path, { metadata: { resourceVersion: rv, annotations: { x: 'y' } } }, 'application/merge-patch+json');
      assert.equal(fine.status, 200);
      assert.equal((await raw.call('PATCH', path, {}, 'application/apply-patch+yaml')).status, 415);
      assert.equal((await raw.call('PATCH', '/api/v1/namespaces/w/pods/ghost', {}, 'application/merge-patch+json')).status, 404);
      const same = await raw.call('PATCH', path, { metadata: { annotations: { x: 'y' } } }, 'application/merge-patch+json');
      assert.equal(meta(same.body)['resourceVersion'], meta(fine.body)['resourceVersion'], 'a patch that changes nothing keeps the resourceVersion');
    });

    it('generation grows on spec changes of a custom resource, not on metadata or status changes', async () => {
      await api.put([{ kind: 'VpcPeering', metadata: { name: 'w-peer' }, spec: { vpcs: ['a', 'b'], allow: [{ protocol: 'tcp', ports: [443, '8000-8080'] }] } }]);
      const p = '/apis/netloom.io/v1alpha1/vpcpeerings/w-peer';
      const gen = async (): Promise<unknown> => meta((await raw.call('GET', p)).body)['generation'];
      assert.equal(await gen(), 1);
      await raw.call('PATCH', p, { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json');
      await raw.call('PATCH', `${p}/status`, { status: { observedGeneration: 1 } }, 'application/merge-patch+json');
      assert.equal(await gen(), 1);
      await raw.call('PATCH', p, { spec: { allow: [{ protocol: 'any' }] } }, 'application/merge-patch+json');
      assert.equal(await gen(), 2);
      const st = await raw.call('PATCH', p, { status: { observedGeneration: 2 } }, 'application/merge-patch+json');
      assert.deepEqual(st.body['status'], { observedGeneration: 1 }, 'a patch of the main resource does not write the status');
    });

    it('DELETE with a stale precondition is 409; deleting a namespace deletes everything in it', async () => {
      await api.put([{ kind: 'Namespace', metadata: { name: 'doomed' } }, { kind: 'Pod', metadata: { name: 'a', namespace: 'doomed' }, spec: {} }, { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'l', namespace: 'doomed' }, spec: {} }]);
      const w = await raw.watch('/api/v1/pods?watch=1&fieldSelector=metadata.namespace%3Ddoomed');
      await until('the initial ADDED', () => w.events.length === 1);
      const pre = await raw.call('DELETE', '/api/v1/namespaces/doomed/pods/a', { preconditions: { resourceVersion: '1' } });
      assert.equal(pre.status, 409);
      assert.equal((await raw.call('DELETE', '/api/v1/namespaces/doomed')).status, 200);
      await until('the DELETED event', () => w.events.length === 2);
      assert.equal(w.events[1]?.type, 'DELETED');
      assert.deepEqual([api.get({ kind: 'Pod', namespace: 'doomed', name: 'a' }), api.get({ kind: 'Lease', namespace: 'doomed', name: 'l' }), api.get({ kind: 'Namespace', name: 'doomed' })], [undefined, undefined, undefined]);
      w.close();
    });
  });

  describe('custom resources: the CRD schemas', () => {
    it('a Subnet with a bad CIDR, too many CIDRs and a wrong type is 422 with one cause per field', async () => {
      const r = await raw.call('POST', '/apis/netloom.io/v1alpha1/subnets', { apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name: 'bad' }, spec: { cidrs: ['10.0.0.0/24', 'fd00::/64', '300.1.1.0/24'], default: 'yes', namespaces: ['Shop'] } });
      assert.equal(r.status, 422);
      assert.deepEqual(causes(r).map((c) => `${c.reason} ${c.field}`).sort(), ['FieldValueInvalid spec.cidrs[2]', 'FieldValueInvalid spec.namespaces[0]', 'FieldValueTooMany spec.cidrs', 'FieldValueTypeInvalid spec.default']);
      assert.match(String(r.body['message']), /^Subnet\.netloom\.io "bad" is invalid: \[/);
      const none = await raw.call('POST', '/apis/netloom.io/v1alpha1/subnets', { metadata: { name: 'none' }, spec: {} });
      assert.deepEqual(causes(none).map((c) => `${c.field}: ${c.message}`), ['spec.cidrs: Required value']);
      const dual = await raw.call('POST', '/apis/netloom.io/v1alpha1/subnets', { metadata: { name: 'dual' }, spec: { cidrs: ['10.8.0.0/16', 'fd00:10:8::/64'], gateways: ['10.8.0.1', 'fd00:10:8::1'], excludeRanges: ['10.8.0.2..10.8.0.9', '10.8.0.200'], namespaces: ['shop'], default: true, vpc: 'shop' } });
      assert.equal(dual.status, 201, JSON.stringify(dual.body));
    });

    it('unknown fields are pruned with a Warning header, or refused with fieldValidation=Strict', async () => {
      const body = { metadata: { name: 'pruned' }, spec: { cidrs: ['10.4.0.0/24'], exclude: ['10.4.0.1'] }, extra: 1 };
      const warn = await raw.call('POST', '/apis/netloom.io/v1alpha1/subnets', body);
      assert.equal(warn.status, 201);
      assert.deepEqual(warn.body['spec'], { cidrs: ['10.4.0.0/24'] });
      assert.equal(warn.body['extra'], undefined);
      assert.match(String(warn.headers['warning']), /unknown field \\"spec\.exclude\\"/);
      const strict = await raw.call('POST', '/apis/netloom.io/v1alpha1/subnets?fieldValidation=Strict', { ...body, metadata: { name: 'strict' } });
      assert.deepEqual([strict.status, strict.body['reason']], [400, 'BadRequest']);
      assert.match(String(strict.body['message']), /strict decoding error: unknown field "spec\.exclude", unknown field "extra"/);
    });

    it('VpcPeering ports are int-or-string ranges; SecurityGroup rules are unique by name and the remote is a CIDR or a group', async () => {
      const peer = await raw.call('POST', '/apis/netloom.io/v1alpha1/vpcpeerings', { metadata: { name: 'pp' }, spec: { vpcs: ['a'], allow: [{ protocol: 'tcp', ports: [0, '80-90', '99999', 443] }, { protocol: 'gre' }] } });
      assert.deepEqual(causes(peer).map((c) => c.field).sort(), ['spec.allow[0].ports[0]', 'spec.allow[0].ports[2]', 'spec.allow[1].protocol', 'spec.vpcs']);
      await api.put([{ kind: 'Namespace', metadata: { name: 'sg' } }]);
      const sg = await raw.call('POST', '/apis/netloom.io/v1alpha1/namespaces/sg/securitygroups', {
        metadata: { name: 'web' },
        spec: { rules: [{ name: 'https', direction: 'ingress', protocol: 'tcp', ports: [443], remote: { cidr: '0.0.0.0/0', group: 'x' } }, { name: 'https', direction: 'egress', protocol: 'udp' }] },
      });
      assert.deepEqual(causes(sg).map((c) => `${c.field} ${c.reason}`).sort(), ['spec.rules[0].remote FieldValueInvalid', 'spec.rules[1] FieldValueDuplicate']);
      const ok = await raw.call('POST', '/apis/netloom.io/v1alpha1/namespaces/sg/securitygroups', { metadata: { name: 'web' }, spec: { vpc: 'shop', rules: [{ name: 'https', direction: 'ingress', protocol: 'tcp', ports: [443, '8000-8080'], remote: { group: 'lb' } }] } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal((await raw.call('POST', '/apis/netloom.io/v1alpha1/securitygroups', { metadata: { name: 'x' }, spec: {} })).status, 405, 'a namespaced kind needs a namespace');
    });

    it('the example resources of deploy/examples are accepted as they are (nothing pruned)', async () => {
      await api.put([{ kind: 'Namespace', metadata: { name: 'shop' } }]);
      const docs = parseAllDocuments(await readFile(resolve(CRD_DIR, '..', 'examples', 'netloom-resources.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
      assert.deepEqual(docs.map((d) => d['kind']), ['Subnet', 'VpcPeering', 'SecurityGroup']);
      for (const d of docs) {
        const plural = `${String(d['kind']).toLowerCase()}s`;
        const ns = typeof d.metadata['namespace'] === 'string' ? `/namespaces/${d.metadata['namespace']}` : '';
        const r = await raw.call('POST', `/apis/netloom.io/v1alpha1${ns}/${plural}?fieldValidation=Strict`, d);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.deepEqual(r.body['spec'], d['spec']);
      }
    });

    it('the schema validator reports min/max, enum and pattern the way the API server words them', () => {
      const causes = kubeValidateBySchema({ n: 0, e: 'z', s: 'ab' }, { type: 'object', properties: { n: { type: 'integer', minimum: 1 }, e: { type: 'string', enum: ['a', 'b'] }, s: { type: 'string', pattern: '^a$' } } }, 'spec');
      assert.deepEqual(causes.map((c) => `${c.field}: ${c.message}`), ['spec.n: Invalid value: 0: spec.n in body should be greater than or equal to 1', 'spec.e: Unsupported value: "z": supported values: "a", "b"', "spec.s: Invalid value: \"ab\": spec.s in body should match '^a$'"]);
      assert.equal(parseKubeLabelSelector('app in (a,b),!canary')({ app: 'b' }), true);
    });
  });

  describe('lists', () => {
    before(async () => {
      await api.put([
        { kind: 'Namespace', metadata: { name: 'l' } },
        ...['a', 'b', 'c', 'd', 'e'].map((n, i) => ({ kind: 'Pod', metadata: { name: n, namespace: 'l', labels: { i: String(i % 2) } }, spec: { nodeName: `node-${i % 2}` } })),
      ]);
    });

    it('label and field selectors (metadata.name, spec.nodeName); an unsupported field is 400', async () => {
      const names = async (q: string): Promise<unknown[]> => items(await raw.call('GET', `/api/v1/namespaces/l/pods?${q}`)).map((p) => meta(p)['name']);
      assert.deepEqual(await names('labelSelector=i%3D1'), ['b', 'd']);
      assert.deepEqual(await names('labelSelector=i%21%3D1'), ['a', 'c', 'e']);
      assert.deepEqual(await names('fieldSelector=spec.nodeName%3Dnode-0,metadata.name%21%3Da'), ['c', 'e']);
      const bad = await raw.call('GET', '/api/v1/namespaces/l/pods?fieldSelector=spec.containers%3Dx');
      assert.deepEqual([bad.status, bad.body['message']], [400, 'field label not supported: spec.containers']);
      const list = await raw.call('GET', '/api/v1/namespaces/l/pods');
      assert.equal(list.body['kind'], 'PodList');
      assert.equal(items(list)[0]?.['kind'], undefined, 'items of built-in lists carry no kind');
      assert.equal(meta(list.body)['resourceVersion'], api.resourceVersion);
    });

    it('limit/continue pages through one consistent snapshot; a token older than the history is 410 Expired', async () => {
      const p1 = await raw.call('GET', '/api/v1/namespaces/l/pods?limit=2');
      assert.deepEqual(items(p1).map((p) => meta(p)['name']), ['a', 'b']);
      assert.equal(meta(p1.body)['remainingItemCount'], 3);
      const token = String(meta(p1.body)['continue']);
      await api.remove([{ kind: 'Pod', namespace: 'l', name: 'd' }]);
      await api.put([{ kind: 'Pod', metadata: { name: 'bb', namespace: 'l' }, spec: {} }]);
      const p2 = await raw.call('GET', `/api/v1/namespaces/l/pods?limit=2&continue=${encodeURIComponent(token)}`);
      assert.deepEqual(items(p2).map((p) => meta(p)['name']), ['c', 'd'], 'the second page shows the snapshot of the first');
      assert.equal(meta(p2.body)['resourceVersion'], meta(p1.body)['resourceVersion']);
      const t2 = String(meta(p2.body)['continue']);
      api.compact();
      const gone = await raw.call('GET', `/api/v1/namespaces/l/pods?limit=2&continue=${encodeURIComponent(t2)}`);
      assert.deepEqual([gone.status, gone.body['reason']], [410, 'Expired']);
    });
  });

  describe('watches', () => {
    before(async () => {
      await api.put([{ kind: 'Namespace', metadata: { name: 'wt' } }]);
    });

    it('without a resourceVersion: the current objects as ADDED, then changes; from a resourceVersion: only what came after', async () => {
      await api.put([{ kind: 'Pod', metadata: { name: 'one', namespace: 'wt' }, spec: {} }]);
      const rv = api.resourceVersion;
      const all = await raw.watch('/api/v1/namespaces/wt/pods?watch=true');
      await until('ADDED one', () => all.events.length === 1);
      await api.put([{ kind: 'Pod', metadata: { name: 'two', namespace: 'wt' }, spec: {} }]);
      await api.put([{ kind: 'Pod', metadata: { name: 'one', namespace: 'wt', labels: { x: 'y' } }, spec: {} }]);
      await api.remove([{ kind: 'Pod', namespace: 'wt', name: 'two' }]);
      await until('four events', () => all.events.length === 4);
      assert.deepEqual(all.events.map((e) => `${e.type} ${String(e.object.metadata['name'])}`), ['ADDED one', 'ADDED two', 'MODIFIED one', 'DELETED two']);
      const from = await raw.watch(`/api/v1/namespaces/wt/pods?watch=1&resourceVersion=${rv}`);
      await until('the replay', () => from.events.length === 3);
      assert.deepEqual(from.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      assert.equal(from.events[2]!.object.metadata['resourceVersion'], all.events[3]!.object.metadata['resourceVersion'], 'a DELETED event carries the deletion revision');
      all.close();
      from.close();
    });

    it('bookmarks carry the current resourceVersion; dropWatches ends streams; timeoutSeconds ends a stream', async () => {
      const w = await raw.watch(`/api/v1/namespaces/wt/pods?watch=1&resourceVersion=${api.resourceVersion}&allowWatchBookmarks=true`);
      await until('the watch', () => api.openWatches > 0);
      await api.put([{ kind: 'Node', metadata: { name: 'elsewhere' } }]);
      api.bookmark();
      await until('a bookmark', () => w.events.some((e) => e.type === 'BOOKMARK'));
      const b = w.events.find((e) => e.type === 'BOOKMARK')!;
      assert.deepEqual([b.object['kind'], b.object.metadata['resourceVersion']], ['Pod', api.resourceVersion]);
      const dropped = api.stats.watchesDropped;
      assert.ok(api.dropWatches() >= 1);
      await w.ended;
      assert.ok(api.stats.watchesDropped > dropped);
      const t = await raw.watch('/api/v1/namespaces/wt/pods?watch=1&timeoutSeconds=1');
      await t.ended;
    });

    it('a resourceVersion older than the history: one ERROR event with a 410 Expired Status, then the stream ends', async () => {
      const old = api.resourceVersion;
      await api.put([{ kind: 'Pod', metadata: { name: 'later', namespace: 'wt' }, spec: {} }]);
      api.compact();
      const w = await raw.watch(`/api/v1/namespaces/wt/pods?watch=1&resourceVersion=${old}`);
      await w.ended;
      assert.equal(w.status, 200);
      assert.deepEqual(w.events.map((e) => [e.type, e.object['code'], e.object['reason']]), [['ERROR', 410, 'Expired']]);
      const current = await raw.watch(`/api/v1/namespaces/wt/pods?watch=1&resourceVersion=${api.resourceVersion}`);
      assert.equal(current.status, 200);
      current.close();
    });

    it('a label-selector watch sees an object enter (ADDED) and leave (DELETED) the selection', async () => {
      await api.put([{ kind: 'Pod', metadata: { name: 'sel', namespace: 'wt' }, spec: {} }]);
      const w = await raw.watch(`/api/v1/namespaces/wt/pods?watch=1&labelSelector=app%3Dweb&resourceVersion=${api.resourceVersion}`);
      await until('the watch', () => api.openWatches > 0);
      await api.put([{ kind: 'Pod', metadata: { name: 'sel', namespace: 'wt', labels: { app: 'web' } }, spec: {} }]);
      await api.put([{ kind: 'Pod', metadata: { name: 'sel', namespace: 'wt', labels: { app: 'web', v: '2' } }, spec: {} }]);
      await api.put([{ kind: 'Pod', metadata: { name: 'sel', namespace: 'wt', labels: { app: 'db' } }, spec: {} }]);
      await until('three events', () => w.events.length === 3);
      assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      w.close();
    });
  });

  describe('failure injection and the test API', () => {
    it('the next N matching requests fail with 500, 429 (Retry-After) or 503; the log marks them', async () => {
      const h = api.failNext({ path: '/api/v1/nodes', status: 429, count: 2, retryAfterSec: 3 });
      const r1 = await raw.call('GET', '/api/v1/nodes');
      assert.deepEqual([r1.status, r1.headers['retry-after'], r1.body['reason']], [429, '3', 'TooManyRequests']);
      assert.equal(h.remaining, 1);
      assert.equal((await raw.call('GET', '/api/v1/namespaces')).status, 200, 'another path is not affected');
      assert.equal((await raw.call('GET', '/api/v1/nodes')).status, 429);
      assert.equal((await raw.call('GET', '/api/v1/nodes')).status, 200);
      api.failNext({ path: /watch=1/, watch: true });
      const w = await raw.watch('/api/v1/nodes?watch=1');
      assert.equal(w.status, 500);
      const injected = api.requestLog().filter((l) => l.injected === true);
      assert.deepEqual(injected.slice(-3).map((l) => `${l.status} ${l.path} ${l.watch}`), ['429 /api/v1/nodes false', '429 /api/v1/nodes false', '500 /api/v1/nodes true']);
      assert.ok(api.stats.injectedFailures >= 3);
    });

    it('put keeps annotations and status it does not give; events() reads core/v1 and events.k8s.io/v1 events', async () => {
      await api.put([{ kind: 'Namespace', metadata: { name: 'ta' } }, { kind: 'Pod', metadata: { name: 'p', namespace: 'ta', annotations: { a: '1' } }, spec: {}, status: { phase: 'Running' } }]);
      await api.put([{ kind: 'Pod', metadata: { name: 'p', namespace: 'ta', labels: { l: '1' } }, spec: { nodeName: 'n' } }]);
      const p = api.get({ kind: 'Pod', namespace: 'ta', name: 'p' }) as Obj;
      assert.deepEqual([p.metadata['annotations'], p['status'], p['spec']], [{ a: '1' }, { phase: 'Running' }, { nodeName: 'n' }]);
      await raw.call('POST', '/api/v1/namespaces/ta/events', { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', namespace: 'ta', name: 'p' }, reason: 'Old', message: 'core', type: 'Normal' });
      await raw.call('POST', '/apis/events.k8s.io/v1/namespaces/ta/events', { metadata: { name: 'e2' }, regarding: { kind: 'Pod', namespace: 'ta', name: 'p' }, reason: 'New', note: 'events.k8s.io', type: 'Warning', action: 'Apply', eventTime: '2024-01-01T00:00:00.000000Z', reportingController: 'netloom.io/x', reportingInstance: 'i' });
      assert.deepEqual(api.events({ kind: 'Pod', namespace: 'ta', name: 'p' }).map((e) => `${e.apiVersion} ${e.type} ${e.reason} ${e.message}`), ['v1 Normal Old core', 'events.k8s.io/v1 Warning New events.k8s.io']);
      const invalid = await raw.call('POST', '/apis/events.k8s.io/v1/namespaces/ta/events', { metadata: { name: 'e3' }, reason: 'X' });
      assert.equal(invalid.status, 422);
      assert.throws(() => api.list('Deployment'), /does not serve kind Deployment/);
    });
  });
});
