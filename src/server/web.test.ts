import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/db.js';
import type { Store } from '../store/db.js';
import type { App } from './app.js';
import { buildApp } from './app.js';

/**
 * The dashboard's files at `/`, beside the API: what a browser asks for and what it gets. A
 * built app is stood in for by a folder of the same shape, so this runs without `vite build`.
 */
let dir: string;
let store: Store;
let app: App;
const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stargate-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>stargate</title><div id="root">');
  await writeFile(join(dir, 'assets', 'index-abc123.js'), script);
  store = await openStore({ kind: 'memory' });
  app = buildApp({ store, version: 'test', webRoot: dir });
}, 60_000);

afterAll(async () => {
  await app.fastify.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) =>
  app.fastify.inject({ method: 'GET', url, headers });

describe('the dashboard at /', () => {
  it('serves index.html at / and at every page path, so deep links and reload work', async () => {
    for (const url of ['/', '/plan', '/offers?state=pending', '/buildout/', '/ledger']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<div id="root">');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('serves hashed assets for a year, gzipped when the browser accepts it', async () => {
    const plain = await get('/assets/index-abc123.js');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toContain('immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);

    const zipped = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(script.length / 10);
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(script);
  });

  it('answers a missing asset with 404, not with the app', async () => {
    const response = await get('/assets/index-gone.js');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/json');
    expect((await get('/favicon.png')).statusCode).toBe(404);
  });

  it('keeps the API’s JSON 404 under /v1 and points to everything at /v1', async () => {
    const missing = await get('/v1/nothing-here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });

    const index = await get('/v1');
    expect(index.statusCode).toBe(200);
    expect(index.json()).toMatchObject({
      dashboard: '/',
      docs: '/docs',
      openapi: '/openapi.json',
      stream: '/v1/stream',
    });
    expect(index.json<{ routes: string[] }>().routes).toContain('GET /v1/me');
  });

  it('says how to build the dashboard when it is not built', async () => {
    const bare = buildApp({ store, version: 'test', webRoot: join(dir, 'missing') });
    try {
      const response = await bare.fastify.inject({ method: 'GET', url: '/plan' });
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('npm run build');
      expect(response.body).toContain('/docs');
    } finally {
      await bare.fastify.close();
    }
  });
});
