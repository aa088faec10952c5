/**
 * The lifecycle every device port shares (fabric, vswitch, firewall, load balancer).
 *
 * ```
 * driver.connect(opts) → session
 * session.facts()                         → DeviceFacts
 * session.observe()                       → the objects netloom owns on the device, in the port's vocabulary
 * session.plan({ desired, observed })     → ChangeSet with the exact vendor operations it would run
 * session.apply({ changeSet, confirmWithinSec }) → Transaction (device changed, not yet confirmed)
 * session.confirm({ transaction })        → the change becomes permanent
 * session.rollback({ transaction })       → the device is back at its configuration before apply
 * session.close()
 * ```
 *
 * A device configuration in a port's vocabulary is a {@link DeviceConfig}: per object kind, a map from the object's
 * key to the object. Only objects netloom owns appear in `observe()`; objects created by someone else are never
 * returned, modified or deleted.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import type { Logger } from './logger';

/** The ports of ARCHITECTURE §5. */
export const PORT_KINDS = ['fabric', 'vswitch', 'firewall', 'loadBalancer', 'kubernetes', 'store', 'discovery'] as const;
/** A port's name. */
export type PortKind = (typeof PORT_KINDS)[number];
/** The ports whose adapters manage a device through the shared device lifecycle. */
export const DEVICE_PORT_KINDS = ['fabric', 'vswitch', 'firewall', 'loadBalancer'] as const;
/** A device port's name. */
export type DevicePortKind = (typeof DEVICE_PORT_KINDS)[number];

/** io-ts codec for {@link PortKind}. */
export const PortKindCodec = t.keyof({ fabric: null, vswitch: null, firewall: null, loadBalancer: null, kubernetes: null, store: null, discovery: null });

/** A configuration object owned by netloom on a device. Every object has its key. */
export interface ConfigObject {
  /** The object's key, unique within its kind on one device (e.g. a VNI as text, `Eth1/1:100`). */
  readonly key: string;
}

/** Per object kind, a map from key to object. Port vocabularies narrow this to their kinds. */
export type DeviceConfig = { readonly [kind: string]: { readonly [key: string]: ConfigObject } };

/** What one change does to one object. */
export type ChangeOp = 'create' | 'update' | 'delete';

/** One keyed change of one object. */
export interface Change {
  readonly op: ChangeOp;
  /** The object kind (a key of the port's DeviceConfig). */
  readonly kind: string;
  readonly key: string;
  /** The object as observed (update, delete). */
  readonly before?: ConfigObject;
  /** The object as desired (create, update). */
  readonly after?: ConfigObject;
}

/** One rendered vendor operation: exactly what the adapter will send (a CLI line, a request, an OVSDB op). */
export interface RenderedOperation {
  /** The medium: `cli`, `http`, `ovsdb`, `openflow`, `nft`, `memory`. */
  readonly medium: string;
  /** The exact text (a command, `POST /mgmt/tm/ltm/pool {...}`, ...). Never contains a credential. */
  readonly text: string;
}

/**
 * A planned change to one device: the keyed changes, dependency-ordered (creates parent-first, deletes
 * child-first), and the vendor operations that carry them out. An empty `changes` list means apply writes nothing.
 *
 * `changes` is in the order of `diffConfig` (see `diff.ts`): every create and update, kinds in the port's
 * `*_KIND_ORDER`, then every delete, kinds in reverse order; keys ascending within a kind.
 *
 * @example
 * { device: 'leaf1', port: 'fabric',
 *   changes: [{ op: 'create', kind: 'segment', key: '10010', after: { key: '10010', name: 'ls-web', l2Vni: 10010 } }],
 *   operations: [{ medium: 'cli', text: 'bridge-domain 10010' }, { medium: 'cli', text: 'vxlan vni 10010' }] }
 */
export interface ChangeSet {
  readonly device: string;
  readonly port: DevicePortKind;
  readonly changes: readonly Change[];
  readonly operations: readonly RenderedOperation[];
}

/** State of a transaction. */
export type TransactionState = 'applied' | 'confirmed' | 'rolled-back';

/** A change applied to a device, waiting for confirm or rollback. */
export interface Transaction {
  /** Unique per device; for devices with commit ids (Huawei), the device's own id. */
  readonly id: string;
  readonly device: string;
  readonly changeSet: ChangeSet;
  state: TransactionState;
  /**
   * When the device reverts by itself unless confirmed (ISO 8601), for devices with a confirmed commit
   * (`commit trial`, `commit timer`). Absent when the device has none and netloom rolls back itself.
   */
  readonly confirmBy?: string;
}

/** What a device says about itself. */
export interface DeviceFacts {
  readonly vendor: string;
  readonly model: string;
  readonly osVersion: string;
  readonly serial?: string;
  readonly hostname?: string;
  /** Any further facts (uptime, sysObjectID). Plain JSON values only. */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

/** io-ts codec for {@link DeviceFacts} (validates device replies turned into facts). */
export const DeviceFactsCodec = t.intersection([
  t.type({ vendor: t.string, model: t.string, osVersion: t.string }),
  t.partial({ serial: t.string, hostname: t.string, extra: t.record(t.string, t.union([t.string, t.number, t.boolean])) }),
]);

/** The result of observe: the owned objects and when they were read. */
export interface ObserveResult<C extends DeviceConfig> {
  readonly config: C;
  /** ISO 8601 time of the read. */
  readonly observedAt: string;
}

/** Options of {@link DeviceSession.plan}. */
export interface PlanOptions<C extends DeviceConfig> {
  /** What netloom wants on the device (owned objects only). */
  readonly desired: C;
  /** What observe returned; the session observes itself when absent. */
  readonly observed?: C;
}

/** Options of {@link DeviceSession.apply}. */
export interface ApplyOptions {
  readonly changeSet: ChangeSet;
  /**
   * Seconds after which the device reverts by itself unless confirmed (confirmed commit). Ignored by devices without
   * a confirmed commit, which netloom rolls back itself on failure. Default: the adapter's (typically 120).
   */
  readonly confirmWithinSec?: number;
}

/** Options that name a transaction. */
export interface TransactionOptions {
  readonly transaction: Transaction;
}

/** Options of {@link DeviceDriver.connect}. */
export interface ConnectOptions {
  /** Abort connecting (and the session) early. */
  readonly signal?: AbortSignal;
  /** Connect timeout in milliseconds (default: the adapter's). */
  readonly timeoutMs?: number;
}

/**
 * A session with one device. One writer at a time: a second session that tries to apply while another holds the
 * device gets `LockedError` (or waits, where the device serialises writers itself).
 */
export interface DeviceSession<C extends DeviceConfig> {
  /** Reads what the device says about itself. Idempotent, read-only. @throws DeviceTimeoutError */
  facts(): Promise<DeviceFacts>;
  /**
   * Reads the objects netloom owns on the device (identified by the adapter's ownership marker). Read-only.
   * @throws DeviceTimeoutError, DeviceProtocolError (a reply that does not validate)
   */
  observe(): Promise<ObserveResult<C>>;
  /**
   * Computes the changes that turn `observed` into `desired` and renders them as vendor operations. Read-only: it
   * never writes to the device. Validates `desired` first.
   * @throws InputError (invalid names, VLAN/VNI out of range, injection attempts), NotSupportedError
   */
  plan(opts: PlanOptions<C>): Promise<ChangeSet>;
  /**
   * Applies a change set in one transaction. On any failure the device is left at its last committed
   * configuration and the error says so. An empty change set writes nothing and returns a confirmed transaction.
   * A change set that no longer fits the device (planned against a stale observation) is refused with CommitError
   * before anything is written.
   * @throws CommitError, LockedError (another transaction is unconfirmed), DeviceTimeoutError, InputError (a change
   *   set for another device, or one whose result would be an invalid config), NotSupportedError
   */
  apply(opts: ApplyOptions): Promise<Transaction>;
  /** Makes an applied transaction permanent. Idempotent for a confirmed transaction. @throws CommitError */
  confirm(opts: TransactionOptions): Promise<void>;
  /** Reverts an applied transaction. Idempotent for a rolled-back transaction. @throws CommitError */
  rollback(opts: TransactionOptions): Promise<void>;
  /** Ends the session; an applied but unconfirmed transaction is rolled back. Idempotent. */
  close(): Promise<void>;
}

/** A device port implementation for one device (what an adapter's port factory returns). */
export interface DeviceDriver<C extends DeviceConfig> {
  readonly port: DevicePortKind;
  /** Opens a session. @throws DeviceConnectionError, DeviceAuthError, DeviceTimeoutError */
  connect(opts?: ConnectOptions): Promise<DeviceSession<C>>;
}

/** Resolved credentials, handed to an adapter by the runtime. Never logged; redact them from every text. */
export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  readonly privateKey?: string;
}

/** How a device is reached. Built by the runtime from the profile's inventory entry. */
export interface DeviceTarget {
  /** The inventory name of the device (a safe name). */
  readonly name: string;
  /** Host name or IP address; absent for in-process devices. */
  readonly address?: string;
  readonly port?: number;
  readonly credentials?: Credentials;
  /** TLS: verify the certificate (default true); a CA bundle in PEM. */
  readonly tls?: { readonly verify: boolean; readonly ca?: string };
  /** SSH: verify the host key (default true) against known_hosts or a pinned SHA256 fingerprint. */
  readonly hostKey?: { readonly verify: boolean; readonly fingerprint?: string; readonly knownHostsFile?: string };
}

/** What the runtime passes to a port factory. */
export interface PortFactoryOptions {
  readonly target: DeviceTarget;
  /** Adapter-specific options from the profile, already validated with the adapter's `optionsCodec`. */
  readonly options: unknown;
  readonly logger: Logger;
}
