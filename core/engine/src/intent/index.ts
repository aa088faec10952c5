/**
 * The intent compiler: cluster state + settings + intent plugins → desired domain state (ARCHITECTURE §4, §6; ADR
 * 0009). The Kubernetes mapping lives in the plugins (`@netloom/plugin-*`); the engine orders and runs them,
 * validates, assembles and collects garbage.
 * @packageDocumentation
 */
export { compileIntent, orderPlugins, type CompileIntentOptions } from './intent.compiler';
export { fitName, ipamSubnetId, shortHash, vipPoolIpamId, VFW_NAME } from './intent.names';
export { carveSubnet, releaseCarve, type CarveOptions } from './subnet.carver';
export { collectGarbage, type CollectGarbageOptions, type GarbageReport, type LiveOwners } from './garbage.collector';
export { buildVfw, type VfwPolicyDraft } from './vfw.builder';
