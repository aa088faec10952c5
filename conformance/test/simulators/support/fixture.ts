// Starts simulators and shells for one test and cleans everything up afterwards (also when the test fails).
import { HuaweiCeSimulator, type HuaweiCeSimulatorOptions } from '@netloom/conformance/simulators';
import { login, type ExpectShell } from './expect-shell';

/** The user every test logs in with. */
export const USER = { username: 'netloom', password: 'n3tl00m-Secret' } as const;

/** The leaf configuration of PROTOCOLS §1.3 (without BGP), as an adapter would type it after `system-view`. */
export const LEAF_LINES = [
  'evpn-overlay enable',
  'ip vpn-instance vpn1',
  'description netloom:vpc-shop',
  'ipv4-family',
  'route-distinguisher 20:1',
  'vpn-target 100:5010 export-extcommunity evpn',
  'vpn-target 100:5010 import-extcommunity evpn',
  'quit',
  'vxlan vni 5010',
  'bridge-domain 10',
  'description netloom:ls-web',
  'vxlan vni 10',
  'evpn',
  'route-distinguisher 10:1',
  'vpn-target 100:10 export-extcommunity',
  'vpn-target 100:5010 export-extcommunity',
  'vpn-target 100:10 import-extcommunity',
  'interface Vbdif10',
  'ip binding vpn-instance vpn1',
  'ip address 10.10.1.1 255.255.255.0',
  'vxlan anycast-gateway enable',
  'arp collect host enable',
  'mac-address 00e0-fc12-3456',
  'interface 100GE1/0/2.1 mode l2',
  'encapsulation dot1q vid 10',
  'bridge-domain 10',
  'interface Nve1',
  'source 5.5.5.5',
  'vni 10 head-end peer-list protocol bgp',
] as const;

/** What `display current-configuration` must show for {@link LEAF_LINES} (the blocks that are not physical ports). */
export const LEAF_BLOCKS = [
  'evpn-overlay enable',
  '#',
  'ip vpn-instance vpn1',
  ' description netloom:vpc-shop',
  ' ipv4-family',
  '  route-distinguisher 20:1',
  '  vpn-target 100:5010 export-extcommunity evpn',
  '  vpn-target 100:5010 import-extcommunity evpn',
  ' vxlan vni 5010',
  '#',
  'bridge-domain 10',
  ' description netloom:ls-web',
  ' vxlan vni 10',
  ' evpn',
  '  route-distinguisher 10:1',
  '  vpn-target 100:10 export-extcommunity',
  '  vpn-target 100:5010 export-extcommunity',
  '  vpn-target 100:10 import-extcommunity',
  '#',
  'interface Vbdif10',
  ' ip binding vpn-instance vpn1',
  ' ip address 10.10.1.1 255.255.255.0',
  ' mac-address 00e0-fc12-3456',
  ' vxlan anycast-gateway enable',
  ' arp collect host enable',
  '#',
] as const;

/** Simulators and shells of one test. */
export class Fixture {
  private readonly sims: HuaweiCeSimulator[] = [];
  private readonly shells: ExpectShell[] = [];

  /** Starts a simulator (host name `Leaf1`, user {@link USER}) with extra options. */
  async start(options: HuaweiCeSimulatorOptions = {}): Promise<HuaweiCeSimulator> {
    const sim = new HuaweiCeSimulator({ hostname: 'Leaf1', users: [USER], ...options });
    this.sims.push(sim);
    await sim.start();
    return sim;
  }

  /** Logs in to `sim` (pinning its host key); turns paging off unless `paging` is true. */
  async shell(sim: HuaweiCeSimulator, opts: { readonly paging?: boolean; readonly username?: string; readonly password?: string } = {}): Promise<ExpectShell> {
    const ep = sim.endpoint;
    if (ep === undefined) throw new Error('simulator not started');
    const shell = await login({
      host: ep.host,
      port: ep.port,
      hostKeyFingerprint: ep.hostKeyFingerprint,
      username: opts.username ?? USER.username,
      password: opts.password ?? USER.password,
    });
    this.shells.push(shell);
    if (opts.paging !== true) await shell.run('screen-length 0 temporary');
    return shell;
  }

  /** Types lines one by one; fails on the first line whose output holds an `Error:`. Returns the last prompt. */
  async type(shell: ExpectShell, lines: readonly string[]): Promise<string> {
    let prompt = '';
    for (const line of lines) {
      const r = await shell.run(line);
      if (/Error/.test(r.output)) throw new Error(`"${line}" was refused: ${r.output}`);
      prompt = r.prompt;
    }
    return prompt;
  }

  /** Closes every shell and stops every simulator. */
  async cleanup(): Promise<void> {
    await Promise.all(this.shells.splice(0).map((s) => s.close()));
    await Promise.all(this.sims.splice(0).map((s) => s.stop()));
  }
}
