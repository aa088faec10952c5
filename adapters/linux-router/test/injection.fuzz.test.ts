// Injection fuzzing (issue 6) of the Linux router with the shared kit, on a real router with Open vSwitch legs: no
// string of a desired fabric config can add an argument to a command (every operation is an argument vector, medium
// 'argv'), and a mid-commit fault leaves the router at its last committed config. Seed: NETLOOM_FUZZ_SEED.
import { DEFAULT_SAMPLES } from '@netloom/conformance';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { adapter, linuxRouterOvsTarget, ovsTargetUplink, routerSamples } from '@netloom/adapter-linux-router';
import { skipUnlessOvs, startOvsSandbox, type OvsSandbox } from '@netloom/ovsdb/testing';
import { skipUnlessRouter } from './lab';

let ovs: OvsSandbox | undefined;

runInjectionFuzz({
  adapter,
  port: 'fabric',
  medium: 'argv',
  samples: { ...DEFAULT_SAMPLES.fabric, ...routerSamples(ovsTargetUplink()) },
  target: {
    kind: 'simulator',
    create: async (c) => {
      ovs = await startOvsSandbox({ vswitchd: true });
      const instance = await linuxRouterOvsTarget({ db: ovs.unixRemote, env: ovs.env }).create(c);
      return {
        ...instance,
        dispose: async () => {
          try {
            await instance.dispose?.();
          } finally {
            await ovs?.stop();
          }
        },
      };
    },
  },
  skipUnless: (ctx) => {
    skipUnlessRouter(ctx);
    skipUnlessOvs(ctx, { vswitchd: true });
  },
  timeoutMs: 600_000,
});
