/**
 * The What-if panel's edits, and the merge patch they make for `POST /v1/what-if` (lists of
 * things with ids merge by id: one item per edited thing, with only the edited field).
 */
export interface WhatIfEdits {
  /** A building comes online in another month (`YYYY-MM`). */
  readonly building?: { readonly id: string; readonly online: string } | undefined;
  /** A pool costs another price per GPU-hour (dollars, as the scenario writes it). */
  readonly pool?: { readonly id: string; readonly pricePerGpuHour: string } | undefined;
  /** A contract ends in another month: every one of its terms ends with it. */
  readonly contract?: { readonly id: string; readonly to: string } | undefined;
}

/** The merge patch of the edits that are filled in; `{}` when none is. */
export function whatIfPatch(edits: WhatIfEdits): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (edits.building && edits.building.id !== '' && edits.building.online !== '') {
    patch['buildings'] = [{ id: edits.building.id, online: edits.building.online }];
  }
  if (edits.pool && edits.pool.id !== '' && edits.pool.pricePerGpuHour.trim() !== '') {
    patch['pools'] = [{ id: edits.pool.id, pricePerGpuHour: edits.pool.pricePerGpuHour.trim() }];
  }
  if (edits.contract && edits.contract.id !== '' && edits.contract.to !== '') {
    patch['contracts'] = [{ id: edits.contract.id, effective: { to: edits.contract.to } }];
  }
  return patch;
}

/** A patch typed by hand: the object, or what is wrong with the text. */
export function parsePatchText(
  text: string,
): { readonly patch: Record<string, unknown> } | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      error: 'expected a JSON object, e.g. {"buildings": [{"id": "…", "online": "2028-06"}]}',
    };
  }
  return { patch: value as Record<string, unknown> };
}

/** A change in dollars with its sign, so it reads without colour. */
export function signedUSD(change: number, format: (usd: number) => string): string {
  if (Math.abs(change) < 0.005) return 'no change';
  return `${change > 0 ? '+' : '−'}${format(Math.abs(change))}`;
}
