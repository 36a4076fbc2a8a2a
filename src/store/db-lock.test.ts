import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../cli/io.js';
import { run } from '../cli/main.js';
import type { Store } from './db.js';
import { StoreBusyError, openStore } from './db.js';

/**
 * A PGlite directory belongs to one process: the lock the kernel holds for it (Linux), who
 * loses a race for it, what the loser is told, and that nothing is left once its holder ends,
 * however it ends.
 */
describe('the lock on a PGlite directory', () => {
  let dir: string;
  const open: Store[] = [];
  const savedUrl = process.env['DATABASE_URL'];
  beforeEach(async () => {
    delete process.env['DATABASE_URL'];
    dir = await mkdtemp(join(tmpdir(), 'stargate-lock-'));
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    if (savedUrl !== undefined) process.env['DATABASE_URL'] = savedUrl;
    await rm(dir, { recursive: true, force: true });
  });
  const location = () => ({ kind: 'pglite' as const, dataDir: join(dir, 'data') });

  it('lets one of two racing opens win and names the winner to the other', async () => {
    const outcomes = await Promise.allSettled([openStore(location()), openStore(location())]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    for (const o of won) open.push(o.value);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const reason: unknown = lost[0]?.reason;
    expect(reason).toBeInstanceOf(StoreBusyError);
    expect((reason as Error).message).toContain(`in use by process ${process.pid}`);
    expect(await readFile(join(dir, 'data', 'stargate.pid'), 'utf8')).toBe(`${process.pid}\n`);
  }, 60_000);

  it('is free again once its holder closes the store', async () => {
    const first = await openStore(location());
    await first.close();
    expect(existsSync(join(dir, 'data', 'stargate.pid'))).toBe(false);
    open.push(await openStore(location()));
  }, 60_000);

  it('stops a command on a held directory with exit status 1 and the holder named', async () => {
    open.push(await openStore(location()));
    const io = bufferIo();
    expect(
      await run(['token', 'create', '--role', 'viewer', '--data', location().dataDir], io),
    ).toBe(1);
    expect(io.stderr()).toBe(
      `stargate: the data directory ${location().dataDir} is in use by process ${process.pid} (stargate serve?); stop it, or use the API (--server), or a PostgreSQL server (DATABASE_URL) for several processes\n`,
    );
  }, 60_000);

  it.runIf(process.platform === 'linux')(
    'is freed by the kernel when its holder is killed: nothing stale to take over',
    async () => {
      // A process that holds the lock as lockDataDir does: the same abstract socket name.
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createServer } from 'node:net';
           import { createHash } from 'node:crypto';
           import { realpathSync, writeFileSync } from 'node:fs';
           const dir = process.argv[1];
           const name = '\\0stargate-store-' + createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 40);
           createServer((s) => s.end(process.pid + '\\n')).listen(name, () => process.stdout.write('held\\n'));`,
          '--',
          dir,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve) =>
        child.stdout.once('data', () => {
          resolve();
        }),
      );
      const busy = await openStore({ kind: 'pglite', dataDir: dir }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((busy as Error).message).toContain(`in use by process ${String(child.pid)}`);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      open.push(await openStore({ kind: 'pglite', dataDir: dir }));
    },
    60_000,
  );
});
