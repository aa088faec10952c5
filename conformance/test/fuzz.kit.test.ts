// The injection fuzz kit (@netloom/conformance/fuzz) bites: its arbitraries are hostile, a fuzzed value is put into
// the sample with every key recomputed by the port's own key function, its judgements fail injected, malformed or
// log-unsafe output, and runInjectionFuzz fails broken adapters (in a child mocha, so their failures are data here).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { fabricSamples } from '@netloom/conformance';
import {
  COMMAND_WORDS,
  KEY_OF_PORT,
  assertContained,
  assertRefused,
  hostileString,
  planInjectionFuzz,
  richestSample,
  stringFields,
  unsafeMessageCharacter,
  withFieldValue,
} from '@netloom/conformance/fuzz';
import { FabricConfigCodec, InputError, decodeProblems, describeValue, type RenderedOperation } from '@netloom/ports';
import { adapter as fakeAdapter } from '@netloom/adapter-fake';
import { fakeTarget } from './fake.target';

const ROOT = path.resolve(__dirname, '..', '..');
const throwsFailure = (fn: () => void, re: RegExp): void => assert.throws(fn, (e: Error) => e.name === 'ConformanceFailure' && re.test(e.message));

describe('injection fuzz kit', () => {
  it('hostileString: newlines, C1 controls, U+2028, over-long values, command words and appended commands all show up', () => {
    const sampled = fc.sample(hostileString('ls-web'), { numRuns: 400, seed: 2 });
    assert.ok(sampled.some((v) => v.includes('\n')) && sampled.some((v) => v.includes('\u2028')) && sampled.some((v) => v.includes('\u0085')));
    assert.ok(sampled.some((v) => v.length === 4097) && sampled.some((v) => COMMAND_WORDS.includes(v)));
    assert.ok(sampled.some((v) => v.startsWith('ls-') && /[;|]/.test(v)));
  });

  it('withFieldValue: references follow, keys are recomputed by the port, so a bad remoteIp is judged by the IP check', () => {
    const sample = richestSample(fabricSamples, { ...fakeAdapter.supports.fabric, floodVtep: true });
    const fields = stringFields(sample);
    const remoteIp = fields.find((f) => f.label === 'floodVtep.remoteIp');
    const vrfName = fields.find((f) => f.label === 'vrf.name');
    assert.ok(remoteIp !== undefined && vrfName !== undefined, fields.map((f) => f.label).join(', '));

    const bad = withFieldValue(sample, remoteIp, '192.0.2.256', KEY_OF_PORT.fabric);
    assert.ok(Object.keys(bad['floodVtep'] ?? {}).some((k) => k.endsWith(':192.0.2.256')), 'the key was not recomputed from the new remoteIp');
    const problems = decodeProblems(FabricConfigCodec, bad).problems;
    assert.ok(problems.length > 0 && problems.every((p) => /\.remoteIp$/.test(p.path)), problems.map((p) => `${p.path}: ${p.reason}`).join('\n'));

    const renamed = withFieldValue(sample, vrfName, 'quit', KEY_OF_PORT.fabric);
    assert.deepEqual(decodeProblems(FabricConfigCodec, renamed).problems, []);
    assert.ok(renamed['vrf']!['quit'] !== undefined && Object.values(renamed['segment']!).some((s) => s['vrf'] === 'quit'));
  });

  it('assertContained fails an added token, an added operation, a control character, broken JSON, a bad HTTP path, a name in a flow', () => {
    const cli: RenderedOperation[] = [{ medium: 'cli', text: 'bridge-domain 10010' }, { medium: 'cli', text: 'description ls-web' }];
    assertContained([{ medium: 'cli', text: 'bridge-domain 10010' }, { medium: 'cli', text: 'description quit' }], cli, 'quit', 'cli');
    throwsFailure(() => assertContained([cli[0]!, { medium: 'cli', text: 'description ls web' }], cli, 'ls web', 'cli'), /changed how many tokens/);
    throwsFailure(() => assertContained([...cli, { medium: 'cli', text: 'quit' }], cli, 'x\nquit', 'cli'), /changed the number of operations/);
    throwsFailure(() => assertContained([cli[0]!, { medium: 'cli', text: 'description a\u0085b' }], cli, 'a\u0085b', 'cli'), /control character/);
    throwsFailure(() => assertContained(cli, cli, 'x', 'ovsdb'), /medium "cli" where ovsdb allows ovsdb, openflow/);
    const ovsdb: RenderedOperation[] = [{ medium: 'ovsdb', text: '{"op":"insert","row":{"name":"br-int"}}' }];
    throwsFailure(() => assertContained([{ medium: 'ovsdb', text: '{"op":"insert","row":{"name":"br"int"}}' }], ovsdb, 'br"int', 'ovsdb'), /not JSON/);
    throwsFailure(() => assertContained([{ medium: 'openflow', text: 'br-int: add-flow reg0=evil actions=drop' }], [{ medium: 'openflow', text: 'br-int: add-flow actions=drop' }], 'evil', 'ovsdb'), /reached a flow/);
    const http: RenderedOperation[] = [{ medium: 'http', text: 'POST /mgmt/tm/ltm/pool {"name":"web"}' }];
    throwsFailure(() => assertContained([{ medium: 'http', text: 'PATCH /mgmt/tm/ltm/pool/~p~we"b {"name":"x"}' }], http, 'we"b', 'http-json'), /not METHOD \/path/);
    throwsFailure(() => assertContained([{ medium: 'http', text: 'POST /mgmt/tm/ltm/pool/~p~we b {"name":"we b"}' }], http, 'we b', 'http-json'), /HTTP body is not JSON/);
    throwsFailure(() => assertContained([{ medium: 'memory', text: 'create segment 1 {"name":"a"b"}' }], [{ medium: 'memory', text: 'create segment 1 {"name":"a"}' }], 'a"b', 'memory'), /in-memory record is not JSON/);
  });

  it('assertRefused: an InputError with a log-safe message passes; anything else, a raw separator or an echoed newline fails', () => {
    assertRefused(InputError.fromProblems('desired config', [{ path: 'segment["1"].name', reason: `${describeValue('a\u2028b\nquit')} is not a safe name` }]), 'a\u2028b\nquit');
    throwsFailure(() => assertRefused(new Error('boom'), 'x'), /expected InputError for "x", got Error: "boom"/);
    throwsFailure(() => assertRefused(new InputError('name a\u2028b is bad'), 'a\u2028b'), /raw U\+2028 \(log injection\)/);
    throwsFailure(() => assertRefused(new InputError('name a\u0085b is bad'), 'a\u0085b'), /raw U\+0085/);
    throwsFailure(() => assertRefused(new InputError('name x\nquit is bad'), 'x\nquit'), /echoes the raw value/);
    assert.equal(unsafeMessageCharacter('two\n  lines'), undefined);
    assert.equal(unsafeMessageCharacter('bidi \u202e'), '\u202e');
  });

  it('planInjectionFuzz: validates options and lists one test per string field, then the session and fault tests', () => {
    const plan = planInjectionFuzz({ adapter: fakeAdapter, port: 'fabric', target: fakeTarget('fabric'), medium: 'memory', runs: 7, faultRuns: 0 });
    assert.ok(plan.tests.length === plan.fields.length + 1, plan.tests.join('\n'));
    assert.ok(plan.tests.some((t) => t.startsWith('segment.name: ') && t.includes('(7 runs, plan only)')));
    assert.ok(plan.tests.at(-1)!.startsWith('through the real session'));
    assert.throws(
      () => planInjectionFuzz({ adapter: fakeAdapter, port: 'fabric', target: fakeTarget('fabric'), medium: 'telnet' as 'cli', runs: 0 }),
      (e: Error) => e instanceof InputError && /medium: "telnet" is not one of cli, http-json, ovsdb, nft, memory/.test(e.message) && /runs: 0 is not an integer >= 1/.test(e.message),
    );
  });

  it('runInjectionFuzz fails an adapter that renders a name raw and one whose refusal echoes it raw', function () {
    this.timeout(120_000);
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--require', 'tsx/cjs', '--extension', 'ts', '--timeout', '60000', '--reporter', 'spec', path.join(__dirname, 'fuzz', 'broken-fuzz.fixture.ts')],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NETLOOM_FUZZ_SEED: '' } },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    assert.notEqual(r.status, 0, out);
    // The renderer: segment.name fails (broken JSON or a control character in its record); untouched fields pass.
    assert.match(out, /broken-injects injection fuzzing \(fabric\)/);
    assert.match(out, /segment\.name: a hostile value[^\n]*:\n[\s\S]*?(in-memory record is not JSON|carries a control character|changed how many tokens)/);
    // The leaky refusal: a raw separator or the raw value in the InputError's message.
    assert.match(out, /broken-leaks injection fuzzing \(fabric\)/);
    assert.match(out, /log injection|echoes the raw value/);
    const failing = /(\d+) failing/.exec(out);
    const passing = /(\d+) passing/.exec(out);
    assert.ok(failing !== null && Number(failing[1]) >= 2 && Number(failing[1]) <= 4, out.slice(-3000));
    assert.ok(passing !== null && Number(passing[1]) > 10, 'the fields the broken renderers do not touch still pass');
  });
});
