/**
 * The device-port checks, as data: one list shared by the fabric, vswitch, firewall and load-balancer kits,
 * parameterised by the port's vocabulary and samples (ARCHITECTURE §9, STYLE "One shared test kit").
 *
 * | id | what it proves |
 * |---|---|
 * | `facts.decode` | facts decode with `DeviceFactsCodec` and carry no unknown keys |
 * | `observe.shape` | observe decodes with the port's codec and equals its decoded form (no extra keys, canonical values), before and after an apply |
 * | `capability.<name>` | a declared capability works: a config using it plans, applies, confirms and reads back |
 * | `not-supported.<name>` | an undeclared capability throws `NotSupportedError` before any write |
 * | `capability.confirmedCommit` / `not-supported.confirmedCommit` | (fabric) apply sets `confirmBy` exactly when declared |
 * | `idempotency` | after apply, plan again ⇒ empty change set; applying it writes nothing |
 * | `ownership.foreign-untouched` | a foreign object is never observed, and survives apply and deleting everything owned |
 * | `rollback.fault-mid-commit` | a fault mid-commit ⇒ a device error, and the device at its last committed config |
 * | `drift.visible` | an out-of-band deletion shows in observe and plan repairs it |
 * | `input.rejected` | invalid VLANs, VNIs, names (`\n`, `;`, `|`, space) ⇒ `InputError` from plan, zero writes |
 * | `lock.second-writer` | a second session's apply during an unconfirmed transaction ⇒ `LockedError` or waits; never interleaved |
 * | `lifecycle.rollback` / `lifecycle.confirm` / `lifecycle.close-rolls-back` | the transaction lifecycle |
 *
 * @packageDocumentation
 */
import {
  CAPABILITY_NAMES,
  DeviceFactsCodec,
  ErrorCode,
  configEquals,
  decodeProblems,
  type ChangeSet,
  type DeviceConfig,
  type DevicePortKind,
  type Transaction,
} from '@netloom/ports';
import { CheckSkipped, describeError, expect, fail, type Check } from '../kit/check';
import {
  applyAndConfirm,
  attempt,
  codeOf,
  describeConfigDifference,
  desiredOf,
  expectNothingWritten,
  expectObserved,
  harnessOf,
  minimalOf,
  rawVersusDecoded,
  snapshot,
  type DeviceCheckContext,
} from './device.context';

/** A device-port check. */
export type DeviceCheck = Check<DeviceCheckContext>;

/** Capabilities that are behaviour rather than config (no sample selection; checked by their own checks). */
export const BEHAVIOURAL_CAPABILITIES: readonly string[] = ['confirmedCommit'];

/** How long `lock.second-writer` waits for a second apply that serialises instead of refusing. */
export const SECOND_WRITER_WAIT_MS = 250;

const FACT_KEYS = ['vendor', 'model', 'osVersion', 'serial', 'hostname', 'extra'];

const isDeviceError = (e: unknown): boolean => {
  const code = codeOf(e);
  return code !== undefined && code.startsWith('DEVICE.');
};

const facts: DeviceCheck = {
  id: 'facts.decode',
  title: 'facts() decodes with DeviceFactsCodec and has no unknown keys',
  run: async (ctx) => {
    const s = await ctx.connect();
    const f = (await s.facts()) as unknown;
    const decoded = DeviceFactsCodec.decode(f);
    expect(decoded._tag === 'Right', () => `facts do not decode with DeviceFactsCodec: ${JSON.stringify(f)}`);
    const extra = Object.keys(f as object).filter((k) => !FACT_KEYS.includes(k));
    expect(extra.length === 0, `facts carry keys the port does not define: ${extra.join(', ')} (put vendor extras under "extra")`);
    const r = f as Record<string, string>;
    for (const k of ['vendor', 'model', 'osVersion']) expect(typeof r[k] === 'string' && r[k].trim() !== '', `facts.${k} is empty`);
  },
};

async function expectExactShape(ctx: DeviceCheckContext, raw: DeviceConfig, when: string): Promise<void> {
  const decoded = decodeProblems(ctx.vocabulary.configCodec, raw);
  if (decoded.value === undefined) {
    const shown = decoded.problems.slice(0, 3).map((p) => `${p.path || '(root)'}: ${p.reason}`);
    fail(`${when}, observe returned a config that does not decode with the ${ctx.port} codec: ${shown.join('; ')}`);
  }
  const problems = rawVersusDecoded(raw as Record<string, unknown>, decoded.value as Record<string, unknown>);
  expect(problems.length === 0 && configEquals(raw, decoded.value), () => `${when}, observe is not in the exact shape of the vocabulary: ${problems.join('; ') || 'raw and decoded forms differ'}`);
}

const observeShape: DeviceCheck = {
  id: 'observe.shape',
  title: 'observe() returns exactly the vocabulary (decodes, no extra keys, canonical) and reads back what was applied',
  run: async (ctx) => {
    const desired = desiredOf(ctx);
    const s = await ctx.connect();
    const first = await s.observe();
    expect(!Number.isNaN(Date.parse(first.observedAt)), `observedAt ${JSON.stringify(first.observedAt)} is not an ISO 8601 time`);
    await expectExactShape(ctx, first.config, 'on a fresh device');
    expect(configEquals(first.config, ctx.vocabulary.empty()), () => `a fresh device should own nothing, observe shows: ${describeConfigDifference(ctx.vocabulary, ctx.vocabulary.empty(), first.config)}`);
    await applyAndConfirm(s, desired.config, 'the sample config');
    const after = await s.observe();
    await expectExactShape(ctx, after.config, 'after applying the sample config');
    expect(configEquals(after.config, desired.config), () => `after applying the sample config, observe does not read it back: ${describeConfigDifference(ctx.vocabulary, desired.config, after.config)}`);
  },
};

function capabilityWorks(capability: string): DeviceCheck {
  return {
    id: `capability.${capability}`,
    title: `declared ${capability}: a config using it plans, applies, confirms and reads back`,
    capability,
    run: async (ctx) => {
      const sample = ctx.plan.byCapability.get(capability);
      if (sample === undefined) fail(`no sample config uses ${capability}: supply samples.byCapability.${capability}`);
      const missing = sample.uses.filter((c) => c !== capability && ctx.capabilities[c] !== true);
      if (missing.length > 0) throw new CheckSkipped(`the sample for ${capability} also needs ${missing.join(', ')}, which this device does not declare`);
      const s = await ctx.connect();
      const plan = await attempt(s.plan({ desired: sample.config }));
      if (!plan.ok) fail(`the adapter declares ${capability}, but planning a config that uses it threw ${describeError(plan.error)}`);
      expect(plan.value.changes.length > 0, `the adapter declares ${capability}, but the plan of a config that uses it is empty`);
      const tx = await attempt(s.apply({ changeSet: plan.value }));
      if (!tx.ok) fail(`the adapter declares ${capability}, but applying a config that uses it threw ${describeError(tx.error)}`);
      const confirmed = await attempt(s.confirm({ transaction: tx.value }));
      if (!confirmed.ok) fail(`the adapter declares ${capability}, but confirming a config that uses it threw ${describeError(confirmed.error)}`);
      await expectObserved(ctx, s, sample.config, `after applying a config that uses ${capability}`);
    },
  };
}

function capabilityRefused(capability: string): DeviceCheck {
  return {
    id: `not-supported.${capability}`,
    title: `undeclared ${capability}: a config using it throws NotSupportedError before any write`,
    withoutCapability: capability,
    run: async (ctx) => {
      const sample = ctx.plan.byCapability.get(capability);
      if (sample === undefined) fail(`no sample config uses ${capability}: supply samples.byCapability.${capability}`);
      const s = await ctx.connect();
      const before = await snapshot(ctx, s);
      const plan = await attempt(s.plan({ desired: sample.config }));
      if (plan.ok) {
        const tx = await attempt(s.apply({ changeSet: plan.value }));
        if (tx.ok) {
          await attempt(s.rollback({ transaction: tx.value }));
          fail(`the adapter declares ${capability}: false, but a config using it planned and applied (it must throw NotSupportedError, or declare ${capability}: true)`);
        }
        expect(codeOf(tx.error) === ErrorCode.NOT_SUPPORTED, `the adapter declares ${capability}: false; a config using it planned, and apply threw ${describeError(tx.error)} instead of NotSupportedError`);
      } else {
        expect(codeOf(plan.error) === ErrorCode.NOT_SUPPORTED, `the adapter declares ${capability}: false; planning a config using it threw ${describeError(plan.error)} instead of NotSupportedError`);
      }
      await expectNothingWritten(ctx, s, before, `after refusing a config that uses ${capability}`);
    },
  };
}

function confirmedCommit(declared: boolean): DeviceCheck {
  return {
    id: declared ? 'capability.confirmedCommit' : 'not-supported.confirmedCommit',
    title: declared ? 'declared confirmedCommit: apply returns a transaction with confirmBy within confirmWithinSec' : 'undeclared confirmedCommit: apply returns no confirmBy',
    ...(declared ? { capability: 'confirmedCommit' } : { withoutCapability: 'confirmedCommit' }),
    run: async (ctx) => {
      const desired = desiredOf(ctx);
      const s = await ctx.connect();
      const plan = await s.plan({ desired: desired.config });
      const started = Date.now();
      const tx = await s.apply({ changeSet: plan, confirmWithinSec: 60 });
      try {
        if (declared) {
          expect(tx.confirmBy !== undefined, 'the adapter declares confirmedCommit, but the applied transaction has no confirmBy');
          const by = Date.parse(tx.confirmBy);
          expect(!Number.isNaN(by), `confirmBy ${JSON.stringify(tx.confirmBy)} is not an ISO 8601 time`);
          expect(by >= started + 55_000 && by <= Date.now() + 61_000, `confirmBy ${tx.confirmBy} is not about 60 s after apply (confirmWithinSec: 60)`);
        } else {
          expect(tx.confirmBy === undefined, `the adapter declares confirmedCommit: false, but the transaction has confirmBy ${String(tx.confirmBy)}`);
        }
      } finally {
        await attempt(s.rollback({ transaction: tx }));
      }
    },
  };
}

const idempotency: DeviceCheck = {
  id: 'idempotency',
  title: 'after apply, plan again ⇒ empty change set, and applying it writes nothing',
  run: async (ctx) => {
    const desired = desiredOf(ctx);
    const s = await ctx.connect();
    await applyAndConfirm(s, desired.config, 'the sample config');
    const observed = (await s.observe()).config;
    const again = await s.plan({ desired: desired.config, observed });
    const describe = (cs: ChangeSet): string =>
      cs.changes
        .slice(0, 5)
        .map((c) => `${c.op} ${c.kind} ${JSON.stringify(c.key)}`)
        .join(', ');
    expect(again.changes.length === 0, () => `not idempotent: planning the applied config again gives ${again.changes.length} change(s): ${describe(again)}`);
    expect(again.operations.length === 0, `not idempotent: an empty change set renders ${again.operations.length} operation(s)`);
    const selfObserved = await s.plan({ desired: desired.config });
    expect(selfObserved.changes.length === 0, () => `not idempotent: planning the applied config again (observing itself) gives ${selfObserved.changes.length} change(s): ${describe(selfObserved)}`);
    const before = await snapshot(ctx, s);
    const tx = await s.apply({ changeSet: again });
    expect(tx.state === 'confirmed', `applying an empty change set should return a confirmed transaction, got state ${JSON.stringify(tx.state)}`);
    await expectNothingWritten(ctx, s, before, 'after applying an empty change set');
  },
};

const ownership: DeviceCheck = {
  id: 'ownership.foreign-untouched',
  title: 'a foreign object is never observed and survives apply and deleting everything owned',
  needs: ['harness'],
  run: async (ctx) => {
    const h = harnessOf(ctx);
    const desired = desiredOf(ctx);
    const { kind, object } = ctx.samples.foreign;
    const s = await ctx.connect();
    await h.seedForeign({ kind, object });
    const foreignBefore = (await h.readConfig()).foreign;
    const name = `foreign ${kind} ${JSON.stringify(object.key)}`;
    const visible = async (when: string): Promise<void> => {
      const o = (await s.observe()).config;
      expect(o[kind]?.[object.key] === undefined, `${when}, observe returns the ${name} (observe must return owned objects only)`);
    };
    const untouched = async (when: string): Promise<void> => {
      const now = (await h.readConfig()).foreign;
      expect(configEquals(now, foreignBefore), () => {
        const after = now[kind]?.[object.key];
        return after === undefined ? `${when}, the ${name} was deleted` : `${when}, the ${name} was changed: ${JSON.stringify(after)}`;
      });
    };
    await visible('before any apply');
    await applyAndConfirm(s, desired.config, 'the sample config');
    await untouched('after applying the sample config');
    await visible('after applying the sample config');
    await applyAndConfirm(s, ctx.vocabulary.empty(), 'an empty config (delete everything owned)');
    await untouched('after deleting everything netloom owns');
    const end = await h.readConfig();
    expect(configEquals(end.owned, ctx.vocabulary.empty()), () => `after deleting everything owned, the device still holds owned objects: ${describeConfigDifference(ctx.vocabulary, ctx.vocabulary.empty(), end.owned)}`);
  },
};

const rollbackOnFault: DeviceCheck = {
  id: 'rollback.fault-mid-commit',
  title: 'a fault injected mid-commit ⇒ a device error, and the device at its last committed config',
  needs: ['harness'],
  run: async (ctx) => {
    const h = harnessOf(ctx);
    const desired = desiredOf(ctx);
    const minimal = minimalOf(ctx);
    const s = await ctx.connect();
    // Baseline: a committed, non-empty config (the smallest sample), unless that leaves too little to change.
    const baseline = configEquals(minimal.config, desired.config) ? ctx.vocabulary.empty() : minimal.config;
    await applyAndConfirm(s, baseline, 'the baseline config');
    const committed = await h.readConfig();
    const plan = await s.plan({ desired: desired.config });
    if (plan.changes.length < 2) throw new CheckSkipped(`the sample gives ${plan.changes.length} change(s); a fault mid-commit needs at least 2`);
    await h.injectFault({ type: 'midCommit', afterWrites: 1 });
    const tx = await attempt(s.apply({ changeSet: plan }));
    if (tx.ok) {
      await attempt(s.rollback({ transaction: tx.value }));
      fail(`apply reported success (transaction ${tx.value.id}, state ${tx.value.state}) although the device failed mid-commit; it must throw CommitError (or another device error)`);
    }
    expect(isDeviceError(tx.error), `after a fault mid-commit, apply threw ${describeError(tx.error)}; expected CommitError or another device error`);
    const now = await h.readConfig();
    expect(configEquals(now.owned, committed.owned), () => `after a fault mid-commit the device is not at its last committed config: ${describeConfigDifference(ctx.vocabulary, committed.owned as DeviceConfig, now.owned)}`);
    expect(configEquals(now.foreign, committed.foreign), 'after a fault mid-commit, foreign objects changed');
    // The device takes the next change (no stale lock, no half state).
    await applyAndConfirm(s, desired.config, 'the sample config after the failed commit');
    await expectObserved(ctx, s, desired.config, 'after re-applying following a failed commit');
  },
};

const drift: DeviceCheck = {
  id: 'drift.visible',
  title: 'an out-of-band change shows in observe, and plan repairs it',
  needs: ['harness'],
  run: async (ctx) => {
    const h = harnessOf(ctx);
    const desired = desiredOf(ctx);
    const s = await ctx.connect();
    await applyAndConfirm(s, desired.config, 'the sample config');
    // The last kind in create order holds leaves: deleting one breaks no reference.
    const kind = [...ctx.vocabulary.order].reverse().find((k) => Object.keys(desired.config[k] ?? {}).length > 0);
    if (kind === undefined) throw new CheckSkipped('the sample config is empty');
    const key = Object.keys(desired.config[kind] ?? {}).sort()[0]!;
    await h.changeOutOfBand({ kind, key, object: undefined });
    const observed = (await s.observe()).config;
    expect(observed[kind]?.[key] === undefined, `${kind} ${JSON.stringify(key)} was deleted out of band, but observe still shows it (drift is invisible)`);
    const plan = await s.plan({ desired: desired.config });
    expect(
      plan.changes.some((c) => c.op === 'create' && c.kind === kind && c.key === key),
      `${kind} ${JSON.stringify(key)} was deleted out of band, but the plan does not re-create it (${plan.changes.length} change(s))`,
    );
  },
};

const badInput: DeviceCheck = {
  id: 'input.rejected',
  title: 'invalid VLANs, VNIs and names (newline, ";", "|", space) ⇒ InputError from plan and zero writes',
  run: async (ctx) => {
    const desired = desiredOf(ctx);
    const cases = ctx.samples.badInputs.filter((b) => ctx.capabilities[b.capability] === true);
    if (cases.length === 0) throw new CheckSkipped('no bad-input sample uses a capability this device declares');
    const s = await ctx.connect();
    const before = await snapshot(ctx, s);
    const problems: string[] = [];
    for (const b of cases) {
      const input = structuredClone(desired.input) as Record<string, Record<string, Record<string, unknown>>>;
      b.edit(input);
      const plan = await attempt(s.plan({ desired: input as unknown as DeviceConfig }));
      if (plan.ok) problems.push(`${b.id} (${b.title}): plan accepted it (${plan.value.changes.length} change(s))`);
      else if (codeOf(plan.error) !== ErrorCode.INPUT_INVALID) problems.push(`${b.id} (${b.title}): plan threw ${describeError(plan.error)} instead of InputError`);
    }
    expect(problems.length === 0, () => `invalid input not rejected with InputError: ${problems.join('; ')}`);
    await expectNothingWritten(ctx, s, before, 'after planning invalid inputs');
  },
};

const secondWriter: DeviceCheck = {
  id: 'lock.second-writer',
  title: "a second session's apply during an unconfirmed transaction ⇒ LockedError or waits; never both applied interleaved",
  run: async (ctx) => {
    const desired = desiredOf(ctx);
    const minimal = minimalOf(ctx);
    const other = configEquals(minimal.config, desired.config) ? ctx.vocabulary.empty() : minimal.config;
    const a = await ctx.connect();
    const b = await ctx.connect();
    const txA = await a.apply({ changeSet: await a.plan({ desired: desired.config }) });
    const planB = await b.plan({ desired: other });
    if (planB.changes.length === 0) {
      await a.rollback({ transaction: txA });
      throw new CheckSkipped('the second session sees nothing to change; the samples give no second config');
    }
    const pendingB = b.apply({ changeSet: planB });
    const settledB = pendingB.then(
      (tx) => ({ ok: true as const, tx }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const early = await Promise.race([settledB, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), SECOND_WRITER_WAIT_MS))]);
    if (early !== 'waiting') {
      if (early.ok) {
        await attempt(b.rollback({ transaction: early.tx }));
        await attempt(a.rollback({ transaction: txA }));
        fail('both applied interleaved: the second session applied while the first held an unconfirmed transaction (expected LockedError, or waiting for the first)');
      }
      expect(codeOf(early.error) === ErrorCode.DEVICE_LOCKED, `the second writer got ${describeError(early.error)}; expected LockedError`);
      await a.confirm({ transaction: txA });
      await expectObserved(ctx, a, desired.config, "after the second writer was refused and the first confirmed");
      return;
    }
    // Serialised: the second apply waits for the first to finish.
    await a.confirm({ transaction: txA });
    const late = await settledB;
    let txB: Transaction | undefined;
    if (late.ok) txB = late.tx;
    else expect(codeOf(late.error) === ErrorCode.DEVICE_LOCKED || codeOf(late.error) === ErrorCode.DEVICE_COMMIT, `the waiting second writer finally got ${describeError(late.error)}; expected success, LockedError or CommitError`);
    if (txB !== undefined) await b.confirm({ transaction: txB });
    const end = (await a.observe()).config;
    expect(configEquals(end, desired.config) || configEquals(end, other), () => `after serialised writers the device holds neither writer's config: ${describeConfigDifference(ctx.vocabulary, desired.config, end)}`);
  },
};

const lifecycleRollback: DeviceCheck = {
  id: 'lifecycle.rollback',
  title: 'rollback of an applied transaction restores the previous config (and is idempotent)',
  run: async (ctx) => {
    const desired = desiredOf(ctx);
    const s = await ctx.connect();
    const before = (await s.observe()).config;
    const tx = await s.apply({ changeSet: await s.plan({ desired: desired.config }) });
    expect(tx.state === 'applied', `a fresh transaction should be "applied", got ${JSON.stringify(tx.state)}`);
    await expectObserved(ctx, s, desired.config, 'after apply (before confirm)');
    await s.rollback({ transaction: tx });
    expect((tx.state as string) === 'rolled-back', `after rollback the transaction is ${JSON.stringify(tx.state)}, expected "rolled-back"`);
    await expectObserved(ctx, s, before, 'after rollback');
    const again = await attempt(s.rollback({ transaction: tx }));
    expect(again.ok, () => `rollback of a rolled-back transaction should be a no-op, it threw ${describeError(!again.ok ? again.error : undefined)}`);
  },
};

const lifecycleConfirm: DeviceCheck = {
  id: 'lifecycle.confirm',
  title: 'confirm makes a transaction permanent: a new session sees it (and confirm is idempotent)',
  run: async (ctx) => {
    const desired = desiredOf(ctx);
    const s = await ctx.connect();
    const tx = await s.apply({ changeSet: await s.plan({ desired: desired.config }) });
    await s.confirm({ transaction: tx });
    expect(tx.state === 'confirmed', `after confirm the transaction is ${JSON.stringify(tx.state)}, expected "confirmed"`);
    const again = await attempt(s.confirm({ transaction: tx }));
    expect(again.ok, () => `confirm of a confirmed transaction should be a no-op, it threw ${describeError(!again.ok ? again.error : undefined)}`);
    await s.close();
    const t = await ctx.connect();
    await expectObserved(ctx, t, desired.config, 'in a new session after confirm and close');
  },
};

const lifecycleClose: DeviceCheck = {
  id: 'lifecycle.close-rolls-back',
  title: 'close with a pending transaction rolls it back and frees the device',
  run: async (ctx) => {
    const desired = desiredOf(ctx);
    const s = await ctx.connect();
    const before = (await s.observe()).config;
    await s.apply({ changeSet: await s.plan({ desired: desired.config }) });
    await s.close();
    const again = await attempt(s.close());
    expect(again.ok, 'close is not idempotent: the second close threw');
    const t = await ctx.connect();
    await expectObserved(ctx, t, before, 'after closing a session with an unconfirmed transaction');
    await applyAndConfirm(t, desired.config, 'the sample config in a new session (the lock must be free)');
  },
};

/** Every device-port check for `port`, in run order. */
export function deviceChecks(port: DevicePortKind): DeviceCheck[] {
  const names: readonly string[] = CAPABILITY_NAMES[port];
  const configCaps = names.filter((c) => !BEHAVIOURAL_CAPABILITIES.includes(c));
  const checks: DeviceCheck[] = [facts, observeShape];
  for (const c of configCaps) checks.push(capabilityWorks(c), capabilityRefused(c));
  if (names.includes('confirmedCommit')) checks.push(confirmedCommit(true), confirmedCommit(false));
  checks.push(idempotency, ownership, rollbackOnFault, drift, badInput, secondWriter, lifecycleRollback, lifecycleConfirm, lifecycleClose);
  return checks;
}
