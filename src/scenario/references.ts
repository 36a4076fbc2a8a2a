import type { Problem } from './problems.js';
import type { Report } from './raw.js';
import { checkRange, checkRef, field, isPeriod, isRecord, items, uniqueIds } from './raw.js';
import { checkFinanceReferences } from './references-finance.js';
import { ID_PATTERN } from './schema.js';

/**
 * Cross-reference checks that a schema cannot express: unique ids, references to known
 * providers, sites and accelerators, windows that end before they start. They read the raw
 * document defensively, so that they can run beside the schema and every problem is
 * reported in one pass; fields with the wrong shape are the schema's to report.
 */
export function checkReferences(document: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!isRecord(document)) return problems;
  const problem = (path: (string | number)[], message: string) => {
    problems.push({ path, message });
  };

  const horizon = field(document, 'horizon');
  checkRange(horizon, ['horizon'], 'start', 'end', problem);

  const accelerators = uniqueIds(document, 'accelerators', problem);
  const providers = uniqueIds(document, 'providers', problem);
  const sites = uniqueIds(document, 'sites', problem);
  const siteProvider = new Map<string, unknown>();
  for (const [index, site] of items(document, 'sites')) {
    checkRef(site, 'provider', providers, 'provider', ['sites', index], problem);
    const id = field(site, 'id');
    if (typeof id === 'string') siteProvider.set(id, field(site, 'provider'));
  }

  // Buildings become pools, so pool and building ids share one namespace.
  const poolIds = new Set<string>();
  for (const list of ['pools', 'buildings'] as const) {
    for (const [index, item] of items(document, list)) {
      const id = field(item, 'id');
      if (typeof id !== 'string' || !ID_PATTERN.test(id)) continue;
      if (poolIds.has(id)) problem([list, index, 'id'], `duplicate pool id ${id}`);
      poolIds.add(id);
    }
  }

  for (const [index, pool] of items(document, 'pools')) {
    const at = ['pools', index];
    checkRef(pool, 'provider', providers, 'provider', at, problem);
    checkRef(pool, 'site', sites, 'site', at, problem);
    checkRef(pool, 'accelerator', accelerators, 'accelerator', at, problem);
    checkRange(field(pool, 'window'), [...at, 'window'], 'from', 'to', problem);
    const site = field(pool, 'site');
    const provider = field(pool, 'provider');
    // An unknown provider is reported once, as such, not again as the wrong owner of the site.
    if (
      typeof site === 'string' &&
      siteProvider.has(site) &&
      typeof provider === 'string' &&
      providers.has(provider)
    ) {
      const owner = siteProvider.get(site);
      if (typeof owner === 'string' && owner !== provider) {
        problem([...at, 'site'], `site ${site} belongs to provider ${owner}, not ${provider}`);
      }
    }
    checkRofrOrigin(pool, at, 'existing', problem);
  }

  for (const [index, building] of items(document, 'buildings')) {
    const at = ['buildings', index];
    checkRef(building, 'site', sites, 'site', at, problem);
    checkRef(building, 'accelerator', accelerators, 'accelerator', at, problem);
    const start = field(building, 'constructionStart');
    const online = field(building, 'online');
    if (isPeriod(start) && isPeriod(online) && online < start) {
      problem([...at, 'online'], `expected a month no earlier than constructionStart ${start}`);
    }
    checkRofrOrigin(building, at, 'new', problem);
  }

  uniqueIds(document, 'workloads', problem);
  for (const [index, workload] of items(document, 'workloads')) {
    const at = ['workloads', index];
    checkRange(field(workload, 'window'), [...at, 'window'], 'from', 'to', problem);
    const listed = field(workload, 'accelerators');
    if (Array.isArray(listed)) {
      const seen = new Set<unknown>();
      listed.forEach((id, position) => {
        if (typeof id !== 'string' || !ID_PATTERN.test(id)) return;
        if (!accelerators.has(id)) {
          problem([...at, 'accelerators', position], `unknown accelerator ${id}`);
        }
        if (seen.has(id))
          problem([...at, 'accelerators', position], `accelerator ${id} listed twice`);
        seen.add(id);
      });
    }
  }

  uniqueIds(document, 'contracts', problem);
  for (const [index, contract] of items(document, 'contracts')) {
    const at = ['contracts', index];
    checkRange(field(contract, 'effective'), [...at, 'effective'], 'from', 'to', problem);
    uniqueIds(contract, 'terms', problem, at);
    for (const [position, term] of items(contract, 'terms')) {
      const termAt = [...at, 'terms', position];
      switch (field(term, 'type')) {
        case 'exclusivity':
          checkRef(term, 'provider', providers, 'provider', termAt, problem);
          break;
        case 'commitment':
          checkRef(term, 'provider', providers, 'provider', termAt, problem);
          checkRange(field(term, 'window'), [...termAt, 'window'], 'from', 'to', problem);
          break;
        case 'rofr':
          checkRef(term, 'holder', providers, 'provider', termAt, problem);
          checkSelector(field(term, 'pools'), [...termAt, 'pools'], problem);
          break;
        case 'use-restriction':
          checkSelector(field(term, 'pools'), [...termAt, 'pools'], problem);
          break;
        default:
          break;
      }
    }
  }

  function checkSelector(selector: unknown, at: (string | number)[], report: typeof problem) {
    const lists = [
      ['providers', providers, 'provider'],
      ['sites', sites, 'site'],
      ['accelerators', accelerators, 'accelerator'],
    ] as const;
    for (const [key, known, what] of lists) {
      const ids = field(selector, key);
      if (!Array.isArray(ids)) continue;
      ids.forEach((id, position) => {
        if (typeof id === 'string' && ID_PATTERN.test(id) && !known.has(id)) {
          report([...at, key, position], `unknown ${what} ${id}`);
        }
      });
    }
  }

  checkFinanceReferences(document, { accelerators, providers, sites }, problem);
  return problems;
}

function checkRofrOrigin(
  item: unknown,
  at: (string | number)[],
  defaultOrigin: 'existing' | 'new',
  report: Report,
): void {
  const origin = field(item, 'origin') ?? defaultOrigin;
  if (field(item, 'rofr') !== undefined && origin !== 'new') {
    report([...at, 'rofr'], 'rofr applies only to capacity of origin new');
  }
}
