import { asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db.js';
import * as t from '../schema.js';

export interface RofrBinding {
  readonly contract: string;
  readonly term: string;
  readonly holder: string;
  readonly responseDays: number;
  readonly selector: PoolSelector;
}

interface PoolSelector {
  readonly providers?: readonly string[];
  readonly origin?: 'existing' | 'new';
  readonly sites?: readonly string[];
  readonly accelerators?: readonly string[];
}

/** The ROFR terms of the scenario, in contract order then the term's place: as a query column. */
export const rofrTermsColumn = sql<RofrTermRow[]>`(
  select coalesce(json_agg(json_build_object('contract', c.doc, 'term', ct.doc)
                           order by c.position, ct.position), '[]'::json)
  from ${t.contractTerms} ct join ${t.contracts} c on c.id = ct.contract_id
  where ct.type = 'rofr')`;

/** A ROFR term and its contract, as stored. */
export interface RofrTermRow {
  readonly contract: unknown;
  readonly term: unknown;
}

/**
 * The ROFR terms that bind new capacity of this accelerator over this window: the contract is
 * effective in some month of the window and the term's selector can match new capacity of the
 * accelerator. Ordered by contract, then the term's place in it: offers go to holders in turn.
 */
export async function bindingRofr(
  db: Queryable,
  accelerator: string,
  window: { from: string; to: string },
): Promise<RofrBinding[]> {
  const rows = await db
    .select({ contract: t.contracts.doc, term: t.contractTerms.doc })
    .from(t.contractTerms)
    .innerJoin(t.contracts, eq(t.contracts.id, t.contractTerms.contractId))
    .where(eq(t.contractTerms.type, 'rofr'))
    .orderBy(asc(t.contracts.position), asc(t.contractTerms.position));
  return bindingsOf(rows, accelerator, window);
}

/** `bindingRofr` over the ROFR terms already read (`rofrTermsColumn`). */
export function bindingsOf(
  rows: readonly RofrTermRow[],
  accelerator: string,
  window: { from: string; to: string },
): RofrBinding[] {
  const bindings: RofrBinding[] = [];
  for (const row of rows) {
    const contract = row.contract as { id: string; effective: { from: string; to: string } };
    const term = row.term as {
      id: string;
      holder: string;
      responseDays: number;
      pools?: PoolSelector;
    };
    const selector = term.pools ?? { origin: 'new' };
    if (contract.effective.to < window.from || contract.effective.from > window.to) continue;
    if (selector.origin === 'existing') continue;
    if (selector.accelerators && !selector.accelerators.includes(accelerator)) continue;
    bindings.push({
      contract: contract.id,
      term: term.id,
      holder: term.holder,
      responseDays: term.responseDays,
      selector,
    });
  }
  return bindings;
}
