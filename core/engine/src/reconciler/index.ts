/**
 * The reconciler: apply desired device configs safely (two-phase, per-VPC compensation, journal, recovery),
 * the batching loop, and drift.
 * @packageDocumentation
 */
export { Reconciler, backoffDelayMs, verifyChanges, vocabularyOf, DEFAULT_CONFIRM_WITHIN_SEC } from './reconciler';
export { ReconcileLoop, DEFAULT_BATCH_WINDOW_MS, type ReconcileLoopOptions } from './reconcile-loop';
export { DeviceLocks, processDeviceLocks } from './device-locks';
export { PASS_PREFIX, APPLIED_PREFIX, FENCE_KEY, passKey, appliedKey, readLastApplied, unfinishedPasses, claimLeadership, type PassRecord, type LastApplied } from './journal';
export * from './reconciler.types';
