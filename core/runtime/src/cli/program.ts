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
import { createLogger } from '../logger';
import { displayPath, loadProfile, type LoadedProfile, type ProfileProblem } from '../profile/profile.loader';
import { SecretRegistry } from '../secrets';
import { adapterInfo, adapterListing, type AdapterInfo } from './format';
import { EXIT, loadAll, plural, printProblems, printWarnings, processIO, type CliIO, type Ctx } from './context';
import { adapterNewCommand } from './adapter-new.command';
import { conformanceRunCommand } from './conformance.command';
import { labCommand } from './lab.command';
import { applyCommand, demoCommand, driftCommand, planCommand, runCommand, type OutputFormat } from './pipeline.commands';

/** The adapters built into the runtime (listed by `netloom adapters` without a profile). */
export const BUILTIN_ADAPTERS = ['@netloom/adapter-fake', '@netloom/adapter-sqlite', '@netloom/adapter-scenario'] as const;

function readVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
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

  const output = () => new Option('-o, --output <format>', 'text for people, json for machines').choices(['text', 'json']).default('text');
  program
    .command('plan')
    .description('show, per device, the changes and the exact operations netloom would run; writes nothing')
    .requiredOption('-p, --profile <file>', 'the deployment profile')
    .addOption(output())
    .action(async (opts: { profile: string; output: OutputFormat }) => {
      ctx.exitCode = await planCommand(ctx, opts);
    });
  program
    .command('apply')
    .description('plan, ask, then apply every device (verify, confirm; roll back and compensate on failure)')
    .requiredOption('-p, --profile <file>', 'the deployment profile')
    .option('-y, --yes', 'apply without asking')
    .addOption(output())
    .action(async (opts: { profile: string; yes?: boolean; output: OutputFormat }) => {
      ctx.exitCode = await applyCommand(ctx, opts);
    });
  program
    .command('run')
    .description('run the controller loop: watch the source, batch changes, reconcile, resync periodically')
    .requiredOption('-p, --profile <file>', 'the deployment profile')
    .addOption(output())
    .action(async (opts: { profile: string; output: OutputFormat }) => {
      ctx.exitCode = await runCommand(ctx, opts);
    });
  program
    .command('drift')
    .description('desired, last applied and actual side by side for every object that differs')
    .requiredOption('-p, --profile <file>', 'the deployment profile')
    .addOption(output())
    .action(async (opts: { profile: string; output: OutputFormat }) => {
      ctx.exitCode = await driftCommand(ctx, opts);
    });
  program
    .command('demo')
    .description('run netloom on the embedded lab: play the example scenario step by step against in-process devices')
    .option('-p, --profile <file>', 'use this profile instead of docs/examples/embedded.yaml')
    .option('--state <file>', 'keep the state (allocations, journal) in this SQLite file instead of a temporary one')
    .option('--watch', 'keep running after the last step (the controller loop)')
    .action(async (opts: { profile?: string; state?: string; watch?: boolean }) => {
      ctx.exitCode = await demoCommand(ctx, opts);
    });

  const adapterCmd = program.command('adapter').description('work on adapter packages');
  adapterCmd
    .command('new')
    .description('scaffold an adapter package for one device port: builds as generated, and the conformance kit runs on it')
    .argument('<id>', 'the adapter id: lower-case letters, digits and dashes (huawei-ce)')
    .requiredOption('--port <port>', 'the device port it provides: fabric, vswitch, firewall or loadBalancer')
    .option('--vendor <name>', 'the vendor name in its manifest (default: the first word of the id)')
    .option('--dir <dir>', 'where to write it (default: adapters/<id>); must not exist or be empty')
    .action((id: string, opts: { port: string; vendor?: string; dir?: string }) => {
      ctx.exitCode = adapterNewCommand(ctx, { id, ...opts });
    });

  const conformance = program.command('conformance').description('check an adapter package against the shared conformance kit');
  conformance
    .command('run')
    .description('run the conformance checks of an adapter: on the simulator targets it ships, a lab device (target file, optionally recorded) or a recorded run')
    .requiredOption('-a, --adapter <package>', 'the adapter package name (or a path to its directory)')
    .option('-t, --target <target>', 'where to run: simulator, replay:<dir> (a recorded run) or the path of a live target file (a lab device)', 'simulator')
    .option('--record <dir>', 'with a live target: record the run (redacted) into this folder for replay')
    .option('--replay-dir <dir>', 'with --target replay: the folder of the recorded run')
    .option('--junit <file>', 'write JUnit XML (one testsuite per port, one testcase per check)')
    .option('--markdown <file>', 'write a Markdown report')
    .action(async (opts: { adapter: string; target: string; record?: string; replayDir?: string; junit?: string; markdown?: string }) => {
      ctx.exitCode = await conformanceRunCommand(ctx, opts);
    });
  const lab = program.command('lab').description('the lab with real packets: Open vSwitch nodes, the hardware-VTEP emulator, pods as namespaces (root; docs/lab.md)');
  for (const [action, what] of [
    ['up', 'build the lab in network namespaces and start the controller against the test API server (or the scenario source)'],
    ['test', 'run the checks with real packets; one PASS/FAIL line per check, non-zero exit on any FAIL'],
    ['down', 'remove everything the state file lists (also after a failed up) and verify that nothing remains'],
  ] as const) {
    const cmd = lab
      .command(action)
      .description(what)
      .option('--dir <dir>', 'the lab directory: state file, sockets, logs', '/run/netloom-lab')
      .option('--keep', 'down: keep the lab directory (logs, databases)');
    if (action === 'up') cmd.option('--source <source>', 'where the controller reads the cluster: kubernetes (the test API server) or scenario (the scenario source)', 'kubernetes');
    cmd.action(async (opts: { dir: string; keep?: boolean; source?: string }) => {
      ctx.exitCode = await labCommand(ctx, action, opts);
    });
  }
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
