import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../core/planner/solver.js';
import { toMps } from './cbc.js';

describe('toMps', () => {
  // Cbc 2.10 reads this text with no error and solves it to 102.5 (x = 2, y = 1), the optimum
  // by hand; this test holds the writer to it without needing Cbc installed.
  it('writes every kind of row and bound, integer columns marked, the offset as a constant', () => {
    const builder = new ModelBuilder();
    const x = builder.addColumn(2, 0, Infinity, true);
    const y = builder.addColumn(-1.5, 0, 1, true);
    const s = builder.addColumn(1, 0, Infinity, false);
    const z = builder.addColumn(0, -Infinity, 4, false);
    builder.addRow([x, y], [1, 1], 3, 3); // equality
    builder.addRow([x, s], [1, -1], -Infinity, 10); // ≤
    builder.addRow([y, s], [2, 1], 1, Infinity); // ≥
    builder.addRow([x, z], [1, 1], 2, 5); // ranged
    builder.addRow([z], [1], -Infinity, Infinity); // free
    builder.offset = 100;
    expect(toMps(builder.build(), 'tiny')).toBe(
      [
        'NAME tiny',
        'ROWS',
        ' N obj',
        ' E r0',
        ' L r1',
        ' G r2',
        ' G r3',
        ' N r4',
        'COLUMNS',
        " MARKER 'MARKER' 'INTORG'",
        ' c0 obj 2',
        ' c0 r0 1',
        ' c0 r1 1',
        ' c0 r3 1',
        ' c1 obj -1.5',
        ' c1 r0 1',
        ' c1 r2 2',
        " MARKER 'MARKER' 'INTEND'",
        ' c2 obj 1',
        ' c2 r1 -1',
        ' c2 r2 1',
        ' c3 obj 0',
        ' c3 r3 1',
        ' c3 r4 1',
        'RHS',
        ' rhs obj -100',
        ' rhs r0 3',
        ' rhs r1 10',
        ' rhs r2 1',
        ' rhs r3 2',
        'RANGES',
        ' rng r3 3',
        'BOUNDS',
        // An unbounded integer column is said to be so: some readers would take it as binary.
        ' UP bnd c0 1e+30',
        ' UP bnd c1 1',
        ' LO bnd c3 -1e+30',
        ' UP bnd c3 4',
        'ENDATA',
        '',
      ].join('\n'),
    );
  });
});
