import { strict as assert } from 'node:assert';
import { ScenarioSource, parseScenario } from '@netloom/adapter-scenario';
import { ErrorCode, InputError, KubeSecurityGroupCodec, decodeOrThrow, type KubeSecurityGroup, type KubeWatchEvent } from '@netloom/ports';
import { describeEvent, scenarioText } from './helpers';

const problemsOf = (fn: () => unknown): Record<string, string> => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    assert.equal(err.code, ErrorCode.INPUT_INVALID);
    return Object.fromEntries(err.problems.map((p) => [p.path, p.reason]));
  }
  assert.fail('expected an InputError');
};

const STEPS = `  - name: groups
    apply:
      - { kind: Namespace, metadata: { name: shop } }
      - kind: SecurityGroup
        metadata: { namespace: shop, name: web }
        spec:
          rules:
            - { name: https-in, direction: ingress, protocol: tcp, ports: [443, "8000-8080"], remote: { cidr: 10.0.0.0/8 } }
            - { name: peers, direction: ingress, protocol: any, remote: { group: web } }
  - name: change
    apply:
      - { kind: SecurityGroup, metadata: { namespace: shop, name: web }, spec: { vpc: shop } }
  - name: gone
    delete:
      - { kind: SecurityGroup, namespace: shop, name: web }
`;

describe('scenario files: SecurityGroup', () => {
  it('a SecurityGroup is a namespaced netloom kind: decoded with the port codec, apiVersion netloom.io/v1alpha1', () => {
    const source = new ScenarioSource(parseScenario(scenarioText(STEPS), 'sg.yaml'));
    source.step();
    const web = source.get({ kind: 'SecurityGroup', namespace: 'shop', name: 'web' }) as KubeSecurityGroup | undefined;
    assert.ok(web);
    decodeOrThrow(KubeSecurityGroupCodec, web, 'the SecurityGroup');
    assert.deepEqual(web.spec, {
      rules: [
        { name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [443, '8000-8080'], remote: { cidr: '10.0.0.0/8' } },
        { name: 'peers', direction: 'ingress', protocol: 'any', remote: { group: 'web' } },
      ],
    });
    assert.ok(web.metadata.uid !== '');
  });

  it('is watched like the other kinds: added, modified, deleted as the steps play', async () => {
    const source = new ScenarioSource(parseScenario(scenarioText(STEPS), 'sg.yaml'));
    const seen: KubeWatchEvent[] = [];
    const stop = await source.watch({ kinds: ['SecurityGroup'] }, (e) => seen.push(e));
    try {
      source.playAll();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(seen.map(describeEvent), ['added SecurityGroup shop/web', 'modified SecurityGroup shop/web', 'deleted SecurityGroup shop/web']);
      assert.deepEqual((seen[1]?.object as KubeSecurityGroup).spec, { vpc: 'shop' });
    } finally {
      stop();
      await source.close();
    }
  });

  it('takes a Ready condition through patchStatus (namespace required)', async () => {
    const source = new ScenarioSource(parseScenario(scenarioText(STEPS), 'sg.yaml'));
    source.step();
    const conditions = [{ type: 'Ready', status: 'True' as const, reason: 'Programmed' }];
    await source.patchStatus({ kind: 'SecurityGroup', namespace: 'shop', name: 'web', status: { conditions } });
    assert.deepEqual(source.statusOf({ kind: 'SecurityGroup', namespace: 'shop', name: 'web' })?.conditions, conditions);
    await assert.rejects(source.patchStatus({ kind: 'SecurityGroup', name: 'web', status: { conditions } }), (e: unknown) => e instanceof InputError);
    await source.close();
  });

  it('refuses a SecurityGroup without namespace, with a field the CRD does not have, or with a rule missing its name', () => {
    const problems = problemsOf(() =>
      parseScenario(
        scenarioText(`  - name: s
    apply:
      - { kind: SecurityGroup, metadata: { name: a }, spec: {} }
      - { kind: SecurityGroup, metadata: { name: b, namespace: shop }, spec: { rules: [{ name: r, direction: ingress, protocol: tcp, port: 80 }] } }
      - { kind: SecurityGroup, metadata: { name: c, namespace: shop }, spec: { rules: [{ direction: ingress, protocol: tcp }] } }
`),
        'bad.yaml',
      ),
    );
    assert.deepEqual(problems, {
      'steps[0].apply[0].metadata.namespace': 'required (SecurityGroup is namespaced)',
      'steps[0].apply[1].spec.rules[0].port': 'unknown field (the SecurityGroup CRD has no such field)',
      'steps[0].apply[2].spec.rules[0].name': 'required',
    });
  });
});
