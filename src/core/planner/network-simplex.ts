/**
 * A primal network simplex for min-cost flow, small and deterministic, for the fast planner's
 * month-by-month transportation problems.
 *
 * The caller adds the arcs (integer-valued costs, capacities with `Infinity` for none, and a
 * flow) and names a first spanning tree rooted at `root` that is *strongly feasible*: from
 * every node a positive amount of flow can still be sent to the root along the tree, and every
 * arc outside the tree sits at a bound. Node balances are implied by that first flow and never
 * change. Pivots keep the tree strongly feasible (Cunningham's leaving-arc rule), which rules
 * out cycling. The entering arc comes from an altering candidate list (as in LEMON): the
 * candidates kept from the last pivot are checked again, then arcs are scanned block by block
 * (√arcs each) in index order from where the last scan stopped; the most violated enters and
 * the next few are kept. Arcs may be added between solves (they enter at flow 0) and costs
 * changed (then `refreshPotentials`), so a solve goes on from the last optimal tree. With
 * integer costs every potential is an exact integer in float64, so optimality is decided
 * without tolerances.
 *
 * The tree is kept as parent pointers with child lists and depths; a pivot re-roots the
 * subtree it cuts off and shifts that subtree's potentials.
 *
 * Potentials follow the convention cost(u→v) + π(u) − π(v) = 0 on tree arcs, π(root) = 0:
 * −π(v) is the cost of the tree path from v to the root.
 */
export class NetworkSimplex {
  readonly nodes: number;
  /** Arcs added so far. */
  arcs = 0;
  // Per arc; the arrays grow as arcs are added, so read them afresh after `addArc`.
  source: Int32Array;
  target: Int32Array;
  cost: Float64Array;
  capacity: Float64Array;
  flow: Float64Array;
  /** The caller's label of each arc. */
  tag: Int32Array;
  /** 1 at the lower bound, −1 at the upper bound, 0 in the tree. */
  private state: Int8Array;
  readonly potential: Float64Array;
  private readonly parent: Int32Array;
  private readonly predArc: Int32Array;
  /** 1 when the arc to the parent leaves the node (node → parent), −1 when it enters it. */
  private readonly predUp: Int8Array;
  private readonly depth: Int32Array;
  private readonly firstChild: Int32Array;
  private readonly nextSibling: Int32Array;
  private readonly prevSibling: Int32Array;
  private readonly stack: Int32Array;
  private readonly root: number;
  private blockSize = 16;
  private head = 3;
  private nextArc = 0;
  /**
   * The candidate list has room for `candidateRoom` + 1 arcs; the room doubles from the first
   * `maxArcs` as arcs are added, however much room the arc arrays were given up front, so that
   * the entering rule (which stops adding candidates when the list is full) never depends on
   * that reservation. The arrays themselves are only as long as a scan can fill them
   * (`ensureCandidateArrays`): a few hundred entries where the room is the month's arcs.
   */
  private candidateRoom: number;
  private candidates: Int32Array = new Int32Array(0);
  private candidateValue: Float64Array = new Float64Array(0);
  private candidateCount = 0;
  /** Pivots made so far, degenerate ones included. */
  pivots = 0;

  /**
   * A graph of `nodes` nodes, with first room for `maxArcs` arcs, added with `addArc`. With
   * `reserve`, the arc arrays get room for that many arcs at once: a caller that knows how many
   * arcs it may add saves growing and copying them.
   */
  constructor(nodes: number, root: number, maxArcs: number, reserve = maxArcs) {
    maxArcs = Math.max(16, maxArcs);
    const room = Math.max(maxArcs, reserve);
    this.nodes = nodes;
    this.root = root;
    this.source = new Int32Array(room);
    this.target = new Int32Array(room);
    this.cost = new Float64Array(room);
    this.capacity = new Float64Array(room);
    this.flow = new Float64Array(room);
    this.tag = new Int32Array(room);
    this.state = new Int8Array(room);
    this.potential = new Float64Array(nodes);
    this.parent = new Int32Array(nodes).fill(-1);
    this.predArc = new Int32Array(nodes).fill(-1);
    this.predUp = new Int8Array(nodes);
    this.depth = new Int32Array(nodes);
    this.firstChild = new Int32Array(nodes).fill(-1);
    this.nextSibling = new Int32Array(nodes).fill(-1);
    this.prevSibling = new Int32Array(nodes).fill(-1);
    this.stack = new Int32Array(nodes);
    this.candidateRoom = maxArcs;
  }

  /**
   * Adds an arc u → v labelled `tag`, at flow `flow` (0 for an arc outside the first tree, or
   * one added after `start`, which then enters at its lower bound); returns its index.
   */
  addArc(u: number, v: number, cost: number, capacity: number, tag: number, flow = 0): number {
    if (this.arcs === this.source.length) this.grow();
    if (this.arcs === this.candidateRoom) this.candidateRoom *= 2;
    const e = this.arcs++;
    this.source[e] = u;
    this.target[e] = v;
    this.cost[e] = cost;
    this.capacity[e] = capacity;
    this.flow[e] = flow;
    this.tag[e] = tag;
    this.state[e] = 1;
    this.blockSize = Math.max(16, Math.ceil(Math.sqrt(this.arcs)));
    this.head = Math.max(3, Math.ceil(this.blockSize / 10));
    return e;
  }

  private grow(): void {
    const size = this.source.length * 2;
    this.source = growInt32(this.source, size);
    this.target = growInt32(this.target, size);
    this.cost = growFloat64(this.cost, size);
    this.capacity = growFloat64(this.capacity, size);
    this.flow = growFloat64(this.flow, size);
    this.tag = growInt32(this.tag, size);
    const state = new Int8Array(size);
    state.set(this.state);
    this.state = state;
  }

  /**
   * Makes the candidate arrays as long as one `findEntering` can fill: the kept candidates (at
   * most `head`, kept when `head` was no larger) and then, since the scan stops after the first
   * whole block that ends with more than `head` candidates, or after a later one that ends with
   * any, at most one block's worth: `head` + `blockSize` in all, or the room if less.
   */
  private ensureCandidateArrays(): void {
    const need = Math.min(this.candidateRoom + 1, this.head + this.blockSize);
    if (this.candidates.length >= need) return;
    const size = Math.min(this.candidateRoom + 1, Math.max(need, 2 * this.candidates.length));
    this.candidates = growInt32(this.candidates, size);
    this.candidateValue = growFloat64(this.candidateValue, size);
  }

  /**
   * Builds the first tree: `treeArc[v]` joins node v to its parent `treeParent[v]`, for every
   * node but the root, listed so that each parent comes before its children in `order`. The
   * arcs' flows must make the tree strongly feasible, and every other arc's flow must be at a
   * bound (0: lower, else upper).
   */
  start(order: Int32Array, treeParent: Int32Array, treeArc: Int32Array): void {
    for (let e = 0; e < this.arcs; e++) this.state[e] = (this.flow[e] ?? 0) === 0 ? 1 : -1;
    for (const v of order) {
      if (v === this.root) continue;
      const arc = treeArc[v] ?? -1;
      const p = treeParent[v] ?? -1;
      const up = (this.source[arc] ?? -1) === v;
      if ((up ? this.target[arc] : this.source[arc]) !== p) {
        throw new Error('NetworkSimplex: a first tree arc must join its node to its parent');
      }
      this.state[arc] = 0;
      this.predArc[v] = arc;
      this.predUp[v] = up ? 1 : -1;
      this.depth[v] = (this.depth[p] ?? 0) + 1;
      this.attach(v, p);
    }
    this.refreshPotentials();
  }

  /** Recomputes every potential from the tree, after costs changed. */
  refreshPotentials(): void {
    const { potential, stack, firstChild, nextSibling, predArc, predUp, cost } = this;
    potential[this.root] = 0;
    let top = 0;
    for (let c = firstChild[this.root] ?? -1; c >= 0; c = nextSibling[c] ?? -1) stack[top++] = c;
    while (top > 0) {
      const v = stack[--top] ?? 0;
      const p = this.parent[v] ?? 0;
      potential[v] = (potential[p] ?? 0) - (predUp[v] ?? 0) * (cost[predArc[v] ?? 0] ?? 0);
      for (let c = firstChild[v] ?? -1; c >= 0; c = nextSibling[c] ?? -1) stack[top++] = c;
    }
  }

  /**
   * Pivots until optimal or until `maxPivots` more pivots were made; returns whether the flow
   * is optimal.
   */
  solve(maxPivots: number): boolean {
    const limit = this.pivots + maxPivots;
    while (this.pivots < limit) {
      const entering = this.findEntering();
      if (entering < 0) return true;
      this.pivot(entering);
      this.pivots++;
    }
    return this.findEntering() < 0;
  }

  /**
   * The arcs of the spanning tree, in index order. Every arc with flow strictly between its
   * bounds is one of them, so an arc without an upper bound carries flow only if it is here:
   * reading these instead of every arc finds all the flow of such arcs, in the same order.
   */
  treeArcs(): Int32Array {
    const arcs = new Int32Array(this.nodes - 1);
    let k = 0;
    for (let v = 0; v < this.nodes; v++) if (v !== this.root) arcs[k++] = this.predArc[v] ?? 0;
    return arcs.sort();
  }

  /** Σ cost × flow. */
  totalCost(): number {
    let total = 0;
    for (let e = 0; e < this.arcs; e++) total += (this.cost[e] ?? 0) * (this.flow[e] ?? 0);
    return total;
  }

  /**
   * The entering arc, by an altering candidate list: the candidates kept from the last call
   * are checked again, then arcs are scanned block by block from where the last scan stopped,
   * until a block ends with more than `head` candidates (the first time) or with any. The
   * most violated candidate enters; the next `head` most violated are kept. -1 when no arc
   * violates optimality.
   */
  private findEntering(): number {
    this.ensureCandidateArrays();
    const { arcs, state, cost, potential, source, target, candidates, candidateValue } = this;
    let length = 0;
    for (let k = 0; k < this.candidateCount; k++) {
      const e = candidates[k] ?? 0;
      const s = state[e] ?? 0;
      if (s === 0) continue;
      const value =
        s * ((cost[e] ?? 0) + (potential[source[e] ?? 0] ?? 0) - (potential[target[e] ?? 0] ?? 0));
      if (value < 0) {
        candidates[length] = e;
        candidateValue[length++] = value;
      }
    }
    const head = this.head;
    const block = this.blockSize;
    const room = this.candidateRoom + 1;
    let limit = head;
    let e = this.nextArc;
    for (let scanned = 0; scanned < arcs;) {
      const todo = Math.min(block, arcs - scanned);
      scanned += todo;
      // The block: `todo` arcs from e, going on at arc 0 past the last arc. The inner loop has
      // no wrap or block-end test, and no test for tree arcs (state 0: they price at 0 and are
      // never candidates): with those tested at every arc, the scan took a fifth longer
      // (gang-heavy 5,000 × 300 × 72: 0.49 s against 0.41 s for 68.5M arcs priced).
      let end = e + todo;
      for (;;) {
        const stop = Math.min(end, arcs);
        for (; e < stop; e++) {
          const value =
            (state[e] ?? 0) *
            ((cost[e] ?? 0) + (potential[source[e] ?? 0] ?? 0) - (potential[target[e] ?? 0] ?? 0));
          if (value < 0 && length < room) {
            candidates[length] = e;
            candidateValue[length++] = value;
          }
        }
        if (e === arcs) {
          e = 0;
          end -= arcs;
        }
        if (e >= end) break;
      }
      if (todo === block) {
        if (length > limit) break;
        limit = 0;
      }
    }
    this.nextArc = e;
    // A write past the arrays' end is dropped: `ensureCandidateArrays` must have made room.
    if (length > candidates.length) throw new Error('NetworkSimplex: candidate list overflow');
    if (length === 0) {
      this.candidateCount = 0;
      return -1;
    }
    // Partial selection: the best first, then the next `head` best (ties by list order).
    const keep = Math.min(head + 1, length);
    for (let k = 0; k < keep; k++) {
      let best = k;
      for (let j = k + 1; j < length; j++) {
        if ((candidateValue[j] ?? 0) < (candidateValue[best] ?? 0)) best = j;
      }
      if (best !== k) {
        const te = candidates[k] ?? 0;
        candidates[k] = candidates[best] ?? 0;
        candidates[best] = te;
        const tv = candidateValue[k] ?? 0;
        candidateValue[k] = candidateValue[best] ?? 0;
        candidateValue[best] = tv;
      }
    }
    const entering = candidates[0] ?? 0;
    for (let k = 1; k < keep; k++) candidates[k - 1] = candidates[k] ?? 0;
    this.candidateCount = keep - 1;
    return entering;
  }

  private pivot(entering: number): void {
    const { source, target, flow, capacity, parent, predArc, predUp, depth, state } = this;
    const s = state[entering] ?? 1;
    // Flow goes round the cycle from `first` through the entering arc to `second`, then up
    // from `second` to the join and down from the join to `first`.
    const first = s === 1 ? (source[entering] ?? 0) : (target[entering] ?? 0);
    const second = s === 1 ? (target[entering] ?? 0) : (source[entering] ?? 0);
    let u = first;
    let v = second;
    while (u !== v) {
      const du = depth[u] ?? 0;
      const dv = depth[v] ?? 0;
      if (du >= dv) u = parent[u] ?? 0;
      if (dv >= du) v = parent[v] ?? 0;
    }
    const join = u;

    // Cunningham's rule: the last blocking arc met going round the cycle in the direction of
    // flow from the join.
    let delta = capacity[entering] ?? 0;
    let leaving = -1; // the node whose tree arc leaves; -1: the entering arc itself
    let side = 0;
    for (let w = first; w !== join; w = parent[w] ?? 0) {
      const arc = predArc[w] ?? 0;
      // Flow runs down from the parent to w.
      const room =
        (predUp[w] ?? 0) === 1 ? (flow[arc] ?? 0) : (capacity[arc] ?? 0) - (flow[arc] ?? 0);
      if (room < delta) {
        delta = room;
        leaving = w;
        side = 1;
      }
    }
    for (let w = second; w !== join; w = parent[w] ?? 0) {
      const arc = predArc[w] ?? 0;
      // Flow runs up from w to the parent.
      const room =
        (predUp[w] ?? 0) === 1 ? (capacity[arc] ?? 0) - (flow[arc] ?? 0) : (flow[arc] ?? 0);
      if (room <= delta) {
        delta = room;
        leaving = w;
        side = 2;
      }
    }
    if (delta === Infinity) throw new Error('NetworkSimplex: unbounded cycle');

    if (delta > 0) {
      const value = s * delta;
      flow[entering] = (flow[entering] ?? 0) + value;
      for (let w = source[entering] ?? 0; w !== join; w = parent[w] ?? 0) {
        const arc = predArc[w] ?? 0;
        flow[arc] = (flow[arc] ?? 0) - (predUp[w] ?? 0) * value;
      }
      for (let w = target[entering] ?? 0; w !== join; w = parent[w] ?? 0) {
        const arc = predArc[w] ?? 0;
        flow[arc] = (flow[arc] ?? 0) + (predUp[w] ?? 0) * value;
      }
    }

    if (leaving < 0) {
      state[entering] = -s;
      return;
    }
    const leavingArc = predArc[leaving] ?? 0;
    state[leavingArc] = (flow[leavingArc] ?? 0) === 0 ? 1 : -1;
    state[entering] = 0;
    // The subtree under `leaving` is cut off and hangs again by the entering arc, from the
    // end of the entering arc on its side (uIn) to the other end (vIn).
    const uIn = side === 1 ? first : second;
    const vIn = side === 1 ? second : first;
    this.rehang(uIn, vIn, entering, leaving);
  }

  /** Re-roots the subtree of `out` at `uIn` and hangs it under `vIn` by `arc`. */
  private rehang(uIn: number, vIn: number, arc: number, out: number): void {
    const { parent, predArc, predUp, source, cost, potential } = this;
    const up = (source[arc] ?? -1) === uIn ? 1 : -1;
    const sigma = (potential[vIn] ?? 0) - up * (cost[arc] ?? 0) - (potential[uIn] ?? 0);
    let child = uIn;
    let newParent = vIn;
    let newArc = arc;
    let newUp = up;
    for (;;) {
      const oldParent = parent[child] ?? 0;
      const oldArc = predArc[child] ?? 0;
      const oldUp = predUp[child] ?? 0;
      this.detach(child);
      this.attach(child, newParent);
      predArc[child] = newArc;
      predUp[child] = newUp;
      if (child === out) break;
      newParent = child;
      newArc = oldArc;
      newUp = -oldUp;
      child = oldParent;
    }
    // Depths and potentials of the moved subtree.
    const { stack, firstChild, nextSibling, depth } = this;
    let top = 0;
    stack[top++] = uIn;
    while (top > 0) {
      const w = stack[--top] ?? 0;
      depth[w] = (depth[parent[w] ?? 0] ?? 0) + 1;
      potential[w] = (potential[w] ?? 0) + sigma;
      for (let c = firstChild[w] ?? -1; c >= 0; c = nextSibling[c] ?? -1) stack[top++] = c;
    }
  }

  private attach(v: number, p: number): void {
    const { firstChild, nextSibling, prevSibling } = this;
    this.parent[v] = p;
    prevSibling[v] = -1;
    const head = firstChild[p] ?? -1;
    nextSibling[v] = head;
    if (head >= 0) prevSibling[head] = v;
    firstChild[p] = v;
  }

  private detach(v: number): void {
    const { firstChild, nextSibling, prevSibling } = this;
    const p = this.parent[v] ?? -1;
    const prev = prevSibling[v] ?? -1;
    const next = nextSibling[v] ?? -1;
    if (prev >= 0) nextSibling[prev] = next;
    else if (p >= 0) firstChild[p] = next;
    if (next >= 0) prevSibling[next] = prev;
    prevSibling[v] = -1;
    nextSibling[v] = -1;
  }
}

/** A copy of `array` with room for `size` entries. */
export function growInt32(array: Int32Array, size: number): Int32Array {
  const next = new Int32Array(size);
  next.set(array);
  return next;
}

/** A copy of `array` with room for `size` entries. */
export function growFloat64(array: Float64Array, size: number): Float64Array {
  const next = new Float64Array(size);
  next.set(array);
  return next;
}
