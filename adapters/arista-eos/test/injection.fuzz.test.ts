// Injection fuzzing (issue 6) of the EOS adapter with the shared kit: each command is one JSON string of an eAPI
// `cmds` array, and no string of a desired fabric config may add a line or a token to one; a mid-commit fault leaves
// the switch at its last committed config. What is checked: @netloom/conformance/fuzz (runInjectionFuzz).
// Seed: NETLOOM_FUZZ_SEED.
import { adapter, conformanceTargets } from '@netloom/adapter-arista-eos';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';

runInjectionFuzz({ adapter, port: 'fabric', target: conformanceTargets.fabric, medium: 'cli' });
