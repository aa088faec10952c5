/**
 * The two stale-plan checks an emulated transaction makes under the lock, before its first write: the change set
 * must still apply onto the configuration read now, and the planned operations must be exactly what these changes
 * need now. Both refuse with `CommitError` (`details.written: 0`).
 *
 * @packageDocumentation
 */
import { CommitError, applyChanges, configEquals, type Change, type DeviceConfig, type RenderedOperation } from '@netloom/ports';

/** How messages name the device and its operations. */
export interface StalePlanWording {
  /** The device's name. */
  readonly device: string;
  /** What the device is called in the message: `device`, `router`. */
  readonly noun: string;
}

/**
 * `applyChanges(current, changes)`, or a `CommitError` saying the change set does not fit (the error as `cause`).
 * @example const next = changesOnto(current, changeSet.changes, { device: 'vfw1', noun: 'device' });
 * @throws CommitError
 */
export function changesOnto<C extends DeviceConfig>(current: C, changes: readonly Change[], wording: StalePlanWording): C {
  try {
    return applyChanges(current, changes);
  } catch (e) {
    throw new CommitError(`${wording.device}: the change set does not fit the ${wording.noun}'s configuration (${e instanceof Error ? e.message : String(e)}); nothing was written. Observe and plan again.`, {
      cause: e,
      details: { device: wording.device, written: 0 },
    });
  }
}

/**
 * Fails unless `planned` are exactly `texts`, all of `medium`: objects outside the change set changed since the
 * plan, or the operations were edited.
 * @param what what the operations are, for the message: `the script`, `the commands`.
 * @example assertPlannedOperations(changeSet.operations, lines, 'nft', 'the script', { device: 'vfw1', noun: 'device' });
 * @throws CommitError
 */
export function assertPlannedOperations(planned: readonly RenderedOperation[], texts: readonly string[], medium: string, what: string, wording: StalePlanWording): void {
  if (!configEquals(texts, planned.map((o) => o.text)) || planned.some((o) => o.medium !== medium)) {
    throw new CommitError(
      `${wording.device}: the change set's operations are not ${what} these changes need on the ${wording.noun} as it is now (objects outside the change set changed since the plan, or the operations were edited); nothing was written. Observe and plan again.`,
      { details: { device: wording.device, written: 0 } },
    );
  }
}
