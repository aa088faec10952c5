/**
 * The configuration store of a simulated device: the running configuration, the commit history (rollback points),
 * the exclusive configuration lock, a pending trial (confirmed) commit, and per-session candidates.
 *
 * A {@link Candidate} is a list of pending edits applied to a copy of running. Each edit carries the function that
 * performs it on a tree (with the dialect's validation), so a commit can replay the edits on the running
 * configuration *as it is at commit time*: if another writer changed running meanwhile and an edit no longer fits,
 * the commit fails as a whole and running stays unchanged. Everything runs on the event loop without awaiting in
 * between, so a commit is atomic with respect to every other session.
 *
 * Vendor-neutral: immediate-mode dialects (Cisco-like) can commit one edit at a time through the same store.
 *
 * @packageDocumentation
 */
import { cloneTree, treesEqual, type ConfigNode, type ReadonlyConfigNode } from './config-tree';

/** Timers the store uses (injectable so tests can run trial commits quickly). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending trial must not keep a test process or the demo alive.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** One pending change: where it was typed, what was typed, and how to perform it on a tree. */
export interface ConfigEdit {
  /** The view the command was typed in, as the lines from the root to the view's node (empty: system view). */
  readonly path: readonly string[];
  /** The command as typed (trimmed). */
  readonly command: string;
  /**
   * Performs the change on `root` in place, validating it against that tree. Returns the device's reason when it
   * does not fit (e.g. `The VNI has been bound to another BD`), undefined when done.
   */
  readonly apply: (root: ConfigNode) => string | undefined;
}

/** Who writes: a session (or an out-of-band writer) by id and user name. */
export interface WriterRef {
  readonly sessionId: number;
  readonly user: string;
  /** How the writer is connected, for the commit list (`VTY 0`). */
  readonly terminal?: string;
}

/** What kind of change produced a rollback point. */
export type CommitKind = 'commit' | 'trial' | 'rollback' | 'out-of-band';

/** One rollback point. */
export interface CommitRecord {
  readonly id: number;
  readonly label?: string;
  readonly description?: string;
  readonly user: string;
  readonly terminal: string;
  readonly kind: CommitKind;
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** The running configuration right after this commit. */
  readonly snapshot: ReadonlyConfigNode;
}

/** A trial commit waiting for confirmation. */
export interface PendingTrial {
  readonly commitId: number;
  readonly owner: WriterRef;
  readonly seconds: number;
  readonly before: ReadonlyConfigNode;
  readonly handle: unknown;
}

/** Why a commit did not happen. */
export type CommitFailure =
  | { readonly kind: 'locked'; readonly holder: WriterRef }
  | { readonly kind: 'trial-busy'; readonly owner: WriterRef }
  | { readonly kind: 'label-exists'; readonly label: string }
  | { readonly kind: 'conflict'; readonly reason: string; readonly command: string }
  | { readonly kind: 'injected'; readonly reason: string };

/** The outcome of a commit. */
export type CommitOutcome = { readonly ok: true; readonly record: CommitRecord } | { readonly ok: false; readonly failure: CommitFailure };

/** A commit request. */
export interface CommitRequest {
  readonly writer: WriterRef;
  readonly edits: readonly ConfigEdit[];
  readonly label?: string;
  readonly description?: string;
  /** Arms an automatic rollback after this many seconds unless confirmed. */
  readonly trialSeconds?: number;
  readonly kind?: CommitKind;
}

/** What the store reports to its owner (statistics, events). */
export interface DatastoreListener {
  onCommit?(record: CommitRecord): void;
  onCommitFailed?(failure: CommitFailure, writer: WriterRef): void;
  onTrialEnded?(trial: PendingTrial, how: 'confirmed' | 'aborted' | 'expired'): void;
}

/** Options of a {@link ConfigDatastore}. */
export interface DatastoreOptions {
  readonly initial: ReadonlyConfigNode;
  readonly clock?: Clock;
  /** The first commit id (VRP8: 1000000001). */
  readonly firstCommitId?: number;
  /**
   * Scales trial timers: a trial of `s` seconds fires after `s * 1000 * trialScale` ms (tests use e.g. 0.001 so that
   * `commit trial 60` expires after 60 ms). Default 1.
   */
  readonly trialScale?: number;
  readonly listener?: DatastoreListener;
}

/** The device's configuration store. See the module documentation. */
export class ConfigDatastore {
  private runningTree: ConfigNode;
  private versionNo = 0;
  private nextId: number;
  private readonly records: CommitRecord[] = [];
  private lockHolder: WriterRef | undefined;
  private trial: PendingTrial | undefined;
  private injected: string[] = [];
  private savedTree: ConfigNode | undefined;
  readonly clock: Clock;
  private readonly trialScale: number;
  private readonly listener: DatastoreListener;

  constructor(options: DatastoreOptions) {
    this.runningTree = cloneTree(options.initial);
    this.clock = options.clock ?? systemClock;
    this.nextId = options.firstCommitId ?? 1000000001;
    this.trialScale = options.trialScale ?? 1;
    this.listener = options.listener ?? {};
  }

  /** The running configuration (a copy). */
  running(): ConfigNode {
    return cloneTree(this.runningTree);
  }

  /** Increases whenever running changes; candidates use it to notice changes by others. */
  get version(): number {
    return this.versionNo;
  }

  /** Rollback points, oldest first. */
  history(): readonly CommitRecord[] {
    return this.records;
  }

  /** The holder of the exclusive configuration lock, if any. */
  get lock(): WriterRef | undefined {
    return this.lockHolder;
  }

  /** The pending trial commit, if any. */
  get pendingTrial(): PendingTrial | undefined {
    return this.trial;
  }

  /** The configuration last saved to the startup file, if any. */
  saved(): ConfigNode | undefined {
    return this.savedTree === undefined ? undefined : cloneTree(this.savedTree);
  }

  /**
   * Replaces running without recording a rollback point (the device's configuration at power-on). Used once,
   * before any session exists.
   */
  reset(tree: ReadonlyConfigNode): void {
    this.runningTree = cloneTree(tree);
    this.versionNo++;
  }

  /** Saves running as the startup configuration. */
  save(): void {
    this.savedTree = cloneTree(this.runningTree);
  }

  /** Takes the exclusive lock; returns the other holder when someone else has it. */
  acquireLock(writer: WriterRef): { ok: true } | { ok: false; holder: WriterRef } {
    if (this.lockHolder !== undefined && this.lockHolder.sessionId !== writer.sessionId) return { ok: false, holder: this.lockHolder };
    this.lockHolder = writer;
    return { ok: true };
  }

  /** Releases the lock if `writer` holds it; returns whether it did. */
  releaseLock(writer: WriterRef): boolean {
    if (this.lockHolder?.sessionId !== writer.sessionId) return false;
    this.lockHolder = undefined;
    return true;
  }

  /** Arms a fault: the next commit (of anyone) fails with `reason` and changes nothing. */
  failNextCommit(reason: string): void {
    this.injected.push(reason);
  }

  /** Forgets armed commit faults. */
  clearInjectedFailures(): void {
    this.injected = [];
  }

  /** Why `writer` may not change running now (lock or someone else's trial), if it may not. */
  writeBlocker(writer: WriterRef): CommitFailure | undefined {
    if (this.lockHolder !== undefined && this.lockHolder.sessionId !== writer.sessionId) return { kind: 'locked', holder: this.lockHolder };
    if (this.trial !== undefined && this.trial.owner.sessionId !== writer.sessionId) return { kind: 'trial-busy', owner: this.trial.owner };
    return undefined;
  }

  /**
   * Replays `edits` on a copy of running; returns the resulting tree or the first edit that does not fit.
   * Does not change anything.
   */
  replay(edits: readonly ConfigEdit[], base: ReadonlyConfigNode = this.runningTree): { ok: true; tree: ConfigNode } | { ok: false; reason: string; command: string } {
    const tree = cloneTree(base);
    for (const edit of edits) {
      const reason = edit.apply(tree);
      if (reason !== undefined) return { ok: false, reason, command: edit.command };
    }
    return { ok: true, tree };
  }

  /**
   * Commits: checks the lock, a pending trial of another writer, an armed fault and the label, replays the edits
   * on running, and on success makes the result running and records a rollback point. All or nothing.
   */
  commit(req: CommitRequest): CommitOutcome {
    const fail = (failure: CommitFailure): CommitOutcome => {
      this.listener.onCommitFailed?.(failure, req.writer);
      return { ok: false, failure };
    };
    const blocker = this.writeBlocker(req.writer);
    if (blocker !== undefined) return fail(blocker);
    const injected = this.injected.shift();
    if (injected !== undefined) return fail({ kind: 'injected', reason: injected });
    if (req.label !== undefined && this.records.some((r) => r.label === req.label)) return fail({ kind: 'label-exists', label: req.label });
    const result = this.replay(req.edits);
    if (!result.ok) return fail({ kind: 'conflict', reason: result.reason, command: result.command });
    const before = this.runningTree;
    const record = this.install(result.tree, req.writer, req.trialSeconds !== undefined ? 'trial' : (req.kind ?? 'commit'), req.label, req.description);
    if (req.trialSeconds !== undefined) {
      const seconds = req.trialSeconds;
      const handle = this.clock.setTimeout(() => this.endTrial('expired'), Math.max(1, Math.round(seconds * 1000 * this.trialScale)));
      this.trial = { commitId: record.id, owner: req.writer, seconds, before, handle };
    }
    return { ok: true, record };
  }

  /** Confirms the pending trial (it stays applied). Returns false when there is none. */
  confirmTrial(): boolean {
    return this.endTrial('confirmed');
  }

  /** Rolls the pending trial back now. Returns false when there is none. */
  abortTrial(): boolean {
    return this.endTrial('aborted');
  }

  /**
   * Makes running equal to the configuration right after rollback point `commitId` (or to `tree`), recorded as a
   * new rollback point. Fails like a commit when another writer holds the lock or a trial.
   */
  rollbackTo(target: { readonly commitId: number } | { readonly tree: ReadonlyConfigNode }, writer: WriterRef): CommitOutcome | { ok: false; failure: { kind: 'unknown-commit' } } {
    const blocker = this.writeBlocker(writer);
    if (blocker !== undefined) {
      this.listener.onCommitFailed?.(blocker, writer);
      return { ok: false, failure: blocker };
    }
    let tree: ReadonlyConfigNode;
    if ('commitId' in target) {
      const rec = this.records.find((r) => r.id === target.commitId);
      if (rec === undefined) return { ok: false, failure: { kind: 'unknown-commit' } };
      tree = rec.snapshot;
    } else tree = target.tree;
    return { ok: true, record: this.install(cloneTree(tree), writer, 'rollback') };
  }

  /** Stops the trial timer (device shutdown). */
  dispose(): void {
    if (this.trial !== undefined) this.clock.clearTimeout(this.trial.handle);
    this.trial = undefined;
  }

  private endTrial(how: 'confirmed' | 'aborted' | 'expired'): boolean {
    const trial = this.trial;
    if (trial === undefined) return false;
    this.trial = undefined;
    this.clock.clearTimeout(trial.handle);
    if (how !== 'confirmed') this.install(cloneTree(trial.before), { sessionId: 0, user: 'system', terminal: '-' }, 'rollback', undefined, `trial ${trial.commitId} ${how}`);
    this.listener.onTrialEnded?.(trial, how);
    return true;
  }

  private install(tree: ConfigNode, writer: WriterRef, kind: CommitKind, label?: string, description?: string): CommitRecord {
    this.runningTree = tree;
    this.versionNo++;
    const record: CommitRecord = {
      id: this.nextId++,
      user: writer.user,
      terminal: writer.terminal ?? '-',
      kind,
      time: this.clock.now(),
      snapshot: cloneTree(tree),
      ...(label !== undefined ? { label } : {}),
      ...(description !== undefined ? { description } : {}),
    };
    this.records.push(record);
    this.listener.onCommit?.(record);
    return record;
  }
}

/**
 * One session's candidate configuration: pending edits on top of running. It follows running while it has no edits
 * and rebases its edits on a changed running when they still fit (else it keeps its old base, and the commit will
 * report the conflict).
 */
export class Candidate {
  private editList: ConfigEdit[] = [];
  private tree: ConfigNode;
  private baseVersion: number;

  constructor(private readonly store: ConfigDatastore) {
    this.tree = store.running();
    this.baseVersion = store.version;
  }

  /** The pending edits, oldest first. */
  get edits(): readonly ConfigEdit[] {
    return this.editList;
  }

  /** Whether there are uncommitted edits. */
  get dirty(): boolean {
    return this.editList.length > 0;
  }

  /** The candidate configuration (running plus the pending edits). Do not modify it. */
  current(): ReadonlyConfigNode {
    this.sync();
    return this.tree;
  }

  /**
   * Validates and applies one edit. Returns the device's reason when it does not fit. An edit that changes nothing
   * (entering an existing view) is not recorded.
   */
  edit(edit: ConfigEdit): string | undefined {
    this.sync();
    const next = cloneTree(this.tree);
    const reason = edit.apply(next);
    if (reason !== undefined) return reason;
    if (!treesEqual(next, this.tree)) {
      this.tree = next;
      this.editList.push(edit);
    }
    return undefined;
  }

  /** Drops every pending edit (`clear configuration candidate`, or after a commit). */
  clear(): void {
    this.editList = [];
    this.tree = this.store.running();
    this.baseVersion = this.store.version;
  }

  private sync(): void {
    if (this.baseVersion === this.store.version) return;
    const replayed = this.store.replay(this.editList);
    if (replayed.ok) {
      this.tree = replayed.tree;
      this.baseVersion = this.store.version;
    }
  }
}
