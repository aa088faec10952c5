/**
 * Broken variants of the fake adapter, each wrong in one way a real adapter could be: the kit must fail them with
 * a reason naming the problem.
 */
import { FAKE_SUPPORTS, adapter as fakeAdapter, fakeDeviceRegistry } from '@netloom/adapter-fake';
import {
  ErrorCode,
  defineAdapter,
  isNetloomError,
  type AdapterDefinition,
  type DeviceConfig,
  type DeviceDriver,
  type DevicePortKind,
  type DeviceSession,
  type PortFactoryOptions,
} from '@netloom/ports';

type Session = DeviceSession<DeviceConfig>;
type Driver = DeviceDriver<DeviceConfig>;
type Factory = (opts: PortFactoryOptions) => Driver;

/** A session whose methods default to `inner`'s, with some replaced. */
function wrapSession(inner: Session, over: Partial<Session>): Session {
  return {
    facts: () => inner.facts(),
    observe: () => inner.observe(),
    plan: (o) => inner.plan(o),
    apply: (o) => inner.apply(o),
    confirm: (o) => inner.confirm(o),
    rollback: (o) => inner.rollback(o),
    close: () => inner.close(),
    ...over,
  };
}

interface BrokenOptions {
  readonly id: string;
  readonly port?: DevicePortKind;
  /** Capability overrides of the manifest. */
  readonly supports?: Readonly<Record<string, boolean>>;
  /** Options forced on the fake driver. */
  readonly forceOptions?: Readonly<Record<string, unknown>>;
  /** Replaces session methods. */
  readonly session?: (inner: Session, factory: PortFactoryOptions) => Partial<Session>;
}

/** A fake adapter for one port, broken as `opts` says. */
export function brokenAdapter(opts: BrokenOptions): AdapterDefinition {
  const port = opts.port ?? 'fabric';
  const base = fakeAdapter.ports[port] as unknown as Factory;
  const factory: Factory = (f) => {
    const options = { ...((f.options as Record<string, unknown> | undefined) ?? {}), ...(opts.forceOptions ?? {}) };
    const driver = base({ ...f, options });
    if (opts.session === undefined) return driver;
    return {
      port: driver.port,
      connect: async (c) => {
        const inner = await driver.connect(c);
        return wrapSession(inner, opts.session!(inner, f));
      },
    };
  };
  return defineAdapter({
    id: opts.id,
    vendor: 'netloom',
    portApi: '^1.0.0',
    ports: { [port]: factory },
    supports: { [port]: { ...FAKE_SUPPORTS[port], ...(opts.supports ?? {}) } },
  });
}

/** (a) Declares a capability the device does not have: the driver throws NotSupportedError for it. */
export const liesDeclared = brokenAdapter({ id: 'broken-lies-declared', forceOptions: { unsupported: ['interconnect'] } });

/** (a) Declares a capability false although the driver does it. */
export const liesUndeclared = brokenAdapter({ id: 'broken-lies-undeclared', supports: { interconnect: false } });

/** (b) Not idempotent: plan always returns a change, even when the device already holds the desired config. */
export const notIdempotent = brokenAdapter({
  id: 'broken-not-idempotent',
  session: (inner) => ({
    plan: async (o) => {
      const cs = await inner.plan(o);
      if (cs.changes.length > 0) return cs;
      const observed = o.observed ?? (await inner.observe()).config;
      for (const [kind, objects] of Object.entries(observed)) {
        const [key, object] = Object.entries(objects ?? {})[0] ?? [];
        if (key !== undefined && object !== undefined) {
          return { ...cs, changes: [{ op: 'update', kind, key, before: object, after: object }], operations: [{ medium: 'memory', text: `update ${kind} ${key}` }] };
        }
      }
      return cs;
    },
  }),
});

/** (c) Touches foreign objects: whenever it deletes, it deletes everything of the kinds it cleans, foreign included. */
export const touchesForeign = brokenAdapter({
  id: 'broken-touches-foreign',
  session: (inner, f) => ({
    apply: async (o) => {
      const tx = await inner.apply(o);
      if (o.changeSet.changes.some((c) => c.op === 'delete')) {
        const device = fakeDeviceRegistry.get(f.target.name)!;
        for (const [kind, objects] of Object.entries(device.foreign())) for (const key of Object.keys(objects)) device.setForeign(kind, key, undefined);
      }
      return tx;
    },
  }),
});

/** (d) Ignores a fault: swallows the CommitError of a failed commit and reports success. */
export const swallowsFault = brokenAdapter({
  id: 'broken-swallows-fault',
  session: (inner) => ({
    apply: async (o) => {
      try {
        return await inner.apply(o);
      } catch (e) {
        if (isNetloomError(e) && e.code === ErrorCode.DEVICE_COMMIT) return { id: 'swallowed', device: o.changeSet.device, changeSet: o.changeSet, state: 'applied' };
        throw e;
      }
    },
  }),
});
