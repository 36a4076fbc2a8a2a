import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MANIFEST_FILE } from '../export/render.js';
import { UsageError } from './errors.js';

export interface ManifestDirectory {
  readonly dir: string;
  readonly files: readonly { readonly name: string; readonly text: string }[];
}

/**
 * Writes each directory whole: its files go to a fresh directory beside it, which then takes
 * its place, so a GitOps repository never holds a month half old and half new, and an object
 * the plan no longer has is gone. A directory that holds anything `stargate export kueue` does
 * not write is the user's and is refused, before anything is written.
 */
export async function writeManifestDirectories(
  directories: readonly ManifestDirectory[],
): Promise<void> {
  for (const { dir } of directories) {
    const foreign = (await entries(dir)).filter((name) => !MANIFEST_FILE.test(name));
    if (foreign.length > 0) {
      throw new UsageError(
        `--out: ${dir} holds files stargate export kueue did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); give an empty or new directory`,
      );
    }
  }
  for (const { dir: given, files } of directories) {
    // Siblings of the directory itself, also for `out/` or `out/.`.
    const dir = resolve(given);
    const fresh = `${dir}.stargate-new-${process.pid}`;
    const old = `${dir}.stargate-old-${process.pid}`;
    await rm(fresh, { recursive: true, force: true });
    await mkdir(fresh, { recursive: true });
    for (const file of files) await writeFile(join(fresh, file.name), file.text);
    await mkdir(dirname(dir), { recursive: true });
    const existed = await isDirectory(dir);
    if (existed) await rename(dir, old);
    await rename(fresh, dir);
    if (existed) await rm(old, { recursive: true, force: true });
  }
}

/** The names in a directory; none when there is no such directory. */
async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new UsageError(`--out: ${dir} is a file, expected a directory`);
    throw error;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
