import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testBackends } from '../test-support/stores.js';
import { TOKEN_PINGS_CHANNEL, openStore } from './db.js';
import { LISTENER_NAME, TokenCache } from './token-cache.js';
import { createToken, revokeToken } from './tokens.js';

const noClock = () => undefined;

for (const backend of testBackends()) {
  describe(`the token cache on ${backend.name}`, () => {
    const withCache = async (
      test: (cache: TokenCache, store: Awaited<ReturnType<typeof backend.open>>) => Promise<void>,
    ) => {
      const store = await backend.open();
      const cache = new TokenCache(store, { retryMs: 50 });
      try {
        await cache.start();
        expect(cache.listening).toBe(true);
        await test(cache, store);
      } finally {
        await cache.close();
        await store.dispose();
      }
    };

    it('answers a known token from memory, and never keeps an unknown one', async () => {
      await withCache(async (cache, store) => {
        const { secret } = await createToken(store.db, { role: 'viewer' }, new Date());
        const first = await cache.authenticate(secret, noClock);
        expect(first?.principal.role).toBe('viewer');
        // Read from the database: its clock came with it.
        expect(first?.now).toBeInstanceOf(Date);
        const second = await cache.authenticate(secret, noClock);
        expect(second?.principal).toEqual(first?.principal);
        expect(second?.now).toBeUndefined();
        expect(await cache.authenticate('sgt_unknown', noClock)).toBeUndefined();
        expect(cache.size).toBe(1);
      });
    });

    it('refuses a token on the first lookup after it is revoked, or changed by hand', async () => {
      await withCache(async (cache, store) => {
        const revoked = await createToken(store.db, { role: 'viewer' }, new Date());
        const expired = await createToken(store.db, { role: 'viewer' }, new Date());
        const removed = await createToken(store.db, { role: 'viewer' }, new Date());
        for (const { secret } of [revoked, expired, removed]) {
          expect(await cache.authenticate(secret, noClock)).toBeDefined();
        }
        await store.db.transaction(async (tx) => {
          expect(await revokeToken(tx, revoked.id, new Date())).toBe(true);
        });
        expect(await cache.authenticate(revoked.secret, noClock)).toBeUndefined();
        await store.db.execute(
          sql`update tokens set expires_at = now() - interval '1 second' where id = ${expired.id}`,
        );
        expect(await cache.authenticate(expired.secret, noClock)).toBeUndefined();
        await store.db.execute(sql`delete from tokens where id = ${removed.id}`);
        expect(await cache.authenticate(removed.secret, noClock)).toBeUndefined();
        expect(cache.size).toBe(0);
      });
    });

    it('keeps a revocation that rolled back: the token still works', async () => {
      await withCache(async (cache, store) => {
        const { id, secret } = await createToken(store.db, { role: 'viewer' }, new Date());
        expect(await cache.authenticate(secret, noClock)).toBeDefined();
        await expect(
          store.db.transaction(async (tx) => {
            await revokeToken(tx, id, new Date());
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await cache.authenticate(secret, noClock)).toBeDefined();
      });
    });

    it('judges a cached expiry against the request time it is given', async () => {
      await withCache(async (cache, store) => {
        const expiresAt = new Date(Date.now() + 3_600_000);
        const { secret } = await createToken(store.db, { role: 'viewer', expiresAt }, new Date());
        expect(await cache.authenticate(secret, noClock)).toBeDefined();
        const before = new Date(expiresAt.getTime() - 1);
        expect((await cache.authenticate(secret, () => before))?.now).toEqual(before);
        // At its expiry on the request's clock: refused, and dropped.
        expect(await cache.authenticate(secret, () => expiresAt)).toBeUndefined();
        expect(cache.size).toBe(0);
      });
    });

    it('reads every token again after its time to live', async () => {
      const store = await backend.open();
      const cache = new TokenCache(store, { ttlMs: 1 });
      try {
        await cache.start();
        const { secret } = await createToken(store.db, { role: 'viewer' }, new Date());
        await cache.authenticate(secret, noClock);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect((await cache.authenticate(secret, noClock))?.now).toBeInstanceOf(Date);
      } finally {
        await cache.close();
        await store.dispose();
      }
    });

    it('keeps nothing until it listens', async () => {
      const store = await backend.open();
      const cache = new TokenCache(store);
      try {
        const { secret } = await createToken(store.db, { role: 'viewer' }, new Date());
        expect(await cache.authenticate(secret, noClock)).toBeDefined();
        expect(await cache.authenticate(secret, noClock)).toBeDefined();
        expect(cache.size).toBe(0);
      } finally {
        await cache.close();
        await store.dispose();
      }
    });

    if (backend.name === 'pglite') {
      it('has no other process to confirm with', async () => {
        await withCache(async (cache) => {
          expect(await cache.confirm()).toEqual({ asked: [], missing: [] });
        });
      });
    }

    if (backend.name === 'postgres') {
      it('confirms once every other process listening has dropped the token, and names a silent one', async () => {
        await withCache(async (cache, store) => {
          // A second process on the same database, with the token cached.
          const other = await openStore({ kind: 'postgres', url: store.url! });
          const otherCache = new TokenCache(other, { confirmMs: 300 });
          // A listener that never answers (a process stuck, or gone without a word).
          const silent = new pg.Client({
            connectionString: store.url!,
            application_name: `${LISTENER_NAME}silent`,
          });
          try {
            await otherCache.start();
            const { id, secret } = await createToken(store.db, { role: 'viewer' }, new Date());
            await otherCache.authenticate(secret, noClock);
            expect(otherCache.size).toBe(1);
            await store.db.transaction(async (tx) => {
              expect(await revokeToken(tx, id, new Date())).toBe(true);
            });
            const confirmed = await cache.confirm();
            expect(confirmed.asked).toHaveLength(1);
            expect(confirmed.missing).toEqual([]);
            // By its answer the other process had dropped the token.
            expect(otherCache.size).toBe(0);
            await silent.connect();
            await silent.query(`listen ${TOKEN_PINGS_CHANNEL}`);
            const slow = await otherCache.confirm();
            expect(slow.asked).toHaveLength(2);
            expect(slow.missing).toEqual(['silent']);
          } finally {
            await silent.end().catch(() => undefined);
            await otherCache.close();
            await other.close();
          }
        });
      });

      it('drops everything when its listener is lost, and listens again', async () => {
        await withCache(async (cache, store) => {
          const { id, secret } = await createToken(store.db, { role: 'viewer' }, new Date());
          await cache.authenticate(secret, noClock);
          expect(cache.size).toBe(1);
          await store.db.execute(
            sql`select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid()
                  and query ilike 'listen%' and state = 'idle'`,
          );
          for (let wait = 0; wait < 100 && cache.listening; wait++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          expect(cache.listening).toBe(false);
          expect(cache.size).toBe(0);
          // Not listening: nothing is kept, every lookup reads the database.
          expect((await cache.authenticate(secret, noClock))?.now).toBeInstanceOf(Date);
          expect(cache.size).toBe(0);
          for (let wait = 0; wait < 200 && !cache.listening; wait++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          expect(cache.listening).toBe(true);
          await cache.authenticate(secret, noClock);
          expect(cache.size).toBe(1);
          await store.db.execute(sql`update tokens set revoked_at = now() where id = ${id}`);
          expect(await cache.authenticate(secret, noClock)).toBeUndefined();
        });
      });
    }
  });
}
