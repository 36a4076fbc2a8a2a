import { homedir } from 'node:os';
import type { StoreLocation } from '../store/db.js';
import { StoreBusyError, openStore, storeLocation } from '../store/db.js';
import type { Store } from '../store/db.js';
import { CannotRunError, UsageError } from './errors.js';

/** `--data DIR` and `DATABASE_URL`, as every store command reads them. */
export const STORE_FLAGS = { data: { type: 'string' } } as const;

export function locationFrom(values: Readonly<Record<string, unknown>>): StoreLocation {
  const data = values['data'];
  return storeLocation({
    databaseUrl: process.env['DATABASE_URL'],
    dataDir: typeof data === 'string' ? data : undefined,
    home: homedir(),
  });
}

export function describeLocation(location: StoreLocation): string {
  if (location.kind === 'postgres') return 'PostgreSQL (DATABASE_URL)';
  if (location.kind === 'memory') return 'memory';
  return location.dataDir;
}

/** Opens the store; a busy PGlite directory or an unreachable server is the user's to fix. */
export async function openCliStore(location: StoreLocation): Promise<Store> {
  try {
    return await openStore(location);
  } catch (error) {
    if (error instanceof StoreBusyError) throw new CannotRunError(error.message);
    const code = (error as { code?: string }).code;
    if (
      location.kind === 'postgres' &&
      (code === 'ECONNREFUSED' ||
        code === 'ENOTFOUND' ||
        code === '3D000' ||
        code === '28P01' ||
        code === '28000')
    ) {
      throw new UsageError(`cannot open the database in DATABASE_URL: ${(error as Error).message}`);
    }
    throw error;
  }
}
