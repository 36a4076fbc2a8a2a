import { z } from 'zod';
import { HttpError, notFound } from '../../store/errors.js';
import { listEvents } from '../../store/events.js';
import { entityKind, getEntity } from '../../store/scenario-store.js';
import {
  MAX_TOKEN_DAYS,
  ROLES,
  createToken,
  listTokens,
  revokeToken,
  tokenCreated,
} from '../../store/tokens.js';
import type { Principal } from '../../store/tokens.js';
import type { Route } from '../route.js';
import { route } from '../route.js';
import { idSchema, limitQuery, numericId } from '../schemas.js';

export const tokenBody = z
  .object({
    role: z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` }),
    provider: idSchema
      .optional()
      .describe('Holder: the provider it answers for (required for holder)'),
    sites: z
      .array(idSchema)
      .optional()
      .describe('Operator: the sites it acts on (required for operator)'),
    label: z.string().max(200).optional(),
    expiresInDays: z
      .number({ error: 'expected a number of days' })
      .positive({ error: 'expected a number of days above 0' })
      .max(MAX_TOKEN_DAYS, { error: `expected at most ${MAX_TOKEN_DAYS} days` })
      .optional()
      .describe('The token stops working this many days after it is made; default: until revoked'),
  })
  .strict();

/** Who the caller is: what the dashboard shows, and what the caller's token may do. */
export function whoAmI(principal: Principal) {
  return {
    tokenId: principal.tokenId,
    role: principal.role,
    ...(principal.providerId === undefined ? {} : { provider: principal.providerId }),
    sites: [...principal.siteIds],
  };
}

export function adminRoutes(): Route[] {
  return [
    route({
      method: 'GET',
      path: '/v1/me',
      tag: 'admin',
      summary: "The caller's token: its id, role, and the provider or sites it is bound to",
      roles: ROLES,
      handler: ({ principal }) => Promise.resolve({ body: whoAmI(principal) }),
    }),
    route({
      method: 'POST',
      path: '/v1/tokens',
      tag: 'admin',
      summary: 'Create a token; its secret is in this response only',
      description:
        'Idempotency-Key is ignored here: replaying the response would mean storing the secret.',
      roles: ['admin'],
      idempotent: false,
      body: tokenBody,
      successStatus: 201,
      handler: async ({ tx, body, now, audit }) => {
        const problems = [];
        const providers = entityKind('providers');
        const sites = entityKind('sites');
        if (body.role === 'holder') {
          if (body.provider === undefined)
            problems.push({
              path: ['body', 'provider'],
              message: 'required: a holder answers for one provider',
            });
          else if (providers && !(await getEntity(tx, providers, body.provider))) {
            problems.push({
              path: ['body', 'provider'],
              message: `unknown provider ${body.provider}`,
            });
          }
        } else if (body.provider !== undefined) {
          problems.push({
            path: ['body', 'provider'],
            message: 'only a holder is bound to a provider',
          });
        }
        if (body.role === 'operator') {
          if (!body.sites?.length)
            problems.push({
              path: ['body', 'sites'],
              message: 'required: an operator acts on one or more sites',
            });
          for (const [index, site] of (body.sites ?? []).entries()) {
            if (sites && !(await getEntity(tx, sites, site)))
              problems.push({ path: ['body', 'sites', index], message: `unknown site ${site}` });
          }
        } else if (body.sites !== undefined) {
          problems.push({ path: ['body', 'sites'], message: 'only an operator is bound to sites' });
        }
        if (problems.length > 0)
          throw new HttpError(400, 'invalid_request', 'the request is not valid', problems);
        const grant = {
          role: body.role,
          providerId: body.provider,
          siteIds: body.sites,
          label: body.label,
          expiresAt:
            body.expiresInDays === undefined
              ? undefined
              : new Date(now.getTime() + body.expiresInDays * 86_400_000),
        };
        const { id, secret } = await createToken(tx, grant, now);
        await audit(tokenCreated(id, grant));
        return {
          status: 201,
          body: {
            id,
            token: secret,
            role: body.role,
            ...(grant.expiresAt === undefined ? {} : { expiresAt: grant.expiresAt.toISOString() }),
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/tokens',
      tag: 'admin',
      summary: 'Tokens (never their secrets)',
      roles: ['admin'],
      handler: async ({ tx }) => ({ body: await listTokens(tx) }),
    }),
    route({
      method: 'DELETE',
      path: '/v1/tokens/{id}',
      tag: 'admin',
      summary: 'Revoke a token',
      roles: ['admin'],
      params: z
        .object({
          id: z.string().regex(/^tok_[0-9a-f]{12}$/, { error: 'expected a token id tok_…' }),
        })
        .strict(),
      successStatus: 204,
      handler: async ({ tx, params, now, audit }) => {
        if (!(await revokeToken(tx, params.id, now))) throw notFound(`token ${params.id}`);
        await audit({ action: 'token.revoke', entityType: 'token', entityId: params.id });
        return { status: 204, body: undefined };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/events',
      tag: 'admin',
      summary: 'The audit log, oldest first: actor, action, entity, before, after, request id',
      roles: ['admin', 'planner'],
      query: z
        .object({
          entityType: z.string().optional(),
          entityId: z.string().optional(),
          after: numericId.optional().describe('Only events after this id (a cursor)'),
          limit: limitQuery.optional().describe('At most this many (default 100, at most 1000)'),
        })
        .strict(),
      handler: async ({ tx, query }) => ({
        body: await listEvents(tx, {
          ...(query.entityType === undefined ? {} : { entityType: query.entityType }),
          ...(query.entityId === undefined ? {} : { entityId: query.entityId }),
          ...(query.after === undefined ? {} : { after: query.after }),
          limit: query.limit ?? 100,
        }),
      }),
    }),
  ];
}
