/**
 * `@netloom/plugin-service-lb` — the intent plugin that maps `type: LoadBalancer` Services and their EndpointSlices to
 * VLB virtual servers (VIP, pool, members) and says which `status.loadBalancer.ingress` each Service should show.
 * Imports `@netloom/domain` and `@netloom/ports` only.
 * @example
 * import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
 * import { plugin as serviceLb } from '@netloom/plugin-service-lb';
 * const desired = await compileIntent({ cluster, settings, store, plugins: [kubernetes, serviceLb] });
 * desired.network.vlbs; desired.serviceStatus
 * @packageDocumentation
 */
import { serviceLbPlugin } from './service-lb.plugin';

export { serviceLbPlugin } from './service-lb.plugin';
/** The plugin this package provides (id `service-lb`), under the name every plugin package exports. */
export const plugin = serviceLbPlugin;
export { LABEL_SERVICE_NAME, serviceOwnerKey, virtualServerNameOf, vlbNameOf } from './service-lb.names';
