import { runKubernetesSourceConformance, type ClusterHarness } from '@netloom/conformance';
import { adapter, ScenarioSource, scenarioFromValue } from '@netloom/adapter-scenario';

/** The kit's kubectl on a scenario source: objects applied and deleted out of the timeline, writes read back. */
function harness(source: ScenarioSource): ClusterHarness {
  return {
    put: async (objects) => void source.applyNow({ apply: objects }, 'conformance kit'),
    remove: async (refs) => void source.applyNow({ delete: refs }, 'conformance kit'),
    read: async (ref) => source.get(ref),
    events: async (ref) => source.events(ref).map((e) => ({ type: e.type, reason: e.reason, message: e.message })),
  };
}

runKubernetesSourceConformance({
  adapter,
  label: 'scenario',
  target: {
    create: () => {
      const source = new ScenarioSource(scenarioFromValue({ apiVersion: 'netloom.io/v1alpha1', kind: 'Scenario', metadata: { name: 'conformance' }, steps: [] }, 'empty'));
      return { port: source, cluster: harness(source) };
    },
  },
});
