import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openStore } from '../store/db.js';
import { authenticate } from '../store/tokens.js';
import { bufferIo } from './io.js';
import { run } from './main.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

// import, export and token create on a PGlite directory, as a user runs them (DATABASE_URL unset).
describe('store commands on a PGlite directory', () => {
  let dir: string;
  let data: string;
  const savedUrl = process.env['DATABASE_URL'];
  beforeAll(async () => {
    delete process.env['DATABASE_URL'];
    dir = await mkdtemp(join(tmpdir(), 'stargate-cli-store-'));
    data = join(dir, 'data');
  });
  afterAll(async () => {
    if (savedUrl !== undefined) process.env['DATABASE_URL'] = savedUrl;
    await rm(dir, { recursive: true, force: true });
  });

  it('exports exactly what it imported, as JSON and as YAML', async () => {
    const imported = bufferIo();
    expect(await run(['import', EXAMPLE, '--data', data], imported)).toBe(0);
    expect(imported.stderr()).toContain('imported stargate-2025');

    const asJson = bufferIo();
    expect(await run(['export', '--format', 'json', '--data', data], asJson)).toBe(0);
    const original = parse(await readFile(EXAMPLE, 'utf8')) as unknown;
    expect(JSON.stringify(JSON.parse(asJson.stdout()))).toBe(JSON.stringify(original));

    const asYaml = bufferIo();
    expect(await run(['export', '--data', data], asYaml)).toBe(0);
    expect(JSON.stringify(parse(asYaml.stdout()))).toBe(JSON.stringify(original));

    // The export is itself a valid scenario file that plans like the original.
    const file = join(dir, 'exported.yaml');
    await writeFile(file, asYaml.stdout());
    const validated = bufferIo();
    expect(await run(['validate', file], validated)).toBe(0);
  });

  it('refuses a second import unless told to replace, and keeps the first', async () => {
    const again = bufferIo();
    expect(await run(['import', EXAMPLE, '--data', data], again)).toBe(2);
    expect(again.stderr()).toContain('holds a scenario already; --replace replaces it');
    const replaced = bufferIo();
    expect(await run(['import', EXAMPLE, '--replace', '--data', data], replaced)).toBe(0);
  });

  it('refuses an invalid file with every problem and leaves the store as it was', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'apiVersion: stargate/v1\nkind: Scenario\nmetadata: { name: x }\n');
    const io = bufferIo();
    expect(await run(['import', file, '--replace', '--data', data], io)).toBe(2);
    expect(io.stderr()).toContain('horizon');
    expect(io.stderr()).not.toContain('    at ');
    const exported = bufferIo();
    expect(await run(['export', '--format', 'json', '--data', data], exported)).toBe(0);
    expect((JSON.parse(exported.stdout()) as { metadata: { name: string } }).metadata.name).toBe(
      'stargate-2025',
    );
  });

  it('creates a token that the store authenticates, bound as asked', async () => {
    const io = bufferIo();
    expect(
      await run(['token', 'create', '--role', 'holder', '--provider', 'azure', '--data', data], io),
    ).toBe(0);
    const secret = io.stdout().trim();
    expect(secret).toMatch(/^sgt_[\w-]{43}$/);
    const store = await openStore({ kind: 'pglite', dataDir: data });
    try {
      const principal = await authenticate(store.db, secret);
      expect(principal).toMatchObject({ role: 'holder', providerId: 'azure' });
    } finally {
      await store.close();
    }
  });

  it('makes a token that expires (--expires-in DAYS) and lists when', async () => {
    const made = bufferIo();
    const before = Date.now();
    expect(
      await run(['token', 'create', '--role', 'viewer', '--expires-in', '7', '--data', data], made),
    ).toBe(0);
    const id = /created viewer token (tok_[0-9a-f]{12})/.exec(made.stderr())?.[1] ?? '';
    const listed = bufferIo();
    expect(await run(['token', 'list', '--data', data], listed)).toBe(0);
    const line =
      listed
        .stdout()
        .split('\n')
        .find((row) => row.startsWith(id)) ?? '';
    const expires = /(\d{4}-\d\d-\d\d \d\d:\d\d) +(\d{4}-\d\d-\d\d \d\d:\d\d) +-$/.exec(line)?.[2];
    const days = (Date.parse(`${expires?.replace(' ', 'T') ?? ''}:00Z`) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const bad = bufferIo();
    expect(
      await run(
        ['token', 'create', '--role', 'viewer', '--expires-in', '4000', '--data', data],
        bad,
      ),
    ).toBe(2);
    expect(bad.stderr()).toContain('--expires-in: expected at most 3650 days, got 4000');
  });

  it('lists tokens without secrets and revokes one, which the store then refuses', async () => {
    const made = bufferIo();
    expect(
      await run(
        ['token', 'create', '--role', 'viewer', '--label', 'to revoke', '--data', data],
        made,
      ),
    ).toBe(0);
    const secret = made.stdout().trim();
    const id = /created viewer token (tok_[0-9a-f]{12})/.exec(made.stderr())?.[1] ?? '';
    const listed = bufferIo();
    expect(await run(['token', 'list', '--data', data], listed)).toBe(0);
    expect(listed.stdout()).toMatch(
      new RegExp(`^${id} +viewer +- +to revoke +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +- +-$`, 'm'),
    );
    expect(listed.stdout()).not.toContain('sgt_');
    const revoked = bufferIo();
    expect(await run(['token', 'revoke', id, '--data', data], revoked)).toBe(0);
    expect(revoked.stderr()).toBe(`revoked token ${id}\n`);
    const store = await openStore({ kind: 'pglite', dataDir: data });
    try {
      expect(await authenticate(store.db, secret)).toBeUndefined();
    } finally {
      await store.close();
    }
    const again = bufferIo();
    expect(await run(['token', 'revoke', id, '--data', data], again)).toBe(2);
    expect(again.stderr()).toContain(`no live token ${id}`);
  });

  it('explains what is wrong with a token request', async () => {
    const cases: [string[], string][] = [
      [['token', 'create', '--data', data], '--role is required'],
      [['token', 'create', '--role', 'king', '--data', data], '--role: expected admin, planner'],
      [
        ['token', 'create', '--role', 'holder', '--data', data],
        'a holder token answers for one provider',
      ],
      [
        ['token', 'create', '--role', 'holder', '--provider', 'nope', '--data', data],
        'unknown provider nope',
      ],
      [
        ['token', 'create', '--role', 'operator', '--site', 'nowhere', '--data', data],
        'unknown site nowhere',
      ],
    ];
    for (const [argv, message] of cases) {
      const io = bufferIo();
      expect(await run(argv, io)).toBe(2);
      expect(io.stderr()).toContain(message);
    }
  });
});
