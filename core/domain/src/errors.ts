/**
 * The netloom error hierarchy: one small set of classes with stable codes.
 *
 * Every error that crosses a layer boundary (domain → engine, adapter → port → engine, runtime → CLI) is a
 * {@link NetloomError}. Callers switch on `code`, never on the message text. Messages say what was wrong, where,
 * and what to do; they never contain a credential. The original low-level error (SSH, HTTP, SQLite ...) is kept
 * as `cause`.
 *
 * Device errors (`DEVICE.*`, `NOT_SUPPORTED`) live in `@netloom/ports`, which re-exports everything here.
 *
 * @packageDocumentation
 */

/** Stable error codes. Adding a code is a minor change; renaming or removing one is a breaking change. */
export const ErrorCode = {
  /** An input that crossed a boundary (profile, CRD, annotation, REST body, device reply) failed validation. */
  INPUT_INVALID: 'INPUT.INVALID',
  /** A state conflict: a compare-and-set lost, an object already exists, two owners claim one resource. */
  CONFLICT: 'CONFLICT',
  /** A named object does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** A pool (IPs, VNIs, VLANs, VIPs) has nothing left to hand out. */
  EXHAUSTED: 'RESOURCE.EXHAUSTED',
  /** A domain invariant does not hold; the specific invariant is in `details.invariant`. */
  INVARIANT: 'DOMAIN.INVARIANT',
  /** The capability is not declared by the adapter (or not offered by the device). */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** The adapter package implements a port API range that does not include the runtime's port API version. */
  PORT_API_MISMATCH: 'PORT.API_MISMATCH',
  /** Connecting to the device failed (refused, unreachable, TLS/host-key verification failed). */
  DEVICE_CONNECTION: 'DEVICE.CONNECTION',
  /** The device refused the credentials. */
  DEVICE_AUTH: 'DEVICE.AUTH',
  /** The device did not answer in time. */
  DEVICE_TIMEOUT: 'DEVICE.TIMEOUT',
  /** The device rejected or failed a commit; the device is left at its last committed configuration. */
  DEVICE_COMMIT: 'DEVICE.COMMIT',
  /** Another writer holds the device's configuration lock or session. */
  DEVICE_LOCKED: 'DEVICE.LOCKED',
  /** The device answered something the adapter could not understand (a reply failed validation). */
  DEVICE_PROTOCOL: 'DEVICE.PROTOCOL',
  /** A store operation failed for a reason other than a lost compare-and-set. */
  STORE: 'STORE.FAILED',
  /** A bug: something that should be impossible happened. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options shared by every netloom error constructor. */
export interface NetloomErrorOptions {
  /** Structured facts about the error (paths, names, values). Never credentials. */
  details?: Record<string, unknown>;
  /** The low-level error this one wraps. */
  cause?: unknown;
}

/** Base class of every netloom error. */
export class NetloomError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: NetloomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }

  /** A JSON-safe view (for logs, REST answers and reports). The cause is summarised, not serialised whole. */
  toJSON(): { name: string; code: ErrorCode; message: string; details: Record<string, unknown>; cause?: string } {
    const out: { name: string; code: ErrorCode; message: string; details: Record<string, unknown>; cause?: string } = {
      name: this.name,
      code: this.code,
      message: this.message,
      details: this.details,
    };
    if (this.cause !== undefined) out.cause = this.cause instanceof Error ? this.cause.message : String(this.cause);
    return out;
  }
}

/** One problem found while validating an input: where (a dotted path) and why. */
export interface InputProblem {
  /** Dotted/indexed path from the root of the input, e.g. `fabric.leafs[2].address`. Empty for the root. */
  path: string;
  /** Human-readable reason, e.g. `"10.0.0.300" is not an IPv4 address`. */
  reason: string;
}

/** An input failed validation. `problems` lists every problem found, not just the first. */
export class InputError extends NetloomError {
  readonly problems: readonly InputProblem[];

  constructor(message: string, problems: readonly InputProblem[] = [], options: NetloomErrorOptions = {}) {
    super(ErrorCode.INPUT_INVALID, message, { ...options, details: { ...options.details, problems } });
    this.problems = problems;
  }

  /** Builds an InputError whose message lists every problem as `path: reason`. */
  static fromProblems(subject: string, problems: readonly InputProblem[]): InputError {
    const lines = problems.map((p) => `  ${p.path === '' ? '(root)' : p.path}: ${p.reason}`);
    return new InputError(`${subject} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, problems);
  }
}

/** A state conflict (lost compare-and-set, duplicate, two owners for one resource). */
export class ConflictError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.CONFLICT, message, options);
  }
}

/** A named object does not exist. */
export class NotFoundError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.NOT_FOUND, message, options);
  }
}

/** A pool has nothing left to hand out. */
export class ExhaustedError extends NetloomError {
  constructor(message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.EXHAUSTED, message, options);
  }
}

/**
 * Stable names of the domain invariants. `InvariantError.details.invariant` is one of these, so tests and callers
 * can tell exactly which rule failed.
 */
export const Invariant = {
  /** A CIDR block is malformed, or (strict parsing) has host bits set. */
  CIDR_INVALID: 'cidr-invalid',
  /** An IP address is malformed (or an address object is out of range). */
  IP_INVALID: 'ip-invalid',
  /** Two subnets of one VPC share addresses (same family). */
  SUBNET_OVERLAP: 'subnet-overlap',
  /** A subnet gateway is outside the subnet's CIDR, or is its IPv4 network/broadcast address. */
  GATEWAY_OUTSIDE_CIDR: 'gateway-outside-cidr',
  /** A subnet exclude range is not inside the subnet's CIDR. */
  EXCLUDE_OUTSIDE_CIDR: 'exclude-outside-cidr',
  /** Two values that must be of one IP family are not (or a family has no CIDR to belong to). */
  FAMILY_MISMATCH: 'family-mismatch',
  /** A VNI is outside 1..16777215. */
  VNI_RANGE: 'vni-range',
  /** A VLAN id is outside 1..4094. */
  VLAN_RANGE: 'vlan-range',
  /** A name is not allowed (see `SAFE_NAME`). */
  NAME_INVALID: 'name-invalid',
  /** A reference names an object that does not exist. */
  REFERENCE_MISSING: 'reference-missing',
  /** Two objects share a key that must be unique (name, id, VPC pair, leaf port ...). */
  DUPLICATE: 'duplicate',
  /** A value breaks a rule that has no more specific name. */
  VALUE_INVALID: 'value-invalid',
  /** A range's start is after its end (IP range `a..b`, port range `a-b`). */
  RANGE_INVALID: 'range-invalid',
  /** A TCP/UDP port is outside 1..65535. */
  PORT_RANGE: 'port-range',
  /** A MAC address is malformed, or is not a unicast address where one is needed. */
  MAC_INVALID: 'mac-invalid',
  /** Two objects that refer to each other disagree (a subnet listed by VPC "a" names VPC "b"). */
  REFERENCE_MISMATCH: 'reference-mismatch',
  /** An endpoint address is not inside its subnet's CIDR. */
  IP_OUTSIDE_SUBNET: 'ip-outside-subnet',
  /** An endpoint address is one the subnet reserves (gateway, IPv4 network or broadcast address). */
  IP_RESERVED: 'ip-reserved',
  /** Two endpoints of one VPC have the same address. */
  IP_CONFLICT: 'ip-conflict',
  /** A VNI is used twice in the fabric (two LSs, two LRs, or an LS and an LR). */
  VNI_CONFLICT: 'vni-conflict',
  /** On one node, one VLAN is used by two LSs, or one LS uses two VLANs. */
  VLAN_CONFLICT: 'vlan-conflict',
} as const;
export type Invariant = (typeof Invariant)[keyof typeof Invariant];

/** A domain invariant does not hold. `invariant` names the rule; `details` carries the offending values. */
export class InvariantError extends NetloomError {
  readonly invariant: Invariant;

  constructor(invariant: Invariant, message: string, options: NetloomErrorOptions = {}) {
    super(ErrorCode.INVARIANT, message, { ...options, details: { ...options.details, invariant } });
    this.invariant = invariant;
  }
}

/** True if `e` is a NetloomError (also across package copies, by duck typing on `code`). */
export function isNetloomError(e: unknown): e is NetloomError {
  return e instanceof NetloomError || (e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && 'details' in e);
}
