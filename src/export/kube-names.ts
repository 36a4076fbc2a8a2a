/**
 * Kubernetes names for scenario ids and classes. Scenario ids may hold `.` and `_` and end in
 * either, and classes are free text, where Kubernetes wants DNS-1123 labels (lowercase letters,
 * digits and `-`, starting and ending with a letter or digit, at most 63): an id that is one
 * already is kept, any other gets a name of its own, deterministically, from its text alone —
 * so adding a pool never renames another, and the export of every month names it the same.
 */

/** A DNS-1123 label, as Kubernetes checks `metadata.name` of most objects and namespaces. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_LABEL_LENGTH = 63;

/** A Kubernetes quantity (`resource.Quantity`), as the Kueue CRDs' `pattern` writes it. */
export const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

export function isDnsLabel(text: string): boolean {
  return text.length <= MAX_LABEL_LENGTH && DNS_LABEL.test(text);
}

/**
 * The Kubernetes name of an id or a class: itself when it is a DNS-1123 label; otherwise its
 * text lowercased, every run of other characters turned into `-`, and a short hash of the
 * original text appended, so that `gpu_pool` and `gpu.pool` stay apart.
 *
 * @example kubeName('abilene-b1') // 'abilene-b1'
 * @example kubeName('Azure_H100') // 'azure-h100-' followed by 6 hex digits
 */
export function kubeName(text: string): string {
  if (isDnsLabel(text)) return text;
  const base = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return withHash(base === '' ? 'x' : base, text);
}

/**
 * Names joined with `-` (each a DNS-1123 label already), shortened with a hash of the whole
 * when the result would pass 63 characters.
 *
 * @example joinNames('training', 'abilene') // 'training-abilene'
 */
export function joinNames(...names: readonly string[]): string {
  const joined = names.join('-');
  return joined.length <= MAX_LABEL_LENGTH ? joined : withHash(joined, joined);
}

function withHash(base: string, original: string): string {
  const hash = shortHash(original);
  const room = MAX_LABEL_LENGTH - hash.length - 1;
  return `${base.slice(0, room).replace(/-+$/, '')}-${hash}`;
}

/** Six hex digits of the FNV-1a hash of the text's UTF-16 code units: short, stable, no I/O. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash >>> 8).toString(16).padStart(6, '0');
}

/** A label or annotation key: an optional DNS subdomain prefix and `/`, then a name. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return isLabelValue(name) && name !== '';
}

/** A label's value: empty, or up to 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return (
    value.length <= MAX_LABEL_LENGTH && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)
  );
}

function isDnsSubdomain(text: string): boolean {
  return (
    text.length <= 253 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(text)
  );
}
