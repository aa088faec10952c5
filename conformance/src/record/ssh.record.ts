/**
 * `ssh-cli` recording and replay.
 *
 * - {@link startSshRecordingProxy}: an ssh2 server (its own throw-away host key) the adapter logs into, and per
 *   adapter connection one ssh2 client to the device with the target file's credentials. Interactive shells (PTY +
 *   shell) and `exec` channels are forwarded both ways; the byte streams are recorded as alternating input and
 *   output segments (redacted).
 * - {@link startSshReplayServer}: an ssh2 server that accepts any login and answers from the recording: it
 *   compares what the adapter types with the recorded input (only `\r\n` versus `\n` is normalised) and sends the
 *   recorded output.
 *
 * @packageDocumentation
 */
import { StringDecoder } from 'node:string_decoder';
import { Client, Server, type ClientChannel, type Connection, type ConnectConfig, type ServerChannel, type Session } from 'ssh2';
import { fingerprintOfPublicKey, generateHostKey } from '../simulators/cli-device/host-key';
import { listenLocal, type Listener } from './listener';
import type { RecordingRedactor } from './redact';
import type { CheckRecording, RecordedEvent, SessionLog } from './recording';
import { normaliseText, shown, type ReplayScript, type ReplaySession } from './replay.engine';

/** Where the device is and how the proxy logs in (from the target file). */
export interface SshUpstream {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  readonly privateKey?: string;
  /** Verify the device's host key against this OpenSSH `SHA256:` fingerprint (absent: accept any, as the target file says). */
  readonly fingerprint?: string;
  /** SSH handshake limit in ms (default 20 000). */
  readonly readyTimeoutMs?: number;
}

/** A running SSH endpoint for the adapter: where it is and the host key to pin. */
export interface SshEndpoint extends Listener {
  readonly hostKeyFingerprint: string;
}

type Pty = { term?: string; cols?: number; rows?: number };

function ptyOf(info: unknown): Pty {
  const i = (info ?? {}) as { term?: unknown; cols?: unknown; rows?: unknown };
  return {
    ...(typeof i.term === 'string' ? { term: i.term } : {}),
    ...(typeof i.cols === 'number' ? { cols: i.cols } : {}),
    ...(typeof i.rows === 'number' ? { rows: i.rows } : {}),
  };
}

const acceptOptional = (accept: unknown): void => (accept as (() => void) | undefined)?.();

async function sshServer(onClient: (client: Connection) => void): Promise<SshEndpoint> {
  const hostKey = generateHostKey();
  const server = new Server({ hostKeys: [hostKey.privateKey] }, (client) => {
    client.on('error', () => undefined);
    onClient(client);
  });
  const listener = await listenLocal((socket) => server.injectSocket(socket));
  return { host: listener.host, port: listener.port, hostKeyFingerprint: hostKey.fingerprint, close: () => listener.close() };
}

/**
 * Starts the recording proxy for one check: every connection the adapter opens becomes one session of `recording`.
 *
 * @example
 * const proxy = await startSshRecordingProxy({ upstream, redactor, recording });
 * // the adapter connects to proxy.host:proxy.port, pinning proxy.hostKeyFingerprint
 * await proxy.close();
 */
export async function startSshRecordingProxy(opts: { readonly upstream: SshUpstream; readonly redactor: RecordingRedactor; readonly recording: CheckRecording }): Promise<SshEndpoint> {
  const { upstream, redactor, recording } = opts;
  return sshServer((client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () => {
      const log = recording.session();
      const device = new Client();
      const ready = new Promise<boolean>((resolve) => {
        device.once('ready', () => resolve(true));
        device.once('error', () => resolve(false));
        device.once('close', () => resolve(false));
      });
      device.on('error', () => client.end());
      device.on('close', () => client.end());
      client.on('close', () => device.end());
      const config: ConnectConfig = {
        host: upstream.host,
        port: upstream.port,
        username: upstream.username,
        readyTimeout: upstream.readyTimeoutMs ?? 20_000,
        hostVerifier: (key: Buffer): boolean => upstream.fingerprint === undefined || fingerprintOfPublicKey(key) === upstream.fingerprint,
        ...(upstream.password === undefined ? {} : { password: upstream.password }),
        ...(upstream.privateKey === undefined ? {} : { privateKey: upstream.privateKey }),
      };
      device.connect(config);
      let channels = 0;
      client.on('session', (acceptSession) => {
        const session: Session = acceptSession();
        let pty: Pty | undefined;
        session.on('pty', (accept, _reject, info) => {
          pty = ptyOf(info);
          acceptOptional(accept);
        });
        session.on('window-change', (accept) => acceptOptional(accept));
        session.on('env', (accept) => acceptOptional(accept));
        session.on('shell', (accept, reject) => {
          void ready.then((ok) => {
            if (!ok) return reject?.();
            const channel = ++channels;
            log.add({ dir: 'in', type: 'shell', channel, ...(pty === undefined ? {} : { pty }) });
            const p = pty ?? {};
            device.shell({ term: p.term ?? 'vt100', cols: p.cols ?? 80, rows: p.rows ?? 24, width: 0, height: 0 }, (err, upstreamChannel) => {
              if (err !== undefined && err !== null) return reject?.();
              const down = (accept as () => ServerChannel | undefined)();
              if (down !== undefined) pipe(log, channel, down, upstreamChannel, redactor);
            });
          });
        });
        session.on('exec', (accept, reject, info) => {
          void ready.then((ok) => {
            if (!ok) return reject?.();
            const channel = ++channels;
            log.add({ dir: 'in', type: 'exec', channel, command: redactor.text(info.command) });
            device.exec(info.command, pty === undefined ? {} : { pty: { term: pty.term ?? 'vt100', cols: pty.cols ?? 80, rows: pty.rows ?? 24, width: 0, height: 0 } }, (err, upstreamChannel) => {
              if (err !== undefined && err !== null) return reject?.();
              const down = (accept as () => ServerChannel | undefined)();
              if (down !== undefined) pipe(log, channel, down, upstreamChannel, redactor);
            });
          });
        });
        session.on('subsystem', (_accept, reject) => reject());
      });
    });
  });
}

function pipe(log: SessionLog, channel: number, down: ServerChannel, up: ClientChannel, redactor: RecordingRedactor): void {
  const fromAdapter = new StringDecoder('utf8');
  const fromDevice = new StringDecoder('utf8');
  const fromDeviceErr = new StringDecoder('utf8');
  let closed = false;
  down.on('data', (chunk: Buffer) => {
    const text = fromAdapter.write(chunk);
    if (text !== '') log.add({ dir: 'in', type: 'data', channel, text: redactor.text(text) });
    up.write(chunk);
  });
  down.on('end', () => {
    log.add({ dir: 'in', type: 'eof', channel });
    up.end();
  });
  down.on('close', () => {
    if (closed) return;
    closed = true;
    log.add({ dir: 'in', type: 'close', channel });
    up.close();
  });
  up.on('data', (chunk: Buffer) => {
    const text = fromDevice.write(chunk);
    if (text !== '') log.add({ dir: 'out', type: 'data', channel, text: redactor.text(text) });
    down.write(chunk);
  });
  up.stderr.on('data', (chunk: Buffer) => {
    const text = fromDeviceErr.write(chunk);
    if (text !== '') log.add({ dir: 'out', type: 'stderr', channel, text: redactor.text(text) });
    down.stderr.write(chunk);
  });
  up.on('exit', (code: unknown) => {
    if (typeof code === 'number') {
      log.add({ dir: 'out', type: 'exit', channel, code });
      down.exit(code);
    }
  });
  up.on('close', () => {
    if (closed) return;
    closed = true;
    log.add({ dir: 'out', type: 'close', channel });
    down.close();
  });
}

/**
 * Starts the replay server for one check: any login is accepted; each connection plays the next recorded session.
 *
 * @example
 * const server = await startSshReplayServer(script);
 * // the adapter connects to server.host:server.port, pinning server.hostKeyFingerprint
 */
export async function startSshReplayServer(script: ReplayScript): Promise<SshEndpoint> {
  return sshServer((client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () => {
      const channels = new Map<number, ServerChannel>();
      const pending = new Map<number, string>();
      const session: ReplaySession | undefined = script.attach({
        send(e: RecordedEvent) {
          const ch = channels.get(e.channel ?? 1);
          if (ch === undefined) return;
          if (e.type === 'data') ch.write(e.text ?? '');
          else if (e.type === 'stderr') ch.stderr.write(e.text ?? '');
          else if (e.type === 'eof') ch.eof();
          else if (e.type === 'exit') ch.exit(e.code ?? 0);
          else if (e.type === 'close') ch.close();
        },
        close() {
          client.end();
        },
      });
      if (session === undefined) {
        client.end();
        return;
      }
      const s = session;
      client.on('close', () => s.end());
      const input = (channel: number, text: string): void => {
        pending.set(channel, (pending.get(channel) ?? '') + normaliseText(text));
        for (;;) {
          const buffered = pending.get(channel) ?? '';
          if (buffered === '') return;
          const e = s.expected();
          if (e === undefined || e.type !== 'data' || e.channel !== channel) return s.diverge(`data ${shown(buffered)}`);
          const want = normaliseText(e.text ?? '');
          if (buffered.length < want.length) {
            // Complete lines can be judged now: a wrong command fails at once instead of waiting for a timeout.
            const cut = buffered.lastIndexOf('\n');
            if (cut >= 0 && !s.matchText(want.slice(0, cut + 1), buffered.slice(0, cut + 1))) s.diverge(`data ${shown(buffered)}`, `data ${shown(want)}`);
            return;
          }
          const piece = buffered.slice(0, want.length);
          if (!s.matchText(want, piece)) return s.diverge(`data ${shown(piece)}`, `data ${shown(want)}`);
          pending.set(channel, buffered.slice(want.length));
          s.consume();
        }
      };
      const open = (channel: ServerChannel, n: number): void => {
        channels.set(n, channel);
        const decoder = new StringDecoder('utf8');
        channel.on('data', (chunk: Buffer) => {
          const text = decoder.write(chunk);
          if (text !== '') input(n, text);
        });
        channel.on('end', () => {
          const e = s.expected();
          if (e?.type === 'eof' && e.channel === n) s.consume();
        });
        channel.on('close', () => {
          const e = s.expected();
          if (e?.type === 'close' && e.channel === n) s.consume();
        });
      };
      client.on('session', (acceptSession) => {
        const ses: Session = acceptSession();
        ses.on('pty', (accept) => acceptOptional(accept));
        ses.on('window-change', (accept) => acceptOptional(accept));
        ses.on('env', (accept) => acceptOptional(accept));
        ses.on('shell', (accept, reject) => {
          const e = s.expected();
          if (e?.type !== 'shell') {
            reject?.();
            return s.diverge('a shell request');
          }
          const channel = (accept as () => ServerChannel | undefined)();
          if (channel === undefined) return;
          open(channel, e.channel ?? 1);
          s.consume();
        });
        ses.on('exec', (accept, reject, info) => {
          const e = s.expected();
          if (e?.type !== 'exec' || !s.matchText(e.command ?? '', info.command)) {
            reject?.();
            return s.diverge(`exec ${shown(info.command)}`);
          }
          const channel = (accept as () => ServerChannel | undefined)();
          if (channel === undefined) return;
          open(channel, e.channel ?? 1);
          s.consume();
        });
        ses.on('subsystem', (_accept, reject) => reject());
      });
    });
  });
}
