import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { executePrepared } from '../db.js';
import type { EventInsert, HistoryEvent } from '../events.js';
import { eventRowsJson, historyEvent, lockedEventsInsert } from '../events.js';
import type { IdempotentRequest } from '../idempotency.js';
import { keyRow } from '../idempotency.js';
import * as t from '../schema.js';
import type { RequestInput } from './requests.js';
import { newRequestRow } from './requests.js';
import type { RofrBinding, RofrTermRow } from './rofr.js';
import { bindingsOf, rofrTermsColumn } from './rofr.js';
import type { OfferRow, RequestRow } from './views.js';
import { offerView, requestView } from './views.js';

/**
 * A new request in one statement, without BEGIN and COMMIT: the check against the scenario, the
 * Idempotency-Key's claim with its answer, the request, its offer and their audit events, where
 * `openRequest` takes six round trips. Load on this path is CPU per statement, in the server
 * and in PostgreSQL alike (docs/service.md, "Load"), so one statement instead of six is what
 * lets requests keep up.
 *
 * It does only the common case: a valid request, routed by the ROFR terms this process has
 * seen, with a key not used before. Anything else writes nothing and answers `undefined`, and
 * the caller runs `openRequest` in a transaction, which refuses, replays or routes as always:
 *
 * - The terms are read by the statement itself and compared with the ones routed by (an MD5 of
 *   their JSON): terms changed since (by this process or another) write nothing, and the
 *   statement is made again once with the terms it read.
 * - The ids of the request and its offer are taken from their sequences inside the statement,
 *   after the check, and written into the events' JSON and the key's stored answer there: both
 *   are built here with stand-in ids (`STAND_IN`), replaced by text in the statement.
 * - The events lock is taken last, once the key's claim (which may wait on another attempt with
 *   the same key), the request and its offer are written: its subquery reads their `WITH`s. The
 *   accelerator's row is locked (KEY SHARE) by the check, so the foreign key's check at the
 *   statement's end waits on nothing while the lock is held. A request for a plan's workload
 *   goes the long way, as its plan's row is not locked first.
 */

/**
 * The ROFR terms a process routed its last request by, with the MD5 of their JSON: replaced
 * whole, never in part, so that requests in flight at once never pair one's terms with
 * another's digest.
 */
export class RofrTermsSeen {
  current: { readonly rows: readonly RofrTermRow[]; readonly digest: string } = {
    rows: [],
    digest: '',
  };
}

/** A request made in one statement, as routed, with its offers and its whole history. */
export interface OpenedAtOnce {
  readonly request: RequestRow;
  readonly offers: readonly OfferRow[];
  readonly history: readonly HistoryEvent[];
}

export interface AtOnceContext {
  /** Who made the request, as its `createdBy`. */
  readonly createdBy: string;
  /** The caller as the audit log names it. */
  readonly actor: string;
  /** The HTTP request's id, written with each event. */
  readonly requestId: string;
  readonly now: Date;
  /** The request's Idempotency-Key, claimed with the answer `answer` gives. */
  readonly key?: IdempotentRequest | undefined;
}

/**
 * Stand-ins for the request's and the offer's ids in the JSON the statement writes: numbers no
 * id or GPU count can be. JSON that holds their digits anywhere else (in the request's fields,
 * the HTTP request's id, a term's id) goes the long way.
 */
const STAND_IN = { request: Number.MIN_SAFE_INTEGER, offer: Number.MIN_SAFE_INTEGER + 1 };
const STAND_IN_DIGITS = String(-STAND_IN.offer).slice(0, -1);

/**
 * Whether the JSON the statement writes holds the stand-ins' digits only where the ids go: the
 * same JSON made with ids of 0 holds them nowhere.
 */
function standInsAlone(texts: readonly string[]): boolean {
  return !texts.some((text) => text.includes(STAND_IN_DIGITS));
}

/**
 * Makes the request in one statement, or answers `undefined` having written nothing (see
 * above). `answer` is what the route answers for the request made; with a key, it is stored as
 * the key's answer in the same statement.
 */
export async function openRequestAtOnce(
  db: Db,
  input: RequestInput,
  context: AtOnceContext,
  seen: RofrTermsSeen,
  answer: (opened: OpenedAtOnce) => unknown,
): Promise<OpenedAtOnce | undefined> {
  // Made for a plan's workload by POST /v1/plans/{id}/requests, in its own transaction, not
  // here; should one come, the long way, which checks the plan's row before the events lock.
  if (input.planId !== undefined || input.workload !== undefined) return undefined;
  // A second try only where the first found terms other than those it routed by.
  for (let tries = 0; tries < 2; tries++) {
    const terms = seen.current;
    const binding = bindingsOf(terms.rows, input.accelerator, input.window)[0];
    const made = await tryOnce(db, input, context, terms.digest, binding, answer);
    if (made === undefined || made.opened) return made?.opened;
    // Refused with the terms it routed by (a key used before, an invalid request): long way.
    if (made.terms === undefined || made.terms === null) return undefined;
    seen.current = { rows: made.terms, digest: made.digest };
  }
  return undefined;
}

interface Outcome {
  readonly opened?: OpenedAtOnce;
  /** The MD5 of the terms the statement read; the terms too where they were not those routed by. */
  readonly digest: string;
  readonly terms?: readonly RofrTermRow[] | null;
}

async function tryOnce(
  db: Db,
  input: RequestInput,
  context: AtOnceContext,
  digest: string,
  binding: RofrBinding | undefined,
  answer: (opened: OpenedAtOnce) => unknown,
): Promise<Outcome | undefined> {
  const { now, key } = context;
  const written = routed(input, context, binding, STAND_IN.request, STAND_IN.offer);
  const events = eventRowsJson(written.events);
  const stored = key === undefined ? undefined : JSON.stringify(answer(historyOf(written)));
  const plain = routed(input, context, binding, 0, 0);
  const plainTexts = [eventRowsJson(plain.events), JSON.stringify(answer(historyOf(plain)))];
  if (!standInsAlone(plainTexts)) return undefined;
  const withIds = (text: string, from: string): SQL => {
    const rid = sql.raw(`${from}.rid`);
    const oid = sql.raw(`${from}.oid`);
    const requestIds = sql`replace(
      replace(${text}::text, ${`"${STAND_IN.request}"`}, '"' || ${rid} || '"'),
      ${String(STAND_IN.request)}, ${rid}::text)`;
    return binding
      ? sql`replace(
          replace(${requestIds}, ${`"${STAND_IN.offer}"`}, '"' || ${oid} || '"'),
          ${String(STAND_IN.offer)}, ${oid}::text)`
      : requestIds;
  };
  const request = written.request;
  const offer = written.offers[0];
  const statement = sql`with
    chk as (
      select exists (select 1 from ${t.accelerators}
          where id = ${input.accelerator}::text for key share) as known,
        s.horizon_start, s.horizon_end, ${rofrTermsColumn} as terms
      from (select 1) as one left join ${t.scenarioSettings} as s on true),
    ok as (
      select 1 from chk
      where chk.known and md5(chk.terms::text) = ${digest}::text
        and (chk.horizon_start is null or chk.horizon_end is null
          or not (${input.window.from}::text > chk.horizon_end collate "C"
            or ${input.window.to}::text < chk.horizon_start collate "C"))
        ${
          key
            ? sql`and not exists (select 1 from ${t.idempotencyKeys}
                where token_id = ${key.tokenId}::text and key = ${key.key}::text)`
            : sql``
        }),
    ids as (
      select nextval('requests_id_seq') as rid${
        binding ? sql`, nextval('offers_id_seq') as oid` : sql``
      }
      from ok),
    ${key && stored !== undefined ? claimOf(key, now, withIds(stored, 'ids')) : sql``}
    req as (
      insert into ${t.requests} (id, created_at, created_by, accelerator_id, gpus, window_from,
        window_to, workload_class, reason, plan_id, workload_id, state, cleared_gpus, version)
      select ids.rid, ${now.toISOString()}::timestamptz, ${request.createdBy}::text,
        ${request.acceleratorId}::text, ${request.gpus}::int, ${request.windowFrom}::text,
        ${request.windowTo}::text, ${request.workloadClass}::text, ${request.reason}::text,
        ${request.planId}::bigint, ${request.workloadId}::text, ${request.state}::text,
        ${request.clearedGpus}::int, ${request.version}::int
      from ids${key ? sql` where exists (select 1 from claim)` : sql``}
      returning id),
    ${
      offer
        ? sql`offer as (
      insert into ${t.offers} (id, request_id, holder_id, contract_id, term_id, gpus, created_at,
        deadline, state)
      select ids.oid, req.id, ${offer.holderId}::text, ${offer.contractId}::text,
        ${offer.termId}::text, ${offer.gpus}::int, ${offer.createdAt.toISOString()}::timestamptz,
        ${offer.deadline.toISOString()}::timestamptz, ${offer.state}::text
      from ids join req on req.id = ids.rid
      returning id),`
        : sql``
    }
    audited as (${lockedEventsInsert(
      withIds(events, 'lock'),
      // After the request and its offer are written: the lock is the statement's last.
      sql`(select ids.* from ids join req on req.id = ids.rid${
        offer ? sql` join offer on offer.id = ids.oid` : sql``
      })`,
    )}
      returning id)
    select (select count(*)::int from req) as made, (select rid from ids) as rid,
      ${binding ? sql`(select oid from ids)` : sql`null::bigint`} as oid,
      md5(chk.terms::text) as digest,
      case when md5(chk.terms::text) <> ${digest}::text then chk.terms end as terms
    from chk`;
  let rows: {
    made: number;
    rid: string | number | null;
    oid: string | number | null;
    digest: string;
    terms: RofrTermRow[] | null;
  }[];
  try {
    // Named: planning this statement each time cost more than running it.
    rows = await executePrepared(
      db,
      `stargate_open_request${key ? '_key' : ''}${binding ? '_offer' : ''}`,
      statement,
    );
  } catch (error) {
    // Refused by the database (a deadlock, bad text): nothing was written, and the long way
    // will say why or succeed.
    if (isDatabaseRefusal(error)) return undefined;
    throw error;
  }
  const [row] = rows;
  if (!row) return undefined;
  if (row.made !== 1 || row.rid === null) return { digest: row.digest, terms: row.terms };
  return {
    digest: row.digest,
    opened: historyOf(routed(input, context, binding, Number(row.rid), Number(row.oid))),
  };
}

/** The key's claim, carrying its answer: a `WITH` entry named `claim`, one row where made. */
function claimOf(key: IdempotentRequest, now: Date, response: SQL): SQL {
  const row = keyRow(key, now);
  return sql`claim as (
      insert into ${t.idempotencyKeys} (token_id, key, method, path, body_hash, status, response,
        created_at)
      select ${row.tokenId}::text, ${row.key}::text, ${row.method}::text, ${row.path}::text,
        ${row.bodyHash}::text, 201, (${response})::json, ${now.toISOString()}::timestamptz
      from ids
      on conflict do nothing
      returning 1),`;
}

interface Written {
  readonly request: RequestRow;
  readonly offers: readonly OfferRow[];
  readonly events: readonly EventInsert[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What `openRequest` writes for a valid new request routed by `binding`, with the ids given: the
 * request (made `offered`, then `cleared` where no term binds), its offer to the first binding
 * holder, and the events `createRequest` and `advance` append. A test holds the two to the same
 * rows and events.
 */
function routed(
  input: RequestInput,
  context: AtOnceContext,
  binding: RofrBinding | undefined,
  requestId: number,
  offerId: number,
): Written {
  const { now } = context;
  const made: RequestRow = {
    id: requestId,
    ...newRequestRow(input, context.createdBy, now),
    clearedGpus: 0,
    version: 1,
    updatedAt: now,
  };
  const event = (action: string, fields: { before?: unknown; after: unknown }): EventInsert => ({
    at: now,
    actor: context.actor,
    action,
    entityType: 'request',
    entityId: String(requestId),
    before: fields.before ?? null,
    after: fields.after,
    requestId: context.requestId,
  });
  const created = event('request.create', { after: requestView(made) });
  if (binding) {
    const offer: OfferRow = {
      id: offerId,
      requestId,
      holderId: binding.holder,
      contractId: binding.contract,
      termId: binding.term,
      gpus: input.gpus,
      createdAt: now,
      deadline: new Date(now.getTime() + binding.responseDays * DAY_MS),
      state: 'pending',
      acceptedGpus: null,
      pricePerGpuHour: null,
      deliveryMonth: null,
      respondedAt: null,
      poolId: null,
      note: null,
    };
    return {
      request: made,
      offers: [offer],
      events: [created, event('offer.create', { after: offerView(offer) })],
    };
  }
  const cleared = { state: 'cleared', clearedGpus: input.gpus };
  return {
    request: { ...made, ...cleared, version: 2 },
    offers: [],
    events: [
      created,
      event('request.clear', { before: { state: 'offered', clearedGpus: 0 }, after: cleared }),
    ],
  };
}

function historyOf(written: Written): OpenedAtOnce {
  return {
    request: written.request,
    offers: written.offers,
    history: written.events.map(historyEvent),
  };
}

/**
 * An error the database raised in the statement that leaves it undone and the long way worth
 * taking: a deadlock or serialisation failure (class 40), an integrity error (23), bad data
 * (22). Not a connection lost or a server going down: that is the caller's to see.
 */
function isDatabaseRefusal(error: unknown): boolean {
  let cause: unknown = error;
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^(22|23|40)[0-9A-Z]{3}$/.test(code)) return true;
    cause = cause.cause;
  }
  return false;
}
