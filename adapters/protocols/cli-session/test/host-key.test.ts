import { strict as assert } from 'node:assert';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceConnectionError, InputError } from '@netloom/ports';
import { CliSession, HOST_KEY_REJECTED, checkKnownHosts, hostKeyCheck, hostMatches, keyTypeOf, parseKnownHosts, sha256Fingerprint, type HostKeyPolicy } from '@netloom/cli-session';
import { generateUsableKeyPair, startToyDevice, type ToyDevice } from './support/toy-device';
import { toyDialect } from './support/toy-dialect';
import { PASSWORD, SessionPool, rejection } from './support/helpers';

// Golden vector made with OpenSSH: `ssh-keygen -t ed25519`, `ssh-keygen -lf`, and `ssh-keygen -H` over a known_hosts
// file listing "[127.0.0.1]:2222" and "leaf1.example.net" with this key.
const VECTOR = {
  base64: 'AAAAC3NzaC1lZDI1NTE5AAAAIN5bpHJeYZQbf3bNV/hbVr4+5wH+ojlVd5jSnTfqDtbu',
  fingerprint: 'SHA256:J+Xh0BSJ/TXCNiD861OyS3lnqp4UrNUoxai432MCats',
  hashedLines: [
    '|1|ztY1snn3S4SGcHJJFnpZmA5g91c=|F11f4JgtEbLgVM40+oW/hH34adQ= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN5bpHJeYZQbf3bNV/hbVr4+5wH+ojlVd5jSnTfqDtbu',
    '|1|iFUZ1UZSTNqMh59osyWsw+PMKcM=|G9q9GXxxsby/mIC4bf1hDHYFs+g= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN5bpHJeYZQbf3bNV/hbVr4+5wH+ojlVd5jSnTfqDtbu',
  ],
};

function otherKeyBase64(): string {
  return generateUsableKeyPair().public.split(' ')[1]!;
}

describe('host key checks (pure)', () => {
  const blob = Buffer.from(VECTOR.base64, 'base64');

  it('computes the SHA-256 fingerprint exactly as ssh-keygen -l prints it', () => {
    assert.equal(sha256Fingerprint(blob), VECTOR.fingerprint);
    assert.equal(keyTypeOf(blob), 'ssh-ed25519');
  });

  it('matches hashed known_hosts entries written by ssh-keygen -H, for [host]:port and for port 22', () => {
    const entries = parseKnownHosts(VECTOR.hashedLines.join('\n'));
    assert.equal(checkKnownHosts(entries, '127.0.0.1', 2222, blob), undefined);
    assert.equal(checkKnownHosts(entries, 'leaf1.example.net', 22, blob), undefined);
    assert.match(checkKnownHosts(entries, '127.0.0.1', 2223, blob) ?? '', /no entry for \[127\.0\.0\.1\]:2223/);
    assert.match(checkKnownHosts(entries, 'leaf1.example.net', 2222, blob) ?? '', /no entry/);
  });

  it('reads plain lines, comments, host lists, wildcards, negation and markers', () => {
    const other = otherKeyBase64();
    const text = [
      '# netloom lab',
      '',
      `leaf1,10.0.0.1 ssh-ed25519 ${VECTOR.base64} leaf1 comment`,
      `*.lab.example ssh-ed25519 ${VECTOR.base64}`,
      `!bad.lab.example,*.lab.example ssh-ed25519 ${other}`,
      `@cert-authority *.lab.example ssh-ed25519 ${other}`,
      `@revoked revoked.lab.example ssh-ed25519 ${VECTOR.base64}`,
      `revoked.lab.example ssh-ed25519 ${VECTOR.base64}`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    assert.equal(entries.length, 5, 'comments, blank lines and @cert-authority are skipped');
    assert.equal(checkKnownHosts(entries, '10.0.0.1', 22, blob), undefined);
    assert.equal(checkKnownHosts(entries, 'leaf1', 22, blob), undefined);
    assert.equal(checkKnownHosts(entries, 'spine.lab.example', 22, blob), undefined);
    assert.match(checkKnownHosts(entries, 'revoked.lab.example', 22, blob) ?? '', /@revoked/);
    assert.equal(hostMatches(['!bad.lab.example', '*.lab.example'], 'bad.lab.example'), false);
    assert.equal(hostMatches(['!bad.lab.example', '*.lab.example'], 'good.lab.example'), true);
    assert.equal(hostMatches(['leaf?'], 'leaf7'), true);
    assert.equal(hostMatches(['leaf?'], 'leaf17'), false);
  });

  it('names a changed key as such', () => {
    const entries = parseKnownHosts(`leaf1 ssh-ed25519 ${otherKeyBase64()}`);
    assert.match(checkKnownHosts(entries, 'leaf1', 22, blob) ?? '', /lists a different key for leaf1 \(line 1\).*intercepting/);
  });

  it('rejects malformed known_hosts lines with InputError naming the line', () => {
    assert.throws(() => parseKnownHosts('leaf1 ssh-ed25519\n@weird leaf2 ssh-ed25519 AAAA', 'kh'), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.deepEqual(
        err.problems.map((p) => p.path),
        ['line 1', 'line 2'],
      );
      return true;
    });
  });

  it('rejects a malformed pinned fingerprint and an empty policy', async () => {
    await rejection(hostKeyCheck({ fingerprintSha256: 'MD5:aa:bb' }, 'h', 22), InputError);
    await rejection(hostKeyCheck({} as unknown as HostKeyPolicy, 'h', 22), InputError);
    await rejection(hostKeyCheck({ insecureAcceptAny: false } as unknown as HostKeyPolicy, 'h', 22), InputError);
  });

  it('accepts a pinned fingerprint with or without the SHA256: prefix and padding', async () => {
    for (const f of [VECTOR.fingerprint, VECTOR.fingerprint.slice('SHA256:'.length), `${VECTOR.fingerprint}=`]) {
      const check = await hostKeyCheck({ fingerprintSha256: f }, 'h', 22);
      assert.equal(check(blob), undefined, f);
    }
    const check = await hostKeyCheck({ fingerprintSha256: [VECTOR.fingerprint] }, 'h', 22);
    assert.match(check(Buffer.from(otherKeyBase64(), 'base64')) ?? '', /does not match the pinned fingerprint SHA256:J\+Xh0/);
  });
});

describe('host key checks against the toy device', () => {
  let dev: ToyDevice;
  let dir: string;
  const pool = new SessionPool();

  before(async () => {
    dev = await startToyDevice({ password: PASSWORD });
    dir = mkdtempSync(join(tmpdir(), 'cli-session-kh-'));
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await pool.closeAll();
    await dev?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function knownHosts(name: string, lines: string[]): string {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  it('connects when the pinned fingerprint matches', async () => {
    const s = await pool.open(dev, { hostKey: { fingerprintSha256: dev.hostKey.fingerprintSha256 } });
    assert.equal(s.view, 'dev');
  });

  it('refuses a mismatching pinned key, naming the fingerprint seen, before sending the password', async () => {
    const tried = dev.passwordsTried.length;
    const shells = dev.shells();
    const pinned = sha256Fingerprint(Buffer.from(otherKeyBase64(), 'base64'));
    const e = await rejection(pool.open(dev, { hostKey: { fingerprintSha256: pinned } }), DeviceConnectionError);
    assert.ok(e.message.includes(dev.hostKey.fingerprintSha256), e.message);
    assert.ok(e.message.includes(`127.0.0.1:${dev.port}`), e.message);
    assert.match(e.message, /host key not trusted: .* presented ssh-ed25519 key .* does not match the pinned fingerprint/);
    assert.ok(e.message.includes(pinned));
    assert.equal(e.details['reason'], HOST_KEY_REJECTED);
    assert.equal(dev.passwordsTried.length, tried, 'no password was sent to an untrusted host');
    assert.equal(dev.shells(), shells);
  });

  it('connects when known_hosts lists the key for [127.0.0.1]:port', async () => {
    const file = knownHosts('ok', ['# lab', `other.example ssh-ed25519 ${otherKeyBase64()}`, `[127.0.0.1]:${dev.port} ${dev.hostKey.publicLine}`]);
    const s = await pool.open(dev, { hostKey: { knownHostsFile: file } });
    assert.equal(s.prompt, '<dev>');
  });

  it('connects with a hashed known_hosts entry', async () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update(`[127.0.0.1]:${dev.port}`).digest();
    const file = knownHosts('hashed', [`|1|${salt.toString('base64')}|${hash.toString('base64')} ${dev.hostKey.publicLine}`]);
    const s = await pool.open(dev, { hostKey: { knownHostsFile: file } });
    assert.equal(s.view, 'dev');
  });

  it('refuses a host that known_hosts does not list', async () => {
    const file = knownHosts('missing', [`127.0.0.1 ${dev.hostKey.publicLine}`, `[127.0.0.1]:1 ${dev.hostKey.publicLine}`]);
    const e = await rejection(pool.open(dev, { hostKey: { knownHostsFile: file } }), DeviceConnectionError);
    assert.ok(e.message.includes(`has no entry for [127.0.0.1]:${dev.port}`), e.message);
    assert.ok(e.message.includes(dev.hostKey.fingerprintSha256), e.message);
  });

  it('refuses a host whose known_hosts key differs', async () => {
    const file = knownHosts('changed', [`[127.0.0.1]:${dev.port} ssh-ed25519 ${otherKeyBase64()}`]);
    const e = await rejection(pool.open(dev, { hostKey: { knownHostsFile: file } }), DeviceConnectionError);
    assert.match(e.message, /lists a different key/);
    assert.ok(e.message.includes(dev.hostKey.fingerprintSha256));
  });

  it('fails clearly when the known_hosts file cannot be read', async () => {
    const e = await rejection(pool.open(dev, { hostKey: { knownHostsFile: join(dir, 'nope') } }), DeviceConnectionError);
    assert.match(e.message, /cannot read known_hosts file .*nope/);
  });

  it('accepts any key only with the explicit insecureAcceptAny: true', async () => {
    const s = await pool.open(dev, { hostKey: { insecureAcceptAny: true } });
    assert.equal(s.view, 'dev');
    await rejection(
      CliSession.open({ host: dev.host, port: dev.port, username: 'netloom', password: PASSWORD, dialect: toyDialect } as unknown as Parameters<typeof CliSession.open>[0]),
      InputError,
    );
  });
});
