import type { Problem } from './problems.js';

/**
 * A merge patch for scenario documents: RFC 7396 (JSON Merge Patch), except that an array of
 * identified things (objects with an `id`, as every list of the scenario is) merges by `id`
 * instead of being replaced whole:
 *
 *     { "buildings": [{ "id": "lordstown-b1", "online": "2028-09" }],
 *       "contracts": [{ "id": "msft-openai-2025",
 *                       "terms": [{ "id": "azure-commitment", "minSpendUSD": 9e10 }] }] }
 *
 * An item whose `id` the list holds is merged into it (recursively, by the same rules); an
 * item with a new `id` is added at the end; `"$patch": "delete"` removes the item (Kubernetes'
 * strategic merge patch spells it the same way). `null` removes a field, as in RFC 7396. Lists
 * of things without ids (a capex schedule) are replaced whole.
 *
 * Why not JSON Patch (RFC 6902): its paths address list items by position, so a planner would
 * have to look up that Lordstown's first building is `/buildings/21` before saying it slips, and
 * a patch written against one export breaks when a building is added before it. A merge patch
 * reads like the scenario file itself and names things by the ids people use.
 */

/** Where each merged item came from: the scenario's path of an item → the patch's path. */
export type PatchOrigins = ReadonlyMap<string, readonly (string | number)[]>;

export type MergeResult =
  | {
      readonly ok: true;
      readonly document: Record<string, unknown>;
      readonly origins: PatchOrigins;
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const DELETE = '$patch';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An array whose items are all objects with a string `id`: one merged by id. */
const isIdentified = (value: unknown): value is Record<string, unknown>[] =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((item) => isObject(item) && typeof item['id'] === 'string');

/** The key of a scenario path in `PatchOrigins`. */
export const pathKey = (path: readonly (string | number)[]): string => path.join('\u0000');

/**
 * Applies `patch` to `document` without changing either. Every problem of the patch's own
 * shape (an item without an id, a delete of an id the list lacks) is reported with its path
 * in the patch, under `at` (e.g. `['body', 'patch']`).
 */
export function applyMergePatch(
  document: Record<string, unknown>,
  patch: unknown,
  at: readonly (string | number)[] = [],
): MergeResult {
  const problems: Problem[] = [];
  const origins = new Map<string, (string | number)[]>();
  if (!isObject(patch)) {
    return {
      ok: false,
      problems: [{ path: [...at], message: 'expected an object (a merge patch of the scenario)' }],
    };
  }

  const mergeObject = (
    target: Record<string, unknown>,
    changes: Record<string, unknown>,
    path: (string | number)[],
    patchPath: (string | number)[],
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...target };
    for (const [key, change] of Object.entries(changes)) {
      if (change === null) {
        Reflect.deleteProperty(out, key);
      } else if (
        Array.isArray(change) &&
        (isIdentified(target[key]) || isIdentifiedPatch(change))
      ) {
        const current = Array.isArray(target[key]) ? (target[key] as unknown[]) : [];
        out[key] = mergeList(current, change, [...path, key], [...patchPath, key]);
      } else if (isObject(change) && isObject(target[key])) {
        out[key] = mergeObject(target[key], change, [...path, key], [...patchPath, key]);
      } else {
        out[key] = withoutNulls(change);
      }
    }
    return out;
  };

  const mergeList = (
    target: readonly unknown[],
    changes: readonly unknown[],
    path: (string | number)[],
    patchPath: (string | number)[],
  ): unknown[] => {
    const out: unknown[] = [...target];
    const indexOf = (id: string) => out.findIndex((item) => isObject(item) && item['id'] === id);
    const items: { id: string; fields: Record<string, unknown>; where: (string | number)[] }[] = [];
    // Deletions first, so that the positions recorded in `origins` stay those of the result.
    for (const [i, change] of changes.entries()) {
      const where = [...patchPath, i];
      if (!isObject(change) || typeof change['id'] !== 'string') {
        problems.push({
          path: [...at, ...where, ...(isObject(change) ? ['id'] : [])],
          message: `expected an object with an "id" naming the ${singular(path)} to change, add or delete (items of ${String(path[path.length - 1])} merge by id)`,
        });
        continue;
      }
      const id = change['id'];
      const { [DELETE]: directive, ...fields } = change;
      if (directive === undefined) {
        items.push({ id, fields, where });
      } else if (directive !== 'delete') {
        problems.push({
          path: [...at, ...where, DELETE],
          message: `expected "delete" (the only directive), got ${JSON.stringify(directive)}`,
        });
      } else if (indexOf(id) < 0) {
        problems.push({
          path: [...at, ...where, 'id'],
          message: `no ${singular(path)} "${id}" to delete`,
        });
      } else {
        out.splice(indexOf(id), 1);
      }
    }
    for (const { id, fields, where } of items) {
      const index = indexOf(id);
      if (index < 0) {
        origins.set(pathKey([...path, out.length]), [...at, ...where]);
        out.push(withoutNulls(fields));
      } else {
        origins.set(pathKey([...path, index]), [...at, ...where]);
        out[index] = mergeObject(
          out[index] as Record<string, unknown>,
          fields,
          [...path, index],
          where,
        );
      }
    }
    return out;
  };

  const merged = mergeObject(document, patch, [], []);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, document: merged, origins };
}

/** A patch list that names its items by id (the target list may be empty or absent). */
function isIdentifiedPatch(change: readonly unknown[]): boolean {
  return change.some((item) => isObject(item) && ('id' in item || DELETE in item));
}

/** RFC 7396: a null inside an added value means "absent", never a null field. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, withoutNulls(field)]),
  );
}

/** `buildings` → `building`, for messages. */
function singular(path: readonly (string | number)[]): string {
  const name = String(path[path.length - 1] ?? 'item');
  return name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.replace(/s$/, '');
}

/**
 * A problem of the patched scenario, named where the user can find it: inside an item the
 * patch changed or added, the path in the patch (`body.patch.buildings[0].online`); elsewhere
 * the scenario's path with each identified item named by its id
 * (`scenario.buildings[id=lordstown-b1].online`), since a what-if's user never saw positions.
 */
export function locateProblem(
  problem: Problem,
  document: Record<string, unknown>,
  origins: PatchOrigins,
): Problem {
  const path = problem.path;
  for (let length = path.length; length > 0; length--) {
    const origin = origins.get(pathKey(path.slice(0, length)));
    if (origin) return { ...problem, path: [...origin, ...path.slice(length)] };
  }
  const named: (string | number)[] = ['scenario'];
  let node: unknown = document;
  for (const key of path) {
    const child: unknown =
      Array.isArray(node) && typeof key === 'number'
        ? node[key]
        : isObject(node)
          ? node[String(key)]
          : undefined;
    if (typeof key === 'number' && isObject(child) && typeof child['id'] === 'string') {
      named[named.length - 1] = `${String(named[named.length - 1])}[id=${child['id']}]`;
    } else {
      named.push(key);
    }
    node = child;
  }
  return { ...problem, path: named };
}
