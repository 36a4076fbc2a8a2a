import type { AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { compareText } from '../core/order.js';
import { isDnsLabel, isLabelValue, isQualifiedName } from './kube-names.js';

/**
 * Checks Kubernetes objects against the `openAPIV3Schema` of the CRD version they name, the way
 * `kubectl apply` (strict field validation, the default since Kubernetes 1.27) has the API
 * server check them: JSON Schema by Ajv, plus what the API server adds — unknown fields are
 * errors, lists typed `map` or `set` hold no duplicates, `int-or-string` quantities, names and
 * label keys. The CEL rules (`x-kubernetes-validations`) need a CEL interpreter; the ones an
 * exported ClusterQueue can reach, and Kueue's webhook checks on quotas, are written out in
 * `clusterQueueRules`.
 */
export interface ManifestValidator {
  /** Every problem with the object, `Kind name: /path message`; empty when valid. */
  check(object: unknown): string[];
  /** The `group/version` and kinds the CRDs define, e.g. `kueue.x-k8s.io/v1beta2 ClusterQueue`. */
  readonly served: readonly string[];
}

interface CrdVersion {
  readonly name: string;
  readonly schema?: { readonly openAPIV3Schema?: AnySchemaObject };
}

interface Crd {
  readonly kind?: string;
  readonly spec?: {
    readonly group?: string;
    readonly scope?: string;
    readonly names?: { readonly kind?: string };
    readonly versions?: readonly CrdVersion[];
  };
}

/** Builds a validator from parsed CustomResourceDefinition documents. */
export function manifestValidator(crds: readonly unknown[]): ManifestValidator {
  const schemas = new Map<string, { schema: AnySchemaObject; namespaced: boolean }>();
  for (const doc of crds as readonly Crd[]) {
    if (doc.kind !== 'CustomResourceDefinition') continue;
    const group = doc.spec?.group;
    const kind = doc.spec?.names?.kind;
    if (group === undefined || kind === undefined) continue;
    for (const version of doc.spec?.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) continue;
      schemas.set(`${group}/${version.name} ${kind}`, {
        schema: strictFields(schema),
        namespaced: doc.spec?.scope === 'Namespaced',
      });
    }
  }
  const ajv = kubernetesAjv();
  const compiled = new Map<string, ValidateFunction>();

  function check(object: unknown): string[] {
    if (object === null || typeof object !== 'object') return ['(root): expected an object'];
    const { apiVersion, kind, metadata } = object as {
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: { name?: unknown; namespace?: unknown; labels?: unknown; annotations?: unknown };
    };
    const name = typeof metadata?.name === 'string' ? metadata.name : '(unnamed)';
    const where = `${String(kind)} ${name}`;
    const key = `${String(apiVersion)} ${String(kind)}`;
    const entry = schemas.get(key);
    if (!entry) return [`${where}: no CRD defines ${key}`];
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(entry.schema);
      compiled.set(key, validate);
    }
    const problems: string[] = [];
    if (!validate(object)) {
      for (const error of validate.errors ?? []) problems.push(`${where}: ${describe(error)}`);
    }
    problems.push(...checkMetadata(metadata, entry.namespaced).map((p) => `${where}: ${p}`));
    if (kind === 'ClusterQueue') {
      problems.push(...clusterQueueRules(object).map((p) => `${where}: ${p}`));
    }
    return problems;
  }

  return { check, served: [...schemas.keys()].sort(compareText) };
}

/** Ajv as the Kubernetes API server reads OpenAPI v3 CRD schemas. */
function kubernetesAjv(): Ajv {
  // strictSchema stays on: a keyword that newer CRDs add fails the build of the validator
  // instead of being skipped in silence. Type strictness is off: CRDs put `pattern` beside an
  // `anyOf` of integer and string, which is valid JSON Schema.
  const ajv = new Ajv({ allErrors: true, strictTypes: false, strictTuples: false });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(z|[+-]\d\d:\d\d)$/i);
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    validate: (enabled: boolean, data: unknown) =>
      !enabled || typeof data === 'string' || Number.isInteger(data),
    error: { message: 'must be an integer or a string (int-or-string)' },
  });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    validate: (listType: string, data: unknown[], parent?: AnySchemaObject) => {
      if (listType === 'set')
        return new Set(data.map((item) => JSON.stringify(item))).size === data.length;
      if (listType !== 'map') return true;
      const keys = (parent?.['x-kubernetes-list-map-keys'] ?? []) as string[];
      const seen = new Set(
        data.map((item) => JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k]))),
      );
      return seen.size === data.length;
    },
    error: { message: 'must not hold two entries with the same key (x-kubernetes-list-type)' },
  });
  // Annotations for the API server's merge and CEL rules: nothing for JSON Schema to check
  // (the CEL rules an export can reach are in clusterQueueRules).
  ajv.addVocabulary([
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-validations',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
  ]);
  return ajv;
}

/**
 * The schema with `additionalProperties: false` on every object that lists its properties and
 * does not keep unknown fields: the API server drops (or, strictly, refuses) a field its schema
 * does not know, so a field in the wrong version (`cohort` in v1beta2) must be an error here.
 */
function strictFields(schema: AnySchemaObject): AnySchemaObject {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      // Property names and examples are data, not schemas.
      copy[key] =
        key === 'properties'
          ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, walk(v)]))
          : key === 'enum' || key === 'default' || key === 'required'
            ? value
            : walk(value);
    }
    if (
      'properties' in copy &&
      !('additionalProperties' in copy) &&
      copy['x-kubernetes-preserve-unknown-fields'] !== true
    ) {
      copy['additionalProperties'] = false;
    }
    return copy;
  };
  return walk(schema) as AnySchemaObject;
}

function describe(error: ErrorObject): string {
  const path = error.instancePath === '' ? '(root)' : error.instancePath;
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty;
    return `${path}: unknown field ${extra ?? ''}`;
  }
  return `${path}: ${error.message ?? error.keyword}`;
}

function checkMetadata(
  metadata:
    { name?: unknown; namespace?: unknown; labels?: unknown; annotations?: unknown } | undefined,
  namespaced: boolean,
): string[] {
  const problems: string[] = [];
  if (!metadata) return ['metadata: required'];
  if (typeof metadata.name !== 'string' || !isDnsLabel(metadata.name)) {
    problems.push(`metadata.name: ${String(metadata.name)} is not a DNS-1123 label`);
  }
  if (namespaced) {
    if (typeof metadata.namespace !== 'string' || !isDnsLabel(metadata.namespace))
      problems.push(`metadata.namespace: ${String(metadata.namespace)} is not a DNS-1123 label`);
  } else if (metadata.namespace !== undefined) {
    problems.push('metadata.namespace: the kind is cluster-scoped');
  }
  for (const [field, values] of [
    ['labels', metadata.labels],
    ['annotations', metadata.annotations],
  ] as const) {
    for (const [key, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
      if (!isQualifiedName(key)) problems.push(`metadata.${field}: ${key} is not a valid key`);
      if (typeof value !== 'string') problems.push(`metadata.${field}.${key}: expected text`);
      else if (field === 'labels' && !isLabelValue(value))
        problems.push(`metadata.labels.${key}: ${value} is not a valid label value`);
    }
  }
  return problems;
}

interface QuotaEntry {
  readonly name?: string;
  readonly nominalQuota?: number | string;
  readonly borrowingLimit?: number | string;
  readonly lendingLimit?: number | string;
}

/**
 * The ClusterQueue rules the schema's CEL and Kueue's admission webhook add, for the quotas an
 * export writes (whole numbers): every flavor lists the group's resources in its order; no
 * borrowing or lending limit without a cohort; a lending limit at most the nominal quota; a
 * flavor in one resource group only.
 */
function clusterQueueRules(object: object): string[] {
  const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
  const cohort = spec['cohortName'] ?? spec['cohort'];
  const groups = (spec['resourceGroups'] ?? []) as {
    coveredResources?: string[];
    flavors?: { name?: string; resources?: QuotaEntry[] }[];
  }[];
  const problems: string[] = [];
  const flavorsSeen = new Set<string>();
  groups.forEach((group, g) => {
    const covered = group.coveredResources ?? [];
    (group.flavors ?? []).forEach((flavor, f) => {
      const at = `/spec/resourceGroups/${g}/flavors/${f}`;
      if (flavor.name !== undefined) {
        if (flavorsSeen.has(flavor.name))
          problems.push(`${at}/name: flavor ${flavor.name} is in two resource groups`);
        flavorsSeen.add(flavor.name);
      }
      const names = (flavor.resources ?? []).map((r) => r.name);
      if (names.join('\u0000') !== covered.join('\u0000'))
        problems.push(`${at}/resources: must list ${covered.join(', ')} in that order`);
      (flavor.resources ?? []).forEach((resource, r) => {
        const here = `${at}/resources/${r}`;
        if (
          cohort === undefined &&
          (resource.borrowingLimit !== undefined || resource.lendingLimit !== undefined)
        )
          problems.push(`${here}: borrowingLimit and lendingLimit need a cohort`);
        for (const field of ['nominalQuota', 'borrowingLimit', 'lendingLimit'] as const) {
          const value = resource[field];
          if (typeof value === 'number' && value < 0)
            problems.push(`${here}/${field}: must not be negative`);
        }
        if (
          typeof resource.lendingLimit === 'number' &&
          typeof resource.nominalQuota === 'number' &&
          resource.lendingLimit > resource.nominalQuota
        ) {
          problems.push(`${here}/lendingLimit: must not exceed nominalQuota`);
        }
      });
    });
  });
  return problems;
}
