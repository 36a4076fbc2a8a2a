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
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

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
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
