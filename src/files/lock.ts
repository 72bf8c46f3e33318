// Exclusive run lock: a lock file naming its owner (pid and start time), stale locks taken over, bounded waiting.
import { readFile, link, lstat, mkdir, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { BusyError } from '../errors.ts';
import type { Logger } from '../log.ts';

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

const readOrNull = (path: string): Promise<string | null> =>
  readFile(path, 'utf8').catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  });

/** Creates `path` with `content` atomically and exclusively: a complete O_EXCL temp file, hard-linked into place. */
async function tryCreate(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, content, { flag: 'wx', mode: 0o644 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Removes the lock file if it still holds `seen` and its owner is dead. Takers serialise on `<path>.break`
 * (itself created exclusively), so one taker cannot remove a lock another taker has just created.
 * Returns true when it removed the stale file; false otherwise (another taker at work, or the file changed).
 */
async function breakStale(path: string, seen: string, content: string, log: Logger): Promise<boolean> {
  const marker = `${path}.break`;
  if (!(await tryCreate(marker, content))) {
    const stats = await lstat(marker).catch(() => null);
    if (stats && Date.now() - stats.mtimeMs > BREAK_STALE_MS) await unlink(marker).catch(() => {});
    return false;
  }
  let removed = false;
  try {
    const now = await readOrNull(path);
    const owner = now === null ? null : parseOwner(now);
    if (now === seen && (owner === null || !(await isAlive(owner)))) {
      log.warn('taking over a stale lock', { path, pid: owner?.pid, content: owner ? undefined : now });
      await unlink(path).catch((error: unknown) => {
        if (errnoOf(error) !== 'ENOENT') throw error;
      });
      removed = true;
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
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  let waiting = false;
  for (;;) {
    if (await tryCreate(path, content)) break;
    const seen = await readOrNull(path);
    if (seen === null) continue; // released in between
    const owner = parseOwner(seen);
    if (owner === null || !(await isAlive(owner))) {
      if (await breakStale(path, seen, content, log)) continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new BusyError(`another eni-init run holds ${path}${owner ? ` (pid ${owner.pid})` : ''}`);
    if (!waiting) log.info('waiting for another eni-init run to finish', { path, pid: owner?.pid });
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if ((await readOrNull(path)) === content) await unlink(path).catch(() => {});
    },
  };
}
