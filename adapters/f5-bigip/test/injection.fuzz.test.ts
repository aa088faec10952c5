// Injection fuzzing (issue 6) of the BIG-IP adapter with the shared kit: a value may only travel inside a JSON
// string of an iControl REST body, or as a URL-safe path segment (`~partition~name`); a mid-commit fault leaves the
// BIG-IP at its last committed config. What is checked: @netloom/conformance/fuzz (runInjectionFuzz).
// Seed: NETLOOM_FUZZ_SEED.
import { adapter } from '@netloom/adapter-f5-bigip';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { conformanceTargets } from './targets';

runInjectionFuzz({ adapter, port: 'loadBalancer', target: conformanceTargets.loadBalancer, medium: 'http-json' });
