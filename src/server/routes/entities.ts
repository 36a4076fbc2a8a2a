import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { issueProblems } from '../../scenario/parse.js';
import { sortProblems } from '../../scenario/problems.js';
import { HttpError, conflict, notFound } from '../../store/errors.js';
import type { EntityDoc, StoredEntity } from '../../store/scenario-store.js';
import * as t from '../../store/schema.js';
import {
  ENTITY_KINDS,
  checkChange,
  deleteEntity,
  getEntity,
  insertEntity,
  listEntities,
  updateEntity,
} from '../../store/scenario-store.js';
import type { Principal, Role } from '../../store/tokens.js';
import type { Route, RouteContext } from '../route.js';
import { route } from '../route.js';
import { idParams } from '../schemas.js';

/**
 * CRUD for every kind of scenario entity: `/v1/{kind}` and `/v1/{kind}/{id}`. Bodies are checked
 * by the scenario format's own schema, then the whole scenario as the change would leave it is
 * checked as `stargate validate` checks a file (409 with every problem otherwise). Updates take
 * `If-Match: "VERSION"` (the ETag of a GET): a stale one gets 412, so concurrent edits never
 * overwrite each other unseen.
 */

const READERS: readonly Role[] = ['admin', 'planner', 'viewer'];
const WRITERS: readonly Role[] = ['admin', 'planner'];

/** Operators see and edit what stands at their sites; funders read the buildout. */
const SITE_SCOPED = new Set(['sites', 'buildings', 'pools']);
const BUILDOUT = new Set(['sites', 'buildings']);

function siteOf(kind: string, doc: EntityDoc): string | undefined {
  if (kind === 'sites') return doc.id;
  const site = doc['site'];
  return typeof site === 'string' ? site : undefined;
}

/** Whether the caller may see this entity; operators only those at their sites. */
function visible(principal: Principal, kind: string, doc: EntityDoc): boolean {
  if (principal.role !== 'operator') return true;
  const site = siteOf(kind, doc);
  return site !== undefined && principal.siteIds.includes(site);
}

/** What an operator may change of a building at its sites: when it comes online and why not. */
const OPERATOR_FIELDS = new Set(['online', 'constructionStart', 'milestones', 'delay']);

/**
 * A pool that procurement made is the record of an accepted offer or an award, which its
 * deliveries are tracked against: it is neither edited nor deleted through the entity API.
 */
async function refuseProcuredPool(
  context: RouteContext<{ id: string }, unknown, unknown>,
  list: string,
  what: 'changed' | 'deleted',
): Promise<void> {
  if (list !== 'pools') return;
  const [pool] = await context.tx
    .select({ requestId: t.pools.requestId })
    .from(t.pools)
    .where(eq(t.pools.id, context.params.id));
  if (pool?.requestId != null) {
    throw conflict(
      `pool ${context.params.id} came from procurement request ${pool.requestId} and cannot be ${what}: its offer or award and its deliveries refer to it`,
    );
  }
}

const etag = (entity: StoredEntity) => `"${entity.version}"`;

/**
 * Refuses a change whose `If-Match` names another version than the entity's (412); no header,
 * or `*`, matches any.
 */
function checkIfMatch(
  context: RouteContext<{ id: string }, unknown, unknown>,
  singular: string,
  current: StoredEntity,
): void {
  const header = context.headers['if-match'];
  if (header === undefined || header === '*') return;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw new HttpError(400, 'invalid_request', 'If-Match: expected an ETag such as "3"');
  const expected = Number(match[1]);
  if (expected !== current.version) {
    throw new HttpError(
      412,
      'precondition_failed',
      `${singular} ${context.params.id} is at version ${current.version}, not ${expected}: someone changed it; GET it again`,
    );
  }
}

export function entityRoutes(): Route[] {
  const routes: Route[] = [];
  for (const kind of ENTITY_KINDS) {
    const { path, singular } = kind;
    const readers: Role[] = [...READERS];
    if (SITE_SCOPED.has(kind.list)) readers.push('operator');
    if (BUILDOUT.has(kind.list)) readers.push('funder');
    const writers: Role[] = [...WRITERS];
    if (kind.list === 'buildings') writers.push('operator');
    const body = kind.schema as z.ZodType<EntityDoc>;

    const load = async (
      context: RouteContext<{ id: string }, unknown, unknown>,
      lock: boolean,
    ): Promise<StoredEntity> => {
      const entity = await getEntity(context.tx, kind, context.params.id, { lock });
      if (!entity || !visible(context.principal, kind.list, entity.doc)) {
        throw notFound(`${singular} ${context.params.id}`);
      }
      return entity;
    };

    const write = async (
      context: RouteContext<{ id: string }, unknown, EntityDoc>,
      doc: EntityDoc,
    ) => {
      const current = await load(context, true);
      checkIfMatch(context, singular, current);
      await refuseProcuredPool(context, kind.list, 'changed');
      if (context.principal.role === 'operator') {
        const changed = [...new Set([...Object.keys(current.doc), ...Object.keys(doc)])]
          .filter((key) => JSON.stringify(current.doc[key]) !== JSON.stringify(doc[key]))
          .filter((key) => !OPERATOR_FIELDS.has(key))
          .sort();
        if (changed.length > 0) {
          throw new HttpError(
            403,
            'forbidden',
            `an operator changes only ${[...OPERATOR_FIELDS].sort().join(', ')} of a building; not ${changed.join(', ')}`,
          );
        }
      }
      if (doc.id !== context.params.id) {
        throw new HttpError(400, 'invalid_request', 'the request is not valid', [
          {
            path: ['body', 'id'],
            message: `expected ${context.params.id}, the id in the path (ids do not change)`,
          },
        ]);
      }
      if (!visible(context.principal, kind.list, doc)) {
        throw new HttpError(
          403,
          'forbidden',
          `an operator may not move a ${singular} to a site it is not bound to`,
        );
      }
      await checkChange(context.tx, kind, { op: 'update', doc });
      const updated = await updateEntity(context.tx, kind, doc, current.version);
      await context.audit({
        action: `${kind.list}.update`,
        entityType: singular,
        entityId: doc.id,
        before: current.doc,
        after: doc,
      });
      return { body: updated.doc, headers: { etag: etag(updated) } };
    };

    routes.push(
      route({
        method: 'GET',
        path: `/v1/${path}`,
        tag: 'scenario',
        summary: `List ${kind.list}`,
        roles: readers,
        handler: async ({ tx, principal }) => ({
          body: (await listEntities(tx, kind))
            .map((entity) => entity.doc)
            .filter((doc) => visible(principal, kind.list, doc)),
        }),
      }),
      route({
        method: 'GET',
        path: `/v1/${path}/{id}`,
        tag: 'scenario',
        summary: `One ${singular}; its ETag is its version, for If-Match`,
        roles: readers,
        params: idParams,
        handler: async (context) => {
          const entity = await load(context, false);
          return { body: entity.doc, headers: { etag: etag(entity) } };
        },
      }),
      route({
        method: 'POST',
        path: `/v1/${path}`,
        tag: 'scenario',
        summary: `Add a ${singular}`,
        roles: WRITERS,
        body,
        successStatus: 201,
        handler: async (context) => {
          const doc = context.body;
          if (await getEntity(context.tx, kind, doc.id))
            throw conflict(`${singular} ${doc.id} already exists`);
          await checkChange(context.tx, kind, { op: 'insert', doc });
          const created = await insertEntity(context.tx, kind, doc);
          await context.audit({
            action: `${kind.list}.create`,
            entityType: singular,
            entityId: doc.id,
            after: doc,
          });
          return { status: 201, body: created.doc, headers: { etag: etag(created) } };
        },
      }),
      route({
        method: 'PUT',
        path: `/v1/${path}/{id}`,
        tag: 'scenario',
        summary: `Replace a ${singular} (If-Match: "VERSION" to refuse a stale edit)`,
        roles: writers,
        params: idParams,
        body,
        handler: async (context) => write(context, context.body),
      }),
      route({
        method: 'PATCH',
        path: `/v1/${path}/{id}`,
        tag: 'scenario',
        summary: `Change some fields of a ${singular} (JSON merge patch; null removes a field)`,
        roles: writers,
        params: idParams,
        body: z.record(z.string(), z.unknown(), {
          error: 'expected a JSON object of fields to change',
        }),
        handler: async (context) => {
          const current = await load(context, true);
          const merged = mergePatch(current.doc, context.body) as EntityDoc;
          const parsed = kind.schema.safeParse(merged, { reportInput: true });
          if (!parsed.success) {
            throw new HttpError(
              400,
              'invalid_request',
              `the ${singular} the patch would make is not valid`,
              sortProblems(
                parsed.error.issues.flatMap((issue) =>
                  issueProblems(issue).map((problem) => ({
                    ...problem,
                    path: ['body', ...problem.path],
                  })),
                ),
              ),
            );
          }
          return write(context as RouteContext<{ id: string }, unknown, EntityDoc>, merged);
        },
      }),
      route({
        method: 'DELETE',
        path: `/v1/${path}/{id}`,
        tag: 'scenario',
        summary: `Remove a ${singular}; refused while anything refers to it`,
        roles: WRITERS,
        params: idParams,
        successStatus: 204,
        handler: async (context) => {
          const current = await load(context, true);
          checkIfMatch(context, singular, current);
          await refuseProcuredPool(context, kind.list, 'deleted');
          await checkChange(context.tx, kind, { op: 'delete', id: context.params.id });
          await deleteEntity(context.tx, kind, context.params.id);
          await context.audit({
            action: `${kind.list}.delete`,
            entityType: singular,
            entityId: context.params.id,
            before: current.doc,
          });
          return { status: 204, body: undefined };
        },
      }),
    );
  }
  return routes;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result[key] = undefined;
    else result[key] = mergePatch(result[key], value);
  }
  for (const key of Object.keys(result)) {
    if (result[key] === undefined) Reflect.deleteProperty(result, key);
  }
  return result;
}
