/**
 * Errors raised by a CLI session when the device rejects a command, and by a replay that no longer matches its
 * recording. Connection, authentication and timeout failures use the plain `@netloom/ports` classes
 * (`DeviceConnectionError`, `DeviceAuthError`, `DeviceTimeoutError`).
 *
 * Why three rejection classes: the session only sees text, so the adapter's dialect says what a device error line
 * means (`CliErrorPattern.kind`). A rejected line is a {@link CliCommandError} (a `DeviceProtocolError`: the device
 * refused something the adapter sent, which is an adapter or input bug, not a transient fault); a failed commit is a
 * {@link CliCommitError} (a `CommitError`, so the engine rolls back); a configuration lock held by someone else is a
 * {@link CliLockedError} (a `LockedError`, so the engine retries later). All three carry the same fields
 * ({@link CliRejection}) and are recognised together with {@link isCliRejection}.
 *
 * @packageDocumentation
 */
import { CommitError, DeviceProtocolError, LockedError, type NetloomErrorOptions } from '@netloom/ports';

/** What a device error line means; chosen per pattern by the dialect. */
export type CliErrorKind = 'command' | 'commit' | 'locked';

/** The facts every device rejection carries. Texts are already redacted (no configured secret appears). */
export interface CliRejection {
  /** Which mapping produced the error. */
  readonly kind: CliErrorKind;
  /** The command the device rejected, exactly as sent (minus the line ending), redacted. */
  readonly command: string;
  /** The device's error line, e.g. `Error: Unrecognized command found at '^' position.` */
  readonly deviceMessage: string;
  /** The whole cleaned output of the command (echo and prompt removed), redacted. */
  readonly output: string;
  /** 0-based index of the line in a `runAll` batch, when the command was part of one. */
  readonly lineIndex?: number;
}

/** Details common to the rejection constructors. */
export interface CliRejectionInit {
  readonly command: string;
  readonly deviceMessage: string;
  readonly output: string;
  readonly lineIndex?: number;
  readonly lineCount?: number;
  /** Names the device in the message (`leaf1 (10.0.0.1:22)`). */
  readonly target?: string;
}

const MAX_OUTPUT_IN_DETAILS = 2000;

function rejectionMessage(init: CliRejectionInit): string {
  const where = init.lineIndex === undefined ? '' : ` (line ${init.lineIndex + 1}${init.lineCount === undefined ? '' : ` of ${init.lineCount}`})`;
  const who = init.target === undefined ? 'the device' : init.target;
  return `${who} rejected command ${JSON.stringify(init.command)}${where}: ${init.deviceMessage}`;
}

function rejectionOptions(kind: CliErrorKind, init: CliRejectionInit, options: NetloomErrorOptions): NetloomErrorOptions {
  const output = init.output.length > MAX_OUTPUT_IN_DETAILS ? `${init.output.slice(0, MAX_OUTPUT_IN_DETAILS)}…` : init.output;
  const details: Record<string, unknown> = { ...options.details, kind, command: init.command, deviceMessage: init.deviceMessage, output };
  if (init.lineIndex !== undefined) details['lineIndex'] = init.lineIndex;
  if (init.target !== undefined) details['target'] = init.target;
  return { ...options, details };
}

/**
 * The device printed an error line (a dialect error pattern of kind `command`) in answer to a command.
 *
 * @example
 * try { await session.run('bridge-domian 10'); }
 * catch (e) { if (e instanceof CliCommandError) console.log(e.command, e.deviceMessage); }
 */
export class CliCommandError extends DeviceProtocolError implements CliRejection {
  readonly kind = 'command' as const;
  readonly command: string;
  readonly deviceMessage: string;
  readonly output: string;
  readonly lineIndex?: number;

  constructor(init: CliRejectionInit, options: NetloomErrorOptions = {}) {
    super(rejectionMessage(init), rejectionOptions('command', init, options));
    this.command = init.command;
    this.deviceMessage = init.deviceMessage;
    this.output = init.output;
    if (init.lineIndex !== undefined) this.lineIndex = init.lineIndex;
  }
}

/** The device printed a commit failure (a dialect error pattern of kind `commit`). A `CommitError`. */
export class CliCommitError extends CommitError implements CliRejection {
  readonly kind = 'commit' as const;
  readonly command: string;
  readonly deviceMessage: string;
  readonly output: string;
  readonly lineIndex?: number;

  constructor(init: CliRejectionInit, options: NetloomErrorOptions = {}) {
    super(rejectionMessage(init), rejectionOptions('commit', init, options));
    this.command = init.command;
    this.deviceMessage = init.deviceMessage;
    this.output = init.output;
    if (init.lineIndex !== undefined) this.lineIndex = init.lineIndex;
  }
}

/** The device said its configuration is locked by another session (dialect pattern of kind `locked`). A `LockedError`. */
export class CliLockedError extends LockedError implements CliRejection {
  readonly kind = 'locked' as const;
  readonly command: string;
  readonly deviceMessage: string;
  readonly output: string;
  readonly lineIndex?: number;

  constructor(init: CliRejectionInit, options: NetloomErrorOptions = {}) {
    super(rejectionMessage(init), rejectionOptions('locked', init, options));
    this.command = init.command;
    this.deviceMessage = init.deviceMessage;
    this.output = init.output;
    if (init.lineIndex !== undefined) this.lineIndex = init.lineIndex;
  }
}

/** Builds the rejection class for `kind`. */
export function cliRejection(kind: CliErrorKind, init: CliRejectionInit): CliCommandError | CliCommitError | CliLockedError {
  switch (kind) {
    case 'commit':
      return new CliCommitError(init);
    case 'locked':
      return new CliLockedError(init);
    default:
      return new CliCommandError(init);
  }
}

/** True for any of {@link CliCommandError}, {@link CliCommitError}, {@link CliLockedError}. */
export function isCliRejection(e: unknown): e is Error & CliRejection {
  return e instanceof CliCommandError || e instanceof CliCommitError || e instanceof CliLockedError;
}

/**
 * A replayed session did something its recording did not: it sent a different line, sent after the recording
 * ended, or reconnected where the recording did not. A `DeviceProtocolError`.
 *
 * @example
 * // replay diverged: expected send "display version\n" got "display bogus\n" (transcript entry 7)
 */
export class ReplayDivergedError extends DeviceProtocolError {
  /** What the recording has next (a description such as `send "quit\n"` or `end of transcript`). */
  readonly expected: string;
  /** What the session did instead. */
  readonly actual: string;
  /** Index of the transcript entry where the replay diverged (the entries' length at the end). */
  readonly entryIndex: number;

  constructor(expected: string, actual: string, entryIndex: number) {
    super(`replay diverged: expected ${expected} got ${actual} (transcript entry ${entryIndex})`, { details: { expected, actual, entryIndex } });
    this.expected = expected;
    this.actual = actual;
    this.entryIndex = entryIndex;
  }
}
