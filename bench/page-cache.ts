// Puts an executable's pages into one known page-cache state before timed runs: written back, dropped, read once.
//
// Why: how much of a Node executable's text and read-only data counts in RSS (RssFile) depends on how its pages
// entered the page cache. Pages left by the writer (cp, postject) are mapped differently from pages read back from
// disk (issue 14 measured 48 vs 39 MB for the same file). Booted instances read their executable from disk, so
// the bench measures that state: `sync FILE` (so the pages are clean), `dd iflag=nocache count=0` (GNU dd:
// POSIX_FADV_DONTNEED on the whole file), then one sequential read. On tmpfs nothing can be dropped (the pages
// are shared memory and count as RssShmem): the bench refuses it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** `fincore`'s resident pages of `path` (bytes), or null when fincore is missing. */
export function residentBytes(path: string): number | null {
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8', timeout: 10_000 });
    return Number(out.trim());
  } catch {
    return null;
  }
}

export function readBackFromDisk(path: string): { residentBefore: number | null; residentAfter: number | null } {
  const fs = execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim();
  if (fs === 'tmpfs' || fs === 'ramfs') throw new Error(`${path} is on ${fs}: its page cache cannot be put into a known state; use a disk-backed directory`);
  execFileSync('sync', [path]);
  execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
  const residentBefore = residentBytes(path);
  readFileSync(path);
  return { residentBefore, residentAfter: residentBytes(path) };
}
