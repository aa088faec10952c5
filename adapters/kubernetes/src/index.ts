/**
 * `@netloom/adapter-kubernetes` — the kubernetes port on `@kubernetes/client-node`: informers with a local cache
 * (list answers from it, watch delivers its changes; re-list on 410 Gone, restart with backoff), every object
 * decoded with the port's codecs, annotation and status write-back by merge patch (resourceVersion preconditions →
 * ConflictError), core/v1 Events, and Leases with `leaseTransitions` as the fencing token.
 *
 * ```ts
 * const kube = await createKubernetesSource({ options: { kubeconfig: '/etc/netloom/kubeconfig' }, logger });
 * const stop = await kube.watch({ kinds: ['Pod', 'Namespace'] }, (e) => queue.push(e)); // initial sync first
 * const pods = await kube.list({ kind: 'Pod', namespace: 'shop' });                     // from the cache
 * await kube.patchAnnotations({ kind: 'Pod', namespace: 'shop', name: 'web-0', annotations: { 'netloom.io/ip-address': '10.1.0.5' } });
 * stop(); await kube.close();
 * ```
 *
 * @packageDocumentation
 */
import { decodeOrThrow, defineAdapter, type KubernetesFactoryOptions } from '@netloom/ports';
import { KubeApiClient, type KubeApiClientOptions, type KubeConfigSource } from './kube-client';
import { KubernetesOptionsCodec, type KubernetesOptions } from './kubernetes.options';
import { KUBERNETES_CAPABILITIES, KubernetesSource, type KubernetesSourceOptions } from './kubernetes.source';

export { KubeApiClient, errorForStatus, loadClientNode, statusCodeOf, type KubeApiClientOptions, type KubeConfigSource, type KubeRequest, type KubeWatchStream } from './kube-client';
export { KindInformer, isNewer, toNetloomError, type BackoffOptions, type InformerState, type InformerSubscriber } from './kube-informer';
export { KIND_INFO, apiVersionOfKind, describeObject, isNamespacedKind, resourcePath, type KubeKindInfo } from './kube-kinds';
export { KubernetesOptionsCodec, type KubernetesOptions } from './kubernetes.options';
export { KUBERNETES_CAPABILITIES, KubernetesSource, MAX_EVENT_MESSAGE, type KubernetesDiagnostics, type KubernetesSourceOptions } from './kubernetes.source';
export { parseLabelSelector, type LabelMatcher } from '@netloom/ports';

/** Extras for {@link createKubernetesSource} that are not profile options (tests, embedding). */
export interface KubernetesSourceExtras extends Omit<KubernetesSourceOptions, 'logger' | 'namespace' | 'resyncSec'>, Omit<KubeApiClientOptions, 'logger'> {
  /** A kubeconfig document to use instead of the options' `kubeconfig` / `inCluster` (e.g. a test API server's). */
  readonly kubeconfigText?: string;
}

/** Where the options say the kubeconfig is. */
export function kubeConfigSourceOf(o: KubernetesOptions): KubeConfigSource {
  if (o.inCluster === true) return { kind: 'inCluster' };
  if (o.kubeconfig !== undefined) return { kind: 'file', path: o.kubeconfig, ...(o.context === undefined ? {} : { context: o.context }) };
  return { kind: 'default', ...(o.context === undefined ? {} : { context: o.context }) };
}

/**
 * Creates a kubernetes source from adapter options (`{ kubeconfig? | inCluster?, context?, namespace?, resyncSec? }`).
 * Nothing is requested until the first `list` / `watch` / write.
 * @throws InputError (bad options, unreadable kubeconfig, unknown context)
 * @example await createKubernetesSource({ options: { kubeconfig: 'kubeconfig.yaml', context: 'kind-netloom' }, logger })
 */
export async function createKubernetesSource(opts: KubernetesFactoryOptions, extras: KubernetesSourceExtras = {}): Promise<KubernetesSource> {
  const o = decodeOrThrow(KubernetesOptionsCodec, opts.options ?? {}, 'kubernetes adapter options');
  const { kubeconfigText, requestTimeoutMs, retries, maxRetryDelayMs, ...sourceExtras } = extras;
  const source: KubeConfigSource = kubeconfigText !== undefined ? { kind: 'text', text: kubeconfigText, ...(o.context === undefined ? {} : { context: o.context }) } : kubeConfigSourceOf(o);
  const client = await KubeApiClient.create(source, {
    logger: opts.logger,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    ...(retries === undefined ? {} : { retries }),
    ...(maxRetryDelayMs === undefined ? {} : { maxRetryDelayMs }),
  });
  opts.logger.info({ server: client.server, namespace: o.namespace ?? 'all' }, 'kubernetes source configured');
  return new KubernetesSource(client, {
    ...sourceExtras,
    logger: opts.logger,
    ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
    ...(o.resyncSec === undefined ? {} : { resyncSec: o.resyncSec }),
  });
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'kubernetes',
  vendor: 'Kubernetes',
  description: 'The kubernetes port on @kubernetes/client-node: informers with a local cache, status and annotation write-back, events, leases.',
  portApi: '^1.0.0',
  ports: { kubernetes: (opts: KubernetesFactoryOptions) => createKubernetesSource(opts) },
  supports: { kubernetes: KUBERNETES_CAPABILITIES },
  optionsCodec: KubernetesOptionsCodec,
});
