// Run by fuzz.kit.test.ts in a child mocha: the injection fuzz kit against two broken variants of the fake adapter.
// Every suite here must fail (the parent test reads the output): one renders a segment name raw into its JSON record,
// one refuses a bad name with an InputError that echoes it raw (log injection).
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { InputError, type ChangeSet } from '@netloom/ports';
import { brokenAdapter } from '../broken';
import { fakeTarget } from '../fake.target';

const names = (desired: unknown): Array<[string, string]> =>
  Object.entries((desired as { segment?: Record<string, { name: string }> }).segment ?? {}).map(([key, s]) => [key, s.name]);

const injects = brokenAdapter({
  id: 'broken-injects',
  session: () => ({
    plan: async (o): Promise<ChangeSet> => ({
      device: 'leaf',
      port: 'fabric',
      changes: [],
      operations: names(o.desired).map(([key, name]) => ({ medium: 'memory', text: `create segment ${key} {"name":"${name}"}` })),
    }),
  }),
});

const leaks = brokenAdapter({
  id: 'broken-leaks',
  session: (inner) => ({
    plan: async (o) => {
      for (const [, name] of names(o.desired)) if (!/^[a-z0-9-]+$/.test(name)) throw new InputError(`segment name ${name} is not allowed`);
      return inner.plan(o);
    },
  }),
});

for (const adapter of [injects, leaks]) runInjectionFuzz({ adapter, port: 'fabric', target: fakeTarget('fabric'), medium: 'memory', runs: 100, sessionRuns: 0, faultRuns: 0 });
