import type { Tx } from '../db.js';
import { conflict } from '../errors.js';
import type { EntityDoc } from '../scenario-store.js';
import { checkChange, entityKind, getEntity, insertEntity } from '../scenario-store.js';
import type { Audit } from './routing.js';
import type { RequestRow } from './views.js';

/** Makes the pool an accepted offer or an award stands for; returns its id. */
export async function createProcuredPool(
  tx: Tx,
  request: RequestRow,
  source: {
    provider: string;
    site: string | undefined;
    gpus: number;
    pricePerGpuHour: string;
    deliveryMonth: string;
  },
  audit: Audit,
): Promise<string> {
  const pools = entityKind('pools');
  if (!pools) throw new Error('no pools kind');
  const id = `req-${request.id}-${source.provider}`;
  const doc: EntityDoc = {
    id,
    provider: source.provider,
    ...(source.site === undefined ? {} : { site: source.site }),
    accelerator: request.acceleratorId,
    gpus: source.gpus,
    window: { from: source.deliveryMonth, to: request.windowTo },
    pricePerGpuHour: source.pricePerGpuHour,
    origin: 'new',
    rofr: 'cleared',
  };
  if (await getEntity(tx, pools, id)) throw conflict(`pool ${id} already exists`);
  await checkChange(tx, pools, { op: 'insert', doc });
  await insertEntity(tx, pools, doc, { requestId: request.id });
  await audit({ action: 'pool.create', entityType: 'pool', entityId: id, after: doc });
  return id;
}
