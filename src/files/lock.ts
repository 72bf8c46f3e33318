// Exclusive run lock: a lock file naming its owner (pid and start time), stale locks taken over, bounded waiting.
// Never follows a symlink (at the lock path or a parent), never blocks on a FIFO, never logs a file's content.
import { readFile, link, lstat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { Stats } from 'node:fs';
import { BusyError, EnvironmentError, PermissionError, fileSystemError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { UnsafeParentError, checkDirectories, openRegularNoFollow, readBounded } from './safe-open.ts';

export interface Lock {
  /** Removes the lock file if it is still this lock's; idempotent. */
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  start: string;
}

/** A takeover marker older than this was left by a process that died while taking over. */
const BREAK_STALE_MS = 5000;

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or null when there is no such process. */
export async function processStartTime(pid: number | 'self'): Promise<string | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ESRCH') return null;
    throw error;
  }
  // Field 2 (comm) is parenthesized and may contain spaces and parentheses: count from the last ')', field 3 on.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3] ?? null;
}

function parseOwner(content: string): Owner | null {
  const match = /^(\d+) (\d+)(?: \S+)?\n?$/.exec(content);
  return match ? { pid: Number(match[1]), start: match[2] as string } : null;
}

/** Unreadable /proc (hidepid) counts as alive: never break a lock on a guess. */
async function isAlive(owner: Owner): Promise<boolean> {
  try {
    return (await processStartTime(owner.pid)) === owner.start;
  } catch {
    return true;
  }
}

/** A lock file is a few dozen bytes; more is not ours. */
const MAX_LOCK_BYTES = 256;

interface Seen {
  content: string;
  stats: Stats;
}

/**
 * The lock file at `path`, or null when there is none. No-follow and non-blocking: a symlink (dangling or
 * not), a FIFO, a directory or any other non-regular file there is an EnvironmentError at once, never a spin
 * or a hang; its content is never read or logged.
 */
async function readLock(path: string): Promise<Seen | null> {
  let opened;
  try {
    opened = await openRegularNoFollow(path);
  } catch (error) {
    throw fileSystemError(path, 'cannot open the lock file', error);
  }
  if (opened.kind === 'absent') return null;
  if (opened.kind === 'symlink') throw new EnvironmentError(`the lock path ${path} is a symbolic link; eni-init never follows it: remove it`, { details: { path } });
  if (opened.kind === 'special') throw new EnvironmentError(`the lock path ${path} is not a regular file; remove it`, { details: { path } });
  try {
    return { content: (await readBounded(opened.handle, MAX_LOCK_BYTES)).toString('utf8'), stats: opened.stats };
  } finally {
    await opened.handle.close();
  }
}

/** True when `path` is still the very file `seen` was read from (same device and inode, not a symlink). */
async function sameFile(path: string, seen: Stats): Promise<boolean> {
  const now = await lstat(path).catch(() => null);
  return now !== null && now.isFile() && now.dev === seen.dev && now.ino === seen.ino;
}

/** Creates `path` with `content` atomically and exclusively: a complete O_EXCL temp file, hard-linked into place. */
async function tryCreate(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  // O_CREAT|O_EXCL: never follows a symlink planted at the temp name. EROFS, ENOSPC, EACCES end the run here.
  await writeFile(temp, content, { flag: 'wx', mode: 0o644 }).catch((error: unknown) => {
    throw fileSystemError(temp, 'cannot create the lock file', error);
  });
  try {
    await link(temp, path); // link() never follows a symlink at `path`: EEXIST
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw fileSystemError(path, 'cannot create the lock file', error);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Removes the lock file if it is still the file `seen` was read from, still holds its content, is a regular
 * file owned by this user, and its owner is dead. Takers serialise on `<path>.break` (itself created
 * exclusively), so one taker cannot remove a lock another taker has just created.
 * Returns true when it removed the stale file; false otherwise (another taker at work, or the file changed).
 */
async function breakStale(path: string, seen: Seen, content: string, log: Logger): Promise<boolean> {
  const marker = `${path}.break`;
  if (!(await tryCreate(marker, content))) {
    const stats = await lstat(marker).catch(() => null);
    // Only an old regular marker file is removed (unlink removes a symlink itself, never its target).
    if (stats && (stats.isFile() || stats.isSymbolicLink()) && Date.now() - stats.mtimeMs > BREAK_STALE_MS) await unlink(marker).catch(() => {});
    return false;
  }
  let removed = false;
  try {
    const now = await readLock(path);
    const owner = now === null ? null : parseOwner(now.content);
    if (now !== null && now.content === seen.content && now.stats.ino === seen.stats.ino && (owner === null || !(await isAlive(owner)))) {
      const uid = process.geteuid?.() ?? 0;
      if (now.stats.uid !== uid) {
        throw new EnvironmentError(`the stale lock ${path} belongs to uid ${now.stats.uid}, not to this user; eni-init leaves it alone: remove it`, { details: { path } });
      }
      if (await sameFile(path, now.stats)) {
        log.warn('taking over a stale lock', { path, pid: owner?.pid, unparseable: owner === null ? true : undefined });
        await unlink(path).catch((error: unknown) => {
          if (errnoOf(error) !== 'ENOENT') throw fileSystemError(path, 'cannot remove the stale lock', error);
        });
        removed = true;
      }
    }
  } finally {
    await unlink(marker).catch(() => {});
  }
  return removed;
}

/**
 * Takes the lock file `path` (its directory is created, 0755), containing `<pid> <starttime> <nonce>`; waits
 * (polling) while a live process holds it, takes it over when its owner is gone (no such pid, or the pid was
 * reused: another start time), and throws BusyError naming the owner's pid once `deadline` (epoch ms) passes.
 */
export async function acquireLock(path: string, options: { deadline: number; pollMs?: number; log: Logger }): Promise<Lock> {
  const { deadline, log } = options;
  const pollMs = options.pollMs ?? 100;
  const start = await processStartTime('self');
  const content = `${process.pid} ${start ?? '0'} ${randomBytes(8).toString('hex')}\n`;
  try {
    // Every parent is a real directory, never a symlink: a takeover cannot reach a file behind a symlinked dir.
    await checkDirectories(dirname(path), true);
  } catch (error) {
    if (!(error instanceof UnsafeParentError)) throw error;
    const cause = error.cause;
    if (cause !== undefined && fileSystemError(error.component, '', cause) instanceof PermissionError) {
      throw new PermissionError(`cannot use the run directory for ${path}: ${error.message}`, { cause: error, details: { path } });
    }
    throw new EnvironmentError(`cannot use the run directory for ${path}: ${error.message}`, { cause: error, details: { path } });
  }
  let waiting = false;
  for (;;) {
    if (await tryCreate(path, content)) break;
    const seen = await readLock(path);
    const owner = seen === null ? null : parseOwner(seen.content);
    if (seen !== null && (owner === null || !(await isAlive(owner)))) {
      if (await breakStale(path, seen, content, log)) continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new BusyError(`another eni-init run holds ${path}${owner ? ` (pid ${owner.pid})` : ''}`);
    if (seen === null) continue; // released in between: try again at once (bounded by the deadline above)
    if (!waiting) log.info('waiting for another eni-init run to finish', { path, pid: owner?.pid });
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const now = await readLock(path).catch(() => null);
      if (now !== null && now.content === content && (await sameFile(path, now.stats))) await unlink(path).catch(() => {});
    },
  };
}
