import { strict as assert } from 'node:assert';
import { DeviceAuthError, DeviceConnectionError, InputError } from '@netloom/ports';
import {
  CliCommandError,
  CliSession,
  ReplayDivergedError,
  ReplayTransport,
  openReplaySession,
  transcriptFromJson,
  transcriptToJson,
  type CliRunResult,
  type CliTranscript,
} from '@netloom/cli-session';
import { startToyDevice, type ToyDevice } from './support/toy-device';
import { toyDialect } from './support/toy-dialect';
import { PASSWORD, SessionPool, rejection } from './support/helpers';

const SECRET = 'evpn-shared-key-42';

/** The script both the live and the replayed session run; returns what each step produced. */
async function script(s: CliSession): Promise<Array<CliRunResult | string>> {
  const out: Array<CliRunResult | string> = [];
  const step = async (p: Promise<CliRunResult | CliRunResult[]>): Promise<void> => {
    try {
      const r = await p;
      if (Array.isArray(r)) out.push(...r);
      else out.push(r);
    } catch (e) {
      out.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
  };
  await step(s.run('display version'));
  await step(s.runAll(['system-view', 'bridge-domain 10', 'vxlan vni 10010', `description ${SECRET}`, 'quit', 'commit']));
  await step(s.run('bogus command'));
  await step(s.run('return'));
  await step(s.run('reset counters'));
  await step(s.run('display ansi'));
  await step(s.run('drop'));
  await step(s.reconnect().then(() => s.run('display flood')));
  return out;
}

describe('transcripts and replay', () => {
  let dev: ToyDevice;
  let recorded: CliTranscript;
  let liveResults: Array<CliRunResult | string>;
  const pool = new SessionPool();

  before(async () => {
    // A pager too, so the replay has to press the continue key at the same points.
    dev = await startToyDevice({ password: PASSWORD, pagingOffWorks: false });
    const live = await pool.open(dev, { secrets: [SECRET] });
    liveResults = await script(live);
    await live.close();
    recorded = transcriptFromJson(transcriptToJson(live.transcript()));
    // Replays below run with the device gone: they cannot reach it by accident.
    await dev.stop();
  });
  afterEach(() => pool.closeAll());
  after(() => pool.closeAll());

  it('records what the script did (sanity of the recording)', () => {
    assert.equal(recorded.dialect, 'toy-vrp8');
    assert.equal(recorded.target, `127.0.0.1:${dev.port}`);
    assert.deepEqual(
      recorded.entries.filter((e) => e.dir === 'event').map((e) => e.text.split(/[ :]/)[0]),
      ['connect', 'closed-by-device', 'connect', 'close'],
    );
    assert.ok(recorded.entries.some((e) => e.dir === 'send' && e.text === 'description ***\n'));
    assert.ok(recorded.entries.some((e) => e.dir === 'send' && e.text === ' '), 'a pager key was recorded');
    assert.match(String(liveResults[7]), /^CliCommandError: .*bogus command/);
    assert.match(String(liveResults[11]), /^DeviceConnectionError: .*closed by the device/);
    const flood = liveResults[12] as CliRunResult;
    assert.equal(flood.output.split('\n').length, 60);
  });

  it('round-trips a transcript through JSON unchanged', () => {
    assert.deepEqual(transcriptFromJson(transcriptToJson(recorded)), recorded);
    const text = transcriptToJson(recorded);
    assert.ok(!text.includes(PASSWORD));
    assert.ok(!text.includes(SECRET));
  });

  it('rejects a malformed transcript with the path and reason of every problem', () => {
    const bad = JSON.stringify({ format: 'netloom.cli-transcript', version: 1, startedAt: 'x', entries: [{ t: 0, dir: 'sideways', text: 'x' }, { t: -1, dir: 'send', text: 3 }], extra: 1 });
    assert.throws(
      () => transcriptFromJson(bad),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        const paths = e.problems.map((p) => `${p.path}: ${p.reason}`);
        assert.deepEqual(paths, [
          'entries[0].dir: expected "send" | "recv" | "event", got "sideways"',
          'entries[1].t: -1 is outside 0..9007199254740991',
          'entries[1].text: expected string, got 3',
          'extra: unknown field',
        ], JSON.stringify(paths));
        return true;
      },
    );
    assert.throws(() => transcriptFromJson('{not json'), InputError);
    assert.throws(() => transcriptFromJson(JSON.stringify({ ...recorded, version: 2 })), InputError);
  });

  it('replays a recorded session deterministically: same outputs, same errors, no device', async () => {
    const transport = new ReplayTransport(recorded, { secrets: [SECRET] });
    const replay = pool.track(await CliSession.openWith(transport, { dialect: toyDialect, secrets: [SECRET], timeouts: { commandMs: 2_000 } }));
    assert.equal(replay.view, 'dev');
    const replayed = await script(replay);
    assert.deepEqual(replayed, liveResults);
    await replay.close();
    assert.equal(transport.consumed, recorded.entries.length, 'the whole recording was used');
  });

  it('replays without knowing the secret: a recorded *** matches what is sent', async () => {
    const replay = pool.track(await openReplaySession(recorded, toyDialect, { timeouts: { commandMs: 2_000 } }));
    const replayed = await script(replay);
    assert.deepEqual(replayed, liveResults);
    assert.equal((replayed[4] as CliRunResult).command, `description ${SECRET}`);
    assert.equal((replayed[4] as CliRunResult).output, '');
  });

  it('fails clearly when the replay diverges from the recording', async () => {
    const replay = pool.track(await openReplaySession(recorded, toyDialect));
    const e = await rejection(replay.run('display bogus'), ReplayDivergedError);
    assert.match(e.message, /^replay diverged: expected send "display version\\n" got send "display bogus\\n" \(transcript entry \d+\)$/);
    assert.equal(e.expected, 'send "display version\\n"');
    assert.equal(replay.state, 'broken');
    await rejection(replay.run('display version'), DeviceConnectionError);
  });

  it('fails clearly when the replay runs past the end of the recording', async () => {
    const cut = recorded.entries.findIndex((e) => e.dir === 'send' && e.text === 'system-view\n');
    const short: CliTranscript = { ...recorded, entries: recorded.entries.slice(0, cut) };
    const replay = pool.track(await openReplaySession(short, toyDialect));
    assert.match((await replay.run('display version')).output, /VRP \(R\) software/);
    const e = await rejection(replay.run('system-view'), ReplayDivergedError);
    assert.match(e.message, /^replay diverged: expected end of transcript got send "system-view\\n"/);
  });

  it('replays a device error as the same mapped error', async () => {
    const replay = pool.track(await openReplaySession(recorded, toyDialect, { secrets: [SECRET] }));
    await replay.run('display version');
    await replay.runAll(['system-view', 'bridge-domain 10', 'vxlan vni 10010', `description ${SECRET}`, 'quit', 'commit']);
    const e = await rejection(replay.run('bogus command'), CliCommandError);
    assert.equal(e.deviceMessage, "Error: Unrecognized command found at '^' position.");
  });

  it('replays a hand-written transcript, and a recorded login failure as the same error class', async () => {
    const written = transcriptFromJson(
      JSON.stringify({
        format: 'netloom.cli-transcript',
        version: 1,
        startedAt: '2025-01-01T00:00:00.000Z',
        target: 'leaf1:22',
        entries: [
          { t: 0, dir: 'event', text: 'connect leaf1:22' },
          { t: 1, dir: 'event', text: 'connect-failed DEVICE.AUTH: leaf1:22 refused the credentials of user "netloom" (password authentication)' },
          { t: 2, dir: 'event', text: 'connect leaf1:22' },
          { t: 3, dir: 'recv', text: '\r\n<leaf1>' },
          { t: 4, dir: 'send', text: 'screen-length 0 temporary\n' },
          { t: 5, dir: 'recv', text: 'screen-length 0 temporary\r\nInfo: ok.\r\n<leaf1>' },
          { t: 6, dir: 'send', text: 'display bridge-domain\n' },
          { t: 7, dir: 'recv', text: 'display bridge-domain\r\nBDID  State\r\n10    up\r\n<leaf1>' },
        ],
      }),
    );
    const transport = new ReplayTransport(written);
    const e = await rejection(CliSession.openWith(transport, { dialect: toyDialect }), DeviceAuthError);
    assert.match(e.message, /refused the credentials/);
    const s = pool.track(await CliSession.openWith(transport, { dialect: toyDialect }));
    assert.equal(s.prompt, '<leaf1>');
    assert.deepEqual(await s.run('display bridge-domain'), { command: 'display bridge-domain', output: 'BDID  State\n10    up', prompt: '<leaf1>', view: 'leaf1', groups: { view: 'leaf1' } });
  });
});
