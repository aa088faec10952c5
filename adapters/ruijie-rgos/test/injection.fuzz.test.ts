// Injection fuzzing (issue 6) of the RGOS adapter with the shared kit: no string of a desired fabric config can
// smuggle a command into an RGOS line (immediate-apply: the emulated transaction must undo a partial write), and a
// mid-commit fault leaves the leaf at its last committed config. What is checked: @netloom/conformance/fuzz
// (runInjectionFuzz). Seed: NETLOOM_FUZZ_SEED.
import { adapter, conformanceSamples, conformanceTargets } from '@netloom/adapter-ruijie-rgos';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';

runInjectionFuzz({ adapter, port: 'fabric', target: conformanceTargets.fabric, samples: conformanceSamples.fabric, medium: 'cli' });
