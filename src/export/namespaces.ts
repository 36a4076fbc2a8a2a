/**
 * `CLASS=NAMESPACE` entries (the CLI's `--namespace-of`, the API's `namespaceOf`) as a map from
 * class to the namespace of its LocalQueues; or what is wrong with the first bad entry. The
 * namespace is what follows the last `=`; a class given twice is refused, not overwritten.
 *
 * @example namespacesOf(['api=serving']) // { namespaces: Map { 'api' => 'serving' } }
 */
export function namespacesOf(
  entries: readonly string[],
): { readonly namespaces: Map<string, string> } | { readonly error: string } {
  const namespaces = new Map<string, string>();
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    const className = entry.slice(0, Math.max(at, 0));
    const namespace = entry.slice(at + 1);
    if (at <= 0 || namespace === '') return { error: `expected CLASS=NAMESPACE, got ${entry}` };
    if (namespaces.has(className)) return { error: `class ${className} is given twice` };
    namespaces.set(className, namespace);
  }
  return { namespaces };
}
