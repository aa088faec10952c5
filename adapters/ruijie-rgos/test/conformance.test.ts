// The shared fabric kit against the Ruijie RGOS simulator, with the targets and samples the package ships (the same
// ones `netloom conformance run --adapter @netloom/adapter-ruijie-rgos` uses; the simulator is loaded dynamically).
import { adapter, conformanceSamples, conformanceTargets } from '@netloom/adapter-ruijie-rgos';
import { runFabricConformance } from '@netloom/conformance';

runFabricConformance({ adapter, target: conformanceTargets.fabric, samples: conformanceSamples.fabric });
