import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeJob, encodeJob } from './job-codec.js';
import type { Json } from './job-codec.js';
import { createInProcessJobQueue, jobId, runJobs, workerName } from './jobs.js';

/** Resolves once `check` holds, polling; fails the test after a second. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not met within a second');
}

/** A promise and the function that settles it, for handlers the test lets finish. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('the job codec', () => {
  it('carries bigints through JSON exactly, and leaves everything else as it is', () => {
    const plan = {
      scenario: 'example',
      objective: { total: 123_456_789_012_345_678_901n, compute: -5n, shortfall: 0n },
      lowerBound: 99n,
      assignments: [{ workload: 'w', period: 24_312, gpus: 8 }],
      note: undefined,
      nothing: null,
    };
    const json = encodeJob(plan);
    expect(json).toEqual({
      scenario: 'example',
      objective: {
        total: { $bigint: '123456789012345678901' },
        compute: { $bigint: '-5' },
        shortfall: { $bigint: '0' },
      },
      lowerBound: { $bigint: '99' },
      assignments: [{ workload: 'w', period: 24_312, gpus: 8 }],
      nothing: null,
    });
    // Through text, as the database stores it.
    const back = decodeJob(JSON.parse(JSON.stringify(json))) as typeof plan;
    expect(back).toEqual({ ...plan, note: undefined });
    expect(typeof back.objective.total).toBe('bigint');
  });

  it('reads an object with more keys than the tag as data', () => {
    const data = { $bigint: '5', other: 1 };
    expect(decodeJob(encodeJob(data))).toEqual(data);
  });
});

describe('jobId', () => {
  it('is a UUID, the same for the same kind and key and different otherwise', () => {
    const id = jobId('clause-solve', '7@2026-01-01T00:00:00.000Z/base');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobId('clause-solve', '7@2026-01-01T00:00:00.000Z/base')).toBe(id);
    expect(jobId('plan-value', '7@2026-01-01T00:00:00.000Z/base')).not.toBe(id);
    expect(jobId('clause-solve', '8@2026-01-01T00:00:00.000Z/base')).not.toBe(id);
  });
});

describe('the in-process job queue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a job once however often it is submitted, and keeps its result', async () => {
    const queue = createInProcessJobQueue({ concurrency: 2 });
    let runs = 0;
    queue.work('double', (data) => {
      runs++;
      return Promise.resolve({ twice: (data as { n: number }).n * 2 });
    });
    await queue.submit('double', 'a', { n: 21 });
    await queue.submit('double', 'a', { n: 21 });
    await until(async () => (await queue.get('double', 'a'))?.state === 'done');
    await queue.submit('double', 'a', { n: 21 });
    expect(await queue.get('double', 'a')).toEqual({
      state: 'done',
      result: { twice: 42 },
      worker: workerName(),
    });
    expect(runs).toBe(1);
    expect(await queue.get('double', 'b')).toBeUndefined();
    await queue.close();
  });

  it('reports queued and running, and runs at most `concurrency` jobs at once', async () => {
    const queue = createInProcessJobQueue({ concurrency: 1 });
    const gates = [gate<Json>(), gate<Json>()];
    let running = 0;
    let most = 0;
    queue.work('wait', async (data) => {
      running++;
      most = Math.max(most, running);
      const result = await (gates[data as number]?.promise ?? Promise.resolve(null));
      running--;
      return result;
    });
    await queue.submit('wait', 'first', 0);
    await queue.submit('wait', 'second', 1);
    expect((await queue.get('wait', 'first'))?.state).toBe('running');
    expect((await queue.get('wait', 'second'))?.state).toBe('queued');
    gates[0]?.open('one');
    await until(async () => (await queue.get('wait', 'second'))?.state === 'running');
    gates[1]?.open('two');
    await until(async () => (await queue.get('wait', 'second'))?.state === 'done');
    expect((await queue.get('wait', 'first'))?.result).toBe('one');
    expect(most).toBe(1);
    await queue.close();
  });

  it('runs a kind registered with its own concurrency at most that many at once', async () => {
    const queue = createInProcessJobQueue({ concurrency: 4 });
    const first = gate<Json>();
    queue.work('single', () => first.promise, { concurrency: 1 });
    queue.work('free', () => new Promise<Json>(() => undefined));
    await queue.submit('single', 'one', null);
    await queue.submit('single', 'two', null);
    await queue.submit('free', 'a', null);
    await queue.submit('free', 'b', null);
    expect((await queue.get('single', 'two'))?.state).toBe('queued');
    expect((await queue.get('free', 'b'))?.state).toBe('running');
    first.open('done');
    await until(async () => (await queue.get('single', 'two'))?.state === 'done');
    await queue.close();
  });

  it('holds jobs of a kind nobody works on until a handler is registered', async () => {
    const queue = createInProcessJobQueue();
    await queue.submit('later', 'x', null);
    expect((await queue.get('later', 'x'))?.state).toBe('queued');
    queue.work('later', () => Promise.resolve('ran'));
    await until(async () => (await queue.get('later', 'x'))?.state === 'done');
    await queue.close();
  });

  it('reports a failure, and starts a failed job again when it is submitted again', async () => {
    const queue = createInProcessJobQueue();
    let tries = 0;
    queue.work('flaky', () => {
      tries++;
      return tries === 1 ? Promise.reject(new Error('solver crashed')) : Promise.resolve('ok');
    });
    await queue.submit('flaky', 'k', null);
    await until(async () => (await queue.get('flaky', 'k'))?.state === 'failed');
    expect(await queue.get('flaky', 'k')).toEqual({ state: 'failed', error: 'solver crashed' });
    await queue.submit('flaky', 'k', null);
    await until(async () => (await queue.get('flaky', 'k'))?.state === 'done');
    expect(tries).toBe(2);
    await queue.close();
  });

  it('forgets a finished job after ten minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const queue = createInProcessJobQueue();
    queue.work('quick', () => Promise.resolve('done'));
    await queue.submit('quick', 'old', null);
    await until(async () => (await queue.get('quick', 'old'))?.state === 'done');
    vi.setSystemTime(Date.now() + 9 * 60_000);
    await queue.submit('quick', 'newer', null);
    expect((await queue.get('quick', 'old'))?.state).toBe('done');
    vi.setSystemTime(Date.now() + 2 * 60_000);
    await queue.submit('quick', 'newest', null);
    expect(await queue.get('quick', 'old')).toBeUndefined();
    expect((await queue.get('quick', 'newer'))?.state).toBe('done');
    await queue.close();
  });

  it('refuses work once closed', async () => {
    const queue = createInProcessJobQueue();
    await queue.close();
    await expect(queue.submit('any', 'k', null)).rejects.toThrow('closed');
    await expect(queue.get('any', 'k')).rejects.toThrow('closed');
  });
});

describe('runJobs', () => {
  it('submits every job and answers their results in order', async () => {
    const queue = createInProcessJobQueue({ concurrency: 3 });
    queue.work('square', (data) => {
      const n = data as number;
      // The later jobs finish first: the order of the answer is the order asked.
      return new Promise((resolve) => {
        setTimeout(
          () => {
            resolve(n * n);
          },
          30 - n * 10,
        );
      });
    });
    const results = await runJobs(queue, 'square', [
      { key: 'one', data: 1 },
      { key: 'two', data: 2 },
      { key: 'zero', data: 0 },
    ]);
    expect(results.map((r) => r.result)).toEqual([1, 4, 0]);
    expect(results.every((r) => r.worker === workerName())).toBe(true);
    await queue.close();
  });

  it('throws the failure of a job', async () => {
    const queue = createInProcessJobQueue();
    queue.work('broken', () => Promise.reject(new Error('no solver')));
    await expect(runJobs(queue, 'broken', [{ key: 'k', data: null }])).rejects.toThrow(
      'job broken k failed: no solver',
    );
    await queue.close();
  });

  it('stops waiting when the queue closes', async () => {
    const queue = createInProcessJobQueue();
    queue.work('never', () => new Promise<Json>(() => undefined));
    const waiting = runJobs(queue, 'never', [{ key: 'k', data: null }]);
    await queue.close();
    await expect(waiting).rejects.toThrow('closed');
  });
});
