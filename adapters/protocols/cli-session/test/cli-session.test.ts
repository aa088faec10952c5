import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DeviceAuthError, DeviceConnectionError, DeviceProtocolError, DeviceTimeoutError, InputError, ErrorCode, type Logger } from '@netloom/ports';
import { CliCommandError, CliSession, transcriptToJson } from '@netloom/cli-session';
import { generateUsableKeyPair, startToyDevice, type ToyDevice } from './support/toy-device';
import { PASSWORD, SessionPool, rejection, until } from './support/helpers';
import { toyDialect } from './support/toy-dialect';

describe('cli-session over SSH (toy Huawei-like device)', () => {
  let dev: ToyDevice;
  const pool = new SessionPool();

  before(async () => {
    dev = await startToyDevice({ password: PASSWORD });
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await pool.closeAll();
    await dev?.stop();
  });

  describe('login', () => {
    it('answers the first-login question with N, turns paging off and reports the user view', async () => {
      const answersBefore = dev.answers.length;
      const commandsBefore = dev.commands.length;
      const s = await pool.open(dev);
      assert.equal(s.state, 'open');
      assert.equal(s.prompt, '<dev>');
      assert.equal(s.view, 'dev');
      assert.deepEqual(dev.answers.slice(answersBefore), [{ question: 'Change now? [Y/N]:', answer: 'N' }]);
      assert.deepEqual(dev.commands.slice(commandsBefore), ['screen-length 0 temporary']);
    });

    it('logs in with a private key', async () => {
      const pair = generateUsableKeyPair();
      const keyDev = await startToyDevice({ clientPublicKey: pair.public, askPasswordChange: false });
      try {
        const s = await CliSession.open({ host: keyDev.host, port: keyDev.port, username: 'netloom', privateKey: pair.private, hostKey: { fingerprintSha256: keyDev.hostKey.fingerprintSha256 }, dialect: toyDialect });
        try {
          assert.equal(s.view, 'dev');
          assert.deepEqual(keyDev.passwordsTried, []);
        } finally {
          await s.close();
        }
      } finally {
        await keyDev.stop();
      }
    });

    it('refuses a wrong password with DeviceAuthError that does not contain it', async () => {
      const wrong = 'Wr0ng-Secret-Pa55';
      const e = await rejection(pool.open(dev, { password: wrong }), DeviceAuthError);
      assert.ok(dev.passwordsTried.includes(wrong), 'the wrong password really reached the device');
      assert.equal(e.code, ErrorCode.DEVICE_AUTH);
      assert.match(e.message, /refused the credentials of user "netloom"/);
      assert.ok(!e.message.includes(wrong));
      assert.ok(!JSON.stringify(e.toJSON()).includes(wrong));
      assert.ok(!JSON.stringify(e.details).includes(wrong));
    });

    it('refuses options without a password or private key, and a bad dialect, with InputError', async () => {
      const e = await rejection(
        CliSession.open({ host: dev.host, port: dev.port, username: 'netloom', hostKey: { fingerprintSha256: dev.hostKey.fingerprintSha256 }, dialect: toyDialect }),
        InputError,
      );
      assert.deepEqual(
        e.problems.map((p) => p.path),
        ['password'],
      );
      await rejection(pool.open(dev, { dialect: { ...toyDialect, prompts: [] } }), InputError);
    });

    it('reports an unreachable device as DeviceConnectionError', async () => {
      const e = await rejection(
        CliSession.open({ host: '127.0.0.1', port: 1, username: 'netloom', password: PASSWORD, hostKey: { insecureAcceptAny: true }, dialect: toyDialect }),
        DeviceConnectionError,
      );
      assert.match(e.message, /127\.0\.0\.1:1/);
      assert.ok(e.cause instanceof Error, 'the socket error is kept as cause');
    });
  });

  describe('commands', () => {
    it('tracks views through system-view, config lines, commit, quit and return', async () => {
      const s = await pool.open(dev);
      const sys = await s.run('system-view');
      assert.deepEqual(sys, { command: 'system-view', output: 'Enter system view, return user view with return command.', prompt: '[~dev]', view: 'dev', groups: { state: '~', view: 'dev' } });
      const bd = await s.run('bridge-domain 10');
      assert.equal(bd.prompt, '[*dev-bd10]');
      assert.equal(bd.view, 'dev-bd10');
      assert.equal(bd.groups['state'], '*');
      assert.equal(bd.output, '');
      assert.equal((await s.run('vxlan vni 10010')).view, 'dev-bd10');
      assert.equal((await s.run('quit')).prompt, '[*dev]');
      const committedBefore = dev.committed.length;
      const commit = await s.run('commit');
      assert.equal(commit.prompt, '[~dev]');
      assert.deepEqual(dev.committed.slice(committedBefore), ['bridge-domain 10', 'vxlan vni 10010']);
      assert.equal((await s.run('return')).prompt, '<dev>');
      assert.equal(s.view, 'dev');
    });

    it('returns exact outputs: echo and prompt removed, CRLF normalised, ANSI rendered away', async () => {
      const s = await pool.open(dev);
      const v = await s.run('display version');
      assert.equal(v.output, 'Huawei Versatile Routing Platform Software\nVRP (R) software, Version 8.180 (CE6881 V200R019C10SPC800)\n\nHUAWEI CE6881-48S6CQ uptime is 1 day, 2 hours, 3 minutes');
      const a = await s.run('display ansi');
      assert.equal(a.output, 'Interface        Status\n100GE1/0/1       up');
    });

    it('removes the echo of a long command that carries Huawei " ESC[1D" junk', async () => {
      const s = await pool.open(dev);
      await s.run('system-view');
      const long = 'description a-rather-long-description-that-wraps-twice';
      const r = await s.run(long);
      assert.equal(r.output, '');
      assert.equal(r.prompt, '[*dev]');
      assert.equal(dev.commands.at(-1), long);
      assert.ok(dev.received().length > 0);
    });

    it('maps an error line to CliCommandError carrying the command and the device text', async () => {
      const s = await pool.open(dev);
      const e = await rejection(s.run('bogus command'), CliCommandError);
      assert.ok(e instanceof DeviceProtocolError);
      assert.equal(e.code, ErrorCode.DEVICE_PROTOCOL);
      assert.equal(e.command, 'bogus command');
      assert.equal(e.deviceMessage, "Error: Unrecognized command found at '^' position.");
      assert.equal(e.output, `${' '.repeat(14)}^\nError: Unrecognized command found at '^' position.`);
      assert.match(e.message, /rejected command "bogus command": Error: Unrecognized command/);
      assert.equal(s.state, 'open', 'a rejected command does not break the session');
      assert.equal((await s.run('display version')).prompt, '<dev>');
    });

    it('answers a [Y/N] question per the dialect; the device records the answer', async () => {
      const s = await pool.open(dev);
      const before = dev.answers.length;
      const r = await s.run('reset counters');
      assert.deepEqual(dev.answers.slice(before), [{ question: 'Continue? [Y/N]:', answer: 'y' }]);
      assert.equal(r.output, 'Warning: This will reset all counters. Continue? [Y/N]:y\nInfo: Counters were reset.');
    });

    it('tries per-call answers before the dialect answers', async () => {
      const s = await pool.open(dev);
      const before = dev.answers.length;
      const r = await s.run('reset counters', { answers: [{ pattern: /Continue\? \[Y\/N\]:$/, answer: 'n' }] });
      assert.deepEqual(dev.answers.slice(before), [{ question: 'Continue? [Y/N]:', answer: 'n' }]);
      assert.match(r.output, /Info: Cancelled\.$/);
    });

    it('ends a command at expectPrompt when the caller wants to handle a question itself', async () => {
      const s = await pool.open(dev);
      const r = await s.run('reset counters', { expectPrompt: /Continue\? \[Y\/N\]:$/, answers: [] , checkErrors: false });
      assert.equal(r.prompt, 'Warning: This will reset all counters. Continue? [Y/N]:');
      const before = dev.answers.length;
      const done = await s.run('n');
      assert.deepEqual(dev.answers.slice(before), [{ question: 'Continue? [Y/N]:', answer: 'n' }]);
      assert.equal(done.output, 'Info: Cancelled.');
    });

    it('refuses control characters with InputError before writing a single byte', async () => {
      const s = await pool.open(dev);
      const before = dev.received();
      const commandsBefore = dev.commands.length;
      for (const bad of ['a\nb', '\x03', 'x\ry', 'tab\there', '\x1b[A', 'nul\x00', 'del\x7f']) {
        const e = await rejection(s.run(bad), InputError);
        assert.equal(e.problems[0]?.path, 'command');
        assert.match(e.problems[0]?.reason ?? '', /control character/);
      }
      assert.equal(dev.received(), before, 'the device saw nothing');
      assert.equal(dev.commands.length, commandsBefore);
      await s.run('display version');
      assert.equal(dev.received().slice(before.length), 'display version\n', 'the next command is the only thing the device got');
    });

    it('lets ";" through (adapters add their own allow-lists)', async () => {
      const s = await pool.open(dev);
      await rejection(s.run('display version; display ansi'), CliCommandError);
      assert.equal(dev.commands.at(-1), 'display version; display ansi');
    });

    it('serialises concurrent calls: one command in flight, in call order', async () => {
      const s = await pool.open(dev);
      const before = dev.commands.length;
      const [slow, version, sys] = await Promise.all([s.run('display slow'), s.run('display version'), s.run('system-view')]);
      assert.equal(slow.output, 'slow result');
      assert.match(version.output, /^Huawei Versatile Routing Platform Software/);
      assert.equal(sys.prompt, '[~dev]');
      assert.deepEqual(dev.commands.slice(before), ['display slow', 'display version', 'system-view']);
    });

    it('returns the whole flood of output in one piece when paging is off', async () => {
      const s = await pool.open(dev);
      const keysBefore = dev.pagerKeys.length;
      const r = await s.run('display flood');
      assert.equal(r.output, Array.from({ length: 60 }, (_, i) => `flood line ${i + 1}`).join('\n'));
      assert.equal(dev.pagerKeys.length, keysBefore, 'no pager appeared');
    });
  });

  describe('runAll', () => {
    it('runs lines in order and stops at the first error, naming the line', async () => {
      const s = await pool.open(dev);
      const before = dev.commands.length;
      const e = await rejection(s.runAll(['system-view', 'bridge-domain 20', 'bogus line', 'vxlan vni 20020']), CliCommandError);
      assert.equal(e.lineIndex, 2);
      assert.equal(e.details['lineIndex'], 2);
      assert.equal(e.command, 'bogus line');
      assert.match(e.message, /\(line 3 of 4\)/);
      assert.deepEqual(dev.commands.slice(before), ['system-view', 'bridge-domain 20', 'bogus line'], 'the line after the error was never sent');
    });

    it('returns one result per line', async () => {
      const s = await pool.open(dev);
      const r = await s.runAll(['system-view', 'bridge-domain 30', 'quit', 'commit', 'return']);
      assert.deepEqual(
        r.map((x) => x.prompt),
        ['[~dev]', '[*dev-bd30]', '[*dev]', '[~dev]', '<dev>'],
      );
    });

    it('checks every line before writing any', async () => {
      const s = await pool.open(dev);
      const before = dev.received();
      const e = await rejection(s.runAll(['display version', 'ok', 'a\nb']), InputError);
      assert.deepEqual(
        e.problems.map((p) => p.path),
        ['lines[2]'],
      );
      assert.equal(dev.received(), before);
    });
  });

  describe('timeouts, drops and reconnects', () => {
    it('waits for a slow command within its timeout', async () => {
      const s = await pool.open(dev);
      assert.equal((await s.run('display slow', { timeoutMs: 5_000 })).output, 'slow result');
    });

    it('times out with DeviceTimeoutError; later calls reject until reconnect()', async () => {
      const s = await pool.open(dev);
      const e = await rejection(s.run('display hang', { timeoutMs: 300 }), DeviceTimeoutError);
      assert.match(e.message, /no prompt within 300 ms after "display hang"/);
      assert.equal(s.state, 'broken');
      const next = await rejection(s.run('display version'), DeviceConnectionError);
      assert.match(next.message, /unusable .*call reconnect\(\)/);
      assert.ok(next.cause instanceof DeviceTimeoutError);
      await rejection(s.run('display version'), DeviceConnectionError);
      const shells = dev.shells();
      await s.reconnect();
      assert.equal(dev.shells(), shells + 1);
      assert.equal(s.state, 'open');
      assert.equal(s.view, 'dev');
      assert.match((await s.run('display version')).output, /VRP \(R\) software/);
    });

    it('turns a connection closed mid-command into DeviceConnectionError, then reconnect() works', async () => {
      const s = await pool.open(dev);
      const e = await rejection(s.run('drop'), DeviceConnectionError);
      assert.match(e.message, /closed by the device/);
      assert.equal(s.state, 'broken');
      await rejection(s.run('display version'), DeviceConnectionError);
      await s.reconnect();
      assert.equal((await s.run('system-view')).prompt, '[~dev]');
    });

    it('reconnects by itself on the next call when reconnect.auto is set', async () => {
      const s = await pool.open(dev, { reconnect: { auto: true, initialDelayMs: 10 } });
      const shells = dev.shells();
      dev.dropAll();
      await until(() => s.state === 'broken');
      const r = await s.run('display version');
      assert.match(r.output, /VRP \(R\) software/);
      assert.equal(dev.shells(), shells + 1);
    });

    it('close() sends the logout line, rejects the call in flight and queued calls, and is idempotent', async () => {
      const s = await pool.open(dev);
      const before = dev.commands.length;
      await s.close();
      assert.deepEqual(dev.commands.slice(before), ['quit']);
      assert.equal(s.state, 'closed');
      await rejection(s.run('display version'), DeviceConnectionError);
      await s.close();

      const t = await pool.open(dev);
      const inFlight = t.run('display hang', { timeoutMs: 10_000 });
      const queued = t.run('display version');
      await until(() => dev.commands.at(-1) === 'display hang');
      await t.close();
      await rejection(inFlight, DeviceConnectionError);
      await rejection(queued, DeviceConnectionError);
    });
    it('leaves nothing running after close(): a process that used a session exits by itself', async () => {
      // Keepalive intervals, command timers, backoff sleeps or sockets left behind would keep the child alive.
      const script = join(__dirname, 'support', 'open-run-close.ts');
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      clearTimeout(killer);
      assert.equal(code, 0, `child did not exit cleanly by itself: ${out}`);
      assert.match(out, /^closed: timeout, reconnect and close went through$/m);
    });
  });

  describe('secrets', () => {
    it('never puts the password or a configured secret in the transcript or an error', async () => {
      const secret = 'vni-key-123456789';
      const logged: string[] = [];
      const logger: Logger = {
        debug: (o, m) => void logged.push(JSON.stringify([o, m])),
        info: (o, m) => void logged.push(JSON.stringify([o, m])),
        warn: (o, m) => void logged.push(JSON.stringify([o, m])),
        error: (o, m) => void logged.push(JSON.stringify([o, m])),
        child: (b) => (logged.push(JSON.stringify(b)), logger),
      };
      const s = await pool.open(dev, { secrets: [secret], logger });
      await s.run('system-view');
      // 24 characters before the secret: the device's " ESC[1D" junk lands inside the echoed secret.
      await s.run(`description ${secret}`);
      const e = await rejection(s.run(`bogus ${secret}`), CliCommandError);
      for (const text of [e.message, JSON.stringify(e.toJSON()), e.command, e.output]) {
        assert.ok(!text.includes(secret), `secret leaked into ${text}`);
        assert.ok(!text.includes(PASSWORD));
      }
      assert.equal(e.command, 'bogus ***');
      const json = transcriptToJson(s.transcript());
      assert.ok(!json.includes(PASSWORD), 'password in transcript');
      assert.ok(!json.includes(secret), 'secret in transcript');
      assert.ok(!json.includes('vni-key'), 'part of the secret in transcript');
      assert.ok(json.includes('description ***'), 'the redacted command is recorded');
      assert.ok(logged.some((l) => l.includes('bogus ***')), 'commands are logged, redacted');
      for (const l of logged) {
        assert.ok(!l.includes(secret) && !l.includes('vni-key') && !l.includes(PASSWORD), `secret in log line ${l}`);
      }
    });
  });
});

describe('cli-session pager fallback (paging off does not work)', () => {
  let dev: ToyDevice;
  const pool = new SessionPool();
  before(async () => {
    dev = await startToyDevice({ password: PASSWORD, pagingOffWorks: false });
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await pool.closeAll();
    await dev?.stop();
  });

  it('presses the continue key at every "---- More ----" and returns clean output', async () => {
    const s = await pool.open(dev);
    const r = await s.run('display flood');
    assert.deepEqual(dev.pagerKeys, [' ', ' ']);
    assert.equal(r.output, Array.from({ length: 60 }, (_, i) => `flood line ${i + 1}`).join('\n'));
    assert.equal(r.prompt, '<dev>');
  });
});
