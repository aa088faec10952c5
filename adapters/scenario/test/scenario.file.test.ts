import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScenarioSource, loadScenario, parseScenario, scenarioFromValue, uidFor, type ScenarioProblem } from '@netloom/adapter-scenario';
import { ErrorCode, InputError, KubePodCodec, KubeSubnetCodec, decodeOrThrow, type KubeObject } from '@netloom/ports';
import { DEMO_SCENARIO, FakeClock, scenarioText } from './helpers';

/** The InputError `fn` throws. */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    assert.equal(err.code, ErrorCode.INPUT_INVALID);
    return err;
  }
  assert.fail('expected an InputError');
}

const problemMap = (err: InputError): Record<string, string> => Object.fromEntries(err.problems.map((p) => [p.path, p.reason]));

describe('scenario files', () => {
  describe('the demo scenario (docs/examples/scenario.yaml)', () => {
    it('parses: six named steps', async () => {
      const scenario = await loadScenario(DEMO_SCENARIO);
      assert.equal(scenario.name, 'demo');
      assert.equal(scenario.source, DEMO_SCENARIO);
      assert.deepEqual(
        scenario.steps.map((s) => s.name),
        ['namespaces, nodes, subnet and the first pods', 'scale-up', 'analytics joins the shop VPC', 'peering shop and billing on TCP 8080', 'LoadBalancer Service shop/web', 'web-1 deleted'],
      );
    });

    it('plays to the end with the expected changes per step and no warnings', async () => {
      const source = await ScenarioSource.fromFile(DEMO_SCENARIO, { now: new FakeClock().now });
      const summaries = source.playAll();
      assert.deepEqual(
        summaries.map((s) => [s.added.length, s.modified.length, s.deleted.length]),
        [
          [13, 0, 0],
          [3, 0, 0],
          [2, 1, 0],
          [1, 0, 0],
          [2, 0, 0],
          [0, 1, 1],
        ],
      );
      assert.deepEqual(summaries.flatMap((s) => s.warnings), []);
      assert.ok(source.done);
      assert.equal(source.advance(), undefined, 'nothing after the last step');
      const counts = Object.fromEntries(['Namespace', 'Node', 'Pod', 'Service', 'EndpointSlice', 'Subnet', 'VpcPeering'].map((k) => [k, source.objects(k as KubeObject['kind']).length]));
      assert.deepEqual(counts, { Namespace: 4, Node: 2, Pod: 10, Service: 1, EndpointSlice: 1, Subnet: 1, VpcPeering: 1 });
      assert.deepEqual(summaries[2]!.modified.map((r) => `${r.kind} ${r.name}`), ['Subnet shop-web']);
      assert.deepEqual(summaries[5]!.deleted.map((r) => `${r.kind} ${r.namespace}/${r.name}`), ['Pod shop/web-1']);
    });

    it('has what the story needs: VPC labels, a subnet with exclusions, fixed IP, StatefulSet, rate, peering, LoadBalancer', async () => {
      const source = await ScenarioSource.fromFile(DEMO_SCENARIO);
      source.playAll();
      assert.equal(source.get({ kind: 'Namespace', name: 'analytics' })?.metadata.labels?.['netloom.io/vpc'], 'shop');
      const subnet = source.get({ kind: 'Subnet', name: 'shop-web' })!;
      assert.deepEqual(subnet.spec.excludeRanges, ['10.244.100.2..10.244.100.19']);
      assert.deepEqual(subnet.spec.namespaces, ['shop', 'analytics']);
      assert.equal(subnet.metadata.generation, 2, 'the spec changed once');
      const pods = source.objects('Pod') as { metadata: KubeObject['metadata']; spec: { nodeName?: string } }[];
      assert.ok(pods.some((p) => p.metadata.annotations?.['netloom.io/ip-address'] !== undefined));
      assert.ok(pods.some((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet' && o.apiVersion === 'apps/v1')));
      assert.ok(pods.some((p) => p.metadata.annotations?.['netloom.io/ingress-rate'] !== undefined));
      assert.deepEqual([...new Set(pods.map((p) => p.spec.nodeName))].sort(), ['node-1', 'node-2']);
      assert.equal(pods.filter((p) => p.metadata.namespace === 'kube-system').length, 2);
      assert.deepEqual(source.get({ kind: 'VpcPeering', name: 'shop-billing' })?.spec, { vpcs: ['shop', 'billing'], allow: [{ protocol: 'tcp', ports: [8080] }] });
      assert.equal(source.get({ kind: 'Service', namespace: 'shop', name: 'web' })?.spec.type, 'LoadBalancer');
      const slice = source.get({ kind: 'EndpointSlice', namespace: 'shop', name: 'web-x7k2p' })!;
      assert.equal(slice.metadata.ownerReferences?.[0]?.uid, source.get({ kind: 'Service', namespace: 'shop', name: 'web' })?.metadata.uid, 'owner uid filled with the Service uid');
    });

    it('uses the node names of the embedded profile topology', async () => {
      const profile = fs.readFileSync(path.join(path.dirname(DEMO_SCENARIO), 'embedded.yaml'), 'utf8');
      const source = await ScenarioSource.fromFile(DEMO_SCENARIO);
      source.playAll();
      for (const node of source.objects('Node')) assert.match(profile, new RegExp(`name: ${node.metadata.name},`), `${node.metadata.name} is in embedded.yaml topology`);
    });

    it('every object decodes with the port codec of its kind once the source has filled it', async () => {
      const source = await ScenarioSource.fromFile(DEMO_SCENARIO);
      source.playAll();
      for (const pod of source.objects('Pod')) decodeOrThrow(KubePodCodec, pod, 'pod');
      decodeOrThrow(KubeSubnetCodec, source.get({ kind: 'Subnet', name: 'shop-web' }), 'subnet');
    });
  });

  describe('uids, resourceVersions, timestamps', () => {
    it('uids are deterministic across two loads, and differ per object', async () => {
      const a = await ScenarioSource.fromFile(DEMO_SCENARIO);
      const b = await ScenarioSource.fromFile(DEMO_SCENARIO);
      a.playAll();
      b.playAll();
      const uids = (s: ScenarioSource) => s.objects().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}=${o.metadata.uid}`);
      assert.deepEqual(uids(a), uids(b));
      assert.equal(new Set(a.objects().map((o) => o.metadata.uid)).size, a.objects().length);
      assert.match(a.objects()[0]!.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(a.get({ kind: 'Pod', namespace: 'shop', name: 'web-0' })?.metadata.uid, uidFor({ kind: 'Pod', namespace: 'shop', name: 'web-0' }));
    });

    it('resourceVersions count up; a re-created object gets a new uid; given uid and creationTimestamp are kept', () => {
      const clock = new FakeClock();
      const source = ScenarioSource.fromText(
        scenarioText(`  - name: create
    apply:
      - { kind: Namespace, metadata: { name: a } }
      - { kind: Namespace, metadata: { name: b, uid: my-uid, creationTimestamp: "2020-01-01T00:00:00Z" } }
  - name: delete
    delete: [{ kind: Namespace, name: a }]
  - name: again
    apply: [{ kind: Namespace, metadata: { name: a } }]
`),
        't.yaml',
        { now: clock.now },
      );
      source.advance();
      const first = source.get({ kind: 'Namespace', name: 'a' })!;
      assert.equal(first.metadata.resourceVersion, '1');
      assert.equal(first.metadata.creationTimestamp, new Date(clock.ms).toISOString());
      assert.deepEqual(source.get({ kind: 'Namespace', name: 'b' })?.metadata, { name: 'b', uid: 'my-uid', resourceVersion: '2', generation: 1, creationTimestamp: '2020-01-01T00:00:00Z' });
      clock.advance(60);
      source.step(2);
      const again = source.get({ kind: 'Namespace', name: 'a' })!;
      assert.equal(again.metadata.resourceVersion, '4', 'delete took 3');
      assert.notEqual(again.metadata.uid, first.metadata.uid);
      assert.equal(again.metadata.uid, uidFor({ kind: 'Namespace', name: 'a' }, 2));
      assert.equal(again.metadata.creationTimestamp, new Date(clock.ms).toISOString());
      assert.equal(source.resourceVersion, '4');
    });
  });

  describe('invalid scenarios', () => {
    it('lists every problem with its path and line: missing name, unknown kind, bad type, duplicate, typo', () => {
      const err = inputError(() =>
        parseScenario(
          scenarioText(`  - name: one
    apply:
      - { kind: Namespace, metadata: { name: shop } }
      - kind: Pod
        metadata: { namespace: shop }
        spec: { nodeName: 7 }
      - { kind: Deployment, metadata: { name: x } }
      - { kind: Namespace, metadata: { name: shop } }
  - name: two
    delte: []
`),
          'bad.yaml',
        ),
      );
      assert.deepEqual(problemMap(err), {
        'steps[0].apply[1].metadata.name': 'required',
        'steps[0].apply[1].spec.nodeName': 'expected string, got 7',
        'steps[0].apply[2].kind': 'unknown kind "Deployment" (supported: Namespace, Node, Pod, Service, EndpointSlice, Subnet, VpcPeering, SecurityGroup)',
        'steps[0].apply[3]': 'Namespace shop already appears in this step at steps[0].apply[0] (one change per object and step)',
        'steps[1].delte': 'unknown field',
      });
      const lines = Object.fromEntries((err.problems as ScenarioProblem[]).map((p) => [p.path, p.line]));
      assert.equal(lines['steps[0].apply[1].metadata.name'], 9);
      assert.equal(lines['steps[0].apply[1].spec.nodeName'], 10);
      assert.equal(lines['steps[1].delte'], 14);
      assert.match(err.message, /^scenario bad\.yaml is invalid \(5 problems\):/);
      assert.match(err.message, /steps\[0\]\.apply\[2\]\.kind: unknown kind "Deployment" .* \(bad\.yaml:11:\d+\)/);
    });

    it('checks the envelope, namespaces by scope, apiVersion, resourceVersion and the CRDs\' fields', () => {
      const err = inputError(() =>
        parseScenario(`apiVersion: v1
kind: Scenario
metadata: {}
steps:
  - name: s
    apply:
      - { kind: Pod, metadata: { name: p }, spec: {} }
      - { kind: Node, metadata: { name: n, namespace: x } }
      - { apiVersion: apps/v1, kind: Namespace, metadata: { name: a, resourceVersion: "5" } }
      - { kind: Subnet, metadata: { name: s }, spec: { cidrs: [10.0.0.0/24], exclude: [10.0.0.1] } }
      - { kind: VpcPeering, metadata: { name: p }, spec: { vpcs: [a], allow: [] } }
      - { kind: Pod, metadata: { name: q, namespace: a }, spec: {}, extra: 1 }
    delete:
      - { kind: Pod, name: x }
      - { kind: Node, namespace: a, name: m }
`),
      );
      assert.deepEqual(problemMap(err), {
        apiVersion: 'expected "netloom.io/v1alpha1", got "v1"',
        'metadata.name': 'required',
        'steps[0].apply[0].metadata.namespace': 'required (Pod is namespaced)',
        'steps[0].apply[1].metadata.namespace': 'Node is cluster-scoped: leave it out',
        'steps[0].apply[2].apiVersion': '"apps/v1" is not the apiVersion of Namespace (v1; it may be left out)',
        'steps[0].apply[2].metadata.resourceVersion': 'is assigned by the scenario source: leave it out',
        'steps[0].apply[3].spec.exclude': 'unknown field (the Subnet CRD has no such field)',
        'steps[0].apply[4].spec.vpcs[1]': 'required',
        'steps[0].delete[0].namespace': 'required (Pod is namespaced)',
        'steps[0].delete[1].namespace': 'Node is cluster-scoped: leave it out',
      });
      // Fields of core kinds that netloom does not read are dropped, as from an API server (`extra` above).
    });

    it('reports YAML syntax errors with their line', () => {
      const err = inputError(() => parseScenario('steps:\n  - name: [\n', 'broken.yaml'));
      assert.equal(err.problems.length >= 1, true);
      assert.match(err.problems[0]!.reason, /^not valid YAML: /);
      assert.equal(typeof (err.problems[0] as ScenarioProblem).line, 'number');
    });

    it('an empty file is one problem at the root', () => {
      assert.deepEqual(problemMap(inputError(() => parseScenario('', 'empty.yaml'))), { '': 'expected an object (Scenario), got null' });
    });

    it('an inline scenario is validated the same way (paths, no lines)', () => {
      const err = inputError(() => scenarioFromValue({ apiVersion: 'netloom.io/v1alpha1', kind: 'Scenario', metadata: { name: 'x' }, steps: [{ name: 's', apply: [{ kind: 'Pod' }] }] }));
      assert.deepEqual(problemMap(err), { 'steps[0].apply[0].metadata': 'required', 'steps[0].apply[0].spec': 'required' });
      assert.equal((err.problems[0] as ScenarioProblem).line, undefined);
    });
  });

  describe('include', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-scenario-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("plays the included files' steps first", async () => {
      fs.mkdirSync(path.join(dir, 'base'));
      fs.writeFileSync(path.join(dir, 'base', 'ns.yaml'), scenarioText('  - name: base\n    apply: [{ kind: Namespace, metadata: { name: shop } }]\n', 'base'));
      fs.writeFileSync(path.join(dir, 'main.yaml'), `include: [base/ns.yaml]\n${scenarioText('  - name: pods\n    apply: [{ kind: Pod, metadata: { namespace: shop, name: p }, spec: {} }]\n', 'main')}`);
      const scenario = await loadScenario(path.join(dir, 'main.yaml'));
      assert.equal(scenario.name, 'main');
      assert.deepEqual(scenario.includes, [path.join(dir, 'base', 'ns.yaml')]);
      assert.deepEqual(scenario.steps.map((s) => s.name), ['base', 'pods']);
      assert.deepEqual(scenario.steps.map((s) => s.origin), ['ns.yaml steps[0]', 'main.yaml steps[0]']);
      const source = new ScenarioSource(scenario);
      assert.deepEqual(source.playAll().flatMap((s) => s.warnings), []);
    });

    it('refuses a cycle, a missing file, and include in text-only parsing', async () => {
      fs.writeFileSync(path.join(dir, 'a.yaml'), `include: [b.yaml]\n${scenarioText('  []\n')}`);
      fs.writeFileSync(path.join(dir, 'b.yaml'), `include: [a.yaml]\n${scenarioText('  []\n')}`);
      await assert.rejects(loadScenario(path.join(dir, 'a.yaml')), (e: unknown) => e instanceof InputError && /include cycle: a\.yaml → b\.yaml → a\.yaml/.test(e.message));
      await assert.rejects(loadScenario(path.join(dir, 'none.yaml')), (e: unknown) => e instanceof InputError && /does not exist/.test(e.message));
      assert.match(inputError(() => parseScenario(`include: [x.yaml]\n${scenarioText('  []\n')}`)).message, /include: includes are resolved relative to a file/);
    });
  });
});
