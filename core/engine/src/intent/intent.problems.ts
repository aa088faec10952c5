/**
 * Collecting per-object problems while compiling: one list, deterministic order, errors mapped to codes.
 * @packageDocumentation
 */
import { ErrorCode, InvariantError, isNetloomError } from '@netloom/domain';
import { compareNames, type IntentObjectRef } from '@netloom/ports';
import type { ObjectProblem } from '../pipeline/pipeline.types';

/** The Kubernetes object a problem is about (the port's `IntentObjectRef`). */
export type ObjectRef = IntentObjectRef;

/** Collects {@link ObjectProblem}s. */
export class ProblemList {
  private readonly items: ObjectProblem[] = [];
  private readonly seen = new Set<string>();

  /** Records a problem (the same problem twice is recorded once). */
  add(ref: ObjectRef, code: string, message: string): void {
    const key = JSON.stringify([ref.kind, ref.namespace ?? '', ref.name, code, message]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(ref.namespace === undefined ? { kind: ref.kind, name: ref.name, code, message } : { kind: ref.kind, namespace: ref.namespace, name: ref.name, code, message });
  }

  /**
   * Records an error caught while compiling one object. A domain `InvariantError` from validating user input is
   * `INPUT.INVALID`; other netloom errors keep their code. Store failures (and anything that is not a netloom
   * error) are not per-object problems: they are thrown again, so the whole pass fails and is retried.
   */
  addError(ref: ObjectRef, error: unknown, prefix = ''): void {
    if (!isNetloomError(error) || error.code === ErrorCode.STORE || error.code === ErrorCode.INTERNAL) throw error;
    const code = error instanceof InvariantError ? ErrorCode.INPUT_INVALID : error.code;
    this.add(ref, code, `${prefix}${error.message}`);
  }

  /** The problems, sorted by kind, namespace, name, message. */
  list(): ObjectProblem[] {
    return [...this.items].sort(
      (a, b) => cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name) || cmp(a.code, b.code) || cmp(a.message, b.message),
    );
  }
}

/** String comparison by code unit (locale-independent, so output order never depends on the machine). */
export const cmp = compareNames;
