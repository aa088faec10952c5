/**
 * The Kubernetes-source kit: `runKubernetesSourceConformance({ adapter, target })` inside mocha,
 * `kubernetesSourceConformance(...)` + `runChecks` without. Any implementation of the kubernetes port runs it — the
 * scenario source, the client-node adapter against the test API server or a real cluster.
 *
 * @example
 * import { runKubernetesSourceConformance } from '@netloom/conformance';
 * runKubernetesSourceConformance({
 *   adapter,
 *   target: { create: async () => { const source = new ScenarioSource(emptyScenario);
 *     return { port: source, cluster: scenarioHarness(source), dispose: () => source.close() }; } },
 * });
 *
 * @packageDocumentation
 */
import { InputError, type AdapterDefinition, type InputProblem, type KubernetesPort, type PortCapabilities } from '@netloom/ports';
import { CheckSkipped, registerMocha, type ConformanceSuite } from '../kit/check';
import { KUBERNETES_CHECKS, type ClusterHarness, type KubernetesCheckContext } from './kubernetes.checks';

/** One port under test with its cluster. */
export interface KubernetesSourceInstance {
  readonly port: KubernetesPort;
  readonly cluster: ClusterHarness;
  /** Frees what `create` made (the port is closed by the kit). */
  dispose?(): void | Promise<void>;
}

/** Where the kit gets a port from: a fresh one per check (it may share one cluster: every check uses its own namespace). */
export interface KubernetesSourceTarget {
  create(ctx: { readonly checkId: string }): KubernetesSourceInstance | Promise<KubernetesSourceInstance>;
}

/** Options of the Kubernetes-source kit. */
export interface KubernetesSourceConformanceOptions {
  readonly target: KubernetesSourceTarget;
  /** The adapter under test: its declared kubernetes capabilities must be what the port reports. */
  readonly adapter?: AdapterDefinition;
  /** Names the suite; default: the adapter's id, else `kubernetes`. */
  readonly label?: string;
  /** Milliseconds one check may take (default 30000). */
  readonly timeoutMs?: number;
}

let sequence = 0;

/**
 * The Kubernetes-source suite (no mocha).
 * @throws InputError listing every problem with the options.
 */
export function kubernetesSourceConformance(options: KubernetesSourceConformanceOptions): ConformanceSuite<KubernetesCheckContext> {
  const problems: InputProblem[] = [];
  if (typeof options !== 'object' || options === null) throw InputError.fromProblems('runKubernetesSourceConformance options', [{ path: '', reason: 'required: { target }' }]);
  if (typeof options.target?.create !== 'function') problems.push({ path: 'target.create', reason: 'required: a function returning { port, cluster }' });
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) problems.push({ path: 'timeoutMs', reason: 'must be a positive integer (milliseconds)' });
  const adapter = options.adapter;
  if (adapter !== undefined && typeof adapter.ports?.kubernetes !== 'function') {
    problems.push({ path: 'adapter', reason: `adapter ${JSON.stringify(adapter.id)} does not provide the kubernetes port` });
  }
  if (problems.length > 0) throw InputError.fromProblems('runKubernetesSourceConformance options', problems);
  const declared = adapter?.supports.kubernetes as PortCapabilities<'kubernetes'> | undefined;
  const flag = (caps: PortCapabilities<'kubernetes'> | undefined, name: string | undefined): boolean | undefined =>
    name === undefined || caps === undefined ? undefined : (caps as Record<string, boolean>)[name];

  return {
    title: `kubernetes source conformance: ${options.label ?? adapter?.id ?? 'kubernetes'}`,
    checks: KUBERNETES_CHECKS,
    timeoutMs: options.timeoutMs ?? 30_000,
    skipReason(check) {
      if (declared === undefined) return undefined;
      if (flag(declared, check.capability) === false) return `the adapter does not declare ${check.capability}`;
      if (flag(declared, check.withoutCapability) === true) return `the adapter declares ${check.withoutCapability}`;
      return undefined;
    },
    async setup(check) {
      const instance = await options.target.create({ checkId: check.id });
      const release = async (): Promise<void> => {
        try {
          await instance.port.close();
        } finally {
          await instance.dispose?.();
        }
      };
      const caps = declared ?? instance.port.capabilities;
      const skip =
        flag(caps, check.capability) === false
          ? `the adapter does not declare ${check.capability}`
          : flag(caps, check.withoutCapability) === true
            ? `the adapter declares ${check.withoutCapability}`
            : undefined;
      if (skip !== undefined) {
        await release();
        throw new CheckSkipped(skip);
      }
      const ns = `nlc-${process.pid}-${++sequence}`;
      await instance.cluster.put([{ kind: 'Namespace', metadata: { name: ns } }]);
      const ctx: KubernetesCheckContext = { port: instance.port, cluster: instance.cluster, declared: caps, ns };
      return {
        ctx,
        async teardown() {
          try {
            await instance.cluster.remove([{ kind: 'Namespace', name: ns }]);
          } catch {
            // The cluster may refuse after close(); the namespace dies with the target.
          }
          await release();
        },
      };
    },
  };
}

/**
 * Registers the Kubernetes-source checks with mocha. Returns the suite.
 * @throws InputError (bad options); Error outside mocha.
 */
export function runKubernetesSourceConformance(options: KubernetesSourceConformanceOptions): ConformanceSuite<KubernetesCheckContext> {
  const suite = kubernetesSourceConformance(options);
  registerMocha(suite);
  return suite;
}
