import { describe, expect, it } from 'vitest';
import { coalescer } from './coalesce.js';

/** A query whose answer is the value of `state` when it began, settled by hand. */
function database() {
  let value = 0;
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void; saw: number }[] = [];
  return {
    write: () => (value += 1),
    load: () =>
      new Promise<number>((resolve, reject) => {
        pending.push({ resolve, reject, saw: value });
      }),
    started: () => pending.length,
    finish: (index: number, error?: Error) => {
      const query = pending[index];
      if (!query) throw new Error(`no query ${index}`);
      if (error) query.reject(error);
      else query.resolve(query.saw);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescer', () => {
  it('answers reads that arrive while a query runs from one query begun after they arrived', async () => {
    const db = database();
    const reads = coalescer<number>();
    const first = reads.read('k', db.load);
    db.write(); // committed after the first read began its query, before the next two arrived
    const second = reads.read('k', db.load);
    const third = reads.read('k', db.load);
    expect(db.started()).toBe(1);
    db.finish(0);
    expect(await first).toBe(0);
    await settle();
    expect(db.started()).toBe(2);
    db.finish(1);
    // Both saw the write committed before they arrived, from one query.
    expect(await second).toBe(1);
    expect(await third).toBe(1);
    expect(db.started()).toBe(2);
    expect(reads.size).toBe(0);
  });

  it('keeps different keys apart', async () => {
    const db = database();
    const reads = coalescer<number>();
    const a = reads.read('a', db.load);
    const b = reads.read('b', db.load);
    expect(db.started()).toBe(2);
    db.finish(0);
    db.finish(1);
    expect([await a, await b]).toEqual([0, 0]);
  });

  it('gives a failed query only to those who waited for it; the next readers query again', async () => {
    const db = database();
    const reads = coalescer<number>();
    const first = reads.read('k', db.load);
    const second = reads.read('k', db.load);
    db.finish(0, new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await settle();
    db.finish(1);
    expect(await second).toBe(0);
    expect(reads.size).toBe(0);
  });

  it('starts afresh once nothing runs', async () => {
    const db = database();
    const reads = coalescer<number>();
    const first = reads.read('k', db.load);
    db.finish(0);
    await first;
    db.write();
    const later = reads.read('k', db.load);
    expect(db.started()).toBe(2);
    db.finish(1);
    expect(await later).toBe(1);
  });
});
