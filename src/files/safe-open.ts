// Opening files without following symlinks or blocking on FIFOs, and directory walks that refuse symlinked parents.
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** What a no-follow, non-blocking open found at a path. `file` is a regular file, open read-only. */
export type Opened = { kind: 'absent' } | { kind: 'symlink' } | { kind: 'special'; stats: Stats } | { kind: 'file'; handle: FileHandle; stats: Stats };

/**
 * Opens `path` read-only with O_NOFOLLOW (a symlink at the last component is reported, not followed) and
 * O_NONBLOCK (a FIFO opens at once instead of waiting for a writer), then checks the type with fstat on the
 * opened descriptor (no race with a rename in between). Only a regular file stays open; the caller closes it.
 * Other errors (EACCES, EIO...) are thrown.
 */
export async function openRegularNoFollow(path: string): Promise<Opened> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'absent' };
    if (errnoOf(error) === 'ELOOP') return { kind: 'symlink' };
    throw error;
  }
  let stats: Stats;
  try {
    stats = await handle.stat();
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (stats.isFile()) return { kind: 'file', handle, stats };
  await handle.close();
  return { kind: 'special', stats };
}

/** Reads at most `limit` bytes of an open file from its start. */
export async function readBounded(handle: FileHandle, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit);
  let total = 0;
  while (total < limit) {
    const { bytesRead } = await handle.read(buffer, total, limit - total, total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return buffer.subarray(0, total);
}

/** A parent-directory check that failed: `component` is the offending path. */
export class UnsafeParentError extends Error {
  constructor(
    readonly component: string,
    readonly why: 'symlink' | 'not-directory' | 'inspect' | 'create',
    cause?: unknown,
  ) {
    super(
      why === 'symlink' ? `${component} is a symbolic link` : why === 'not-directory' ? `${component} is not a directory` : `cannot ${why} ${component}${cause instanceof Error ? ` (${cause.message})` : ''}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'UnsafeParentError';
  }
}

/**
 * Walks every component of the absolute directory `dir` with lstat: throws UnsafeParentError when one is a
 * symlink or not a directory; creates missing ones (0755, not narrowed by the umask) when `create`, else
 * returns false at the first missing one. True when the whole path exists.
 */
export async function checkDirectories(dir: string, create: boolean): Promise<boolean> {
  let current = '/';
  for (const part of dir.split('/').filter(Boolean)) {
    current = current === '/' ? `/${part}` : `${current}/${part}`;
    let stats;
    try {
      stats = await lstat(current);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw new UnsafeParentError(current, 'inspect', error);
      if (!create) return false;
      try {
        await mkdir(current, { mode: 0o755 });
        await chmod(current, 0o755);
      } catch (mkdirError) {
        if (errnoOf(mkdirError) !== 'EEXIST') throw new UnsafeParentError(current, 'create', mkdirError);
      }
      stats = await lstat(current);
    }
    if (stats.isSymbolicLink()) throw new UnsafeParentError(current, 'symlink');
    if (!stats.isDirectory()) throw new UnsafeParentError(current, 'not-directory');
  }
  return true;
}
