'use strict';
// The layering of ARCHITECTURE §3, enforced. Each rule has a name and says why it exists.
// Paths are relative to the directory depcruise runs in (the repository root in CI; a fixture root in the test
// that proves these rules fail on a violation: scripts/test/depcruise.test.ts).
const OURS = '^(core|ports|adapters|plugins|conformance)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'core/domain is the model: it imports nothing of ours (and no I/O).',
      severity: 'error',
      from: { path: '^core/domain/' },
      to: { path: OURS, pathNot: '^core/domain/' },
    },
    {
      name: 'domain-no-io',
      comment: 'core/domain is pure: no file, network or process modules.',
      severity: 'error',
      from: { path: '^core/domain/src/' },
      to: { dependencyTypes: ['core'], path: '^(fs|net|tls|http|https|child_process|dgram|cluster|worker_threads)$' },
    },
    {
      name: 'ports-depend-on-domain-only',
      comment: 'ports/ is the contract: it may import core/domain and nothing else of ours.',
      severity: 'error',
      from: { path: '^ports/' },
      to: { path: OURS, pathNot: '^(ports|core/domain)/' },
    },
    {
      name: 'engine-talks-through-ports',
      comment: 'core/engine imports domain and ports only; it never sees a concrete adapter, a plugin or the runtime.',
      severity: 'error',
      from: { path: '^core/engine/', pathNot: '^core/engine/test/' },
      to: { path: OURS, pathNot: '^(core/engine|core/domain|ports)/' },
    },
    {
      name: 'engine-tests-may-use-real-stores',
      comment: 'Engine tests (never shipped) may also run against real adapters (the SQLite store), the conformance kit and the intent plugins (the engine has no mapping of its own: ADR 0009), but not the runtime.',
      severity: 'error',
      from: { path: '^core/engine/test/' },
      to: { path: OURS, pathNot: '^(core/engine|core/domain|ports|adapters|conformance|plugins)/' },
    },
    {
      name: 'adapters-depend-on-the-contract',
      comment: 'An adapter imports ports, domain and shared protocol clients only: never core/engine, core/runtime or a plugin.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(core/engine|core/runtime|plugins)/' },
    },
    {
      name: 'adapters-ship-without-conformance',
      comment:
        'Adapter tests run the shared kit (@netloom/conformance, ARCHITECTURE §9); shipped adapter code never imports it, ' +
        'except an adapter\'s conformance harness (src/*.conformance.ts: the simulator targets netloom conformance run uses), ' +
        'which may load the simulators dynamically (ADR 0006).',
      severity: 'error',
      from: { path: '^adapters/', pathNot: ['^adapters/[^/]+/test/', '^adapters/[^/]+/src/[^/]+[.]conformance[.]ts$'] },
      to: { path: '^conformance/' },
    },
    {
      name: 'conformance-harness-loads-simulators-dynamically',
      comment: 'An adapter\'s conformance harness imports @netloom/conformance only with a dynamic import(), so the driver loads without it (ADR 0006).',
      severity: 'error',
      from: { path: '^adapters/[^/]+/src/[^/]+[.]conformance[.]ts$' },
      to: { path: '^conformance/', dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'adapters-are-independent',
      comment: 'An adapter never imports another adapter (shared code belongs in adapters/protocols/*).',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/', pathNot: '^adapters/protocols/' },
      to: { path: '^adapters/', pathNot: '^adapters/($1|protocols)/' },
    },
    {
      name: 'protocol-clients-are-shared',
      comment: 'A protocol client (adapters/protocols/*) may not import an adapter.',
      severity: 'error',
      from: { path: '^adapters/protocols/' },
      to: { path: '^adapters/', pathNot: '^adapters/protocols/' },
    },
    {
      name: 'cni-is-a-node-agent',
      comment: 'The CNI plugin runs on every node: it imports the domain, the ports and shared protocol clients only (ADR 0007).',
      severity: 'error',
      from: { path: '^core/cni/src/' },
      to: { path: OURS, pathNot: '^(core/cni|core/domain|ports|adapters/protocols)/' },
    },
    {
      name: 'plugins-depend-on-the-contract',
      comment: 'Plugins turn intent into domain objects: they import domain and ports only.',
      severity: 'error',
      from: { path: '^plugins/([^/]+)/', pathNot: '^plugins/[^/]+/test/' },
      to: { path: OURS, pathNot: '^(core/domain|ports|plugins/$1)/' },
    },
    {
      name: 'plugin-tests-depend-on-the-contract',
      comment:
        'Plugin tests (never shipped) may also use the contract kit (@netloom/conformance: createIntentTestContext), as ' +
        'adapter tests may; still no engine, runtime, adapter or other plugin.',
      severity: 'error',
      from: { path: '^plugins/([^/]+)/test/' },
      to: { path: OURS, pathNot: '^(core/domain|ports|conformance|plugins/$1)/' },
    },
    {
      name: 'conformance-depends-on-the-contract',
      comment: 'Vendors depend on @netloom/ports and @netloom/conformance alone, so conformance imports domain and ports only.',
      severity: 'error',
      from: { path: '^conformance/', pathNot: '^conformance/test/' },
      to: { path: OURS, pathNot: '^(conformance|core/domain|ports)/' },
    },
    {
      name: 'runtime-is-the-only-composition-root',
      comment: 'Nothing imports core/runtime: it is the top of the graph.',
      severity: 'error',
      from: { pathNot: '^core/runtime/' },
      to: { path: '^core/runtime/' },
    },
    {
      name: 'no-circular',
      comment: 'Circular imports make load order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-test',
      comment: 'Shipped code never imports test code.',
      severity: 'error',
      from: { path: '/src/' },
      to: { path: '/test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    includeOnly: OURS + '|node_modules',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
