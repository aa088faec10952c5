/**
 * Internal helpers shared by the `create*` functions of the models: uniform error messages
 * (`<kind> "<name>" <field> <value> <problem>`), name checks, canonical addresses, deep freezing.
 * Not part of the public API (not re-exported from the package index).
 * @packageDocumentation
 */
import { Invariant, InvariantError } from './errors';
import { formatCidr, formatIp, parseCidr, parseIp, type Cidr, type IpAddress, type IpFamily } from './ip';
import { assertSafeName, isSafeName } from './primitives';

/** Who a message is about: the model kind and, once known, the object's name. */
export interface Where {
  /** Model kind as the seeds say it: `subnet`, `VPC`, `LS`, `endpoint` ... */
  readonly kind: string;
  /** The object's name or id; absent while the name itself is being checked. */
  readonly name?: string;
}

/** `subnet "web"` (or just `subnet`). */
export function subject(where: Where): string {
  return where.name === undefined ? where.kind : `${where.kind} ${JSON.stringify(where.name)}`;
}

/** Builds an InvariantError whose message starts with the subject and whose details name kind, name and field. */
export function violation(invariant: Invariant, where: Where, message: string, details: Record<string, unknown> = {}): InvariantError {
  return new InvariantError(invariant, `${subject(where)} ${message}`, {
    details: { kind: where.kind, ...(where.name === undefined ? {} : { name: where.name }), ...details },
  });
}

/** Re-throws an InvariantError from a lower-level check with the subject and field prefixed to its message. */
export function within<T>(where: Where, field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InvariantError) {
      throw new InvariantError(e.invariant, `${subject(where)} ${field}: ${e.message}`, {
        details: { ...e.details, kind: where.kind, ...(where.name === undefined ? {} : { name: where.name }), field },
      });
    }
    throw e;
  }
}

/** Checks a name that may reach a device (see `SAFE_NAME`). */
export function checkName(value: unknown, where: Where, field: string): string {
  // The message is built only on failure: this runs for every name of every object of a large state.
  if (!isSafeName(value)) assertSafeName(value, `${subject(where)} ${field}`);
  return value as string;
}

/** Checks an optional name; `undefined` passes through. */
export function checkOptionalName(value: unknown, where: Where, field: string): string | undefined {
  return value === undefined ? undefined : checkName(value, where, field);
}

/** Checks a list of names: each safe, no duplicates. Returns a frozen copy. */
export function checkNameList(values: unknown, where: Where, field: string): readonly string[] {
  const list = checkArray(values, where, field);
  const seen = new Set<string>();
  list.forEach((v, i) => {
    checkName(v, where, `${field}[${i}]`);
    if (seen.has(v as string)) {
      throw violation(Invariant.DUPLICATE, where, `${field} lists ${JSON.stringify(v)} twice`, { field, value: v });
    }
    seen.add(v as string);
  });
  return Object.freeze([...(list as string[])]);
}

/** Checks that a value is an array (an absent optional list is `[]`). */
export function checkArray(values: unknown, where: Where, field: string, optional = true): readonly unknown[] {
  if (values === undefined && optional) return [];
  if (!Array.isArray(values)) {
    throw violation(Invariant.VALUE_INVALID, where, `${field} must be a list, got ${describe(values)}`, { field });
  }
  return values;
}

/** Checks a boolean flag (absent means `fallback`). */
export function checkBoolean(value: unknown, where: Where, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw violation(Invariant.VALUE_INVALID, where, `${field} must be true or false, got ${describe(value)}`, { field, value });
  }
  return value;
}

/** Checks an integer in `min..max`; `invariant` names the rule broken otherwise. */
export function checkInteger(value: unknown, where: Where, field: string, min: number, max: number, invariant: Invariant = Invariant.VALUE_INVALID): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw violation(invariant, where, `${field} ${describe(value)} is outside ${min}..${max}`, { field, value });
  }
  return value;
}

/** Checks one of a fixed set of string values. */
export function checkEnum<T extends string>(value: unknown, allowed: readonly T[], where: Where, field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw violation(Invariant.VALUE_INVALID, where, `${field} ${describe(value)} is not one of ${allowed.join(', ')}`, { field, value });
  }
  return value as T;
}

/** Parses an address and returns it with its canonical text. Errors name the subject and field. */
export function checkIp(value: unknown, where: Where, field: string): { ip: IpAddress; text: string } {
  const ip = within(where, field, () => parseIp(value as string));
  return { ip, text: formatIp(ip) };
}

/** Parses a CIDR (strict) and returns it with its canonical text. Errors name the subject and field. */
export function checkCidr(value: unknown, where: Where, field: string): { cidr: Cidr; text: string } {
  const cidr = within(where, field, () => parseCidr(value as string));
  return { cidr, text: formatCidr(cidr) };
}

/** `IPv4` / `IPv6`. */
export function familyName(family: IpFamily): string {
  return `IPv${family}`;
}

/** A short description of a value for a message: strings quoted, other types named. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value;
}

/** Checks that `value` is a plain object (the input of a `create*` function). */
export function checkObject(value: unknown, where: Where): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw violation(Invariant.VALUE_INVALID, where, `must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Freezes an object and everything reachable from it (plain objects and arrays). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Models returned by a `create*` function of this package copy: valid by construction, and frozen, so unchanged. */
const sealed = new WeakSet<object>();

/**
 * Deep-freezes a model built by a `create*` function and remembers it as valid, so that `checkNetwork` need not
 * validate it again (a spread copy or a deserialised object is a different object and is validated).
 */
export function sealModel<T extends object>(model: T): T {
  deepFreeze(model);
  sealed.add(model);
  return model;
}

/** True if `value` is a model returned by a `create*` function (see {@link sealModel}). */
export function isSealedModel(value: unknown): boolean {
  return typeof value === 'object' && value !== null && sealed.has(value);
}

/** Copies `obj` without the keys whose value is `undefined` (so optional fields are absent, not `undefined`). */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  const src = obj as Record<string, unknown>;
  for (const k in src) if (src[k] !== undefined) out[k] = src[k];
  return out as T;
}
