// The shared fabric kit against the Huawei CE simulator: trial commits (confirmedCommit declared), and plain
// commits with netloom's own rollback by commit id (the device then lacks confirmedCommit).
import { adapter, ceSamples, createConformanceTargets } from '@netloom/adapter-huawei-ce';
import { runFabricConformance } from '@netloom/conformance';
import { HuaweiCeSimulator } from '@netloom/conformance/simulators';

const conformanceTargets = createConformanceTargets((s) => new HuaweiCeSimulator(s));

runFabricConformance({ adapter, target: conformanceTargets.fabric, samples: ceSamples });

describe('huawei-ce with commitMode: plain (rollback by commit id)', () => {
  const plain = createConformanceTargets((s) => new HuaweiCeSimulator(s), { options: { commitMode: 'plain' }, lacks: ['confirmedCommit'] });
  runFabricConformance({ adapter, target: plain.fabric, samples: ceSamples });
});
