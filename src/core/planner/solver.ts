/**
 * The port through which the core uses a linear / mixed-integer solver. The core builds the
 * model; an adapter (`src/solver/highs-solver.ts`) solves it. Minimise
 * `offset + Σ cost·x` subject to `rowLower ≤ A·x ≤ rowUpper`, `colLower ≤ x ≤ colUpper`,
 * and integrality where `integer[j]` is 1.
 */
export interface LinearModel {
  readonly numCols: number;
  readonly numRows: number;
  readonly offset: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly integer: Uint8Array;
  /** The constraint matrix by rows (CSR). */
  readonly rowStarts: Int32Array;
  readonly rowIndex: Int32Array;
  readonly rowValue: Float64Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
}

export interface SolveOptions {
  /** Solve the LP relaxation instead of the mixed-integer model. */
  readonly relax?: boolean;
  readonly timeLimitSeconds?: number;
  /** Stop when (primal − dual) / primal is at most this. */
  readonly relativeGap?: number;
  /** A feasible solution to start from, one value per column. */
  readonly start?: Float64Array;
  /**
   * Return the row duals (shadow prices) with an optimal LP solution: `relax` only, since a
   * mixed-integer solution has none. Each is the change in the objective per unit of the
   * row's bound that binds (so ≤ 0 for a binding `≤` row of a minimisation).
   */
  readonly duals?: boolean;
  /**
   * With `duals`: return the row duals HiGHS has even where it does not call them feasible
   * (dual infeasibilities above its tolerance after unscaling). For a caller that checks what
   * it takes from them itself, as a Lagrangian bound does, valid at any prices.
   */
  readonly anyDuals?: boolean;
  /**
   * Whether the solver presolves the model (default true). Small sub-MIPs whose rows are
   * already tight solve faster without: presolve gains them nothing and costs its time.
   */
  readonly presolve?: boolean;
  /**
   * A mixed-integer solve stops after this many branch-and-bound nodes, with its best plan
   * (status `time-limit`): a limit on work rather than time, so the answer does not depend on
   * the machine's speed.
   */
  readonly maxNodes?: number;
}

export type SolveOutcome =
  | {
      /** `time-limit`: stopped at its time limit, or its node limit (`maxNodes`). */
      readonly status: 'optimal' | 'time-limit';
      /** Column values of the best solution found. */
      readonly values: Float64Array;
      readonly objective: number;
      /** A proven lower bound on the objective (the dual bound). */
      readonly bound: number;
      /** Row duals, one per row: only when asked for (`duals`) and the LP is optimal. */
      readonly rowDuals?: Float64Array;
    }
  | {
      /** `overran`: the solver did not stop at its time limit and was stopped. */
      readonly status: 'infeasible' | 'no-solution' | 'error' | 'overran';
      readonly message: string;
    };

export interface LinearSolver {
  readonly name: string;
  solve(model: LinearModel, options: SolveOptions): SolveOutcome;
}

/** Accumulates a model row by row. */
export class ModelBuilder {
  private readonly cost: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly integrality: number[] = [];
  private readonly starts: number[] = [0];
  private readonly index: number[] = [];
  private readonly value: number[] = [];
  private readonly rLower: number[] = [];
  private readonly rUpper: number[] = [];
  offset = 0;

  /** Rows added so far: the index the next row will have. */
  get rowCount(): number {
    return this.rLower.length;
  }

  /** Adds a column; returns its index. */
  addColumn(cost: number, lower: number, upper: number, integer: boolean): number {
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.integrality.push(integer ? 1 : 0);
    return this.cost.length - 1;
  }

  /** Adds `lower ≤ Σ coefficients[k]·x[columns[k]] ≤ upper`; columns must be distinct. */
  addRow(
    columns: readonly number[],
    coefficients: readonly number[],
    lower: number,
    upper: number,
  ): void {
    for (let k = 0; k < columns.length; k++) {
      this.index.push(columns[k] ?? 0);
      this.value.push(coefficients[k] ?? 0);
    }
    this.starts.push(this.index.length);
    this.rLower.push(lower);
    this.rUpper.push(upper);
  }

  build(): LinearModel {
    return {
      numCols: this.cost.length,
      numRows: this.rLower.length,
      offset: this.offset,
      colCost: Float64Array.from(this.cost),
      colLower: Float64Array.from(this.lower),
      colUpper: Float64Array.from(this.upper),
      integer: Uint8Array.from(this.integrality),
      rowStarts: Int32Array.from(this.starts),
      rowIndex: Int32Array.from(this.index),
      rowValue: Float64Array.from(this.value),
      rowLower: Float64Array.from(this.rLower),
      rowUpper: Float64Array.from(this.rUpper),
    };
  }
}
