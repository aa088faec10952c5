/**
 * The Kubernetes API server simulator: an in-process API server for tests (node:http / node:https on 127.0.0.1)
 * that client libraries talk to unmodified — token authentication, discovery, core v1 namespaces / nodes / pods /
 * services / events, discovery.k8s.io/v1 endpointslices, coordination.k8s.io/v1 leases, events.k8s.io/v1 events and
 * the custom resources of CRD manifests (validated and pruned against their OpenAPI v3 schemas) — with the API
 * server's semantics (one resourceVersion counter, list chunking, watches with bookmarks and 410 Gone, optimistic
 * concurrency, merge and JSON patches, the status subresource, namespace cascade) and a test API.
 *
 * Every export carries a `Kube` prefix so it can sit beside the other simulators in one namespace.
 *
 * @example
 * import { startKubeApiServer } from '@netloom/conformance/simulators';
 * const api = await startKubeApiServer({ crdDir: 'deploy/crds' });
 * const kubeconfigYaml = api.kubeconfig();          // token user, CA data, current context
 * await api.put([{ kind: 'Namespace', metadata: { name: 'shop' } }]);
 * await api.stop();
 *
 * @packageDocumentation
 */
export {
  KubeApiServer,
  startKubeApiServer,
  type KubeApiFailure,
  type KubeApiFailureHandle,
  type KubeApiObjectRef,
  type KubeApiRecordedEvent,
  type KubeApiRequestLogEntry,
  type KubeApiServerInfo,
  type KubeApiServerOptions,
  type KubeApiServerStats,
  type KubeApiUser,
} from './kube-apiserver.server';
export { KubeApiError, KubeObjectStore, type KubeApiMetadata, type KubeApiObject, type KubeListQuery, type KubeStatusBody, type KubeWatchEventBody, type KubeWatchQuery, type KubeWriteOptions, type KubeWriteResult } from './kube-apiserver.store';
export { apiVersionOf as kubeApiVersionOf, builtinResources as kubeBuiltinResources, loadCrdManifests as loadKubeCrdManifests, resourcesFromCrd as kubeResourcesFromCrd, type KubePrinterColumn, type KubeResourceDef } from './kube-apiserver.resources';
export { applyDefaults as kubeApplyDefaults, pruneBySchema as kubePruneBySchema, validateBySchema as kubeValidateBySchema, type KubeJsonSchema, type KubeStatusCause } from './kube-apiserver.schema';
export { KubePatchError, jsonPatch as kubeJsonPatch, mergePatch as kubeMergePatch } from './kube-apiserver.patch';
export { KubeSelectorError, parseKubeFieldSelector, parseKubeLabelSelector, type KubeSelectorMatcher } from './kube-apiserver.selectors';
