// Injection fuzzing (issue 6) of the CloudEngine adapter with the shared kit: no string of a desired fabric config
// can smuggle a command into a VRP line, and a mid-commit fault leaves the leaf at its last committed config.
// What is checked: @netloom/conformance/fuzz (runInjectionFuzz). Seed: NETLOOM_FUZZ_SEED.
import { adapter, ceSamples, createConformanceTargets } from '@netloom/adapter-huawei-ce';
import { runInjectionFuzz } from '@netloom/conformance/fuzz';
import { HuaweiCeSimulator } from '@netloom/conformance/simulators';

runInjectionFuzz({ adapter, port: 'fabric', target: createConformanceTargets((s) => new HuaweiCeSimulator(s)).fabric, samples: ceSamples, medium: 'cli' });
