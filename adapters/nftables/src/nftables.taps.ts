/**
 * Runner taps: a way for a test harness to see and disturb what a driver sends to one device, without a hook in
 * the profile. A tap registered under a device's inventory name wraps every runner a driver creates for that name
 * (the conformance harness counts object writes and injects a fault mid-commit this way). Nothing is registered in
 * production use.
 *
 * @packageDocumentation
 */
import type { NftRunner } from './nftables.runner';

/** Wraps a runner for one device. */
export type NftRunnerTap = (runner: NftRunner) => NftRunner;

const taps = new Map<string, NftRunnerTap>();

/** The tap registry (keyed by the device target's `name`). */
export const nftRunnerTaps = {
  /** Registers `tap` for the device named `device` (replacing any other). */
  set(device: string, tap: NftRunnerTap): void {
    taps.set(device, tap);
  },
  /** Removes the tap of `device`. */
  delete(device: string): void {
    taps.delete(device);
  },
  /** Wraps `runner` with the tap of `device`, if one is registered. */
  wrap(device: string, runner: NftRunner): NftRunner {
    const tap = taps.get(device);
    return tap === undefined ? runner : tap(runner);
  },
};
