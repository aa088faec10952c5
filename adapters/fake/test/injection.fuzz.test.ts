// Injection fuzzing (issue 6) of the reference fake adapter with the shared kit, on every device port it provides:
// the in-memory device must refuse what a real one must refuse, keep an accepted value inside its JSON record, and
// be at its last committed config after a mid-commit fault. What is checked: @netloom/conformance/fuzz
// (runInjectionFuzz). Seed: NETLOOM_FUZZ_SEED.
import { adapter, conformanceTargets } from '@netloom/adapter-fake';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { DEVICE_PORT_KINDS } from '@netloom/ports';

for (const port of DEVICE_PORT_KINDS) {
  const target = conformanceTargets[port];
  if (target !== undefined) runInjectionFuzz({ adapter, port, target, medium: 'memory' });
}
