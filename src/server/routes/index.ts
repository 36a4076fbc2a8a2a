import type { Route } from '../route.js';
import { adminRoutes } from './admin.js';
import { entityRoutes } from './entities.js';
import { exportRoutes } from './exports.js';
import { fleetRoutes } from './fleet.js';
import { planClauseRoutes } from './plan-clauses.js';
import { planValueRoutes } from './plan-value.js';
import { planRoutes } from './plans.js';
import { procurementRoutes } from './procurement.js';
import { scenarioRoutes } from './scenario.js';
import { termRoutes } from './terms.js';

/** Every API route, in the order the OpenAPI document lists them. */
export function allRoutes(): Route[] {
  return [
    ...scenarioRoutes(),
    ...termRoutes(),
    ...entityRoutes(),
    ...planRoutes(),
    ...planClauseRoutes(),
    ...planValueRoutes(),
    ...exportRoutes(),
    ...procurementRoutes(),
    ...fleetRoutes(),
    ...adminRoutes(),
  ];
}
