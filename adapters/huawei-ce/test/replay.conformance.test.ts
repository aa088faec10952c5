// The shared fabric kit replayed from a recorded run (adapters/huawei-ce/test/recordings/ce-simulator, made by
// `node scripts/record-conformance.cjs` with the Huawei CE simulator as the lab device): no device, no simulator,
// just the adapter against the recorded SSH sessions. Re-record after changing what the adapter types.
import * as path from 'node:path';
import { adapter, ceSamples } from '@netloom/adapter-huawei-ce';
import { runFabricConformance } from '@netloom/conformance';

describe('huawei-ce replayed from a recording', () => {
  runFabricConformance({ adapter, samples: ceSamples, target: { kind: 'replay', dir: path.join(__dirname, 'recordings', 'ce-simulator') } });
});
