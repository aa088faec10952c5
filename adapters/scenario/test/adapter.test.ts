import { strict as assert } from 'node:assert';
import { ScenarioOptionsCodec, ScenarioSource, adapter } from '@netloom/adapter-scenario';
import { CAPABILITY_NAMES, InputError, checkAdapterDefinition, decodeProblems, silentLogger, type KubernetesPort } from '@netloom/ports';
import { DEMO_SCENARIO } from './helpers';

describe('the scenario adapter definition', () => {
  it('is valid and declares every kubernetes capability, all true', () => {
    assert.deepEqual(checkAdapterDefinition(adapter), []);
    assert.equal(adapter.id, 'scenario');
    assert.deepEqual(Object.keys(adapter.supports.kubernetes).sort(), [...CAPABILITY_NAMES.kubernetes].sort());
    assert.ok(Object.values(adapter.supports.kubernetes).every((v) => v === true));
  });

  it('options: exactly one of file and scenario; stepIntervalMs only with autoAdvance', () => {
    const problems = (o: unknown) => decodeProblems(ScenarioOptionsCodec, o).problems.map((p) => `${p.path}: ${p.reason}`);
    assert.deepEqual(problems({ file: 'a.yaml' }), []);
    assert.deepEqual(problems({ scenario: {}, autoAdvance: true, stepIntervalMs: 500 }), []);
    assert.deepEqual(problems({}), ['file: required: give a scenario file (or an inline scenario)']);
    assert.deepEqual(problems({ file: 'a.yaml', scenario: {} }), ['scenario: give either file or scenario, not both']);
    assert.deepEqual(problems({ file: 'a.yaml', stepIntervalMs: 5 }), ['stepIntervalMs: only used with autoAdvance: true']);
    assert.deepEqual(problems({ file: 'a.yaml', speed: 2 }), ['speed: unknown field']);
  });

  it('the factory loads a file, and its port is a ScenarioSource with the declared capabilities', async () => {
    const kube: KubernetesPort = await adapter.ports.kubernetes({ options: { file: DEMO_SCENARIO }, logger: silentLogger });
    assert.ok(kube instanceof ScenarioSource);
    assert.deepEqual(kube.capabilities, adapter.supports.kubernetes);
    assert.equal(kube.position, 0, 'the caller drives by default');
    await kube.close();
  });

  it('the factory takes an inline scenario and can play it by itself', async () => {
    const scenario = { apiVersion: 'netloom.io/v1alpha1', kind: 'Scenario', metadata: { name: 'inline' }, steps: [{ name: 'a', apply: [{ kind: 'Namespace', metadata: { name: 'shop' } }] }, { name: 'b' }] };
    const kube = await adapter.ports.kubernetes({ options: { scenario, autoAdvance: true, stepIntervalMs: 0 }, logger: silentLogger });
    assert.equal(kube.position, 1);
    assert.equal((await kube.list({ kind: 'Namespace' })).items.length, 1);
    await kube.close();
  });

  it('the factory refuses bad options and invalid scenarios with InputError', async () => {
    await assert.rejects(adapter.ports.kubernetes({ options: { file: 1 }, logger: silentLogger }), InputError);
    await assert.rejects(adapter.ports.kubernetes({ options: { scenario: { kind: 'Scenario' } }, logger: silentLogger }), (e: unknown) => e instanceof InputError && /inline scenario is invalid/.test(e.message));
  });
});
