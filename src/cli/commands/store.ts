import { userInfo } from 'node:os';
import { stringify } from 'yaml';
import { exportScenario, hasScenario, replaceScenario } from '../../store/scenario-store.js';
import { appendEvent, auditedTransaction } from '../../store/events.js';
import {
  MAX_TOKEN_DAYS,
  ROLES,
  createAuditedToken,
  listTokens,
  revokeToken,
} from '../../store/tokens.js';
import type { Role, TokenInfo } from '../../store/tokens.js';
import { entityKind, getEntity } from '../../store/scenario-store.js';
import { oneOf, parseCommandArgs, positiveNumber } from '../args.js';
import { ApiClient } from '../../client/api.js';
import { CONNECTION_FLAGS, connectionFrom, withApiErrors } from '../client/connection.js';
import { UsageError } from '../errors.js';
import { renderTable } from '../table.js';
import type { Io } from '../io.js';
import { STORE_FLAGS, describeLocation, locationFrom, openCliStore } from '../store-options.js';
import { readScenarioDocument } from '../../scenario/load.js';

import { importUsage, storeExportUsage, tokenUsage } from '../usage.js';

export { importUsage, storeExportUsage, tokenUsage };

/** `stargate import FILE`: loads a scenario file into the store (PGlite or DATABASE_URL). */
export async function importCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'import',
    argv,
    { ...STORE_FLAGS, replace: { type: 'boolean' } },
    { min: 1, max: 1, usage: importUsage },
  );
  const file = positionals[0] ?? '';
  const doc = await readScenarioDocument(file);
  const location = locationFrom(values);
  const store = await openCliStore(location);
  try {
    await store.db.transaction(async (tx) => {
      if ((await hasScenario(tx)) && values.replace !== true) {
        throw new UsageError(
          `the store (${describeLocation(location)}) holds a scenario already; --replace replaces it`,
        );
      }
      await replaceScenario(tx, doc);
    });
  } finally {
    await store.close();
  }
  const name = (doc['metadata'] as { name: string }).name;
  io.err(`imported ${name} from ${file} into ${describeLocation(location)}\n`);
  return 0;
}

/**
 * `stargate export`: the stored scenario as a scenario file, on stdout. `stargate export kueue`
 * and `skypilot` are `commands/export.ts`, which hands everything else to this.
 */
export async function exportScenarioCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    'export',
    argv,
    { ...STORE_FLAGS, format: { type: 'string' } },
    { min: 0, max: 0, usage: storeExportUsage },
  );
  const format = oneOf(
    'format',
    values.format as string | undefined,
    ['yaml', 'json'] as const,
    'yaml',
  );
  const location = locationFrom(values);
  const store = await openCliStore(location);
  let doc: Record<string, unknown> | undefined;
  try {
    doc = await exportScenario(store.db);
  } finally {
    await store.close();
  }
  if (!doc)
    throw new UsageError(
      `the store (${describeLocation(location)}) holds no scenario; stargate import FILE first`,
    );
  io.out(
    format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 }),
  );
  return 0;
}

/**
 * `stargate token create`: a token for the API, made directly in the store (the server need
 * not run; for a PGlite directory it must not), or with `--server URL` through the running
 * server's POST /v1/tokens as an admin. Only an explicit `--server` goes over the API, so that
 * local creation stays the default. Prints the secret once, on stdout.
 */
export async function tokenCommand(argv: readonly string[], io: Io): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'list') return listTokensCommand(rest, io);
  if (action === 'revoke') return revokeTokenCommand(rest, io);
  if (action !== 'create')
    throw new UsageError(
      `token: ${action === undefined ? 'expected' : `unknown action ${action}; expected`} create, list or revoke\nUsage: ${tokenUsage}`,
    );
  const { values } = parseCommandArgs(
    'token create',
    rest,
    {
      ...STORE_FLAGS,
      role: { type: 'string' },
      provider: { type: 'string' },
      site: { type: 'string', multiple: true },
      label: { type: 'string' },
      'expires-in': { type: 'string' },
      ...CONNECTION_FLAGS,
    },
    { min: 0, max: 0, usage: tokenUsage },
  );
  if (values.role === undefined)
    throw new UsageError(`token create: --role is required\nUsage: ${tokenUsage}`);
  const role: Role = oneOf('role', values.role as string, ROLES, 'viewer');
  const provider = typeof values.provider === 'string' ? values.provider : undefined;
  const sites = Array.isArray(values.site) ? values.site : [];
  if (role === 'holder' && provider === undefined)
    throw new UsageError('--provider: a holder token answers for one provider');
  if (role !== 'holder' && provider !== undefined)
    throw new UsageError('--provider: only a holder token is bound to a provider');
  if (role === 'operator' && sites.length === 0)
    throw new UsageError('--site: an operator token acts on one or more sites');
  if (role !== 'operator' && sites.length > 0)
    throw new UsageError('--site: only an operator token is bound to sites');
  const label = typeof values.label === 'string' ? values.label : undefined;
  const expiresInDays = positiveNumber('expires-in', values['expires-in']);
  if (expiresInDays !== undefined && expiresInDays > MAX_TOKEN_DAYS)
    throw new UsageError(
      `--expires-in: expected at most ${MAX_TOKEN_DAYS} days, got ${expiresInDays}`,
    );
  if (values.server !== undefined) {
    if (values.data !== undefined) throw new UsageError('--data and --server: give one of them');
    return createTokenOverApi(io, values, { role, provider, sites, label, expiresInDays });
  }
  if (values.token !== undefined)
    throw new UsageError('--token: only with --server (local creation needs no token)');
  const store = await openCliStore(locationFrom(values));
  try {
    const created = await auditedTransaction(store.db, async (tx) => {
      if (provider !== undefined) {
        const providers = entityKind('providers');
        if (providers && !(await getEntity(tx, providers, provider)))
          throw new UsageError(`--provider: unknown provider ${provider}`);
      }
      const siteKind = entityKind('sites');
      for (const site of sites) {
        if (siteKind && !(await getEntity(tx, siteKind, site)))
          throw new UsageError(`--site: unknown site ${site}`);
      }
      const now = new Date();
      return createAuditedToken(
        tx,
        {
          role,
          providerId: provider,
          siteIds: sites,
          label,
          ...(expiresInDays === undefined
            ? {}
            : { expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000) }),
        },
        now,
        `cli:${localUser()}`,
      );
    });
    io.err(`created ${role} token ${created.id}; the secret below is shown once\n`);
    io.out(`${created.secret}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

async function createTokenOverApi(
  io: Io,
  values: Readonly<Record<string, unknown>>,
  grant: {
    role: Role;
    provider: string | undefined;
    sites: string[];
    label: string | undefined;
    expiresInDays: number | undefined;
  },
): Promise<number> {
  const api = new ApiClient(connectionFrom(values));
  return withApiErrors(io, async () => {
    const created = (await api.post('/v1/tokens', {
      role: grant.role,
      ...(grant.provider === undefined ? {} : { provider: grant.provider }),
      ...(grant.sites.length === 0 ? {} : { sites: grant.sites }),
      ...(grant.label === undefined ? {} : { label: grant.label }),
      ...(grant.expiresInDays === undefined ? {} : { expiresInDays: grant.expiresInDays }),
    })) as { id: string; token: string };
    io.err(
      `created ${grant.role} token ${created.id} on ${api.connection.server}; the secret below is shown once\n`,
    );
    io.out(`${created.token}\n`);
    return 0;
  });
}

/** The local user's name for the audit log; `unknown` where the system has none for the uid. */
function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `--data` (the store, directly) or `--server` (the API, as an admin): one of them. */
function tokenPlace(command: string, argv: readonly string[], positionals: number) {
  const parsed = parseCommandArgs(
    command,
    argv,
    { ...STORE_FLAGS, ...CONNECTION_FLAGS },
    { min: positionals, max: positionals, usage: tokenUsage },
  );
  const { values } = parsed;
  if (values.server !== undefined && values.data !== undefined)
    throw new UsageError('--data and --server: give one of them');
  if (values.server === undefined && values.token !== undefined)
    throw new UsageError('--token: only with --server (the store needs no token)');
  return parsed;
}

/** One token per line: id, role, binding, label, created, revoked. Never a secret. */
function tokenLines(list: readonly TokenInfo[]): string {
  return `${renderTable(
    ['ID', 'ROLE', 'FOR', 'LABEL', 'CREATED', 'EXPIRES', 'REVOKED'],
    list.map((token) => [
      token.tokenId,
      token.role,
      token.providerId ?? (token.siteIds.length > 0 ? token.siteIds.join(',') : '-'),
      token.label ?? '-',
      token.createdAt.slice(0, 16).replace('T', ' '),
      token.expiresAt === undefined ? '-' : token.expiresAt.slice(0, 16).replace('T', ' '),
      token.revokedAt === undefined ? '-' : token.revokedAt.slice(0, 16).replace('T', ' '),
    ]),
  )}\n`;
}

/** `stargate token list`: every token, live and revoked, without secrets. */
async function listTokensCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = tokenPlace('token list', argv, 0);
  if (values.server !== undefined) {
    const api = new ApiClient(connectionFrom(values));
    return withApiErrors(io, async () => {
      io.out(tokenLines((await api.get('/v1/tokens')) as TokenInfo[]));
      return 0;
    });
  }
  const store = await openCliStore(locationFrom(values));
  try {
    io.out(tokenLines(await listTokens(store.db)));
  } finally {
    await store.close();
  }
  return 0;
}

/**
 * `stargate token revoke ID`: the token stops working on its next request, in every server
 * process (each checks the store on every request).
 */
async function revokeTokenCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = tokenPlace('token revoke', argv, 1);
  const id = positionals[0] ?? '';
  if (!/^tok_[0-9a-f]{12}$/.test(id))
    throw new UsageError(
      `token revoke: expected a token id tok_… (stargate token list), got ${id}`,
    );
  if (values.server !== undefined) {
    const api = new ApiClient(connectionFrom(values));
    return withApiErrors(io, async () => {
      await api.delete(`/v1/tokens/${id}`);
      io.err(`revoked token ${id} on ${api.connection.server}\n`);
      return 0;
    });
  }
  const store = await openCliStore(locationFrom(values));
  try {
    const revoked = await auditedTransaction(store.db, async (tx) => {
      const now = new Date();
      if (!(await revokeToken(tx, id, now))) return false;
      await appendEvent(
        tx,
        { action: 'token.revoke', entityType: 'token', entityId: id, actor: `cli:${localUser()}` },
        now,
      );
      return true;
    });
    if (!revoked) throw new UsageError(`token revoke: no live token ${id} (stargate token list)`);
    io.err(`revoked token ${id}\n`);
  } finally {
    await store.close();
  }
  return 0;
}
