// The Huawei CE simulator over a real SSH client: login, prompts and views, syntax errors, paging, faults.
import { strict as assert } from 'node:assert';
import { ExpectShell, clean } from './support/expect-shell';
import { Fixture, USER } from './support/fixture';

describe('Huawei CE simulator: sessions', () => {
  const fx = new Fixture();
  afterEach(() => fx.cleanup());

  it('accepts the configured password, pins the host key, and shows the user view prompt', async () => {
    const sim = await fx.start();
    const ep = sim.endpoint!;
    assert.match(ep.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(ep.host, '127.0.0.1');
    const shell = await ExpectShell.open({ host: ep.host, port: ep.port, username: USER.username, password: USER.password, hostKeyFingerprint: ep.hostKeyFingerprint });
    try {
      const banner = await shell.expect(/(?:^|\n)(<[^>]+>)$/);
      assert.equal(banner.match[1], '<Leaf1>');
      assert.match(banner.before, /^Info: The max number of VTY users is 21/);
      assert.equal(sim.stats.logins, 1);
      assert.equal(sim.stats.sessionsOpen, 1);
    } finally {
      await shell.close();
    }
  });

  it('rejects a wrong password and an unknown user, and counts the failures', async () => {
    const sim = await fx.start();
    const ep = sim.endpoint!;
    const events: Array<{ username: string; ok: boolean }> = [];
    sim.on('login', (e) => events.push({ username: e.username, ok: e.ok }));
    await assert.rejects(ExpectShell.open({ ...ep, username: USER.username, password: 'wrong' }), /authentication/i);
    await assert.rejects(ExpectShell.open({ ...ep, username: 'nobody', password: USER.password }), /authentication/i);
    assert.equal(sim.stats.logins, 0);
    assert.ok(sim.stats.loginFailures >= 2);
    assert.ok(events.every((e) => !e.ok));
    assert.ok(!JSON.stringify(events).includes(USER.password));
  });

  it('refuses a client that pins another host key', async () => {
    const sim = await fx.start();
    const ep = sim.endpoint!;
    await assert.rejects(ExpectShell.open({ ...ep, username: USER.username, password: USER.password, hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }));
  });

  it('renders the prompt of every view and the dirty flag, and moves between views with quit and return', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    const seen: Array<[string, string]> = [];
    for (const line of [
      'system-view',
      'bridge-domain 10',
      'evpn-overlay enable',
      'bridge-domain 10',
      'evpn',
      'quit',
      'ip vpn-instance vpn1',
      'ipv4-family',
      'interface Vbdif10',
      'interface 10GE1/0/2.1 mode l2',
      'interface Nve1',
      'interface LoopBack0',
      'interface 10GE1/0/3',
      'quit',
    ]) {
      const r = await sh.run(line);
      assert.doesNotMatch(r.output, /Error/, `${line}: ${r.output}`);
      seen.push([line, r.prompt]);
    }
    assert.deepEqual(seen, [
      ['system-view', '[~Leaf1]'],
      ['bridge-domain 10', '[*Leaf1-bd10]'],
      // A system-view command typed in a sub-view runs there and returns to the system view.
      ['evpn-overlay enable', '[*Leaf1]'],
      ['bridge-domain 10', '[*Leaf1-bd10]'],
      ['evpn', '[*Leaf1-bd10-evpn]'],
      ['quit', '[*Leaf1-bd10]'],
      ['ip vpn-instance vpn1', '[*Leaf1-vpn-instance-vpn1]'],
      ['ipv4-family', '[*Leaf1-vpn-instance-vpn1-af-ipv4]'],
      ['interface Vbdif10', '[*Leaf1-Vbdif10]'],
      ['interface 10GE1/0/2.1 mode l2', '[*Leaf1-10GE1/0/2.1]'],
      ['interface Nve1', '[*Leaf1-Nve1]'],
      ['interface LoopBack0', '[*Leaf1-LoopBack0]'],
      ['interface 10GE1/0/3', '[*Leaf1-10GE1/0/3]'],
      ['quit', '[*Leaf1]'],
    ]);

    // `return` with uncommitted changes asks; C(ancel) stays, N(o) discards and leaves.
    let r = await sh.answer('return', 'Uncommitted configurations found. Are you sure to commit them before exiting? [Y(yes)/N(no)/C(cancel)]:', 'c');
    assert.equal(r.prompt, '[*Leaf1]');
    r = await sh.answer('return', '[Y(yes)/N(no)/C(cancel)]:', 'n');
    assert.equal(r.prompt, '<Leaf1>');
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 10/);

    // Y(es) commits, then leaves.
    await fx.type(sh, ['system-view', 'bridge-domain 20']);
    r = await sh.answer('return', '[Y(yes)/N(no)/C(cancel)]:', 'y');
    assert.equal(r.prompt, '<Leaf1>');
    assert.match(sim.runningConfig(), /\nbridge-domain 20\n/);
    assert.equal(sim.commitHistory().length, 1);

    // Without changes `quit` from the system view asks nothing; from the user view it ends the session.
    await fx.type(sh, ['system-view']);
    assert.equal((await sh.run('quit')).prompt, '<Leaf1>');
    sh.send('quit\r');
    await sh.closed;
  });

  it('prints a caret under the offending word for unknown, incomplete, wrong-parameter and ambiguous commands', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    // `<Leaf1>` is 7 characters: the caret column is the prompt width plus the word's column.
    let r = await sh.run('dispaly version');
    assert.equal(r.output, `${' '.repeat(7)}^\nError: Unrecognized command found at '^' position.`);
    r = await sh.run('display versoin');
    assert.equal(r.output, `${' '.repeat(7 + 8)}^\nError: Unrecognized command found at '^' position.`);
    await fx.type(sh, ['system-view']);
    // `[~Leaf1]` is 8 characters.
    r = await sh.run('bridge-domain');
    assert.equal(r.output, `${' '.repeat(8 + 'bridge-domain'.length)}^\nError: Incomplete command found at '^' position.`);
    r = await sh.run('bridge-domain 16777216');
    assert.equal(r.output, `${' '.repeat(8 + 14)}^\nError: Wrong parameter found at '^' position.`);
    // `i` abbreviates both `interface` and `ip`.
    r = await sh.run('i Vbdif10');
    assert.equal(r.output, `${' '.repeat(8)}^\nError: Ambiguous command found at '^' position.`);
    // Keywords may be abbreviated when the prefix is unique.
    r = await sh.run('disp vers');
    assert.match(r.output, /^Huawei Versatile Routing Platform Software\nVRP \(R\) software, Version 8\.180 \(CE6881 V200R005C10SPC800\)/);
    assert.equal(r.prompt, '[~Leaf1]');
    assert.equal(sim.stats.perKind.unrecognized, 2);
    assert.equal(sim.stats.perKind.incomplete, 1);
    assert.equal(sim.stats.perKind['wrong-parameter'], 1);
    // Nothing was changed by the errors.
    assert.equal(sim.commitHistory().length, 0);
  });

  it('edits the line: backspace, CR LF as one line end, escape sequences ignored', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    const from = sh.transcript.length;
    sh.send('displax\x7fy ver\x1b[Dsion\r\n');
    await sh.expect(/HUAWEI CE6881-48S6CQ uptime is[^\n]*\n<Leaf1>$/);
    // Give a stray LF the chance to run an (empty) command, then type an empty line.
    await new Promise((r) => setTimeout(r, 50));
    sh.send('\r');
    await sh.prompt();
    const text = sh.transcript.slice(from);
    // Echo of the typed characters with the backspace erased on screen.
    assert.ok(text.startsWith('displax\b \by version\r\n'), JSON.stringify(text.slice(0, 40)));
    // Two prompts: after the command and after the empty line; CR LF was one line end.
    assert.equal(text.split('<Leaf1>').length - 1, 2);
    assert.equal(sim.stats.perKind['display version'], 1);
  });

  it('pages long output with ---- More ---- until screen-length 0 temporary turns paging off', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim, { paging: true });
    sh.send('display current-configuration\r');
    const first = await sh.expect('---- More ----');
    const firstPage = first.before.split('\n').slice(1);
    // 24 lines per page (VRP default), then the pager prompt.
    assert.equal(firstPage.length, 25);
    assert.equal(firstPage[0], '!Software Version V200R005C10SPC800');
    sh.send(' ');
    await sh.expect('---- More ----');
    sh.send(' ');
    await sh.expect('---- More ----');
    // q ends the output; the prompt comes back.
    sh.send('q');
    assert.equal(await sh.prompt(), '<Leaf1>');

    // Space to the end: every line arrives exactly once.
    sh.send('display current-configuration\r');
    let text = '';
    for (;;) {
      const { before, match } = await sh.expect(/ {2}---- More ----|(?:^|\n)<Leaf1>$/);
      text += before;
      if (!match[0].includes('More')) break;
      sh.send(' ');
    }
    const lines = clean(text).replace(/ {16}/g, '').split('\n');
    assert.ok(lines.includes('interface 100GE1/0/6'));
    assert.equal(lines.filter((l) => l === 'interface 10GE1/0/1').length, 1);
    assert.equal(lines[lines.length - 1], 'return');

    const off = await sh.run('screen-length 0 temporary');
    assert.equal(off.output, 'Info: The configuration takes effect on the current user terminal interface only.');
    const all = await sh.run('display current-configuration');
    assert.doesNotMatch(all.output, /More/);
    assert.match(all.output, /\nreturn$/);
  });

  it('filters display output with | include, | exclude and | begin', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 10', 'vxlan vni 10', 'bridge-domain 20', 'commit', 'return']);
    assert.equal((await sh.run('display current-configuration | include ^bridge-domain')).output, 'bridge-domain 10\nbridge-domain 20');
    assert.equal((await sh.run('display current-configuration | begin ^bridge-domain 20')).output.split('\n')[0], 'bridge-domain 20');
    assert.doesNotMatch((await sh.run('display current-configuration | exclude interface')).output, /interface/);
    const bad = await sh.run('display current-configuration | include (');
    assert.match(bad.output, /Error: Wrong parameter found at '\^' position\./);
  });

  it('drops the TCP connection when a matching command arrives, before the command runs', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    const dropped = sim.next('connection-dropped');
    sim.dropConnectionDuring(/^commit/);
    await fx.type(sh, ['system-view', 'bridge-domain 10']);
    sh.send('commit\r');
    await sh.closed;
    assert.equal((await dropped).when, 'before');
    assert.equal(sim.commitHistory().length, 0);
    assert.doesNotMatch(sim.runningConfig(), /bridge-domain 10/);
    assert.equal(sim.stats.connectionsDropped, 1);
    // The fault was one-shot and the candidate of the dead session is gone: a new session commits normally.
    const sh2 = await fx.shell(sim);
    await fx.type(sh2, ['system-view']);
    assert.equal((await sh2.run('display configuration candidate changes')).output, '');
    await fx.type(sh2, ['bridge-domain 11', 'commit']);
    assert.match(sim.runningConfig(), /bridge-domain 11/);
  });

  it('drops the connection after the command ran when asked to (the commit took effect, its output was lost)', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    sim.dropConnectionDuring('^commit$', { when: 'after' });
    await fx.type(sh, ['system-view', 'bridge-domain 10']);
    sh.send('commit\r');
    await sh.closed;
    assert.equal(sim.commitHistory().length, 1);
    assert.match(sim.runningConfig(), /bridge-domain 10/);
  });

  it('delays a matching command without reordering the commands typed after it', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    const handle = sim.delayCommand(/^display version$/, 150);
    const from = sh.transcript.length;
    sh.send('display version\rdisplay bridge-domain\r');
    await sh.expect(/The total number of bridge-domains is : 0[\s\S]*\n<Leaf1>$/);
    const text = clean(sh.transcript.slice(from));
    const version = text.indexOf('Huawei Versatile Routing Platform Software');
    const echo2 = text.indexOf('display bridge-domain');
    assert.ok(version > 0 && echo2 > version, 'the second command is read (and echoed) only after the delayed one finished');
    handle.clear();
    assert.equal(sim.stats.perKind['display version'], 1);
    assert.equal(sim.stats.perKind['display bridge-domain'], 1);
  });

  it('runs one command on an exec channel', async () => {
    const { Client } = await import('ssh2');
    const sim = await fx.start();
    const ep = sim.endpoint!;
    const out = await new Promise<string>((resolve, reject) => {
      const c = new Client();
      c.on('error', reject);
      c.on('ready', () =>
        c.exec('display version', (err, stream) => {
          if (err !== undefined) return reject(err);
          let text = '';
          stream.on('data', (d: Buffer) => (text += d.toString()));
          stream.on('close', () => {
            c.end();
            resolve(text);
          });
        }),
      );
      c.connect({ host: ep.host, port: ep.port, username: USER.username, password: USER.password });
    });
    assert.match(out, /^Huawei Versatile Routing Platform Software\r\n/);
  });

  it('asks the first-login password question when configured and saves with [Y/N]', async () => {
    const sim = await fx.start({ users: [{ ...USER, firstLogin: true }] });
    const ep = sim.endpoint!;
    const sh = await ExpectShell.open({ ...ep, username: USER.username, password: USER.password });
    try {
      await sh.expect('Change now? [Y/N]:');
      sh.send('N\r');
      assert.equal(await sh.prompt(), '<Leaf1>');
      let r = await sh.answer('save', 'Continue? [Y/N]:', 'n');
      assert.equal(sim.savedConfig(), undefined);
      r = await sh.answer('save', 'Continue? [Y/N]:', 'y');
      assert.match(r.output, /Info: Save the configuration successfully\./);
      assert.equal(sim.savedConfig(), sim.runningConfig());
    } finally {
      await sh.close();
    }
  });
});
