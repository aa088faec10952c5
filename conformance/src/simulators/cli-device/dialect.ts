/**
 * The contract between the generic CLI device engine ({@link CliDevice}) and a vendor dialect (Huawei VRP8,
 * Ruijie RGOS, ...). The engine owns SSH, authentication, the terminal (echo, line editing, pager), statistics,
 * hooks and fault injection; the dialect owns prompts, views, the command set, the configuration semantics and
 * every vendor string.
 *
 * @packageDocumentation
 */
import type { PagerStyle } from './terminal';

/** Facts about one CLI session, from the engine. */
export interface CliSessionInfo {
  /** Unique per device run, from 1. */
  readonly id: number;
  readonly username: string;
  /** `ip:port` of the client. */
  readonly remote: string;
  /** The line the user is on, as devices name it (`VTY 0`). */
  readonly terminal: string;
  /** Whether the client asked for a PTY (then the terminal echoes what is typed). */
  readonly pty: boolean;
  /** Whether this is an interactive shell (false for a one-command `exec` channel). */
  readonly interactive: boolean;
}

/** What a command can do with the terminal. */
export interface CommandIo {
  /** The prompt shown before the line being executed (for caret columns). */
  readonly promptShown: string;
  /** Prints text (LF line ends); long output is paged when the session pages. */
  print(text: string): Promise<void>;
  /** Prints a question (no line end) and returns the answer line; `''` when there is nobody to answer. */
  ask(question: string): Promise<string>;
}

/** The result of executing one line. */
export interface ExecuteResult {
  /** The command kind for statistics (`display current-configuration`, `commit`, `unrecognized`, ...). */
  readonly kind: string;
  /** True when the session ends (`quit` in user view). */
  readonly logout?: boolean;
}

/** A vendor dialect driving sessions of type `S`. */
export interface CliDialect<S> {
  /** The pager prompt and how it is erased. */
  readonly pager: PagerStyle;
  /** The SSH identification the server announces (after `SSH-2.0-`), e.g. `HUAWEI-1.5`. */
  readonly sshIdent?: string;
  /** Creates the per-session state when a shell (or exec) starts. */
  openSession(info: CliSessionInfo): S;
  /** Runs after login, before the first prompt (banner, first-login questions). */
  greet(session: S, io: CommandIo): Promise<void>;
  /** The prompt for the session's current state. */
  prompt(session: S): string;
  /** Lines per page (0: paging off). */
  pageLines(session: S): number;
  /** Executes one typed line. */
  execute(session: S, line: string, io: CommandIo): Promise<ExecuteResult>;
  /** Releases the session's state (candidate, locks) when it ends for any reason. */
  closeSession(session: S): void;
}
