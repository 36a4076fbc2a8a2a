import type { JobQueue } from '../jobs.js';
import { createInProcessJobQueue } from '../jobs.js';
import type { OfferReads } from '../offer-reads.js';
import { offerReads } from '../offer-reads.js';
import type { Route } from '../route.js';
import { adminRoutes } from './admin.js';
import { entityRoutes } from './entities.js';
import { exportRoutes } from './exports.js';
import { fleetRoutes } from './fleet.js';
import { planClauseRoutes } from './plan-clauses.js';
import { planRiskRoutes } from './plan-risk.js';
import { planValueRoutes } from './plan-value.js';
import { planRoutes } from './plans.js';
import { procurementRoutes } from './procurement.js';
import { scenarioRoutes } from './scenario.js';
import { termRoutes } from './terms.js';
import { whatIfRoutes } from './what-if.js';

/**
 * Every API route, in the order the OpenAPI document lists them. `jobs` is where the routes of
 * long computations (clause prices, values) send their work; the default, a queue of this
 * process with no workers, serves callers that only read the table. `offers` is how the offers
 * are read (the app's keeps answers on PGlite); `whatIfExactAtOnce` bounds the exact what-if
 * answers computed or waiting at once.
 */
export function allRoutes(
  jobs: JobQueue = createInProcessJobQueue(),
  options: { readonly offers?: OfferReads; readonly whatIfExactAtOnce?: number } = {},
): Route[] {
  return [
    ...scenarioRoutes(),
    ...termRoutes(),
    ...entityRoutes(),
    ...planRoutes(),
    ...planClauseRoutes(jobs),
    ...planValueRoutes(jobs),
    ...whatIfRoutes(options.whatIfExactAtOnce),
    ...planRiskRoutes(jobs),
    ...exportRoutes(),
    ...procurementRoutes(options.offers ?? offerReads()),
    ...fleetRoutes(),
    ...adminRoutes(),
  ];
}
