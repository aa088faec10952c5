// Injection fuzzing (issue 6) of the H3C S1020V adapter with the shared kit, against a real Open vSwitch: a value
// may only travel as a JSON string of an OVSDB operation and never into an OpenFlow flow, and a mid-commit fault
// leaves the switch at its last committed config. What is checked: @netloom/conformance/fuzz (runInjectionFuzz).
// Seed: NETLOOM_FUZZ_SEED.
import { adapter, conformanceTargets } from '@netloom/adapter-h3c-s1020v';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';

runInjectionFuzz({ adapter, port: 'vswitch', target: conformanceTargets.vswitch, medium: 'ovsdb', skipUnless: (ctx) => skipUnlessOvs(ctx, { vswitchd: true }) });
