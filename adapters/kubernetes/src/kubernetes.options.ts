/**
 * Options of the kubernetes adapter (`KubernetesFactoryOptions.options`).
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { intInRange, struct, withChecks } from '@netloom/ports';

const NonEmpty = new t.Type<string, string, unknown>(
  'non-empty string',
  (u): u is string => typeof u === 'string' && u !== '',
  (u, c) => (typeof u === 'string' && u !== '' ? t.success(u) : t.failure(u, c, typeof u === 'string' ? 'must not be empty' : `expected a string, got ${typeof u}`)),
  t.identity,
);

/**
 * - `kubeconfig`: path of a kubeconfig file (absolute, or relative to the current directory).
 * - `inCluster`: `true` to use the pod's service account (token, CA, `KUBERNETES_SERVICE_HOST`).
 *   Neither: `KUBECONFIG` (its first file), else `~/.kube/config`, else the service account.
 * - `context`: the kubeconfig context (default: its `current-context`). Not with `inCluster`.
 * - `namespace`: watch namespaced kinds (Pods, Services, EndpointSlices) in this namespace only (default: all).
 * - `resyncSec`: re-list every kind this often and deliver the difference (a safety net; default 0: never).
 *
 * Unknown options are refused; credentials are never options (they stay in the kubeconfig or service account).
 */
export const KubernetesOptionsCodec = withChecks(
  struct('KubernetesOptions', {}, { kubeconfig: NonEmpty, inCluster: t.literal(true), context: NonEmpty, namespace: NonEmpty, resyncSec: intInRange('ResyncSec', 0, 86_400) }),
  (o) => [
    ...(o.kubeconfig !== undefined && o.inCluster !== undefined ? [{ path: ['inCluster'], message: 'give either kubeconfig or inCluster, not both' }] : []),
    ...(o.inCluster !== undefined && o.context !== undefined ? [{ path: ['context'], message: 'a context needs a kubeconfig (not inCluster)' }] : []),
  ],
);

/** Options of the kubernetes adapter. */
export type KubernetesOptions = t.TypeOf<typeof KubernetesOptionsCodec>;
