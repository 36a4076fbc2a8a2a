import type { Role } from './api-types';

/**
 * The pages and who sees them. The UI hides what a role may not read; the API refuses it
 * whatever the UI does. A holder answers its offers and sees nothing else of the lab; a funder
 * follows the money and the buildout; an operator its sites' buildout and fleet; a viewer reads
 * all and acts on nothing.
 */
export interface PageInfo {
  readonly path: string;
  readonly title: string;
  readonly roles: readonly Role[];
}

export const PAGES: readonly PageInfo[] = [
  { path: '/', title: 'Overview', roles: ['admin', 'planner', 'viewer', 'funder'] },
  { path: '/plan', title: 'Plan', roles: ['admin', 'planner', 'viewer'] },
  { path: '/contracts', title: 'Contracts', roles: ['admin', 'planner', 'viewer'] },
  { path: '/offers', title: 'Offers', roles: ['admin', 'planner', 'viewer', 'holder'] },
  {
    path: '/buildout',
    title: 'Buildout',
    roles: ['admin', 'planner', 'viewer', 'funder', 'operator'],
  },
  { path: '/inventory', title: 'Inventory', roles: ['admin', 'planner', 'viewer', 'operator'] },
  { path: '/ledger', title: 'Ledger', roles: ['admin', 'planner', 'viewer', 'funder'] },
];

export function pageOf(path: string): PageInfo | undefined {
  return PAGES.find((page) => page.path === path);
}

export function pagesFor(role: Role): PageInfo[] {
  return PAGES.filter((page) => page.roles.includes(role));
}

/** Roles that change the plan and procurement: plan now, request capacity. */
export function canPlan(role: Role): boolean {
  return role === 'admin' || role === 'planner';
}
