import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestStore } from '../test-support/stores.js';
import { testBackends } from '../test-support/stores.js';
import { appendEvent, auditedTransaction, listEvents } from './events.js';
import { sql } from 'drizzle-orm';
import {
  ConflictProblems,
  checkChange,
  entityKind,
  exportScenario,
  getEntity,
  replaceScenario,
} from './scenario-store.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

for (const backend of testBackends()) {
  describe(`scenario store on ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.dispose();
    });

    it('exports exactly the document it imported: lists, order and keys', async () => {
      const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
      await store.db.transaction((tx) => replaceScenario(tx, doc));
      const exported = await exportScenario(store.db);
      expect(JSON.stringify(exported)).toBe(JSON.stringify(doc));
    });

    it('is empty before an import', async () => {
      expect(await exportScenario(store.db)).toBeUndefined();
    });

    it('refuses a change that would leave a dangling reference, naming it', async () => {
      const doc = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
      await store.db.transaction((tx) => replaceScenario(tx, doc));
      const providers = entityKind('providers');
      if (!providers) throw new Error('no providers kind');
      const used = (doc['pools'] as { provider: string }[])[0]?.provider ?? '';
      const error = await checkChange(store.db, providers, { op: 'delete', id: used }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConflictProblems);
      expect((error as ConflictProblems).problems.map((p) => p.message).join('\n')).toContain(
        `unknown provider ${used}`,
      );
      expect(await getEntity(store.db, providers, used)).toBeDefined();
    });
  });
}

for (const backend of testBackends()) {
  describe(`audit log on ${backend.name}`, () => {
    it('refuses to change or delete an event', async () => {
      const store = await backend.open();
      try {
        await auditedTransaction(store.db, (tx) =>
          appendEvent(
            tx,
            { actor: 'test', action: 'x.create', entityType: 'x', entityId: '1' },
            new Date('2026-01-01T00:00:00Z'),
          ),
        );
        await expect(
          store.db.execute(sql`update events set actor = 'someone else'`),
        ).rejects.toThrow();
        await expect(store.db.execute(sql`delete from events`)).rejects.toThrow();
        const rows = await listEvents(store.db, { limit: 10 });
        expect(rows.map((row) => row.actor)).toEqual(['test']);
      } finally {
        await store.dispose();
      }
    });
  });
}
