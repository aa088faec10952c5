// Adapter options and kubeconfig loading: the strict options codec, unreadable files, unknown contexts, the factory.
import { strict as assert } from 'node:assert';
import { ErrorCode, InputError, decodeProblems, type NetloomError } from '@netloom/ports';
import { KubernetesOptionsCodec, adapter, createKubernetesSource } from '@netloom/adapter-kubernetes';
import { capturingLogger, startCluster } from './helpers';

describe('kubernetes adapter: options', () => {
  it('the options codec is strict and refuses contradictions', () => {
    assert.deepEqual(decodeProblems(KubernetesOptionsCodec, { kubeconfig: '/k', context: 'c', namespace: 'ns', resyncSec: 60 }).problems, []);
    assert.deepEqual(decodeProblems(KubernetesOptionsCodec, { inCluster: true }).problems, []);
    const problems = (o: unknown): string[] => decodeProblems(KubernetesOptionsCodec, o).problems.map((p) => `${p.path}: ${p.reason}`);
    assert.deepEqual(problems({ token: 'x' }), ['token: unknown field']);
    assert.deepEqual(problems({ kubeconfig: '/k', inCluster: true }), ['inCluster: give either kubeconfig or inCluster, not both']);
    assert.deepEqual(problems({ inCluster: true, context: 'c' }), ['context: a context needs a kubeconfig (not inCluster)']);
    assert.deepEqual(problems({ resyncSec: -1 }), ['resyncSec: -1 is outside 0..86400']);
    assert.deepEqual(problems({ kubeconfig: '' }), ['kubeconfig: must not be empty']);
    assert.deepEqual(decodeProblems(KubernetesOptionsCodec, { inCluster: false }).problems.map((p) => p.path), ['inCluster']);
  });

  it('an unreadable kubeconfig, an unknown context and in-cluster outside a cluster are InputErrors naming the option', async () => {
    const logger = capturingLogger();
    const reject = async (options: unknown, path: string): Promise<void> => {
      await assert.rejects(createKubernetesSource({ options, logger }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === path));
    };
    await reject({ kubeconfig: '/nonexistent/kubeconfig' }, 'kubeconfig');
    const c = await startCluster({ tls: false });
    try {
      await reject({ kubeconfig: c.kubeconfigPath, context: 'nope' }, 'context');
      const saved = process.env['KUBERNETES_SERVICE_HOST'];
      delete process.env['KUBERNETES_SERVICE_HOST'];
      try {
        await reject({ inCluster: true }, 'inCluster');
      } finally {
        if (saved !== undefined) process.env['KUBERNETES_SERVICE_HOST'] = saved;
      }
      await reject({ bogus: 1 }, 'bogus');
      // Plain HTTP with insecure-skip-tls-verify works too (the kubeconfig says so).
      const kube = await createKubernetesSource({ options: { kubeconfig: c.kubeconfigPath, context: 'netloom-sim' }, logger });
      assert.ok((await kube.list({ kind: 'Namespace' })).items.some((n) => n.metadata.name === 'default'));
      await kube.close();
    } finally {
      await c.stop();
    }
  });

  it('the adapter factory builds a port that reports the declared capabilities', async () => {
    const c = await startCluster();
    try {
      const port = await adapter.ports.kubernetes({ options: { kubeconfig: c.kubeconfigPath }, logger: capturingLogger() });
      assert.deepEqual({ ...port.capabilities }, { ...adapter.supports.kubernetes });
      await port.close();
      await assert.rejects(port.watch({ kinds: ['Pod'] }, () => undefined), (e: NetloomError) => e.code === ErrorCode.DEVICE_CONNECTION);
    } finally {
      await c.stop();
    }
  });
});
