import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetworkSimplex } from './network-simplex.js';

const SEED = Number(process.env.STARGATE_PROPERTY_SEED ?? 42);
const SCALE = Number(process.env.STARGATE_PROPERTY_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/**
 * A transportation problem as the fast planner builds them: supply nodes 1..s with an unserved
 * arc to the root (node 0), capacity nodes with a bounded arc to the root, and arcs from
 * supplies to capacities with integer costs of either sign. `depth` 'max' makes fast-check draw
 * arrays up to their `maxLength`: by default it keeps them to about ten entries whatever
 * `maxLength` says.
 */
const transportOf = (size: { supplies: number; capacities: number; arcs: number; depth?: 'max' }) =>
  fc
    .record({
      supplies: fc.array(fc.integer({ min: 0, max: 30 }), {
        minLength: 1,
        maxLength: size.supplies,
        ...(size.depth ? { size: size.depth } : {}),
      }),
      // Each capacity node's arc to the root must be able to take more flow: at least 1.
      capacities: fc.array(fc.integer({ min: 1, max: 40 }), {
        minLength: 1,
        maxLength: size.capacities,
        ...(size.depth ? { size: size.depth } : {}),
      }),
    })
    .chain(({ supplies, capacities }) =>
      fc.record({
        supplies: fc.constant(supplies),
        capacities: fc.constant(capacities),
        arcs: fc.array(
          fc.record({
            from: fc.nat({ max: supplies.length - 1 }),
            to: fc.nat({ max: capacities.length - 1 }),
            cost: fc.integer({ min: -50, max: 20 }),
          }),
          { maxLength: size.arcs, ...(size.depth ? { size: size.depth } : {}) },
        ),
        /** How many arcs exist before the first solve; the rest are added after it. */
        firstArcs: fc.nat({ max: size.arcs }),
      }),
    );
const transport = transportOf({ supplies: 8, capacities: 6, arcs: 30 });
/**
 * Networks of many pricing blocks (√arcs arcs each), whose scans go on past the first block and
 * wrap around: the candidate list's length is then bounded by the rule, not by the room.
 */
const largeTransport = transportOf({ supplies: 60, capacities: 30, arcs: 900, depth: 'max' });

describe('NetworkSimplex', () => {
  it.each([
    ['small networks', transport, 300],
    ['networks of many pricing blocks', largeTransport, 60],
  ] as const)(
    'ends with a flow and potentials that prove each other optimal: %s',
    (_, networks, count) => {
      fc.assert(
        fc.property(networks, ({ supplies, capacities, arcs, firstArcs }) => {
          const s = supplies.length;
          const nodes = 1 + s + capacities.length;
          const flows = new NetworkSimplex(nodes, 0, 4);
          const parent = new Int32Array(nodes);
          const treeArc = new Int32Array(nodes);
          const order = Int32Array.from({ length: nodes - 1 }, (_, k) => k + 1);
          supplies.forEach((supply, j) => {
            treeArc[j + 1] = flows.addArc(j + 1, 0, 0, Infinity, -1, supply);
          });
          capacities.forEach((capacity, q) => {
            treeArc[s + 1 + q] = flows.addArc(s + 1 + q, 0, 0, capacity, -1, 0);
          });
          const addArc = (arc: (typeof arcs)[number]) =>
            flows.addArc(arc.from + 1, s + 1 + arc.to, arc.cost, Infinity, 0);
          arcs.slice(0, firstArcs).forEach(addArc);
          flows.start(order, parent, treeArc);
          expect(flows.solve(100_000)).toBe(true);
          arcs.slice(firstArcs).forEach(addArc);
          expect(flows.solve(100_000)).toBe(true);

          // Conservation: each supply sends exactly its GPUs; no capacity is exceeded.
          const balance = new Float64Array(nodes);
          for (let e = 0; e < flows.arcs; e++) {
            const f = flows.flow[e] ?? 0;
            expect(f).toBeGreaterThanOrEqual(0);
            expect(f).toBeLessThanOrEqual(flows.capacity[e] ?? 0);
            balance[flows.source[e] ?? 0] = (balance[flows.source[e] ?? 0] ?? 0) + f;
            balance[flows.target[e] ?? 0] = (balance[flows.target[e] ?? 0] ?? 0) - f;
          }
          supplies.forEach((supply, j) => {
            expect(balance[j + 1]).toBe(supply);
          });
          capacities.forEach((_, q) => {
            expect(balance[s + 1 + q]).toBe(0);
          });
          // Every arc with flow strictly between its bounds is a tree arc (what the fast
          // planner relies on to read flows from the tree alone), listed in index order.
          const tree = flows.treeArcs();
          expect(tree.length).toBe(nodes - 1);
          expect([...tree]).toEqual([...tree].sort((a, b) => a - b));
          for (let e = 0; e < flows.arcs; e++) {
            const f = flows.flow[e] ?? 0;
            if (f > 0 && f < (flows.capacity[e] ?? 0)) expect(tree).toContain(e);
          }
          // Complementary slackness with the potentials: optimal.
          for (let e = 0; e < flows.arcs; e++) {
            const reduced =
              (flows.cost[e] ?? 0) +
              (flows.potential[flows.source[e] ?? 0] ?? 0) -
              (flows.potential[flows.target[e] ?? 0] ?? 0);
            const f = flows.flow[e] ?? 0;
            if (f < (flows.capacity[e] ?? 0)) expect(reduced).toBeGreaterThanOrEqual(0);
            if (f > 0) expect(reduced).toBeLessThanOrEqual(0);
          }
        }),
        { seed: SEED, numRuns: runs(count) },
      );
    },
  );

  it('goes on from its optimal tree when costs change', () => {
    fc.assert(
      fc.property(
        transport,
        fc.array(fc.integer({ min: -50, max: 20 }), { minLength: 30, maxLength: 30 }),
        ({ supplies, capacities, arcs }, newCosts) => {
          const s = supplies.length;
          const nodes = 1 + s + capacities.length;
          const flows = new NetworkSimplex(nodes, 0, 4);
          const treeArc = new Int32Array(nodes);
          supplies.forEach((supply, j) => {
            treeArc[j + 1] = flows.addArc(j + 1, 0, 0, Infinity, -1, supply);
          });
          capacities.forEach((capacity, q) => {
            treeArc[s + 1 + q] = flows.addArc(s + 1 + q, 0, 0, capacity, -1, 0);
          });
          const first = flows.arcs;
          for (const arc of arcs) flows.addArc(arc.from + 1, s + 1 + arc.to, arc.cost, Infinity, 0);
          flows.start(
            Int32Array.from({ length: nodes - 1 }, (_, k) => k + 1),
            new Int32Array(nodes),
            treeArc,
          );
          expect(flows.solve(100_000)).toBe(true);
          arcs.forEach((_, k) => {
            flows.cost[first + k] = newCosts[k] ?? 0;
          });
          flows.refreshPotentials();
          expect(flows.solve(100_000)).toBe(true);
          // The same optimum as a fresh solve of the new costs.
          const fresh = new NetworkSimplex(nodes, 0, 4);
          supplies.forEach((supply, j) => fresh.addArc(j + 1, 0, 0, Infinity, -1, supply));
          capacities.forEach((capacity, q) => fresh.addArc(s + 1 + q, 0, 0, capacity, -1, 0));
          arcs.forEach((arc, k) =>
            fresh.addArc(arc.from + 1, s + 1 + arc.to, newCosts[k] ?? 0, Infinity, 0),
          );
          fresh.start(
            Int32Array.from({ length: nodes - 1 }, (_, k) => k + 1),
            new Int32Array(nodes),
            Int32Array.from({ length: nodes }, (_, v) => (v === 0 ? -1 : v - 1)),
          );
          expect(fresh.solve(100_000)).toBe(true);
          expect(flows.totalCost()).toBe(fresh.totalCost());
        },
      ),
      { seed: SEED, numRuns: runs(300) },
    );
  });
});
