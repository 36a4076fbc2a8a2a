import type { PartyRole, Scenario } from '../model.js';
import { compareText } from '../order.js';

/** The party id of the outside world: customers who pay revenue, suppliers paid for capex. */
export const EXTERNAL = 'external';

/** A party as the ledger sees it: declared in the file, or implied by it. */
export interface LedgerParty {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly PartyRole[];
  readonly providers: readonly string[];
  readonly equityPercent?: number;
  /** Not declared in the file: a provider no party sells as, the lab, or the outside world. */
  readonly implicit: boolean;
}

/** Every party of a scenario, and who is who. */
export interface PartyDirectory {
  /** Declared parties in file order, then implicit ones by id, the outside world last. */
  readonly parties: readonly LedgerParty[];
  readonly lab: string;
  readonly external: string;
  /** The party that sells as a provider. */
  partyOf(provider: string): string;
  /** Funders with their equity, in file order. */
  readonly funders: readonly LedgerParty[];
}

/**
 * Resolves the parties of a scenario. A provider that no declared party sells as is a party
 * of its own (same id, same name); without a party of role lab, the lab is an implicit party
 * `lab`; the outside world (`external`) pays revenue and is paid capex by default. Without a
 * `parties` section, ids that revenue-share terms and revenue streams name are parties too.
 */
export function resolveParties(scenario: Scenario): PartyDirectory {
  const declared: LedgerParty[] = scenario.parties.map((p) => ({ ...p, implicit: false }));
  const taken = new Set(declared.map((p) => p.id));
  const implicit: LedgerParty[] = [];
  const add = (party: LedgerParty) => {
    taken.add(party.id);
    implicit.push(party);
  };

  const soldBy = new Map<string, string>();
  for (const party of declared)
    for (const provider of party.providers) soldBy.set(provider, party.id);
  for (const provider of scenario.providers) {
    if (soldBy.has(provider.id)) continue;
    soldBy.set(provider.id, provider.id);
    if (!taken.has(provider.id)) {
      add({
        id: provider.id,
        name: provider.name,
        roles: ['provider'],
        providers: [provider.id],
        implicit: true,
      });
    }
  }

  let lab = declared.find((p) => p.roles.includes('lab'))?.id;
  if (lab === undefined) {
    lab = freeId('lab', taken);
    add({ id: lab, name: 'The lab', roles: ['lab'], providers: [], implicit: true });
  }

  if (scenario.parties.length === 0) {
    const named = new Set<string>(scenario.revenueStreams.map((s) => s.party));
    for (const contract of scenario.contracts) {
      for (const term of contract.terms) {
        if (term.type === 'revenue-share') {
          named.add(term.from);
          named.add(term.to);
        }
      }
    }
    for (const id of [...named].sort(compareText)) {
      if (!taken.has(id)) add({ id, name: id, roles: [], providers: [], implicit: true });
    }
  }

  const external = freeId(EXTERNAL, taken);
  const outside: LedgerParty = {
    id: external,
    name: 'Outside parties (customers, suppliers)',
    roles: [],
    providers: [],
    implicit: true,
  };

  implicit.sort((a, b) => compareText(a.id, b.id));
  return {
    parties: [...declared, ...implicit, outside],
    lab,
    external,
    partyOf: (provider) => soldBy.get(provider) ?? provider,
    funders: declared.filter((p) => p.roles.includes('funder') && p.equityPercent !== undefined),
  };
}

function freeId(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let n = 2; ; n++) if (!taken.has(`${wanted}-${n}`)) return `${wanted}-${n}`;
}
