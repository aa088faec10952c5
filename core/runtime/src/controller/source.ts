/**
 * The Kubernetes source of a profile, opened through its adapter, and the cluster snapshot the engine compiles.
 * @packageDocumentation
 */
import type { ClusterSnapshot } from '@netloom/engine';
import { NotSupportedError, type KubeKind, type KubeObjectOf, type KubernetesPort, type Logger } from '@netloom/ports';
import { adapter as kubernetesAdapter } from '@netloom/adapter-kubernetes';
import { ScenarioSource, adapter as scenarioAdapter } from '@netloom/adapter-scenario';
import type { Profile } from '../profile/profile.codec';

/** Options of {@link openKubernetesSource}. */
export interface OpenSourceOptions {
  /**
   * For a scenario source: `all` plays the whole timeline first, so the cluster is the scenario's end state
   * (plan, apply, drift, run); `none` leaves it at the start for the caller to step through (the demo).
   * Default `all`.
   */
  readonly play?: 'all' | 'none';
}

/**
 * Opens the profile's Kubernetes source. `{ scenario: <file> }` uses `@netloom/adapter-scenario` (the embedded
 * default). The client-node adapter for `{ kubeconfig }` / `{ inCluster }` comes with the Kubernetes issue.
 * @throws InputError (an invalid scenario file), NotSupportedError (a source this build cannot open yet)
 */
export async function openKubernetesSource(profile: Profile, logger: Logger, opts: OpenSourceOptions = {}): Promise<KubernetesPort> {
  const src = profile.sources.kubernetes;
  if ('scenario' in src) {
    const factory = scenarioAdapter.ports.kubernetes;
    if (factory === undefined) throw new NotSupportedError('@netloom/adapter-scenario does not provide the kubernetes port');
    const port = await factory({ options: { file: src.scenario }, logger: logger.child({ source: 'scenario' }) });
    if ((opts.play ?? 'all') === 'all' && port instanceof ScenarioSource) port.playAll();
    return port;
  }
  // A real cluster: the client-node adapter (informers with a local cache; leases for leader election).
  const factory = kubernetesAdapter.ports.kubernetes;
  if (factory === undefined) throw new NotSupportedError('@netloom/adapter-kubernetes does not provide the kubernetes port');
  const options = 'kubeconfig' in src ? { kubeconfig: src.kubeconfig, ...(src.context === undefined ? {} : { context: src.context }) } : { inCluster: true as const };
  return factory({ options, logger: logger.child({ source: 'kubernetes' }) });
}

async function all<K extends KubeKind>(port: KubernetesPort, kind: K): Promise<readonly KubeObjectOf<K>[]> {
  return (await port.list({ kind })).items;
}

/** Lists every kind the engine reads, at one moment. */
export async function snapshotOf(port: KubernetesPort): Promise<ClusterSnapshot> {
  const [namespaces, nodes, pods, services, endpointSlices, subnets, peerings, securityGroups] = await Promise.all([
    all(port, 'Namespace'),
    all(port, 'Node'),
    all(port, 'Pod'),
    all(port, 'Service'),
    all(port, 'EndpointSlice'),
    all(port, 'Subnet'),
    all(port, 'VpcPeering'),
    all(port, 'SecurityGroup'),
  ]);
  return { namespaces, nodes, pods, services, endpointSlices, subnets, peerings, securityGroups };
}
