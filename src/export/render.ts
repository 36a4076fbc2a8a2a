import { stringify } from 'yaml';
import type { KubeObject } from './kueue.js';

/**
 * Manifests as text. YAML is written as YAML 1.1 reads it, since that is what kubectl's reader
 * (and PyYAML, for SkyPilot) speaks: a name such as `no` or `on`, or a plan id such as `7`, is
 * quoted so that it stays text.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0 });
}

/** One multi-document YAML stream, in the objects' order; empty when there is nothing. */
export function manifestsYaml(objects: readonly KubeObject[]): string {
  return objects.map((object) => `---\n${toYaml(object)}`).join('');
}

/** A Kubernetes `List` (what `kubectl get -o json` writes and `kubectl apply -f` reads). */
export function manifestsJson(objects: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}

/**
 * One file per object, for a directory a GitOps tool syncs: `clusterqueue-NAME.yaml`, and
 * `localqueue-NAMESPACE.NAME.yaml` for namespaced objects (a `.` cannot be part of either).
 */
export function manifestFiles(
  objects: readonly KubeObject[],
): { readonly name: string; readonly text: string }[] {
  return objects.map((object) => ({
    name: `${object.kind.toLowerCase()}-${
      object.metadata.namespace === undefined
        ? object.metadata.name
        : `${object.metadata.namespace}.${object.metadata.name}`
    }.yaml`,
    text: toYaml(object),
  }));
}

/** The files `manifestFiles` writes: a directory holding only these may be replaced. */
export const MANIFEST_FILE = /^(cohort|resourceflavor|clusterqueue|localqueue)-[a-z0-9.-]+\.yaml$/;
