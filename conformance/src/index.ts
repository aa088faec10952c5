/**
 * `@netloom/conformance` — the shared contract kit every netloom adapter must pass (ARCHITECTURE §9).
 *
 * - Device ports: `runFabricConformance`, `runVSwitchConformance`, `runFirewallConformance`,
 *   `runLoadBalancerConformance` (mocha) and `fabricConformance(...)` & co. (suites for `runChecks`).
 * - Store port: `runStoreConformance` / `storeConformance`.
 * - Intent plugins: `createIntentTestContext` (an in-memory `IntentContext`) and builders of its inputs.
 * - The engine: checks are data (`deviceChecks(port)`, `STORE_CHECKS`), `runChecks` returns results without mocha.
 * - Targets and the device harness a simulator provides (`DeviceHarness`); `live` targets (a target file, optionally
 *   recorded) and `replay` targets (a recorded run played back by local servers of its protocol).
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
export * from './intent';
export { KUBERNETES_CHECKS, KIT_KINDS, type ClusterHarness, type KubernetesCheck, type KubernetesCheckContext } from './kubernetes/kubernetes.checks';
export { liveTarget, replayTarget, pointAt, type RemoteTarget, type ProvidedDevice, type RemoteTargetContext } from './device/remote.target';
export { loadTargetFile, namesAdapter, TargetFileCodec, TARGET_FILE_API_VERSION, type TargetFile, type LoadedTargetFile } from './record/target-file';
export {
  RECORD_PROTOCOLS,
  RECORD_PROTOCOL_BY_ADAPTER,
  DEFAULT_CASE,
  MANIFEST_FORMAT,
  SESSION_FORMAT,
  AllowCodec,
  RecordingManifestCodec,
  SessionRecordingCodec,
  RecordedEventCodec,
  readManifest,
  readSession,
  listSessions,
  caseDir,
  CheckRecording,
  type Allow,
  type NumberRange,
  type RecordProtocol,
  type RecordingManifest,
  type SessionRecording,
  type RecordedEvent,
} from './record/recording';
export { RecordingRedactor, redactedPlaceholder, isRedacted, SECRET_HEADERS, type NamedSecret } from './record/redact';
export { fitSamples, outsideAllow, usedResources, samplesDigest, remapConfig, type ResourceMap } from './record/allow';
export { ReplayScript, ReplaySession, type SessionPlayer } from './record/replay.engine';
export { startSshRecordingProxy, startSshReplayServer, type SshUpstream, type SshEndpoint } from './record/ssh.record';
export { startHttpsRecordingProxy, startHttpsReplayServer, type HttpsUpstream, type HttpsEndpoint, type EndpointCertificates } from './record/https.record';
export { startOvsdbRecordingProxy, startOvsdbReplayServer, type OvsdbUpstream } from './record/ovsdb.record';
