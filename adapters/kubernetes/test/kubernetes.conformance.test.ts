// The Kubernetes-source kit against the adapter. Default target: the in-process test API server (netloom's CRDs),
// the kit's harness through the server's test API. NETLOOM_KUBE_KUBECONFIG=<path> (and optionally
// NETLOOM_KUBE_CONTEXT) points the same kit at a real cluster instead (kind or any kubeconfig; netloom's CRDs applied
// from deploy/crds), with a plain-REST harness; that harness also runs here against the test server, so the
// real-cluster path is exercised in every run.
import { runKubernetesSourceConformance } from '@netloom/conformance';
import { adapter, createKubernetesSource } from '@netloom/adapter-kubernetes';
import { capturingLogger, restHarness, serverHarness, startCluster, type TestCluster } from './helpers';

const realKubeconfig = process.env['NETLOOM_KUBE_KUBECONFIG'];
const realContext = process.env['NETLOOM_KUBE_CONTEXT'];

if (realKubeconfig !== undefined && realKubeconfig !== '') {
  runKubernetesSourceConformance({
    adapter,
    label: `kubernetes (real cluster: ${realKubeconfig}${realContext === undefined ? '' : `, context ${realContext}`})`,
    timeoutMs: 60_000,
    target: {
      create: async () => {
        const cluster = await restHarness(realKubeconfig, realContext);
        const port = await createKubernetesSource({ options: { kubeconfig: realKubeconfig, ...(realContext === undefined ? {} : { context: realContext }) }, logger: capturingLogger() });
        return { port, cluster, dispose: () => cluster.close() };
      },
    },
  });
} else {
  let shared: TestCluster | undefined;
  const cluster = async (): Promise<TestCluster> => (shared ??= await startCluster());
  after(async () => shared?.stop());

  describe('the test API server as the cluster', () => {
    runKubernetesSourceConformance({
      adapter,
      label: 'kubernetes (test API server, test-API harness)',
      target: {
        create: async () => {
          const c = await cluster();
          const port = await createKubernetesSource({ options: { kubeconfig: c.kubeconfigPath }, logger: capturingLogger() });
          return { port, cluster: serverHarness(c.api) };
        },
      },
    });

    runKubernetesSourceConformance({
      adapter,
      label: 'kubernetes (test API server, the real-cluster REST harness)',
      target: {
        create: async () => {
          const c = await cluster();
          const rest = await restHarness(c.kubeconfigPath);
          const port = await createKubernetesSource({ options: { kubeconfig: c.kubeconfigPath }, logger: capturingLogger() });
          return { port, cluster: rest, dispose: () => rest.close() };
        },
      },
    });
  });
}
