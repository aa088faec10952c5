/**
 * `netloom adapter new <id> --port <port> [--vendor <name>] [--dir <dir>]` (docs/cli.md): scaffolds an adapter
 * package for one device port — package.json with the `"netloom"` field, a `defineAdapter` manifest, a driver whose
 * session methods throw `NotSupportedError("not implemented yet: ...")`, a simulator target to fill in, the
 * three-line conformance test, README, CHANGELOG and quality.yaml (every rule `todo`). It builds as generated, and
 * the conformance kit runs on it and fails check by check with those reasons until the methods are written.
 *
 * Inside the netloom repository the package extends the repository's tsconfig and is ready to be added to the
 * workspaces; elsewhere it gets a standalone tsconfig and depends on the published packages.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAPABILITY_NAMES, InputError, PORT_API_VERSION, type DevicePortKind } from '@netloom/ports';
import { EXIT, type Ctx } from './context';

/** Options of `netloom adapter new`. */
export interface AdapterNewOptions {
  /** The adapter id: lower-case letters, digits and dashes (`huawei-ce`). */
  readonly id: string;
  readonly port: string;
  /** Vendor name for the manifest (default: the id's first word). */
  readonly vendor?: string;
  /** Where to write the package (default: `adapters/<id>` in the current directory). Must not exist or be empty. */
  readonly dir?: string;
}

const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const DEVICE_PORTS: readonly DevicePortKind[] = ['fabric', 'vswitch', 'firewall', 'loadBalancer'];

/** Per port: the names the templates use. */
const PORT_NAMES: Record<DevicePortKind, { type: string; vocabulary: string; kit: string }> = {
  fabric: { type: 'Fabric', vocabulary: 'fabricVocabulary', kit: 'runFabricConformance' },
  vswitch: { type: 'VSwitch', vocabulary: 'vswitchVocabulary', kit: 'runVSwitchConformance' },
  firewall: { type: 'Firewall', vocabulary: 'firewallVocabulary', kit: 'runFirewallConformance' },
  loadBalancer: { type: 'LoadBalancer', vocabulary: 'loadBalancerVocabulary', kit: 'runLoadBalancerConformance' },
};

/** The netloom repository root above `dir` (a folder with tsconfig.base.json and core/runtime), if any. */
function repoRootAbove(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'tsconfig.base.json')) && fs.existsSync(path.join(d, 'core', 'runtime'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The files of a scaffolded package, by relative path. Exported for tests. */
export function scaffoldFiles(opts: { id: string; port: DevicePortKind; vendor: string; repoRoot?: string; dir: string }): Record<string, string> {
  const { id, port, vendor } = opts;
  const n = PORT_NAMES[port];
  const className = id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  const caps = CAPABILITY_NAMES[port].map((c) => `    ${c}: false,`).join('\n');
  const rel = opts.repoRoot === undefined ? undefined : path.relative(opts.dir, opts.repoRoot).split(path.sep).join('/');
  const tsconfig =
    rel === undefined
      ? {
          compilerOptions: { target: 'ES2022', lib: ['ES2022'], module: 'node16', moduleResolution: 'node16', strict: true, noUncheckedIndexedAccess: true, declaration: true, esModuleInterop: true, skipLibCheck: true, rootDir: 'src', outDir: 'dist', types: ['node'] },
          include: ['src'],
        }
      : {
          extends: `${rel}/tsconfig.base.json`,
          compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo' },
          include: ['src'],
          references: [{ path: `${rel}/core/domain` }, { path: `${rel}/ports` }],
        };
  const major = PORT_API_VERSION.split('.')[0];
  const pkg = {
    name: `@netloom/adapter-${id}`,
    version: '0.1.0',
    license: 'Apache-2.0',
    description: `netloom ${port} adapter for ${vendor} devices.`,
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    files: ['dist', 'README.md', 'CHANGELOG.md', 'quality.yaml'],
    dependencies: { '@netloom/ports': '^0.1.0', 'io-ts': '^2.2.22' },
    devDependencies: { '@netloom/conformance': '^0.1.0' },
    netloom: { id, ports: [port], portApi: `^${major}.0.0` },
  };
  const index = `/**
 * \`@netloom/adapter-${id}\` — the ${port} port for ${vendor} devices.
 * Scaffolded by \`netloom adapter new\`: every session method throws NotSupportedError until it is written.
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { defineAdapter, type PortCapabilities } from '@netloom/ports';
import { ${className}Driver } from './${id}.driver';

export { conformanceTargets } from './${id}.simulator';
export { ${className}Driver } from './${id}.driver';

/**
 * What the adapter supports. Declare a capability true only once it works: the conformance kit checks that every
 * declared capability works and that every undeclared one throws NotSupportedError.
 */
export const SUPPORTS = {
  ${port}: {
${caps}
  } satisfies PortCapabilities<'${port}'>,
};

/** Adapter options from the profile (\`options:\` of the device). Add fields as the adapter needs them. */
export const OptionsCodec = t.strict({});

/** The adapter definition (mirrored by "netloom" in package.json). */
export const adapter = defineAdapter({
  id: '${id}',
  vendor: '${vendor.replace(/'/g, "\\'")}',
  description: '${port} adapter for ${vendor.replace(/'/g, "\\'")} devices (scaffold).',
  portApi: '^${major}.0.0',
  ports: { ${port}: (opts) => new ${className}Driver(opts) },
  supports: SUPPORTS,
  optionsCodec: OptionsCodec,
});
`;
  const driver = `import {
  NotSupportedError,
  type ApplyOptions,
  type ChangeSet,
  type DeviceDriver,
  type DeviceFacts,
  type DeviceSession,
  type ${n.type}Config,
  type ObserveResult,
  type PlanOptions,
  type PortFactoryOptions,
  type Transaction,
  type TransactionOptions,
} from '@netloom/ports';

const notYet = (what: string): NotSupportedError =>
  new NotSupportedError(\`${id}: not implemented yet: \${what} (src/${id}.driver.ts)\`);

/** Opens sessions with one device. */
export class ${className}Driver implements DeviceDriver<${n.type}Config> {
  readonly port = '${port}' as const;

  constructor(private readonly opts: PortFactoryOptions) {}

  /** Connect to \`this.opts.target\` (address, port, credentials by reference, TLS / host-key verification). */
  async connect(): Promise<DeviceSession<${n.type}Config>> {
    return new ${className}Session(this.opts);
  }
}

/** One session: read facts, observe owned objects, plan, apply in one transaction, confirm or roll back. */
export class ${className}Session implements DeviceSession<${n.type}Config> {
  constructor(private readonly opts: PortFactoryOptions) {}

  async facts(): Promise<DeviceFacts> {
    throw notYet('facts()');
  }

  async observe(): Promise<ObserveResult<${n.type}Config>> {
    throw notYet('observe()');
  }

  async plan(_opts: PlanOptions<${n.type}Config>): Promise<ChangeSet> {
    throw notYet('plan()');
  }

  async apply(_opts: ApplyOptions): Promise<Transaction> {
    throw notYet('apply()');
  }

  async confirm(_opts: TransactionOptions): Promise<void> {
    throw notYet('confirm()');
  }

  async rollback(_opts: TransactionOptions): Promise<void> {
    throw notYet('rollback()');
  }

  async close(): Promise<void> {
    // Nothing to close yet.
  }
}
`;
  const simulator = `import type { SimulatorTarget } from '@netloom/conformance';

/**
 * The simulator target \`netloom conformance run\` and the tests use. Replace \`create\` with one that starts an
 * in-process simulator speaking the device's real protocol, returns how to reach it as \`target\`, and a
 * \`harness\` (seedForeign, readConfig, changeOutOfBand, injectFault, writeCount) so the ownership, drift, rollback
 * and write-count checks can run; without a harness they are skipped with a reason.
 */
export const conformanceTargets: { readonly ${port}: SimulatorTarget } = {
  ${port}: {
    kind: 'simulator',
    create: ({ checkId }) => ({ target: { name: \`sim-\${checkId.replace(/[^A-Za-z0-9._-]/g, '-')}\`.slice(0, 60), address: '127.0.0.1' }, options: {} }),
  },
};
`;
  const test = `import { ${n.kit} } from '@netloom/conformance';
import { adapter, conformanceTargets } from '../src';

${n.kit}({ adapter, target: conformanceTargets.${port} });
`;
  const readme = `# @netloom/adapter-${id}

The ${port} port of netloom for ${vendor} devices. Scaffolded by \`netloom adapter new\`; see
docs/vendors/writing-an-adapter.md for the contract and docs/vendors/quality.md for the quality scale.

## Install and configure

\`\`\`yaml
# deployment profile
adapters:
  - package: "@netloom/adapter-${id}"
inventory:
  devices:
    - name: dev1
      adapter: ${id}
      port: ${port}
      address: 192.0.2.10
      options: {}
\`\`\`

## Supported models

None tested yet.

## Known limitations

Nothing is implemented yet: every session method throws NotSupportedError.
`;
  const changelog = `# Changelog

## 0.1.0 (unreleased)

- Scaffolded with \`netloom adapter new ${id} --port ${port}\`.
`;
  const quality = [
    '# Quality scale (docs/vendors/quality.md). Mark a rule done only when it holds; CI checks what it can.',
    `adapter: ${id}`,
    'tier: none',
    'rules:',
    '  manifest-valid: done',
    ...[
      'conformance-core',
      'fixtures-per-method',
      'error-mapping',
      'credentials-never-logged',
      'docs-install',
      'idempotent-apply',
      'dry-run-diff',
      'rollback-on-failure',
      'reconnect-with-backoff',
      'docs-config-parameters',
      'live-lab-run',
      'drift-detection',
      'diagnostics-dump',
      'docs-supported-models',
      'docs-known-limitations',
      'strict-typing',
      'api-report-clean',
      'no-sync-io',
      'fuzzed-renderers',
    ].map((r) => `  ${r}: todo`),
    '',
  ].join('\n');
  return {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'tsconfig.json': JSON.stringify(tsconfig, null, 2) + '\n',
    'src/index.ts': index,
    [`src/${id}.driver.ts`]: driver,
    [`src/${id}.simulator.ts`]: simulator,
    [`test/${id}.conformance.test.ts`]: test,
    'README.md': readme,
    'CHANGELOG.md': changelog,
    'quality.yaml': quality,
  };
}

/** Runs `netloom adapter new`; returns the exit code. */
export function adapterNewCommand(ctx: Ctx, opts: AdapterNewOptions): number {
  const problems = [];
  if (!ID.test(opts.id) || opts.id.length > 40) problems.push({ path: 'id', reason: `must be lower-case letters, digits and single dashes, at most 40 characters (got ${JSON.stringify(opts.id)})` });
  if (!(DEVICE_PORTS as readonly string[]).includes(opts.port)) problems.push({ path: '--port', reason: `must be one of ${DEVICE_PORTS.join(', ')} (got ${JSON.stringify(opts.port)})` });
  const vendor = opts.vendor ?? opts.id.split('-')[0] ?? opts.id;
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/.test(vendor)) problems.push({ path: '--vendor', reason: 'letters, digits, spaces, dots, dashes and underscores, at most 63 characters' });
  if (problems.length > 0) throw InputError.fromProblems('netloom adapter new', problems);
  const dir = path.resolve(opts.dir ?? path.join('adapters', opts.id));
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    ctx.err(`error: ${dir} exists and is not empty; nothing written`);
    return EXIT.FAILED;
  }
  const repoRoot = repoRootAbove(path.dirname(dir));
  const files = scaffoldFiles({ id: opts.id, port: opts.port as DevicePortKind, vendor, dir, ...(repoRoot === undefined ? {} : { repoRoot }) });
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, 'utf8');
    ctx.out(`  wrote ${path.relative(process.cwd(), file) || file}`);
  }
  ctx.out(`scaffolded @netloom/adapter-${opts.id} (${opts.port}) in ${path.relative(process.cwd(), dir) || dir}`);
  ctx.out('next:');
  if (repoRoot !== undefined) ctx.out(`  add "${path.relative(repoRoot, dir)}" to package.json workspaces and tsconfig.build.json references, then npm install`);
  else ctx.out('  npm install, then npx tsc -b');
  ctx.out(`  netloom conformance run --adapter ${path.relative(process.cwd(), dir) || dir} --target simulator   (fails check by check until the driver is written)`);
  return EXIT.OK;
}
