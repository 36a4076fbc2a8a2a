import { createHash } from 'node:crypto';

/**
 * The scenario a plan was made from, as a fingerprint: `sha256:` and the hex digest of the
 * document's canonical JSON. The canonical form is the JSON value the file holds — YAML or
 * JSON, comments, anchors and layout gone — with the keys of every object sorted, so a file,
 * the same file converted to JSON, and the store's export of it (`stargate export`, which keeps
 * every entity as written but not its key order) all hash the same. Lists keep their order.
 */
export function scenarioHash(document: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(document)).digest('hex')}`;
}

/**
 * JSON with the keys of every object in code-point order and no whitespace. Values JSON
 * leaves out (undefined, functions) are left out here too.
 *
 * @example canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  // A plain JSON value (what a JSON or YAML reader returns) is written by `JSON.stringify`, with
  // every key the document uses, sorted, as its property list: it writes each object's keys in
  // the list's order, about ten times faster than the walk below. Anything else (a Date, a
  // sparse list, a symbol), or a document of so many distinct keys that looking each up in
  // every object would cost more, goes the long way.
  const shape: Shape = { keys: new Set(), objects: 0, properties: 0 };
  if (
    plainShape(value, shape) &&
    !shape.keys.has('__proto__') &&
    shape.keys.size * shape.objects <= KEY_LOOKUPS_PER_PROPERTY * shape.properties
  ) {
    return JSON.stringify(value, [...shape.keys].sort(byCodePoint)) ?? 'null';
  }
  return canonicalJsonByWalk(value);
}

/** `canonicalJson` the long way, key by key: what the fast path is held to (a property test). */
export function canonicalJsonByWalk(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

/**
 * Key lookups per property below which `JSON.stringify` with a property list beats the walk:
 * it looks up every listed key in every object. A generated large portfolio needs about 10 and
 * is four times faster there; the break-even measured about 40.
 */
const KEY_LOOKUPS_PER_PROPERTY = 32;

interface Shape {
  readonly keys: Set<string>;
  objects: number;
  properties: number;
}

/**
 * Whether a value holds only plain objects, dense lists, strings, numbers, booleans, null and
 * undefined, counting its keys, objects and properties into `shape`.
 */
function plainShape(value: unknown, shape: Shape): boolean {
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || Object.hasOwn(value, 'toJSON')) {
      return false;
    }
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !plainShape(value[i], shape)) return false;
    }
    return true;
  }
  if (value === null || value === undefined) return true;
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return false;
    shape.objects++;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      shape.keys.add(key);
      shape.properties++;
      if (!plainShape(record[key], shape)) return false;
    }
    return true;
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function write(value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item: unknown, index) => {
      if (index > 0) out.push(',');
      if (item === undefined || typeof item === 'function') out.push('null');
      else write(item, out);
    });
    out.push(']');
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
      .sort(byCodePoint);
    out.push('{');
    keys.forEach((key, index) => {
      if (index > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(record[key], out);
    });
    out.push('}');
    return;
  }
  out.push(JSON.stringify(value) ?? 'null');
}
