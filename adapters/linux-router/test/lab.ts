// Shared by the lab tests: skip (with a printed reason) unless real network namespaces can be used here, or fail
// when the lab is required (NETLOOM_LAB_REQUIRED=1), like `skipUnlessOvs` of @netloom/ovsdb/testing.
import { execFileSync } from 'node:child_process';

/** Why real namespaces cannot be used here, or undefined when they can. */
export function routerUnavailableReason(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (network namespaces need root)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'ip (iproute2) is not installed or not on PATH';
  }
  return undefined;
}

let vlanReason: string | undefined | null = null;

/** Why 802.1Q sub-interfaces cannot be made here (the kernel lacks CONFIG_VLAN_8021Q), or undefined. */
export function vlanUnavailableReason(): string | undefined {
  if (vlanReason !== null) return vlanReason;
  const ns = `nlrvlan${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
    execFileSync('ip', ['-n', ns, 'link', 'add', 'name', 'p0', 'type', 'veth', 'peer', 'name', 'p1'], { stdio: 'ignore' });
    execFileSync('ip', ['-n', ns, 'link', 'add', 'link', 'p0', 'name', 'p0.5', 'type', 'vlan', 'id', '5'], { stdio: 'pipe' });
    vlanReason = undefined;
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    vlanReason = `this kernel cannot make 802.1Q sub-interfaces (${stderr || 'ip link add type vlan failed'}; CONFIG_VLAN_8021Q)`;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // It was never made.
    }
  }
  return vlanReason;
}

function skipWith(ctx: { skip(): void }, reason: string | undefined): void {
  if (reason === undefined) return;
  if (process.env['NETLOOM_LAB_REQUIRED'] === '1') throw new Error(`lab test required (NETLOOM_LAB_REQUIRED=1) but: ${reason}`);
  process.stdout.write(`      skipped: ${reason}\n`);
  ctx.skip();
}

/** In a mocha `before`: skips the suite with a printed reason unless root with iproute2 (throws when required). */
export function skipUnlessRouter(ctx: { skip(): void }): void {
  skipWith(ctx, routerUnavailableReason());
}

/**
 * In a mocha `before`: skips unless the kernel makes 802.1Q sub-interfaces. Not thrown under NETLOOM_LAB_REQUIRED:
 * a kernel without 802.1Q is a property of the machine (the OVS-leg suites cover it), not a missing lab.
 */
export function skipUnlessVlan(ctx: { skip(): void }): void {
  skipUnlessRouter(ctx);
  const reason = vlanUnavailableReason();
  if (reason === undefined) return;
  process.stdout.write(`      skipped: ${reason}\n`);
  ctx.skip();
}
