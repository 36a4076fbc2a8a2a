import { describe, expect, it } from 'vitest';
import { applyMergePatch, locateProblem } from './merge-patch.js';

const scenario = {
  horizon: { start: '2025-01', end: '2030-12' },
  buildings: [
    { id: 'b1', online: '2026-01', capexSchedule: [{ milestone: 'online', percent: 100 }] },
    { id: 'b2', online: '2027-01', note: 'kept' },
  ],
  contracts: [
    {
      id: 'c1',
      terms: [
        { id: 'commit', type: 'commitment', minSpendUSD: 100 },
        { id: 'excl', type: 'exclusivity', classes: ['api'] },
      ],
    },
  ],
};

describe('applyMergePatch', () => {
  it('merges lists of identified things by id, nested too, and leaves the input alone', () => {
    const before = JSON.stringify(scenario);
    const result = applyMergePatch(scenario, {
      buildings: [{ id: 'b2', online: '2027-04' }],
      contracts: [{ id: 'c1', terms: [{ id: 'commit', minSpendUSD: 80 }] }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.document['buildings']).toEqual([
      scenario.buildings[0],
      { id: 'b2', online: '2027-04', note: 'kept' },
    ]);
    expect(result.document['contracts']).toEqual([
      {
        id: 'c1',
        terms: [
          { id: 'commit', type: 'commitment', minSpendUSD: 80 },
          { id: 'excl', type: 'exclusivity', classes: ['api'] },
        ],
      },
    ]);
    expect(JSON.stringify(scenario)).toBe(before);
  });

  it('adds new ids at the end, deletes with $patch, removes fields with null (RFC 7396)', () => {
    const result = applyMergePatch(scenario, {
      buildings: [
        { id: 'b3', online: '2028-01', note: null },
        { id: 'b1', $patch: 'delete' },
        { id: 'b2', note: null },
      ],
    });
    expect(result.ok && result.document['buildings']).toEqual([
      { id: 'b2', online: '2027-01' },
      { id: 'b3', online: '2028-01' },
    ]);
    // Positions are those of the result: b2 is now first, b3 second.
    expect(result.ok && result.origins).toEqual(
      new Map([
        ['buildings\u00000', ['buildings', 2]],
        ['buildings\u00001', ['buildings', 0]],
      ]),
    );
  });

  it('replaces lists without ids whole, and plain values', () => {
    const result = applyMergePatch(scenario, {
      buildings: [{ id: 'b1', capexSchedule: [{ milestone: 'start', percent: 100 }] }],
      contracts: [{ id: 'c1', terms: [{ id: 'excl', classes: ['api', 'consumer'] }] }],
      horizon: { end: '2031-12' },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const buildings = result.document['buildings'] as { capexSchedule?: unknown }[];
    expect(buildings[0]?.capexSchedule).toEqual([{ milestone: 'start', percent: 100 }]);
    expect(result.document['horizon']).toEqual({ start: '2025-01', end: '2031-12' });
  });

  it('names the path in the patch of every item it cannot apply', () => {
    const result = applyMergePatch(
      scenario,
      {
        buildings: [{ online: '2027-01' }, { id: 'b9', $patch: 'delete' }, 'b1'],
        contracts: [{ id: 'c1', terms: [{ id: 'excl', $patch: 'remove' }] }],
      },
      ['body', 'patch'],
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.path.join('.'), p.message])).toEqual([
      [
        'body.patch.buildings.0.id',
        'expected an object with an "id" naming the building to change, add or delete (items of buildings merge by id)',
      ],
      ['body.patch.buildings.1.id', 'no building "b9" to delete'],
      [
        'body.patch.buildings.2',
        'expected an object with an "id" naming the building to change, add or delete (items of buildings merge by id)',
      ],
      [
        'body.patch.contracts.0.terms.0.$patch',
        'expected "delete" (the only directive), got "remove"',
      ],
    ]);
    expect(applyMergePatch(scenario, [1, 2], ['body', 'patch'])).toEqual({
      ok: false,
      problems: [
        { path: ['body', 'patch'], message: 'expected an object (a merge patch of the scenario)' },
      ],
    });
  });
});

describe('locateProblem', () => {
  it('names a problem inside a patched item by its path in the patch, others by id', () => {
    const result = applyMergePatch(
      scenario,
      { contracts: [{ id: 'c1', terms: [{ id: 'commit', minSpendUSD: -1 }] }] },
      ['body', 'patch'],
    );
    if (!result.ok) throw new Error('expected the patch to apply');
    const inPatch = locateProblem(
      { path: ['contracts', 0, 'terms', 0, 'minSpendUSD'], message: 'expected ≥ 0' },
      result.document,
      result.origins,
    );
    expect(inPatch.path).toEqual(['body', 'patch', 'contracts', 0, 'terms', 0, 'minSpendUSD']);
    const elsewhere = locateProblem(
      { path: ['buildings', 1, 'online'], message: 'after the horizon' },
      result.document,
      result.origins,
    );
    expect(elsewhere.path).toEqual(['scenario', 'buildings[id=b2]', 'online']);
  });
});
