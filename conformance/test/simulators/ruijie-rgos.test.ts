// The Ruijie RGOS simulator over a real SSH client (ssh2, PTY shell): login and the first-login question, prompts
// per mode, privilege levels, paging, immediate-apply configuration, `no`, IOS-style errors, faults, out-of-band
// changes, concurrent writers and option validation.
import { strict as assert } from 'node:assert';
import {
  RuijieRgosSimulator,
  findChild,
  nodeAt,
  ruijieRgosPortRange,
  type RuijieRgosSimulatorOptions,
} from '@netloom/conformance/simulators';
import { isNetloomError } from '@netloom/ports';
import { ExpectShell, clean } from './support/expect-shell';

const USER = { username: 'netloom', password: 'n3tl00m-Rgos-Secret' } as const;

/** An RGOS prompt at the very end of the output: `Leaf1>`, `Leaf1#`, `Leaf1(config-if-VLAN 10)#`. */
const RGOS_PROMPT = /(?:^|\n)([\w.-]+(?:\([^()\r\n]*\))?[>#])$/;

/** A shell that knows RGOS prompts. */
class Rgos {
  constructor(readonly shell: ExpectShell) {}

  /** Waits for the next prompt; returns it. */
  async prompt(): Promise<string> {
    return (await this.shell.expect(RGOS_PROMPT)).match[1]!;
  }

  /** Types `line`, waits for the next prompt; returns the output after the echoed line (trailing newlines dropped). */
  async run(line: string): Promise<{ output: string; prompt: string }> {
    this.shell.send(`${line}\r`);
    const { before, match } = await this.shell.expect(RGOS_PROMPT);
    const echoEnd = before.indexOf('\n');
    return { output: echoEnd < 0 ? '' : before.slice(echoEnd + 1).replace(/\n+$/, ''), prompt: match[1]! };
  }

  /** Types lines; fails on the first one whose output holds a `%` error line. Returns the last prompt. */
  async type(lines: readonly string[]): Promise<string> {
    let prompt = '';
    for (const line of lines) {
      const r = await this.run(line);
      if (/^%/m.test(r.output)) throw new Error(`"${line}" was refused: ${r.output}`);
      prompt = r.prompt;
    }
    return prompt;
  }
}

/** Simulators and shells of one test, cleaned up afterwards (also when the test fails). */
class Fixture {
  private readonly sims: RuijieRgosSimulator[] = [];
  private readonly shells: ExpectShell[] = [];

  async start(options: RuijieRgosSimulatorOptions = {}): Promise<RuijieRgosSimulator> {
    const sim = new RuijieRgosSimulator({ hostname: 'Leaf1', users: [USER], ...options });
    this.sims.push(sim);
    await sim.start();
    return sim;
  }

  /** Opens a PTY shell (host key pinned) and waits for the first prompt. */
  async open(sim: RuijieRgosSimulator, user: { username: string; password: string } = USER): Promise<ExpectShell> {
    const ep = sim.endpoint!;
    const shell = await ExpectShell.open({ host: ep.host, port: ep.port, hostKeyFingerprint: ep.hostKeyFingerprint, ...user });
    this.shells.push(shell);
    return shell;
  }

  /** Logs in, and (unless `raw`) runs what netmiko runs: `enable`, `terminal length 0`, `terminal width 256`. */
  async login(sim: RuijieRgosSimulator, opts: { readonly raw?: boolean } = {}): Promise<Rgos> {
    const rgos = new Rgos(await this.open(sim));
    await rgos.prompt();
    if (opts.raw !== true) await rgos.type(['enable', 'terminal length 0', 'terminal width 256']);
    return rgos;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.shells.splice(0).map((s) => s.close()));
    await Promise.all(this.sims.splice(0).map((s) => s.stop()));
  }
}

/** A full EVPN-VXLAN leaf in the simulator's syntax (see the strings table), as an adapter would type it. */
const LEAF_LINES = [
  'vrf definition vpc-shop',
  'description netloom:vpc-shop',
  'rd 65000:50001',
  'vni 50001',
  'route-target both 65000:50001',
  'exit',
  'vlan 10',
  'name ls-web',
  'description netloom:10010',
  'vxlan vni 10010',
  'exit',
  'interface Loopback 0',
  'ip address 10.0.0.11 255.255.255.255',
  'interface VLAN 10',
  'description netloom:10010',
  'vrf forwarding vpc-shop',
  'ip address 10.1.0.1 255.255.255.0',
  'ipv6 address fd00:1::1/64',
  'mac-address 0000.5e00.0101',
  'anycast-gateway',
  'interface Nve 1',
  'source-interface Loopback 0',
  'member vni 10010',
  'member vni 50001 associate-vrf',
  'interface TenGigabitEthernet 0/1',
  'description netloom:TenGigabitEthernet 0/1:10',
  'switchport mode trunk',
  'switchport trunk allowed vlan only 10',
] as const;

/** The leaf as `show running-config` must print it, without the 56 physical ports in between. */
const LEAF_TOP = [
  '!',
  'version RGOS 11.0(5)B9P59',
  'hostname Leaf1',
  '!',
  'vlan 10',
  ' name ls-web',
  ' description netloom:10010',
  ' vxlan vni 10010',
  '!',
  'vrf definition vpc-shop',
  ' description netloom:vpc-shop',
  ' rd 65000:50001',
  ' vni 50001',
  ' route-target export 65000:50001',
  ' route-target import 65000:50001',
  '!',
  'interface TenGigabitEthernet 0/1',
  ' description netloom:TenGigabitEthernet 0/1:10',
  ' switchport mode trunk',
  ' switchport trunk allowed vlan only 10',
  '!',
  'interface TenGigabitEthernet 0/2',
];
const LEAF_BOTTOM = [
  'interface HundredGigabitEthernet 0/56',
  '!',
  'interface VLAN 10',
  ' description netloom:10010',
  ' vrf forwarding vpc-shop',
  ' ip address 10.1.0.1 255.255.255.0',
  ' ipv6 address fd00:1::1/64',
  ' mac-address 0000.5e00.0101',
  ' anycast-gateway',
  '!',
  'interface Loopback 0',
  ' ip address 10.0.0.11 255.255.255.255',
  '!',
  'interface Nve 1',
  ' source-interface Loopback 0',
  ' member vni 10010',
  ' member vni 50001 associate-vrf',
  '!',
  'end',
];

/** `n` spaces then a caret, then the IOS invalid-input line. */
const caretAt = (n: number): string => `${' '.repeat(n)}^\n% Invalid input detected at '^' marker.`;

describe('Ruijie RGOS simulator', () => {
  const fx = new Fixture();
  afterEach(() => fx.cleanup());

  describe('login and sessions', () => {
    it('accepts the configured password with a pinned host key and starts in user EXEC', async () => {
      const sim = await fx.start();
      assert.match(sim.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      const sh = await fx.login(sim, { raw: true });
      assert.equal(sh.shell.transcript.replace(/\r/g, ''), 'Leaf1>', 'no banner, no question: just the prompt');
      assert.equal(sim.stats.logins, 1);
      assert.deepEqual(
        sim.sessions().map((s) => [s.user, s.level, s.prompt]),
        [[USER.username, 'user', 'Leaf1>']],
      );
    });

    it('rejects a wrong password and an unknown user, and never reports the password', async () => {
      const sim = await fx.start();
      const seen: string[] = [];
      sim.on('login', (e) => seen.push(JSON.stringify(e)));
      await assert.rejects(fx.open(sim, { username: USER.username, password: 'wrong' }), /authentication/i);
      await assert.rejects(fx.open(sim, { username: 'nobody', password: USER.password }), /authentication/i);
      assert.equal(sim.stats.logins, 0);
      assert.ok(sim.stats.loginFailures >= 2);
      assert.ok(seen.length >= 2 && seen.every((e) => e.includes('"ok":false') && !e.includes(USER.password)));
    });

    it('asks the first-login password question, continues after `n`, and starts privileged users in `#`', async () => {
      const first = { username: 'fresh', password: 'Fresh-Pass-1' };
      const admin = { username: 'root15', password: 'Root-Pass-15' };
      const sim = await fx.start({ users: [USER, { ...first, firstLogin: true }, { ...admin, privileged: true }] });
      const shell = await fx.open(sim, first);
      const q = await shell.expect(/Do you want to change the password[^\n]*$/);
      assert.equal(q.before, '');
      shell.send('n\r');
      const sh = new Rgos(shell);
      assert.equal(await sh.prompt(), 'Leaf1>');
      assert.equal((await sh.run('show version')).prompt, 'Leaf1>', 'the session works after the answer');

      const root = new Rgos(await fx.open(sim, admin));
      assert.equal(await root.prompt(), 'Leaf1#');
      // A user without the flag is not asked.
      const plain = await fx.login(sim, { raw: true });
      assert.doesNotMatch(plain.shell.transcript, /change the password/);
    });
  });

  describe('modes and prompts', () => {
    it('shows the prompt of every mode, accepts abbreviations, and runs global commands from sub-modes', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim, { raw: true });
      const seen: Array<[string, string]> = [];
      for (const line of [
        'enable',
        'conf t',
        'vlan 10',
        'exit',
        'vrf definition vpn1',
        'interface vlan 10',
        'int te0/2',
        'interface HundredGigabitEthernet 0/49',
        'interface loopback 0',
        'int nve 1',
        'vlan 20',
        'end',
        'configure terminal',
        'hostname Spine9',
        'exit',
        'disable',
      ]) {
        const r = await sh.run(line);
        assert.doesNotMatch(r.output, /^%/m, `${line}: ${r.output}`);
        seen.push([line, r.prompt]);
      }
      assert.deepEqual(seen, [
        ['enable', 'Leaf1#'],
        ['conf t', 'Leaf1(config)#'],
        ['vlan 10', 'Leaf1(config-vlan)#'],
        ['exit', 'Leaf1(config)#'],
        ['vrf definition vpn1', 'Leaf1(config-vrf)#'],
        // A global command typed in a sub-mode runs in global configuration and enters its own mode.
        ['interface vlan 10', 'Leaf1(config-if-VLAN 10)#'],
        ['int te0/2', 'Leaf1(config-if-TenGigabitEthernet 0/2)#'],
        ['interface HundredGigabitEthernet 0/49', 'Leaf1(config-if-HundredGigabitEthernet 0/49)#'],
        ['interface loopback 0', 'Leaf1(config-if-Loopback 0)#'],
        ['int nve 1', 'Leaf1(config-if-Nve 1)#'],
        ['vlan 20', 'Leaf1(config-vlan)#'],
        ['end', 'Leaf1#'],
        ['configure terminal', 'Leaf1(config)#'],
        // Immediate apply: the prompt follows the new host name at once.
        ['hostname Spine9', 'Spine9(config)#'],
        ['exit', 'Spine9#'],
        ['disable', 'Spine9>'],
      ]);
      assert.match(sim.runningConfig(), /\nhostname Spine9\n/);
      // `exit` in user EXEC ends the session.
      sh.shell.send('exit\r');
      await sh.shell.closed;
    });

    it('prints the configuration banner on `configure terminal`', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      assert.deepEqual(await sh.run('configure terminal'), { output: 'Enter configuration commands, one per line.  End with CNTL/Z.', prompt: 'Leaf1(config)#' });
    });

    it('requires `enable` for configuration, terminal settings and the running configuration', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim, { raw: true });
      // `Leaf1>` is 6 characters: the caret column is the prompt width plus the word's column.
      assert.deepEqual(await sh.run('configure terminal'), { output: caretAt(6), prompt: 'Leaf1>' });
      assert.deepEqual(await sh.run('terminal length 0'), { output: caretAt(6), prompt: 'Leaf1>' });
      assert.deepEqual(await sh.run('show running-config'), { output: caretAt(6 + 5), prompt: 'Leaf1>' });
      assert.match((await sh.run('show version')).output, /^System description/, 'show version needs no privilege');
      assert.equal((await sh.run('enable')).prompt, 'Leaf1#');
      // Configuration commands are refused outside configuration mode.
      assert.deepEqual(await sh.run('vlan 10'), { output: caretAt(6), prompt: 'Leaf1#' });
      await sh.type(['configure terminal']);
      // `show` works in configuration modes with and without `do` ...
      assert.deepEqual(await sh.run('show running-config | include ^hostname'), { output: 'hostname Leaf1', prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('do show running-config | include ^hostname'), { output: 'hostname Leaf1', prompt: 'Leaf1(config)#' });
      // ... and `write` needs `do` inside it.
      assert.deepEqual(await sh.run('write'), { output: caretAt(14), prompt: 'Leaf1(config)#' });
      assert.equal(sim.savedConfig(), undefined);
      assert.deepEqual(await sh.run('do write'), { output: 'Building configuration...\n[OK]', prompt: 'Leaf1(config)#' });
      assert.equal(sim.savedConfig(), sim.runningConfig());
      assert.equal(sim.stats.configChanges, 0);
    });

    it('pages long output with --More-- until `terminal length 0` turns paging off', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim, { raw: true });
      await sh.type(['enable']);
      sh.shell.send('show running-config\r');
      const page1 = await sh.shell.expect(/ --More-- $/);
      // The echoed command, then 24 lines, then the pager prompt.
      assert.equal(page1.before.split('\n').length, 1 + 24 + 1);
      assert.ok(page1.before.startsWith('show running-config\nBuilding configuration...\n'));
      sh.shell.send(' ');
      await sh.shell.expect(/ --More-- $/);
      sh.shell.send('q');
      const after = await sh.shell.expect(RGOS_PROMPT);
      assert.equal(after.match[1], 'Leaf1#');
      assert.doesNotMatch(after.before, /\nend\n/, 'q stops the output');

      assert.deepEqual(await sh.run('terminal length 0'), { output: '', prompt: 'Leaf1#' });
      assert.deepEqual(await sh.run('terminal width 256'), { output: '', prompt: 'Leaf1#' });
      const full = await sh.run('show running-config');
      assert.doesNotMatch(full.output, /--More--/);
      assert.deepEqual(full.output.split('\n').slice(-2), ['!', 'end']);
      assert.equal(full.output.split('\n').length, 3 + sim.runningConfig().split('\n').length);
    });
  });

  describe('configuration', () => {
    it('applies a full leaf line by line and shows it in show running-config and runningTree()', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      const changes: string[] = [];
      sim.on('config-change', (e) => changes.push(`${e.mode}|${e.command}`));
      await sh.type(['configure terminal']);
      // Immediate apply: each line is in running as soon as its prompt is back.
      await sh.type(['vlan 10', 'name ls-web']);
      assert.match(sim.runningConfig(), /\nvlan 10\n name ls-web\n/);
      await sh.type(['exit', ...LEAF_LINES.filter((l) => l !== 'name ls-web'), 'end']);

      const shown = (await sh.run('show running-config')).output.split('\n');
      const body = sim.runningConfig().split('\n');
      assert.deepEqual(shown, ['Building configuration...', `Current configuration : ${sim.runningConfig().length + 1} bytes`, '', ...body]);
      assert.deepEqual(body.slice(0, LEAF_TOP.length), LEAF_TOP);
      assert.deepEqual(body.slice(-LEAF_BOTTOM.length), LEAF_BOTTOM);
      // Every port of the inventory is a block, as on a real switch.
      assert.equal(body.filter((l) => l.startsWith('interface TenGigabitEthernet ') || l.startsWith('interface HundredGigabitEthernet ')).length, 56);

      const tree = sim.runningTree();
      assert.deepEqual(nodeAt(tree, ['vrf definition vpc-shop'])?.children.map((c) => c.line), [
        'description netloom:vpc-shop',
        'rd 65000:50001',
        'vni 50001',
        'route-target export 65000:50001',
        'route-target import 65000:50001',
      ]);
      assert.ok(findChild(nodeAt(tree, ['interface VLAN 10'])!, 'vrf forwarding vpc-shop'));
      assert.ok(nodeAt(tree, ['interface Nve 1', 'member vni 50001 associate-vrf']));
      assert.ok(nodeAt(tree, ['interface TenGigabitEthernet 0/1', 'switchport trunk allowed vlan only 10']));
      // Every line but the `exit`s and entering an existing port changed running.
      assert.equal(sim.stats.configChanges, LEAF_LINES.length - 3);
      assert.ok(changes.includes('config-if-Nve 1|member vni 10010'));

      // Filters.
      assert.deepEqual((await sh.run('show running-config | include vni')).output.split('\n'), [' vxlan vni 10010', ' vni 50001', ' member vni 10010', ' member vni 50001 associate-vrf']);
      assert.deepEqual((await sh.run('sh run | section ^vlan')).output.split('\n'), ['vlan 10', ' name ls-web', ' description netloom:10010', ' vxlan vni 10010']);
      assert.deepEqual((await sh.run('show running-config | section vrf forwarding')).output.split('\n'), LEAF_BOTTOM.slice(2, 9));
      assert.deepEqual((await sh.run('show running-config interface nve 1')).output.split('\n'), LEAF_BOTTOM.slice(13, 17));
    });

    it('derives show vxlan, show vxlan vni, show interfaces status and show version from running, and saves with write', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      assert.equal((await sh.run('show vxlan')).output, 'VXLAN is not configured.');
      await sh.type(['configure terminal', ...LEAF_LINES, 'interface TenGigabitEthernet 0/3', 'shutdown', 'end']);
      assert.deepEqual((await sh.run('show vxlan')).output.split('\n'), [
        'VTEP interface          : Nve 1',
        'Source interface        : Loopback 0',
        'L2 VNI count            : 1',
        'L3 VNI count            : 1',
      ]);
      const vni = (await sh.run('show vxlan vni')).output.split('\n');
      assert.equal(vni.length, 4);
      assert.match(vni[2]!, /^10010\s+L2\s+10\s+vpc-shop\s+yes$/);
      assert.match(vni[3]!, /^50001\s+L3\s+-\s+vpc-shop\s+yes$/);
      const status = (await sh.run('show interfaces status')).output.split('\n');
      assert.equal(status.length, 2 + 56);
      assert.match(status[2]!, /^TenGigabitEthernet 0\/1\s+up\s+trunk\s+Full\s+10G\s+fiber$/);
      assert.match(status[4]!, /^TenGigabitEthernet 0\/3\s+disabled\s+1\s/);
      assert.match(status[57]!, /^HundredGigabitEthernet 0\/56\s+up\s+1\s+Full\s+100G/);
      const version = (await sh.run('show version')).output;
      assert.match(version, /RG-S6510-48VS8CQ/);
      assert.match(version, /System software version : RGOS 11\.0\(5\)B9P59/);
      assert.match(version, /System sysObjectID\s+: 1\.3\.6\.1\.4\.1\.4881\.\d/);

      assert.equal(sim.savedConfig(), undefined);
      const saved = sim.next('write');
      assert.deepEqual(await sh.run('write'), { output: 'Building configuration...\n[OK]', prompt: 'Leaf1#' });
      assert.equal((await saved).user, USER.username);
      assert.equal(sim.savedConfig(), sim.runningConfig());
      assert.equal(sim.stats.writes, 1);
      await sh.type(['configure terminal', 'vlan 99', 'end']);
      assert.notEqual(sim.savedConfig(), sim.runningConfig(), 'running moved on after the save');
    });

    it('removes everything again with `no` in dependency order, refusing deletions of referenced objects', async () => {
      const sim = await fx.start();
      const initial = sim.runningConfig();
      const sh = await fx.login(sim);
      await sh.type(['configure terminal', ...LEAF_LINES, 'exit']);

      // Referenced objects cannot be deleted (UNVERIFIED policy), and nothing changes when refused.
      const before = sim.runningConfig();
      assert.deepEqual(await sh.run('no vlan 10'), { output: '% VNI 10010 is a member of interface Nve 1; remove the member first', prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('no vrf definition vpc-shop'), { output: '% VRF vpc-shop is in use by interface VLAN 10', prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('no interface Loopback 0'), { output: '% Interface Loopback 0 is the source interface of Nve 1', prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('no interface TenGigabitEthernet 0/1'), { output: '% Physical interface TenGigabitEthernet 0/1 cannot be removed', prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('vlan 10'), { output: '', prompt: 'Leaf1(config-vlan)#' });
      assert.deepEqual(await sh.run('vxlan vni 20'), { output: '% VLAN 10 is already mapped to VNI 10010; remove the mapping first', prompt: 'Leaf1(config-vlan)#' });
      assert.deepEqual(await sh.run('no vxlan vni'), { output: '% VNI 10010 is a member of interface Nve 1; remove the member first', prompt: 'Leaf1(config-vlan)#' });
      assert.equal(sim.runningConfig(), before);
      assert.equal(sim.stats.configRefusals, 6);

      await sh.type([
        'interface TenGigabitEthernet 0/1',
        'no switchport trunk allowed vlan',
        'no switchport mode',
        'no description',
        'interface Nve 1',
        'no member vni 50001',
        'no member vni 10010',
        'no source-interface',
        'exit',
        'no interface Nve 1',
        'no interface VLAN 10',
        'no interface Loopback 0',
        'no vlan 10',
        'no vrf definition vpc-shop',
      ]);
      assert.equal(sim.runningConfig(), initial);
      // Deleting what is gone is an error for blocks, a no-op for settings.
      assert.deepEqual(await sh.run('no vlan 10'), { output: '% VLAN 10 does not exist', prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('no hostname'), { output: '', prompt: 'Ruijie(config)#' });
    });

    it('applies the device-side checks of addresses, VRFs, VNIs and trunk VLAN lists', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      await sh.type(['configure terminal', 'vrf definition red', 'exit', 'interface VLAN 20', 'ip address 10.2.0.1/24']);
      assert.deepEqual(await sh.run('ip address 10.3.0.0 255.255.255.0'), { output: '% Bad address 10.3.0.0 mask 255.255.255.0: not a host address', prompt: 'Leaf1(config-if-VLAN 20)#' });
      assert.deepEqual(await sh.run('vrf forwarding blue'), { output: '% VRF blue does not exist', prompt: 'Leaf1(config-if-VLAN 20)#' });
      // Binding a VRF removes the addresses, with IOS's notice.
      assert.deepEqual(await sh.run('vrf forwarding red'), {
        output: '% Interface VLAN 20 IPv4 disabled and address(es) removed due to enabling VRF red',
        prompt: 'Leaf1(config-if-VLAN 20)#',
      });
      assert.equal(nodeAt(sim.runningTree(), ['interface VLAN 20', 'ip address 10.2.0.1 255.255.255.0']), undefined);
      await sh.type(['ip address 10.2.0.1 255.255.255.0', 'interface VLAN 21', 'vrf forwarding red']);
      assert.deepEqual(await sh.run('ip address 10.2.0.9 255.255.0.0'), { output: '% 10.2.0.0 overlaps with VLAN 20', prompt: 'Leaf1(config-if-VLAN 21)#' });
      // The same subnet in another VRF (here: the global table) is fine.
      await sh.type(['no vrf forwarding', 'ip address 10.2.0.9 255.255.0.0']);

      await sh.type(['vlan 30', 'vxlan vni 3000', 'vrf definition red']);
      assert.deepEqual(await sh.run('vni 3000'), { output: '% VNI 3000 is already mapped to VLAN 30', prompt: 'Leaf1(config-vrf)#' });
      await sh.type(['vni 3001', 'rd 1:1']);
      assert.deepEqual(await sh.run('rd 1:2'), { output: '% RD 1:1 is already configured; remove it first', prompt: 'Leaf1(config-vrf)#' });
      await sh.type(['interface nve 1']);
      assert.deepEqual(await sh.run('member vni 3001'), { output: '% VNI 3001 is not mapped to a VLAN', prompt: 'Leaf1(config-if-Nve 1)#' });
      assert.deepEqual(await sh.run('member vni 3000 associate-vrf'), { output: '% VNI 3000 is not mapped to a VRF', prompt: 'Leaf1(config-if-Nve 1)#' });
      assert.deepEqual(await sh.run('source-interface vlan 20'), { output: '% Interface VLAN 20 is not a loopback interface', prompt: 'Leaf1(config-if-Nve 1)#' });

      await sh.type(['interface te0/4', 'switchport mode trunk', 'switchport trunk allowed vlan add 30']);
      assert.equal(nodeAt(sim.runningTree(), ['interface TenGigabitEthernet 0/4'])?.children.length, 1, 'add to "all" keeps all');
      const allowed = async (): Promise<string | undefined> =>
        nodeAt(sim.runningTree(), ['interface TenGigabitEthernet 0/4'])?.children.find((c) => c.line.startsWith('switchport trunk allowed'))?.line;
      await sh.type(['switchport trunk allowed vlan remove 1']);
      assert.equal(await allowed(), 'switchport trunk allowed vlan only 2-4094');
      await sh.type(['switchport trunk allowed vlan only 10,30-32', 'switchport trunk allowed vlan add 11', 'switchport trunk allowed vlan remove 31']);
      assert.equal(await allowed(), 'switchport trunk allowed vlan only 10-11,30,32');
      await sh.type(['switchport trunk allowed vlan remove 10-11,30,32']);
      assert.equal(await allowed(), 'switchport trunk allowed vlan none');
      await sh.type(['switchport trunk allowed vlan all']);
      assert.equal(await allowed(), undefined);
    });
  });

  describe('errors', () => {
    it('prints IOS-style errors: a caret under the offending word, incomplete and ambiguous commands', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      // `Leaf1#` is 6 characters.
      assert.deepEqual(await sh.run('shwo version'), { output: caretAt(6), prompt: 'Leaf1#' });
      assert.deepEqual(await sh.run('show versoin'), { output: caretAt(6 + 5), prompt: 'Leaf1#' });
      assert.deepEqual(await sh.run('show'), { output: '% Incomplete command.', prompt: 'Leaf1#' });
      assert.deepEqual(await sh.run('show v'), { output: '% Ambiguous command:  "show v"', prompt: 'Leaf1#' });
      assert.deepEqual(await sh.run('show running-config | frob x'), { output: caretAt(6 + 22), prompt: 'Leaf1#' });
      assert.deepEqual(await sh.run('show running-config | include'), { output: '% Incomplete command.', prompt: 'Leaf1#' });
      await sh.type(['configure terminal']);
      // `Leaf1(config)#` is 14 characters; a value out of range is invalid input at that word.
      assert.deepEqual(await sh.run('vlan 4095'), { output: caretAt(14 + 5), prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('vlan'), { output: '% Incomplete command.', prompt: 'Leaf1(config)#' });
      assert.deepEqual(await sh.run('v 10'), { output: '% Ambiguous command:  "v 10"', prompt: 'Leaf1(config)#' });
      // A port outside the inventory.
      assert.deepEqual(await sh.run('interface TenGigabitEthernet 0/99'), { output: caretAt(14 + 29), prompt: 'Leaf1(config)#' });
      await sh.type(['interface te0/1']);
      // In a sub-mode the caret still counts the whole prompt; `v` is ambiguous in global configuration.
      assert.deepEqual(await sh.run('v'), { output: '% Ambiguous command:  "v"', prompt: 'Leaf1(config-if-TenGigabitEthernet 0/1)#' });
      assert.deepEqual(await sh.run('switchport trunk allowed vlan add 5000'), { output: caretAt(40 + 34), prompt: 'Leaf1(config-if-TenGigabitEthernet 0/1)#' });
      assert.deepEqual(await sh.run('do show vxlan vnii'), { output: caretAt(40 + 14), prompt: 'Leaf1(config-if-TenGigabitEthernet 0/1)#' });
      assert.equal(sim.stats.perKind['invalid-input'], 7);
      assert.equal(sim.stats.perKind['incomplete'], 3);
      assert.equal(sim.stats.perKind['ambiguous'], 3);
      assert.equal(sim.stats.configChanges, 0);
    });
  });

  describe('harness and faults', () => {
    it('failNextCommand refuses the next matching configuration line once, in a shell and out of band', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      await sh.type(['configure terminal', 'vlan 50']);
      const refused = sim.next('config-refused');
      sim.failNextCommand(/^vxlan vni/, 'Hardware resources are insufficient');
      // A line that does not match is unaffected.
      await sh.type(['name web']);
      assert.deepEqual(await sh.run('vxlan vni 5050'), { output: '% Hardware resources are insufficient', prompt: 'Leaf1(config-vlan)#' });
      assert.deepEqual(await refused, { sessionId: sim.sessions()[0]!.sessionId, user: USER.username, command: 'vxlan vni 5050', reason: 'Hardware resources are insufficient', injected: true });
      assert.equal(nodeAt(sim.runningTree(), ['vlan 50', 'vxlan vni 5050']), undefined, 'the refused line changed nothing');
      // One-shot: the retry applies.
      await sh.type(['vxlan vni 5050']);
      assert.ok(nodeAt(sim.runningTree(), ['vlan 50', 'vxlan vni 5050']));
      assert.equal(sim.stats.injectedFailures, 1);

      // Out of band the same fault throws, and the lines before it stay applied (immediate apply).
      sim.failNextCommand('^name ');
      await assert.rejects(sim.applyOutOfBand(['vlan 51', 'name other']), (e: unknown) => {
        assert.ok(isNetloomError(e));
        assert.match(e.message, /line 2 \("name other"\) was refused by the device: % The configuration failed to take effect/);
        return true;
      });
      assert.ok(nodeAt(sim.runningTree(), ['vlan 51']));
      assert.equal(nodeAt(sim.runningTree(), ['vlan 51', 'name other']), undefined);
      // A cleared fault never fires.
      sim.failNextCommand(/^name/).clear();
      await sh.type(['name web2']);
      assert.equal(sim.stats.injectedFailures, 2);
    });

    it('shows out-of-band changes to open sessions, with events and refusals as InputError', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      const change = sim.next('config-change', (e) => e.command === 'vxlan vni 3030');
      assert.equal(await sim.applyOutOfBand(['vlan 30', 'name foreign', 'vxlan vni 3030', 'exit', '!', 'interface te0/5', 'description by someone else'], { user: 'operator' }), 4);
      const e = await change;
      assert.equal(e.user, 'operator');
      assert.ok(e.sessionId < 0, 'out-of-band writers have negative session ids');
      assert.deepEqual((await sh.run('show running-config | section vlan 30')).output.split('\n'), ['vlan 30', ' name foreign', ' vxlan vni 3030']);
      assert.match((await sh.run('show running-config interface TenGigabitEthernet 0/5')).output, /description by someone else/);
      assert.equal(await sim.applyOutOfBand('vlan 30\nname foreign'), 0, 'no change');
      await assert.rejects(sim.applyOutOfBand(['vlan 31', 'vxlan vni 3030']), (err: unknown) => {
        assert.ok(isNetloomError(err));
        assert.match(err.message, /line 2 \("vxlan vni 3030"\) was refused by the device: % VNI 3030 is already mapped to VLAN 30/);
        return true;
      });
      assert.ok(nodeAt(sim.runningTree(), ['vlan 31']), 'line 1 took effect before line 2 was refused');
      assert.equal(sim.stats.sessionsOpen, 1, 'out-of-band writers are not SSH sessions');
    });

    it('lets two sessions configure at once (no configuration lock) and tells a session when its block is gone', async () => {
      const sim = await fx.start();
      const a = await fx.login(sim);
      const b = await fx.login(sim);
      await a.type(['configure terminal', 'vlan 20']);
      await b.type(['configure terminal', 'vlan 21']);
      assert.equal(sim.stats.sessionsOpen, 2);
      assert.deepEqual(
        sim.sessions().map((s) => [s.level, s.prompt]),
        [
          ['config', 'Leaf1(config-vlan)#'],
          ['config', 'Leaf1(config-vlan)#'],
        ],
      );
      await a.type(['name from-a']);
      await b.type(['name from-b']);
      const tree = sim.runningTree();
      assert.ok(nodeAt(tree, ['vlan 20', 'name from-a']));
      assert.ok(nodeAt(tree, ['vlan 21', 'name from-b']));
      // B deletes the VLAN A is editing: A's next line is refused and A is back in global configuration.
      await b.type(['no vlan 20']);
      assert.deepEqual(await a.run('name again'), { output: '% The configuration object of this mode has been removed by another user', prompt: 'Leaf1(config)#' });
      assert.equal(nodeAt(sim.runningTree(), ['vlan 20']), undefined);
    });

    it('drops the connection before a matching line (not applied) or after it (applied, reply lost)', async () => {
      const sim = await fx.start();
      const drops: string[] = [];
      sim.on('connection-dropped', (e) => drops.push(`${e.when}:${e.line}`));
      const a = await fx.login(sim);
      await a.type(['configure terminal', 'vlan 40']);
      sim.dropConnectionDuring(/^vxlan vni/);
      a.shell.send('vxlan vni 4040\r');
      await a.shell.closed;
      assert.ok(nodeAt(sim.runningTree(), ['vlan 40']));
      assert.equal(nodeAt(sim.runningTree(), ['vlan 40', 'vxlan vni 4040']), undefined, 'dropped before: never applied');

      const b = await fx.login(sim);
      await b.type(['configure terminal', 'vlan 40']);
      sim.dropConnectionDuring('^vxlan vni', { when: 'after' });
      b.shell.send('vxlan vni 4040\r');
      await b.shell.closed;
      assert.doesNotMatch(clean(b.shell.transcript).split('vxlan vni 4040').pop()!, /Leaf1/, 'no prompt after the line');
      assert.ok(nodeAt(sim.runningTree(), ['vlan 40', 'vxlan vni 4040']), 'dropped after: applied');
      assert.deepEqual(drops, ['before:vxlan vni 4040', 'after:vxlan vni 4040']);
      assert.equal(sim.stats.connectionsDropped, 2);

      // The device keeps serving new sessions.
      const c = await fx.login(sim);
      assert.match((await c.run('show running-config | include 4040')).output, /^ vxlan vni 4040$/);
    });

    it('delays a command without reordering input typed meanwhile', async () => {
      const sim = await fx.start();
      const sh = await fx.login(sim);
      sim.delayCommand(/^show version/, 200, { once: true });
      sh.shell.send('show version\rshow vxlan\r');
      const first = await sh.shell.expect(RGOS_PROMPT);
      assert.match(first.before, /^show version\nSystem description/);
      const second = await sh.shell.expect(RGOS_PROMPT);
      assert.equal(second.before, 'show vxlan\nVXLAN is not configured.');
    });
  });

  describe('options', () => {
    it('validates options with io-ts and lists every problem with its path, never a password', () => {
      const secret = 'do-not-print-me';
      assert.throws(
        () =>
          new RuijieRgosSimulator({
            hostname: 'bad name',
            users: [{ username: 'ok', password: '' }, { username: 'has space', password: secret }],
            ports: ['TenGigabitEthernet0/1'],
            sysObjectId: '1.3.6.1.4.1.2011.1',
            pageLines: -1,
            bogus: true,
          } as unknown as RuijieRgosSimulatorOptions),
        (e: unknown) => {
          assert.ok(isNetloomError(e));
          const text = e.message;
          for (const path of ['hostname', 'users[0].password', 'users[1].username', 'ports[0]', 'sysObjectId', 'pageLines', 'bogus']) assert.ok(text.includes(`${path}:`), `${path} in ${text}`);
          assert.match(text, /"TenGigabitEthernet0\/1" is not a physical port name like "TenGigabitEthernet 0\/1"/);
          assert.match(text, /enterprise 1\.3\.6\.1\.4\.1\.4881/);
          assert.ok(!text.includes(secret));
          return true;
        },
      );
      assert.throws(() => new RuijieRgosSimulator({ ports: ['TenGigabitEthernet 0/1', 'TenGigabitEthernet 0/1'] }), /ports\[1\]: "TenGigabitEthernet 0\/1" is listed twice/);
    });

    it('uses a custom port inventory, model and version, and applies initialConfig silently at start', async () => {
      const sim = await fx.start({
        ports: ruijieRgosPortRange('GigabitEthernet 0/', 1, 4),
        model: 'RG-S5750-28GT4XS',
        version: 'RGOS 12.5(4)B0801',
        initialConfig: ['vlan 5', 'name boot', 'exit', 'interface gi0/4', 'description uplink'],
      });
      assert.equal(sim.stats.configChanges, 0, 'initialConfig is the power-on state, not a change');
      const body = sim.runningConfig().split('\n');
      assert.deepEqual(body, [
        '!',
        'version RGOS 12.5(4)B0801',
        'hostname Leaf1',
        '!',
        'vlan 5',
        ' name boot',
        '!',
        'interface GigabitEthernet 0/1',
        '!',
        'interface GigabitEthernet 0/2',
        '!',
        'interface GigabitEthernet 0/3',
        '!',
        'interface GigabitEthernet 0/4',
        ' description uplink',
        '!',
        'end',
      ]);
      const sh = await fx.login(sim);
      assert.match((await sh.run('show version')).output, /\(RG-S5750-28GT4XS\)/);
      await sh.type(['configure terminal']);
      // Types without ports in the inventory are not interface keywords.
      assert.deepEqual(await sh.run('interface te0/1'), { output: caretAt(14 + 10), prompt: 'Leaf1(config)#' });

      const broken = new RuijieRgosSimulator({ users: [USER], initialConfig: ['vlan 5', 'vxlan vni 7', 'vlan 6', 'vxlan vni 7'] });
      await assert.rejects(broken.start(), /initialConfig line 4 \("vxlan vni 7"\) was refused by the device: % VNI 7 is already mapped to VLAN 5/);
      await broken.stop();
    });
  });
});
