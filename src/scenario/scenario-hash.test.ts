import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScenarioFileWithHash } from './load.js';
import { canonicalJson, canonicalJsonByWalk, scenarioHash } from './scenario-hash.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/stargate-2025.yaml', import.meta.url));

describe('scenarioHash', () => {
  it('sorts keys at every level and keeps list order', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }], u: undefined })).toBe(
      '{"a":[true,{"c":"x","d":null}],"b":1}',
    );
    expect(scenarioHash({ b: 1, a: 2 })).toBe(scenarioHash({ a: 2, b: 1 }));
    expect(scenarioHash({ a: [1, 2] })).not.toBe(scenarioHash({ a: [2, 1] }));
    expect(scenarioHash({ a: '1' })).not.toBe(scenarioHash({ a: 1 }));
    expect(scenarioHash({})).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('writes a plain document as it writes one it must walk', () => {
    // Keys missing from some objects, undefined values, keys that differ only in case, nested
    // lists: the fast path must write what the walk writes.
    const plain = {
      z: [{ b: 1, a: undefined, ab: 'x' }, { a: [null, undefined, 2] }, []],
      A: { 'a-b': 1, a: { z: true, Z: false } },
      '': 0,
    };
    const expected =
      '{"":0,"A":{"a":{"Z":false,"z":true},"a-b":1},"z":[{"ab":"x","b":1},{"a":[null,null,2]},[]]}';
    expect(canonicalJson(plain)).toBe(expected);
    // A Date or a function makes the document not plain: the walk writes it, as JSON would.
    const date = new Date(Date.UTC(2026, 0, 2));
    expect(canonicalJson({ b: date, a: 1, f: () => 1 })).toBe(
      '{"a":1,"b":"2026-01-02T00:00:00.000Z"}',
    );
    // So many distinct keys that the walk is cheaper: the same text either way.
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${299 - i}`, { i }]));
    const written = canonicalJson(wide);
    expect(written.startsWith('{"k0":{"i":299},"k1":{"i":298},"k10":{"i":289}')).toBe(true);
    expect(JSON.parse(written)).toEqual(wide);
  });

  it('writes any JSON value as the walk does, key for key', () => {
    // Keys drawn from a small set, so that objects share keys and miss some, as a scenario's do;
    // undefined values and holes-free lists of every kind of value.
    const key = fc.constantFrom('a', 'A', 'b', '10', '9', '', 'a-b', 'é', 'toJSON', 'constructor');
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, undefined, true, false, 0, -0, 1.5, -7, 1e21),
        fc.string(),
        fc.array(tie('any'), { maxLength: 4 }),
        fc.dictionary(key, tie('any'), { maxKeys: 5 }),
      ),
    })).any;
    fc.assert(
      fc.property(value, (document) => canonicalJson(document) === canonicalJsonByWalk(document)),
      { numRuns: 500, seed: 7 },
    );
  });

  it('is the same for a YAML file and its JSON, and changes with any value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stargate-hash-'));
    try {
      const text = await readFile(EXAMPLE, 'utf8');
      const yaml = await loadScenarioFileWithHash(EXAMPLE);
      const doc = parse(text) as { pools: { gpus: number }[] };
      const asJson = join(dir, 'example.json');
      await writeFile(asJson, JSON.stringify(doc));
      expect((await loadScenarioFileWithHash(asJson)).hash).toBe(yaml.hash);
      // Comments and layout are not the scenario.
      const commented = join(dir, 'commented.yaml');
      await writeFile(commented, `# a note\n${text}\n# another\n`);
      expect((await loadScenarioFileWithHash(commented)).hash).toBe(yaml.hash);
      const pool = doc.pools[0];
      if (!pool) throw new Error('the example has pools');
      pool.gpus += 1;
      const edited = join(dir, 'edited.json');
      await writeFile(edited, JSON.stringify(doc));
      expect((await loadScenarioFileWithHash(edited)).hash).not.toBe(yaml.hash);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is the hash the golden plan of the example carries', async () => {
    const golden = JSON.parse(await readFile(EXAMPLE.replace(/\.yaml$/, '.plan.json'), 'utf8')) as {
      scenarioHash?: string;
    };
    expect(golden.scenarioHash).toBe((await loadScenarioFileWithHash(EXAMPLE)).hash);
  });
});
