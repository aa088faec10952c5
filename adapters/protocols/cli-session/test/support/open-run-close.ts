/**
 * Run as a child process by the "leaves nothing running" test: opens a session to a toy device, times a command
 * out, reconnects automatically, closes, stops the device, and then simply ends. It never calls process.exit: if
 * the process does not exit by itself, something was left running.
 */
import { DeviceTimeoutError } from '@netloom/ports';
import { CliSession } from '@netloom/cli-session';
import { startToyDevice } from './toy-device';
import { toyDialect } from './toy-dialect';

async function main(): Promise<void> {
  const dev = await startToyDevice({ password: 'pw' });
  try {
    const s = await CliSession.open({
      host: dev.host,
      port: dev.port,
      username: 'netloom',
      password: 'pw',
      hostKey: { fingerprintSha256: dev.hostKey.fingerprintSha256 },
      dialect: toyDialect,
      reconnect: { auto: true, initialDelayMs: 10 },
    });
    await s.run('display slow');
    const timedOut = await s.run('display hang', { timeoutMs: 100 }).then(
      () => false,
      (e: unknown) => e instanceof DeviceTimeoutError,
    );
    // In system view the logout line `quit` only leaves the view: ending the connection is up to close().
    await s.run('system-view');
    await s.close();
    // close() itself must end the connection (the device's stop() below would otherwise hide a leak).
    for (let i = 0; i < 200 && dev.openConnections() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    if (timedOut && s.state === 'closed' && dev.openConnections() === 0) console.log('closed: timeout, reconnect and close went through');
  } finally {
    await dev.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
