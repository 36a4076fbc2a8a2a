import { readdir, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { ManifestValidator } from './kueue-validator.js';
import { manifestValidator } from './kueue-validator.js';

/**
 * The Kueue CRDs shipped with stargate (`src/export/crds/`, listed in package.json `files`),
 * read once per process. The one module of `src/export` that does I/O: the path is the
 * same from `src/export/` and from the built `dist/export/`.
 */
const CRD_DIR = new URL('../../src/export/crds/', import.meta.url);

let validator: Promise<ManifestValidator> | undefined;

/** The validator of the Kueue CRDs; their files are read and parsed on first use. */
export function kueueCrdValidator(): Promise<ManifestValidator> {
  validator ??= loadCrds().then(manifestValidator);
  return validator;
}

async function loadCrds(): Promise<unknown[]> {
  const names = (await readdir(CRD_DIR)).filter((name) => name.endsWith('.yaml')).sort();
  const docs: unknown[] = [];
  for (const name of names) {
    const text = await readFile(new URL(name, CRD_DIR), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors[0]?.message ?? ''}`);
      docs.push(doc.toJS());
    }
  }
  return docs;
}
