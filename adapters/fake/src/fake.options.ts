/**
 * Options of the fake adapter (an inventory entry's `options` in the profile, or `PortFactoryOptions.options`).
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { intInRange, setOf, struct } from '@netloom/ports';

/**
 * - `latencyMs`: each device call (connect, facts, observe, apply, confirm, rollback) waits this long first.
 * - `failOnCall`: the Nth device call made through this driver (1-based, counting every session) fails with
 *   `DeviceTimeoutError` without touching the device.
 * - `dropMidCommit`: every non-empty apply writes about half of its changes (at least one), then fails with
 *   `CommitError`; the device is restored to its last committed configuration first.
 * - `seed`: objects the device holds when it is first created: `owned` (a partial config in the port's vocabulary,
 *   validated) and `foreign` (objects netloom does not own: never observed, never touched).
 * - `facts`: overrides of what `facts()` reports.
 * - `unsupported`: capability names of the port this device lacks (as an older model or firmware would); using
 *   one throws `NotSupportedError`.
 *
 * `seed` and `facts` take effect when the device is first created in the registry (`fakeDeviceRegistry`).
 */
export const FakeOptionsCodec = struct('FakeOptions', {}, {
  latencyMs: intInRange('LatencyMs', 0, 60_000),
  failOnCall: intInRange('FailOnCall', 1, 1_000_000_000),
  dropMidCommit: t.boolean,
  seed: struct('FakeSeed', {}, { owned: t.UnknownRecord, foreign: t.record(t.string, t.record(t.string, t.UnknownRecord)) }),
  facts: struct('FakeFacts', {}, { vendor: t.string, model: t.string, osVersion: t.string, serial: t.string, hostname: t.string }),
  unsupported: setOf(t.string),
});

/** Options of the fake adapter. */
export type FakeOptions = t.TypeOf<typeof FakeOptionsCodec>;
