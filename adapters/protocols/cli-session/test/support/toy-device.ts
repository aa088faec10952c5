/**
 * A scripted toy device behind a real ssh2 server, with a Huawei VRP8-like CLI: `<dev>` user view,
 * `system-view` → `[~dev]`, config lines → `[*dev]`, `commit` → `[~dev]`, `quit`/`return`, an unknown command →
 * caret line + `Error: Unrecognized command found at '^' position.`, a `[Y/N]` question, slow and hanging
 * commands, a flooding command with a `  ---- More ----` pager, character echo with Huawei's " ESC[1D" junk,
 * ANSI colours and a first-login "Change now? [Y/N]" question. It records what it was sent.
 *
 * Listens on 127.0.0.1 only, on a free port.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { Server, utils, type Connection, type ServerChannel } from 'ssh2';

export interface ToyDeviceOptions {
  readonly username?: string;
  readonly password?: string;
  /** An OpenSSH public key line accepted for public key authentication. */
  readonly clientPublicKey?: string;
  readonly hostname?: string;
  /** Ask "Change now? [Y/N]:" after login (default true). */
  readonly askPasswordChange?: boolean;
  /** `screen-length 0 temporary` turns paging off (default true; false emulates a device where it does not). */
  readonly pagingOffWorks?: boolean;
  /** Delay of `display slow`, ms (default 150). */
  readonly slowMs?: number;
  /** Lines printed by `display flood` (default 60); pages of 24 when paging is on. */
  readonly floodLines?: number;
}

export interface ToyHostKey {
  /** `ssh-ed25519 AAAA...` */
  readonly publicLine: string;
  readonly type: string;
  readonly base64: string;
  /** Computed here from the key blob, independently of the library under test. */
  readonly fingerprintSha256: string;
}

export interface ToyDevice {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly hostKey: ToyHostKey;
  /** Every line entered at a prompt, in order, over all connections. */
  readonly commands: string[];
  /** Every answer typed to a question. */
  readonly answers: { readonly question: string; readonly answer: string }[];
  /** Keys typed at a pager prompt. */
  readonly pagerKeys: string[];
  /** Config lines committed. */
  readonly committed: string[];
  /** Passwords tried (to prove a wrong one was really sent). */
  readonly passwordsTried: string[];
  /** Shells started so far. */
  shells(): number;
  /** SSH connections currently open. */
  openConnections(): number;
  /** Every raw byte typed into any shell (as text). */
  received(): string;
  /** Disconnects every client now. */
  dropAll(): void;
  stop(): Promise<void>;
}

const ERROR_UNRECOGNISED = "Error: Unrecognized command found at '^' position.";
const PAGER = '  ---- More ----';
const PAGER_ERASE = '\x1b[16D                \x1b[16D';
const JUNK_EVERY = 16;

/**
 * An ed25519 key pair that ssh2 can read back. ssh2 1.17's generator strips leading zero bytes of the public key,
 * so about 1 key in 256 is malformed (mscdex/ssh2 issues #1390, #1513): generate until both halves parse.
 */
export function generateUsableKeyPair(): { readonly private: string; readonly public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

function sha256Fp(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface DeviceLog {
  readonly commands: string[];
  readonly answers: { question: string; answer: string }[];
  readonly pagerKeys: string[];
  readonly committed: string[];
  raw: string;
  shells: number;
}

type View = { kind: 'user' } | { kind: 'system' } | { kind: 'bd'; id: string };

/** One shell: line editing, echo, views and the scripted commands. */
class ToyShell {
  private view: View = { kind: 'user' };
  private dirty = false;
  private staged: string[] = [];
  private paging = true;
  private line = '';
  private lastWasCr = false;
  private question?: { text: string; then: (answer: string) => void };
  private pager?: { next: () => void; quit: () => void };
  private busy = false;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ch: ServerChannel,
    private readonly log: DeviceLog,
    private readonly o: Required<Omit<ToyDeviceOptions, 'clientPublicKey'>>,
    private readonly end: () => void,
  ) {
    ch.on('data', (d: Buffer) => this.input(d.toString('utf8')));
    ch.on('close', () => this.dispose());
  }

  start(): void {
    this.out('\r\nInfo: The max number of VTY users is 5, and the number\r\n      of current VTY users on line is 1.\r\n');
    if (this.o.askPasswordChange) {
      this.ask('Warning: The initial password poses security risks.\r\nThe password needs to be changed. Change now? [Y/N]:', 'Change now? [Y/N]:', () => this.prompt());
    } else this.prompt();
  }

  dispose(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private out(text: string): void {
    if (!this.closed) this.ch.write(text);
  }

  private promptText(): string {
    const h = this.o.hostname;
    const mark = this.dirty ? '*' : '~';
    switch (this.view.kind) {
      case 'user':
        return `<${h}>`;
      case 'system':
        return `[${mark}${h}]`;
      default:
        return `[${mark}${h}-bd${this.view.id}]`;
    }
  }

  private prompt(): void {
    this.busy = false;
    this.out(this.promptText());
  }

  private ask(text: string, question: string, then: (answer: string) => void): void {
    this.question = { text: question, then };
    this.out(text);
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) f();
    }, ms);
    this.timers.add(t);
  }

  private input(text: string): void {
    this.log.raw += text;
    for (const ch of text) {
      if (this.pager !== undefined) {
        this.log.pagerKeys.push(ch);
        const p = this.pager;
        this.pager = undefined;
        if (ch === 'q') p.quit();
        else p.next();
        continue;
      }
      if (ch === '\n' && this.lastWasCr) {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = ch === '\r';
      if (ch === '\r' || ch === '\n') {
        this.out('\r\n');
        const line = this.line;
        this.line = '';
        this.enter(line);
        continue;
      }
      if (ch === '\x7f' || ch === '\b') {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          this.out('\b \b');
        }
        continue;
      }
      if (ch === '\x03') {
        this.line = '';
        this.out('^C\r\n');
        this.prompt();
        continue;
      }
      this.line += ch;
      // Huawei VRP echoes long lines with " ESC[1D" in them; emulate it every 16 characters.
      this.out(this.line.length % JUNK_EVERY === 0 ? `${ch} \x1b[1D` : ch);
    }
  }

  private enter(line: string): void {
    if (this.question !== undefined) {
      const q = this.question;
      this.question = undefined;
      this.log.answers.push({ question: q.text, answer: line });
      q.then(line);
      return;
    }
    if (this.busy) return; // typed ahead while a command runs: a real device would buffer; the toy ignores it
    this.log.commands.push(line);
    this.busy = true;
    this.execute(line.trim());
  }

  private execute(cmd: string): void {
    if (cmd === '') return this.prompt();
    if (cmd === 'screen-length 0 temporary' && this.view.kind === 'user') {
      if (this.o.pagingOffWorks) this.paging = false;
      this.out('Info: The configuration takes effect on the current user terminal interface only.\r\n');
      return this.prompt();
    }
    if (cmd === 'display version') {
      this.out('Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 8.180 (CE6881 V200R019C10SPC800)\r\n\r\nHUAWEI CE6881-48S6CQ uptime is 1 day, 2 hours, 3 minutes\r\n');
      return this.prompt();
    }
    if (cmd === 'display ansi') {
      this.out('\x1b[1mInterface\x1b[0m        Status\r\n100GE1/0/1       \x1b[32mup\x1b[0m\r\n');
      return this.prompt();
    }
    if (cmd === 'display slow') {
      this.later(this.o.slowMs, () => {
        this.out('slow result\r\n');
        this.prompt();
      });
      return;
    }
    if (cmd === 'display hang') return; // never answers
    if (cmd === 'display flood') return this.flood(1);
    if (cmd === 'drop') {
      this.out('Info: dropping the connection.\r\n');
      this.later(10, () => this.end());
      return;
    }
    if (cmd === 'reset counters') {
      this.ask('Warning: This will reset all counters. Continue? [Y/N]:', 'Continue? [Y/N]:', (a) => {
        this.out(/^y/i.test(a) ? 'Info: Counters were reset.\r\n' : 'Info: Cancelled.\r\n');
        this.prompt();
      });
      return;
    }
    if (cmd === 'system-view' && this.view.kind === 'user') {
      this.view = { kind: 'system' };
      this.out('Enter system view, return user view with return command.\r\n');
      return this.prompt();
    }
    if (cmd === 'return') {
      this.view = { kind: 'user' };
      return this.prompt();
    }
    if (cmd === 'quit') {
      if (this.view.kind === 'bd') this.view = { kind: 'system' };
      else if (this.view.kind === 'system') this.view = { kind: 'user' };
      else {
        this.end();
        return;
      }
      return this.prompt();
    }
    if (this.view.kind !== 'user') {
      if (cmd === 'commit') {
        this.log.committed.push(...this.staged);
        this.staged = [];
        this.dirty = false;
        return this.prompt();
      }
      const bd = /^bridge-domain (\d+)$/.exec(cmd);
      if (bd !== null) {
        this.view = { kind: 'bd', id: bd[1]! };
        this.stage(cmd);
        return this.prompt();
      }
      if (/^(sysname \S+|vlan batch [\d ]+|description .+)$/.test(cmd) || (this.view.kind === 'bd' && /^vxlan vni \d+$/.test(cmd))) {
        this.stage(cmd);
        return this.prompt();
      }
    }
    this.out(`${' '.repeat(14)}^\r\n${ERROR_UNRECOGNISED}\r\n`);
    this.prompt();
  }

  private stage(line: string): void {
    this.staged.push(line);
    this.dirty = true;
  }

  private flood(from: number): void {
    const total = this.o.floodLines;
    let n = from;
    let page = 0;
    while (n <= total) {
      this.out(`flood line ${n}\r\n`);
      n++;
      page++;
      if (this.paging && page === 24 && n <= total) {
        this.out(PAGER);
        this.pager = {
          next: () => {
            this.out(PAGER_ERASE);
            this.flood(n);
          },
          quit: () => {
            this.out(`${PAGER_ERASE}\r\n`);
            this.prompt();
          },
        };
        return;
      }
    }
    this.prompt();
  }
}

/**
 * Starts a toy device. Always `stop()` it (in `after`), also when a test failed.
 *
 * @example const dev = await startToyDevice({ password: 'pw' }); ...; await dev.stop();
 */
export async function startToyDevice(options: ToyDeviceOptions = {}): Promise<ToyDevice> {
  const o = {
    username: options.username ?? 'netloom',
    password: options.password ?? 'toy-password',
    hostname: options.hostname ?? 'dev',
    askPasswordChange: options.askPasswordChange ?? true,
    pagingOffWorks: options.pagingOffWorks ?? true,
    slowMs: options.slowMs ?? 150,
    floodLines: options.floodLines ?? 60,
  };
  const keys = generateUsableKeyPair();
  const [type, base64] = keys.public.trim().split(/\s+/) as [string, string];
  const hostKey: ToyHostKey = { publicLine: `${type} ${base64}`, type, base64, fingerprintSha256: sha256Fp(Buffer.from(base64, 'base64')) };
  const clientKey = options.clientPublicKey === undefined ? undefined : utils.parseKey(options.clientPublicKey);
  if (clientKey instanceof Error) throw clientKey;

  const log: DeviceLog = { commands: [], answers: [], pagerKeys: [], committed: [], raw: '', shells: 0 };
  const passwordsTried: string[] = [];
  const clients = new Set<Connection>();
  const shells = new Set<ToyShell>();

  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    // ssh2's server Connection has setNoDelay at runtime, but @types/ssh2 omits it.
    (client as Connection & { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password') {
        passwordsTried.push(ctx.password);
        if (safeEqual(ctx.username, o.username) && safeEqual(ctx.password, o.password)) return ctx.accept();
        return ctx.reject(['password', 'publickey']);
      }
      if (ctx.method === 'publickey' && clientKey !== undefined && safeEqual(ctx.username, o.username) && ctx.key.algo === clientKey.type && ctx.key.data.equals(clientKey.getPublicSSH())) {
        if (ctx.signature === undefined) return ctx.accept();
        if (ctx.blob !== undefined && clientKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      return ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (acceptPty) => acceptPty?.());
        session.on('window-change', (acceptWc) => acceptWc?.());
        session.on('shell', (acceptShell) => {
          const ch = acceptShell();
          log.shells++;
          const shell = new ToyShell(ch, log, o, () => client.end());
          shells.add(shell);
          ch.on('close', () => shells.delete(shell));
          shell.start();
        });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    hostKey,
    commands: log.commands,
    answers: log.answers,
    pagerKeys: log.pagerKeys,
    committed: log.committed,
    passwordsTried,
    shells: () => log.shells,
    openConnections: () => clients.size,
    received: () => log.raw,
    dropAll: () => {
      for (const c of clients) c.end();
    },
    stop: async () => {
      for (const s of shells) s.dispose();
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
