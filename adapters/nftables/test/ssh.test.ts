// The SSH runner against an in-process SSH server (ssh2's Server on 127.0.0.1, port 0) that plays a remote nft:
// host key verification (pinned fingerprint, known_hosts, verify: false only when asked), credentials never in a
// message or log line, commands sent as quoted argument vectors, the script on stdin. No root needed.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Connection } from 'ssh2';
import { ErrorCode, isNetloomError, type DeviceTarget, type Logger } from '@netloom/ports';
import { NftablesDriver, SshNftRunner, sha256Fingerprint } from '@netloom/adapter-nftables';

const PASSWORD = 'hunter2-very-secret';
const USER = 'netloom';

interface Exec {
  readonly command: string;
  readonly stdin: string;
}

/** What the fake remote answers to a command. */
function answer(command: string): { stdout: string; stderr: string; code: number } {
  if (command.endsWith(`'nft' '--version'`)) return { stdout: 'nftables v1.0.9 (Old Doc Yak #3)\n', stderr: '', code: 0 };
  if (command === 'uname -n -r') return { stdout: 'fw1 6.1.0-21-amd64\n', stderr: '', code: 0 };
  if (command.includes(`'list' 'table'`)) return { stdout: '', stderr: 'Error: No such file or directory\nlist table inet netloom\n                 ^^^^^^^\n', code: 1 };
  if (command.endsWith(`'-f' '-'`)) return { stdout: '', stderr: '', code: 0 };
  // Observe also reads the firewall's interfaces for legs: none here.
  if (command.endsWith(`'-details' '-json' 'addr' 'show'`)) return { stdout: '[]\n', stderr: '', code: 0 };
  return { stdout: '', stderr: `sh: unexpected command ${command}\n`, code: 127 };
}

function startServer(hostKey: string): Promise<{ port: number; execs: Exec[]; dropAll(): void; close(): Promise<void> }> {
  const execs: Exec[] = [];
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === USER && ctx.password === PASSWORD) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const stdin = Buffer.concat(chunks).toString('utf8');
            execs.push({ command: info.command, stdin });
            if (stdin.includes('DROP-THE-CONNECTION')) {
              client.end();
              return;
            }
            const a = answer(info.command);
            if (a.stdout !== '') stream.write(a.stdout);
            if (a.stderr !== '') stream.stderr.write(a.stderr);
            stream.exit(a.code);
            stream.end();
          });
        });
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        execs,
        dropAll: () => {
          for (const c of clients) c.end();
        },
        close: () =>
          new Promise<void>((done) => {
            for (const c of clients) c.end();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A logger that keeps every line (to prove no secret reaches it). */
function capturingLogger(lines: string[]): Logger {
  const log = (level: string) => (obj: object, msg?: string) => lines.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

const code = (c: string) => (e: unknown) => isNetloomError(e) && e.code === c;
const noSecret = (e: unknown): boolean => !JSON.stringify({ message: (e as Error).message, details: (e as { details?: unknown }).details }).includes(PASSWORD);

describe('nftables over SSH (in-process SSH server)', () => {
  const key = utils.generateKeyPairSync('ed25519');
  const otherKey = utils.generateKeyPairSync('ed25519');
  const blob = (k: { public: string }): Buffer => {
    const parsed = utils.parseKey(k.public);
    if (parsed instanceof Error) throw parsed;
    return parsed.getPublicSSH();
  };
  const fingerprint = sha256Fingerprint(blob(key));
  let srv: Awaited<ReturnType<typeof startServer>>;
  let dir: string;

  before(async () => {
    srv = await startServer(key.private);
    dir = mkdtempSync(join(tmpdir(), 'netloom-nft-ssh-'));
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    srv.execs.length = 0;
  });

  const target = (over: Partial<DeviceTarget> = {}): DeviceTarget => ({
    name: 'vfw-ssh',
    address: '127.0.0.1',
    port: srv.port,
    credentials: { username: USER, password: PASSWORD },
    hostKey: { verify: true, fingerprint },
    ...over,
  });

  it('connects with a pinned fingerprint; facts, observe and the commands it sends', async () => {
    const lines: string[] = [];
    const driver = new NftablesDriver({ target: target(), options: { mode: 'ssh', netns: 'vfw1' }, logger: capturingLogger(lines) });
    const s = await driver.connect();
    try {
      const f = await s.facts();
      assert.deepEqual({ vendor: f.vendor, model: f.model, osVersion: f.osVersion, hostname: f.hostname, kernel: f.extra?.['kernel'] }, { vendor: 'netfilter', model: 'nftables', osVersion: '1.0.9', hostname: 'fw1', kernel: '6.1.0-21-amd64' });
      assert.deepEqual((await s.observe()).config, { zone: {}, addressSet: {}, policy: {} });
      assert.ok(srv.execs.some((e) => e.command === `'ip' 'netns' 'exec' 'vfw1' 'nft' '-j' 'list' 'table' 'inet' 'netloom'`), srv.execs.map((e) => e.command).join('\n'));
      assert.ok(srv.execs.some((e) => e.command === `'ip' '-n' 'vfw1' '-details' '-json' 'addr' 'show'`), srv.execs.map((e) => e.command).join('\n'));
    } finally {
      await s.close();
    }
    assert.ok(!lines.join('\n').includes(PASSWORD));
  });

  it('sends a script on the standard input of nft -f -', async () => {
    const runner = await SshNftRunner.connect({ target: target() });
    try {
      const r = await runner.run(['-f', '-'], 'add table inet netloom\n');
      assert.equal(r.code, 0);
      assert.deepEqual(srv.execs.at(-1), { command: `'nft' '-f' '-'`, stdin: 'add table inet netloom\n' });
    } finally {
      await runner.close();
    }
  });

  it('refuses a host key that does not match the pinned fingerprint (DeviceConnectionError, no secret)', async () => {
    const wrong = sha256Fingerprint(blob(otherKey));
    const driver = new NftablesDriver({ target: target({ hostKey: { verify: true, fingerprint: wrong } }), options: { mode: 'ssh' }, logger: capturingLogger([]) });
    await assert.rejects(driver.connect(), (e: unknown) => code(ErrorCode.DEVICE_CONNECTION)(e) && /host key not trusted/.test((e as Error).message) && (e as Error).message.includes(fingerprint) && noSecret(e));
    assert.deepEqual(srv.execs, []);
  });

  it('trusts a key listed in a known_hosts file, and refuses one listed with another key', async () => {
    const good = join(dir, 'known_hosts');
    writeFileSync(good, `# lab\n[127.0.0.1]:${srv.port} ${key.public.split(' ').slice(0, 2).join(' ')}\n`);
    const s = await new NftablesDriver({ target: target({ hostKey: { verify: true, knownHostsFile: good } }), options: { mode: 'ssh' }, logger: capturingLogger([]) }).connect();
    await s.close();
    const bad = join(dir, 'known_hosts_other');
    writeFileSync(bad, `[127.0.0.1]:${srv.port} ${otherKey.public.split(' ').slice(0, 2).join(' ')}\n`);
    const driver = new NftablesDriver({ target: target({ hostKey: { verify: true, knownHostsFile: bad } }), options: { mode: 'ssh' }, logger: capturingLogger([]) });
    await assert.rejects(driver.connect(), (e: unknown) => code(ErrorCode.DEVICE_CONNECTION)(e) && /lists a different key/.test((e as Error).message));
  });

  it('accepts any key only with verify: false; without a fingerprint or file it refuses to connect', async () => {
    const s = await new NftablesDriver({ target: target({ hostKey: { verify: false } }), options: { mode: 'ssh' }, logger: capturingLogger([]) }).connect();
    await s.close();
    const { hostKey: _none, ...withoutHostKey } = target();
    await assert.rejects(new NftablesDriver({ target: withoutHostKey, options: { mode: 'ssh' }, logger: capturingLogger([]) }).connect(), code(ErrorCode.INPUT_INVALID));
  });

  it('a refused password is a DeviceAuthError that names the user, never the password (nor in the log)', async () => {
    const lines: string[] = [];
    const wrong = 'not-the-password-' + PASSWORD;
    const driver = new NftablesDriver({ target: target({ credentials: { username: USER, password: wrong } }), options: { mode: 'ssh' }, logger: capturingLogger(lines) });
    await assert.rejects(driver.connect(), (e: unknown) => code(ErrorCode.DEVICE_AUTH)(e) && (e as Error).message.includes(USER) && !(e as Error).message.includes(wrong) && noSecret(e));
    assert.ok(!lines.join('\n').includes(wrong));
  });

  it('a lost connection is re-established with backoff before the next run', async () => {
    const runner = await SshNftRunner.connect({ target: target(), reconnect: { attempts: 3, delayMs: 20 } });
    try {
      assert.equal((await runner.run(['--version'])).code, 0);
      srv.dropAll();
      for (let i = 0; i < 100 && runner.connected; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(runner.connected, false, 'the runner should notice the dropped connection');
      const r = await runner.run(['--version']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /v1\.0\.9/);
      assert.equal(runner.connections, 2);
    } finally {
      await runner.close();
    }
  });

  it('a run whose connection drops is a DeviceConnectionError saying the outcome is unknown (never repeated)', async () => {
    const runner = await SshNftRunner.connect({ target: target(), reconnect: { attempts: 1, delayMs: 20 } });
    try {
      await assert.rejects(runner.run(['-f', '-'], 'DROP-THE-CONNECTION\n'), (e: unknown) => code(ErrorCode.DEVICE_CONNECTION)(e) && /outcome is unknown/.test((e as Error).message));
      assert.equal(srv.execs.filter((e) => e.stdin.includes('DROP-THE-CONNECTION')).length, 1);
    } finally {
      await runner.close();
    }
  });

  it('an unreachable host is a DeviceConnectionError', async () => {
    const closed = srv.port === 1 ? 2 : 1;
    const driver = new NftablesDriver({ target: target({ port: closed }), options: { mode: 'ssh' }, logger: capturingLogger([]) });
    await assert.rejects(driver.connect(), code(ErrorCode.DEVICE_CONNECTION));
  });
});
