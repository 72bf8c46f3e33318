// Shell: the listing of eni-init's persistent files present on the host, over every backend's places, and which interface each configures.
import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { interfaceOfPath } from './backend.ts';
import type { FilePlace } from './backend.ts';
import { BACKEND_MODULES, backendOfPath } from './backends/index.ts';
import { WRITTEN_BY } from './types.ts';
import type { OwnFile } from './types.ts';

/** True when the file's first line is eni-init's marker. */
export function writtenByUs(content: string): boolean {
  return content.split('\n', 1)[0] === WRITTEN_BY;
}

type Lister = (dir: string) => Promise<string[]>;

/** The candidate paths of one place: its files whose name matches (the content decides). */
async function candidatesOf(place: FilePlace, list: Lister): Promise<string[]> {
  const dirs = place.subdirs === undefined ? [place.dir] : (await list(place.dir)).filter((name) => place.subdirs?.test(name)).map((name) => posix.join(place.dir, name));
  const paths: string[] = [];
  for (const dir of dirs) for (const name of await list(dir)) if (place.name.test(name)) paths.push(posix.join(dir, name));
  return paths;
}

/** Candidate paths of every backend, backend by backend; drop-ins in subdirectories last. */
export async function candidates(list: Lister): Promise<string[]> {
  const places = BACKEND_MODULES.flatMap((backend) => backend.places);
  const paths: string[] = [];
  for (const place of [...places.filter((one) => one.subdirs === undefined), ...places.filter((one) => one.subdirs !== undefined)]) paths.push(...(await candidatesOf(place, list)));
  return paths;
}

/** eni-init's files present under `at(...)` (the --root mapping), with their content. */
export async function listOwnFiles(at: (path: string) => string): Promise<OwnFile[]> {
  const list: Lister = async (dir) => {
    try {
      return (await readdir(at(dir))).sort();
    } catch {
      return [];
    }
  };
  const found: OwnFile[] = [];
  for (const path of await candidates(list)) {
    try {
      const content = await readFile(at(path), 'utf8');
      if (writtenByUs(content)) found.push({ path, content });
    } catch {
      // Vanished or unreadable: not ours to report.
    }
  }
  return found;
}

/** The interface a file of ours configures, from its name; undefined for drop-ins and the global networkd file. */
export function fileInterface(path: string): string | undefined {
  const backend = backendOfPath(path);
  return backend === undefined ? undefined : interfaceOfPath(backend.places, path);
}
