/** Shared helpers of the cli-session tests. */
import { strict as assert } from 'node:assert';
import { CliSession, type CliSshOptions } from '@netloom/cli-session';
import { type ToyDevice } from './toy-device';
import { toyDialect } from './toy-dialect';

export const PASSWORD = 'Toy-Pa55word!';

/** Sessions opened by a test, closed by `closeAll` in `afterEach` (also when the test failed). */
export class SessionPool {
  private readonly sessions: CliSession[] = [];

  async open(dev: ToyDevice, overrides: Partial<CliSshOptions> = {}): Promise<CliSession> {
    const session = await CliSession.open({
      host: dev.host,
      port: dev.port,
      username: 'netloom',
      password: PASSWORD,
      hostKey: { fingerprintSha256: dev.hostKey.fingerprintSha256 },
      dialect: toyDialect,
      timeouts: { loginMs: 5_000, commandMs: 5_000 },
      ...overrides,
    });
    this.sessions.push(session);
    return session;
  }

  track(session: CliSession): CliSession {
    this.sessions.push(session);
    return session;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.sessions.splice(0).map((s) => s.close()));
  }
}

/** Awaits a rejection and checks its class; returns the error for further assertions. */
export async function rejection<E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    return e;
  }
  assert.fail(`expected a ${type.name}, but the call succeeded`);
}

/** Polls `condition` every 10 ms until it holds (mocha's timeout bounds the wait). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}
