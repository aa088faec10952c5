/**
 * The store kit: `runStoreConformance({ create })` inside mocha, `storeConformance({ create })` + `runChecks` without.
 *
 * @example
 * import { runStoreConformance } from '@netloom/conformance';
 * runStoreConformance({ adapter, create: () => new SqliteStore({ path: ':memory:' }) });
 *
 * @packageDocumentation
 */
import { InputError, type AdapterDefinition, type InputProblem, type StoreCapabilities, type StorePort } from '@netloom/ports';
import { CheckSkipped, registerMocha, type ConformanceSuite } from '../kit/check';
import { STORE_CHECKS, type StoreCheckContext } from './store.checks';

/** Options of the store kit. */
export interface StoreConformanceOptions {
  /** Opens a fresh, empty store (one per check). */
  readonly create: () => StorePort | Promise<StorePort>;
  /**
   * Opens the same store again after the kit has closed `previous` (same file, same endpoints). Absent: the
   * persistence check is skipped.
   */
  readonly reopen?: (previous: StorePort) => StorePort | Promise<StorePort>;
  /** The adapter under test: its declared store capabilities must match what the store reports. */
  readonly adapter?: AdapterDefinition;
  /** Names the suite (`store conformance: sqlite (file)`); default: the adapter's id, else `store`. */
  readonly label?: string;
  /** Milliseconds one check may take (default 30000). */
  readonly timeoutMs?: number;
}

/**
 * The store suite (no mocha).
 * @throws InputError listing every problem with the options.
 */
export function storeConformance(options: StoreConformanceOptions): ConformanceSuite<StoreCheckContext> {
  const problems: InputProblem[] = [];
  if (typeof options !== 'object' || options === null) throw InputError.fromProblems('runStoreConformance options', [{ path: '', reason: 'required: { create }' }]);
  if (typeof options.create !== 'function') problems.push({ path: 'create', reason: 'required: a function that opens a fresh, empty store' });
  if (options.reopen !== undefined && typeof options.reopen !== 'function') problems.push({ path: 'reopen', reason: 'must be a function (previous store) => the same store opened again' });
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) problems.push({ path: 'timeoutMs', reason: 'must be a positive integer (milliseconds)' });
  const adapter = options.adapter;
  if (adapter !== undefined && (typeof adapter !== 'object' || adapter === null || typeof adapter.ports?.store !== 'function')) {
    problems.push({ path: 'adapter', reason: `adapter ${JSON.stringify((adapter as { id?: unknown } | null)?.id)} does not provide the store port` });
  }
  if (problems.length > 0) throw InputError.fromProblems('runStoreConformance options', problems);
  const declared = adapter?.supports.store as StoreCapabilities | undefined;
  const label = options.label ?? adapter?.id ?? 'store';
  let known: StoreCapabilities | undefined = declared;

  return {
    title: `store conformance: ${label}`,
    checks: STORE_CHECKS,
    timeoutMs: options.timeoutMs ?? 30_000,
    skipReason(check) {
      if (check.needs?.includes('reopen') && options.reopen === undefined) return 'the target cannot reopen a store (no reopen option)';
      // Capabilities come from the adapter's manifest, or from the first store opened.
      if (known === undefined) return undefined;
      if (check.capability !== undefined && !(known as unknown as Record<string, boolean>)[check.capability]) return `the store does not declare ${check.capability}`;
      if (check.withoutCapability !== undefined && (known as unknown as Record<string, boolean>)[check.withoutCapability]) return `the store declares ${check.withoutCapability}`;
      return undefined;
    },
    async setup(check) {
      const store = await options.create();
      const tracked: StorePort[] = [store];
      const capabilities = store.capabilities;
      known ??= capabilities;
      const flag = (name: string | undefined): boolean => name !== undefined && (capabilities as unknown as Record<string, boolean>)[name] === true;
      const skip =
        check.capability !== undefined && !flag(check.capability)
          ? `the store does not declare ${check.capability}`
          : check.withoutCapability !== undefined && flag(check.withoutCapability)
            ? `the store declares ${check.withoutCapability}`
            : undefined;
      if (skip !== undefined) {
        await store.close();
        throw new CheckSkipped(skip);
      }
      const ctx: StoreCheckContext = {
        store,
        capabilities,
        declared,
        reopen:
          options.reopen === undefined
            ? undefined
            : async () => {
                await store.close();
                const again = await options.reopen!(store);
                tracked.push(again);
                return again;
              },
        track: (s) => tracked.push(s),
      };
      return {
        ctx,
        async teardown() {
          for (const s of tracked) {
            try {
              await s.close();
            } catch {
              // Already closed (the close check) or broken: nothing left to free.
            }
          }
        },
      };
    },
  };
}

/**
 * Registers the store checks with mocha. Returns the suite.
 * @throws InputError (bad options); Error outside mocha.
 */
export function runStoreConformance(options: StoreConformanceOptions): ConformanceSuite<StoreCheckContext> {
  const suite = storeConformance(options);
  registerMocha(suite);
  return suite;
}
