/**
 * `@netloom/conformance` — the shared contract kit every netloom adapter must pass (ARCHITECTURE §9).
 *
 * - Device ports: `runFabricConformance`, `runVSwitchConformance`, `runFirewallConformance`,
 *   `runLoadBalancerConformance` (mocha) and `fabricConformance(...)` & co. (suites for `runChecks`).
 * - Store port: `runStoreConformance` / `storeConformance`.
 * - The engine: checks are data (`deviceChecks(port)`, `STORE_CHECKS`), `runChecks` returns results without mocha.
 * - Targets and the device harness a simulator provides (`DeviceHarness`).
 *
 * Imports `@netloom/ports` and `@netloom/domain` only.
 * @packageDocumentation
 */
export * from './kit/check';
export * from './device/target';
export * from './device/device.suite';
export { deviceChecks, BEHAVIOURAL_CAPABILITIES, SECOND_WRITER_WAIT_MS, type DeviceCheck } from './device/device.checks';
export type { DeviceCheckContext, SamplePlan, PreparedSample, AnyVocabulary } from './device/device.context';
export * from './samples/samples';
export { fabricSamples, fabricFull } from './samples/fabric.samples';
export { vswitchSamples, vswitchFull } from './samples/vswitch.samples';
export { firewallSamples, firewallFull } from './samples/firewall.samples';
export { loadBalancerSamples, loadBalancerFull } from './samples/load-balancer.samples';
export * from './store/store.checks';
export * from './store/store.suite';
export * from './quality/quality';
export * from './kubernetes/kubernetes.suite';
export { KUBERNETES_CHECKS, KIT_KINDS, type ClusterHarness, type KubernetesCheck, type KubernetesCheckContext } from './kubernetes/kubernetes.checks';
