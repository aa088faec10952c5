// Injection fuzzing (issue 6) of the hardware_vtep adapter with the shared kit, against a real ovsdb-server serving
// hardware_vtep: a value may only travel as a JSON string of an OVSDB operation, and a mid-commit fault leaves the
// VTEP at its last committed config. What is checked: @netloom/conformance/fuzz (runInjectionFuzz).
// Seed: NETLOOM_FUZZ_SEED.
import { adapter, conformanceTargets } from '@netloom/adapter-hw-vtep';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { skipUnlessOvs } from '@netloom/ovsdb/testing';

runInjectionFuzz({ adapter, port: 'fabric', target: conformanceTargets.fabric, medium: 'ovsdb', skipUnless: (ctx) => skipUnlessOvs(ctx, { vtep: true }) });
