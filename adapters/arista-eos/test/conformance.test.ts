// The shared fabric kit against a fresh simulated EOS switch per check (eAPI over HTTPS, test CA, per-run password).
import { runFabricConformance } from '@netloom/conformance';
import { adapter, conformanceTargets } from '@netloom/adapter-arista-eos';

runFabricConformance({ adapter, target: conformanceTargets.fabric });
