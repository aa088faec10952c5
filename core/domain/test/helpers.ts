/** Shared assertions for the domain tests. */
import assert from 'node:assert/strict';
import { ErrorCode, InvariantError, type Invariant } from '@netloom/domain';

/** Asserts that `fn` throws an InvariantError naming `invariant`; returns it for further checks. */
export function throwsInvariant(fn: () => unknown, invariant: Invariant, message?: RegExp): InvariantError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected InvariantError(${invariant}), nothing was thrown`);
  assert.ok(caught instanceof InvariantError, `expected InvariantError(${invariant}), got ${String(caught)}`);
  assert.equal(caught.invariant, invariant, `wrong invariant; message: ${caught.message}`);
  assert.equal(caught.code, ErrorCode.INVARIANT);
  assert.equal(caught.details['invariant'], invariant);
  if (message) assert.match(caught.message, message);
  return caught;
}
