/**
 * The `netloom` command line (docs/cli.md). `runCli(argv, io)` runs one command and returns its exit code:
 * 0 success, 1 invalid input or a failed operation, 2 a usage error (unknown command or option, missing argument).
 *
 * Errors print their message (and code) on stderr, never a stack trace unless `--debug`, never a credential:
 * every line goes through the registry of resolved secrets.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { InputError, isNetloomError, type Logger } from '@netloom/ports';
import { loadAdapter, loadProfileAdapters } from '../adapters/loader';
import type { AdapterRegistry, LoadedAdapter } from '../adapters/registry';
import { createContainer, disposeContainer } from '../container';
import { createLogger } from '../logger';
import { displayPath, loadProfile, type LoadedProfile, type ProfileProblem } from '../profile/profile.loader';
import { SecretRegistry } from '../secrets';
import { TOKENS } from '../tokens';
import { adapterInfo, adapterListing, problemLine, table, type AdapterInfo } from './format';

/** Where the CLI writes. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's stdout and stderr. */
export const processIO: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** The adapters built into the runtime (listed by `netloom adapters` without a profile). */
export const BUILTIN_ADAPTERS = ['@netloom/adapter-fake', '@netloom/adapter-sqlite'] as const;

/** Exit codes. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

interface Ctx {
  readonly io: CliIO;
  readonly secrets: SecretRegistry;
  out(line?: string): void;
  err(line?: string): void;
  logger(): Logger;
  debug: boolean;
  exitCode: number;
}

function readVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Prints an InputError's problems as `path: reason (line N)`, one per line, under a heading. */
function printProblems(ctx: Ctx, heading: string, problems: readonly ProfileProblem[]): void {
  ctx.err(`${heading} (${plural(problems.length, 'problem')}):`);
  for (const p of problems) ctx.err(`  ${problemLine(p)}`);
}

function printWarnings(ctx: Ctx, warnings: readonly ProfileProblem[]): void {
  for (const w of warnings) ctx.err(`warning: ${problemLine(w)}`);
}

/** Loads a profile and its adapters; prints problems and returns undefined when invalid. */
async function loadAll(ctx: Ctx, file: string, withAdapters: boolean): Promise<{ loaded: LoadedProfile; registry?: AdapterRegistry } | undefined> {
  let loaded: LoadedProfile;
  try {
    loaded = loadProfile(file);
  } catch (e) {
    if (e instanceof InputError && e.problems.length > 0) {
      printProblems(ctx, `${displayPath(file)} is invalid`, e.problems);
      return undefined;
    }
    throw e;
  }
  if (!withAdapters) return { loaded };
  try {
    return { loaded, registry: await loadProfileAdapters(loaded) };
  } catch (e) {
    if (e instanceof InputError && e.problems.length > 0) {
      printWarnings(ctx, loaded.warnings);
      printProblems(ctx, `${displayPath(file)} is invalid`, e.problems);
      return undefined;
    }
    throw e;
  }
}

function summary(loaded: LoadedProfile, registry?: AdapterRegistry): string {
  const p = loaded.profile;
  const roles = new Map<string, number>();
  for (const d of p.inventory.devices) roles.set(d.role, (roles.get(d.role) ?? 0) + 1);
  const devices = `${plural(p.inventory.devices.length, 'device')} (${[...roles].map(([r, n]) => `${n} ${r}`).join(', ')})`;
  const nodes =
    p.topology.nodes !== undefined
      ? `${plural(p.topology.nodes.length, 'node')}${p.topology.discovery !== undefined ? ` + discovery via ${p.topology.discovery.device}` : ''}`
      : `nodes discovered via ${p.topology.discovery?.device ?? '?'}`;
  const adapters =
    registry !== undefined
      ? `${plural(registry.list().length, 'adapter')} (${registry
          .list()
          .map((a) => `${a.packageName} ${a.version}`)
          .join(', ')})`
      : 'adapters not loaded';
  return `profile ${JSON.stringify(p.metadata.name)}, overlay ${p.overlay}: ${devices}, ${nodes}, ${adapters}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

async function validateCommand(ctx: Ctx, file: string, opts: { json?: boolean; adapters: boolean }): Promise<number> {
  if (opts.json === true) {
    const problems: ProfileProblem[] = [];
    let loaded: LoadedProfile | undefined;
    let registry: AdapterRegistry | undefined;
    try {
      loaded = loadProfile(file);
      if (opts.adapters) registry = await loadProfileAdapters(loaded);
    } catch (e) {
      if (!(e instanceof InputError) || e.problems.length === 0) throw e;
      problems.push(...e.problems);
    }
    const ok = problems.length === 0;
    ctx.out(
      JSON.stringify(
        {
          ok,
          file: path.resolve(file),
          ...(ok && loaded !== undefined ? { summary: summary(loaded, registry) } : {}),
          problems,
          warnings: loaded?.warnings ?? [],
          ...(registry !== undefined ? { adapters: registry.list().map((a) => adapterInfo(a, registry.usersOf(a))) } : {}),
        },
        null,
        2,
      ),
    );
    return ok ? EXIT.OK : EXIT.FAILED;
  }
  const r = await loadAll(ctx, file, opts.adapters);
  if (r === undefined) return EXIT.FAILED;
  ctx.out(`OK ${displayPath(file)}: ${summary(r.loaded, r.registry)}`);
  printWarnings(ctx, r.loaded.warnings);
  return EXIT.OK;
}

async function adaptersCommand(ctx: Ctx, opts: { profile?: string; json?: boolean }): Promise<number> {
  let infos: AdapterInfo[];
  let failed = false;
  if (opts.profile !== undefined) {
    const r = await loadAll(ctx, opts.profile, true);
    if (r?.registry === undefined) return EXIT.FAILED;
    const registry = r.registry;
    infos = registry.list().map((a) => adapterInfo(a, registry.usersOf(a)));
  } else {
    infos = [];
    for (const name of BUILTIN_ADAPTERS) {
      let a: LoadedAdapter;
      try {
        a = await loadAdapter(name, { paths: [process.cwd()] });
      } catch (e) {
        failed = true;
        ctx.err(`error: ${isNetloomError(e) || e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      infos.push(adapterInfo(a));
    }
  }
  if (opts.json === true) ctx.out(JSON.stringify(infos, null, 2));
  else if (infos.length > 0) for (const line of adapterListing(infos)) ctx.out(line);
  return failed ? EXIT.FAILED : EXIT.OK;
}

/** Finds docs/examples/embedded.yaml above the runtime's directory (the repository) or the working directory. */
export function findEmbeddedProfile(): string | undefined {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'docs', 'examples', 'embedded.yaml');
      if (fs.existsSync(candidate)) return candidate;
      if (dir === path.dirname(dir)) break;
    }
  }
  return undefined;
}

async function demoCommand(ctx: Ctx, opts: { profile?: string }): Promise<number> {
  const file = opts.profile ?? findEmbeddedProfile();
  if (file === undefined) {
    ctx.err('error: the embedded example profile docs/examples/embedded.yaml was not found; pass one with --profile <file>');
    return EXIT.FAILED;
  }
  ctx.out(`netloom demo: profile ${displayPath(file)}`);
  ctx.out('');
  const r = await loadAll(ctx, file, true);
  if (r?.registry === undefined) return EXIT.FAILED;
  const { loaded, registry } = r;
  const p = loaded.profile;
  ctx.out(`1. Profile valid: ${summary(loaded, registry)}`);
  printWarnings(ctx, loaded.warnings);

  const k = p.sources.kubernetes;
  const source = 'scenario' in k ? `scenario file ${displayPath(k.scenario)}` : 'kubeconfig' in k ? `kubeconfig ${displayPath(k.kubeconfig)}${k.context !== undefined ? ` (context ${k.context})` : ''}` : 'in-cluster service account';
  const vni = (rs: ReadonlyArray<{ from: number; to: number }>): string => rs.map((x) => `${x.from}..${x.to}`).join(', ');
  const settings: Array<[string, string]> = [
    ['source', `kubernetes: ${source}`],
    ['overlay', p.overlay],
    ['VPC policy', p.vpcPolicy],
    ['plugins', p.plugins.join(', ')],
    ['VNI', `L2 ${vni(p.addressPlan.vni.l2)}; L3 ${vni(p.addressPlan.vni.l3)}`],
    ['VLAN', `${p.addressPlan.vlan.from}..${p.addressPlan.vlan.to} per host`],
    ['blocks', p.addressPlan.containerBlocks.join(', ')],
    ['VIP pools', p.addressPlan.vipPools.map((v) => `${v.name} ${v.cidr}`).join(', ') || 'none'],
    ['store', `${registry.store.adapter.definition.id} (${registry.store.adapter.packageName})${storePath(registry.store.options)}`],
    ['controller', `batch window ${p.controller.batchWindowMs} ms, confirm within ${p.controller.confirmTimeoutSec} s, resync every ${p.controller.resyncSec} s`],
  ];
  for (const line of table(['', ''], settings).slice(1)) ctx.out(`   ${line}`);
  ctx.out('');

  ctx.out(`2. Adapters loaded (port API checked, definitions match package.json):`);
  for (const line of adapterListing(registry.list().map((a) => adapterInfo(a, registry.usersOf(a))))) ctx.out(`   ${line}`);
  ctx.out('');

  // Compose the object graph and let each adapter create its drivers: real factories, no connection yet.
  const container = createContainer({ loaded, adapters: registry, logger: ctx.logger(), secrets: ctx.secrets });
  try {
    const drivers = container.get(TOKENS.DeviceDrivers);
    const rows: string[][] = [];
    for (const b of registry.devices()) {
      const set = drivers[b.port];
      let status: string;
      try {
        set.get(b.device.name);
        status = 'driver created';
      } catch (e) {
        status = `driver failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      }
      rows.push([b.device.name, b.device.role, b.port, b.adapter.definition.id, b.device.address ?? '(in-process)', status]);
    }
    ctx.out('3. Composition root built; device drivers (nothing connected):');
    for (const line of table(['DEVICE', 'ROLE', 'PORT', 'ADAPTER', 'ADDRESS', 'STATUS'], rows)) ctx.out(`   ${line}`);
    ctx.out('');
  } finally {
    await disposeContainer(container);
  }

  if (p.topology.nodes !== undefined) {
    ctx.out('4. Nodes:');
    const rows = p.topology.nodes.map((n) => [n.name, n.overlay ?? (p.overlay === 'host' ? 'host' : 'network'), n.leaf ?? '-', n.port ?? '-', n.vtepIp ?? '-']);
    for (const line of table(['NODE', 'OVERLAY', 'LEAF', 'PORT', 'VTEP IP'], rows)) ctx.out(`   ${line}`);
  }
  if (p.topology.discovery !== undefined) ctx.out(`   node ports are discovered through ${p.topology.discovery.device} (LLDP)`);
  ctx.out('');
  ctx.out('Next: the reconcile engine (intent compiler, allocators, planner, reconciler) is not wired into the runtime yet.');
  ctx.out('Nothing was read from the source and nothing was written to any device or to the store.');
  ctx.out('`netloom plan`, `netloom apply` and `netloom run` arrive with it.');
  return EXIT.OK;
}

function storePath(options: unknown): string {
  const o = options as { path?: unknown } | undefined;
  return typeof o?.path === 'string' ? ` at ${o.path.startsWith(':') ? o.path : displayPath(o.path)}` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Program

function buildProgram(ctx: Ctx): Command {
  const program = new Command('netloom');
  program
    .description('Connects Kubernetes to the data-center network an enterprise already owns.')
    .version(readVersion(), '-V, --version')
    .option('--debug', 'print stack traces of errors and debug logs')
    .addOption(new Option('--log-level <level>', 'log level of the JSON log on stderr').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(ctx.secrets.redact(s)) });
  program.hook('preAction', (cmd) => {
    ctx.debug = cmd.opts<{ debug?: boolean }>().debug === true;
  });

  const profile = program.command('profile').description('work with deployment profiles');
  profile
    .command('validate')
    .description('validate a deployment profile and load the adapters it names; lists every problem')
    .argument('<file>', 'the profile (YAML)')
    .option('--json', 'print the result as JSON')
    .option('--no-adapters', 'check the file only; do not load the adapter packages')
    .action(async (file: string, opts: { json?: boolean; adapters: boolean }) => {
      ctx.exitCode = await validateCommand(ctx, file, opts);
    });

  program
    .command('adapters')
    .description('list adapter packages: the built-in ones, or those a profile names')
    .option('-p, --profile <file>', 'list the adapters this profile names (loaded and checked)')
    .option('--json', 'print JSON')
    .action(async (opts: { profile?: string; json?: boolean }) => {
      ctx.exitCode = await adaptersCommand(ctx, opts);
    });

  program
    .command('demo')
    .description('validate the embedded example profile, load its adapters and show what netloom would run')
    .option('-p, --profile <file>', 'use this profile instead of docs/examples/embedded.yaml')
    .action(async (opts: { profile?: string }) => {
      ctx.exitCode = await demoCommand(ctx, opts);
    });
  return program;
}

function printError(ctx: Ctx, e: unknown): void {
  if (e instanceof InputError && e.problems.length > 0) {
    const heading = (e.message.split('\n')[0] ?? e.message).replace(/ \(\d+ problems?\):$/, '');
    printProblems(ctx, heading, e.problems);
  } else if (isNetloomError(e)) {
    ctx.err(`error: ${e.message} [${e.code}]`);
  } else if (e instanceof Error) {
    ctx.err(`internal error: ${e.message}${ctx.debug ? '' : ' (run with --debug for details)'}`);
  } else {
    ctx.err(`internal error: ${String(e)}`);
  }
  if (ctx.debug && e instanceof Error && e.stack !== undefined) ctx.err(e.stack);
  if (ctx.debug && e instanceof Error && e.cause instanceof Error && e.cause.stack !== undefined) ctx.err(`caused by: ${e.cause.stack}`);
}

/**
 * Runs the CLI with `argv` (without the node and script entries) and returns the exit code.
 * @example await runCli(['profile', 'validate', 'profile.yaml']) // 0, 1 or 2
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const secrets = new SecretRegistry();
  const debug = argv.includes('--debug');
  const levelAt = argv.indexOf('--log-level');
  const level = (levelAt >= 0 ? argv[levelAt + 1] : undefined) ?? process.env.NETLOOM_LOG_LEVEL ?? (debug ? 'debug' : 'warn');
  let logger: Logger | undefined;
  const ctx: Ctx = {
    io,
    secrets,
    debug,
    exitCode: EXIT.OK,
    out: (line = '') => io.stdout(`${secrets.redact(line).trimEnd()}\n`),
    err: (line = '') => io.stderr(`${secrets.redact(line)}\n`),
    logger: () => (logger ??= createLogger({ level, secrets })),
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.OK;
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return EXIT.USAGE;
    }
    printError(ctx, e);
    return EXIT.FAILED;
  }
}
