// Crash-safe file writes (temp file, fsync, rename, fsync dir) and content-checked removal; never through symlinks.
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApplyError } from '../errors.ts';
import { UnsafeParentError, checkDirectories, openRegularNoFollow } from './safe-open.ts';

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

function refuse(path: string, why: string, cause?: unknown, verb = 'write'): ApplyError {
  const reason = cause instanceof Error ? `${why} (${cause.message})` : why;
  return new ApplyError(`cannot ${verb} ${path}: ${reason}`, { ...(cause === undefined ? {} : { cause }), details: { path } });
}

/** Throws when a component of `dir` is a symlink or not a directory; creates missing ones (0755) when `create`. */
async function checkParents(path: string, dir: string, create: boolean): Promise<void> {
  try {
    await checkDirectories(dir, create);
  } catch (error) {
    if (!(error instanceof UnsafeParentError)) throw error;
    const verb = create ? 'write' : 'remove';
    if (error.why === 'symlink') throw refuse(path, `${error.component} is a symbolic link`, undefined, verb);
    if (error.why === 'not-directory') throw refuse(path, `${error.component} is not a directory`, undefined, verb);
    throw refuse(path, `cannot ${error.why} ${error.component}`, error.cause, verb);
  }
}

type Current = { kind: 'absent' | 'symlink' | 'special' } | { kind: 'file'; content: Buffer; mode: number };

/** What is at `path`, without following a symlink there (O_NOFOLLOW; O_NONBLOCK so a FIFO cannot block). */
async function inspect(path: string): Promise<Current> {
  const opened = await openRegularNoFollow(path);
  if (opened.kind !== 'file') return { kind: opened.kind };
  try {
    return { kind: 'file', content: await opened.handle.readFile(), mode: opened.stats.mode & 0o7777 };
  } finally {
    await opened.handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `content` to `path` atomically: a temp file in the same directory (O_EXCL, `mode`, fsync), renamed over
 * the target, then the directory fsynced. Missing parent directories are created (0755). Refuses (ApplyError
 * naming the path) a target or parent component that is a symlink, and a target that is not a regular file.
 * `mode` defaults to the current file's mode, else 0644. Byte-identical content is not rewritten ('unchanged').
 * `durable: false` leaves out both fsyncs, for files under /run: a tmpfs (systemd's file-hierarchy(7), FHS 3.0),
 * gone at reboot anyway, where the rename alone keeps a reader from ever seeing half a file.
 */
export async function writeFileAtomic(path: string, content: string | Buffer, options: { mode?: number; durable?: boolean } = {}): Promise<'created' | 'replaced' | 'unchanged'> {
  const durable = options.durable ?? true;
  const target = resolve(path);
  const dir = dirname(target);
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  await checkParents(target, dir, true);
  const current = await inspect(target).catch((error: unknown) => {
    throw refuse(target, 'cannot read the current file', error);
  });
  if (current.kind === 'symlink') throw refuse(target, 'it is a symbolic link');
  if (current.kind === 'special') throw refuse(target, 'it is not a regular file');
  if (current.kind === 'file' && current.content.equals(data)) return 'unchanged';
  const mode = options.mode ?? (current.kind === 'file' ? current.mode : 0o644);
  const temp = `${dir}/.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode).catch((error: unknown) => {
    throw refuse(target, 'cannot create a temporary file', error);
  });
  try {
    try {
      await handle.chmod(mode); // the umask must not change the requested mode
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error instanceof ApplyError ? error : refuse(target, 'write failed', error);
  }
  if (durable) {
    await syncDir(dir).catch((error: unknown) => {
      throw refuse(target, 'renamed, but the directory could not be synced', error);
    });
  }
  return current.kind === 'absent' ? 'created' : 'replaced';
}

/**
 * Removes `path` only when it is a regular file whose content is exactly `expected`; never follows a symlink
 * (a symlink or other non-regular file is 'different'). Throws like writeFileAtomic for symlinked parents.
 */
export async function removeFileIfContent(path: string, expected: string): Promise<'removed' | 'absent' | 'different'> {
  const target = resolve(path);
  const dir = dirname(target);
  await checkParents(target, dir, false);
  const current = await inspect(target).catch((error: unknown) => {
    throw refuse(target, 'cannot read the current file', error, 'remove');
  });
  if (current.kind === 'absent') return 'absent';
  if (current.kind !== 'file' || !current.content.equals(Buffer.from(expected, 'utf8'))) return 'different';
  try {
    await unlink(target);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'absent';
    throw refuse(target, 'unlink failed', error, 'remove');
  }
  await syncDir(dir).catch((error: unknown) => {
    throw refuse(target, 'removed, but the directory could not be synced', error, 'remove');
  });
  return 'removed';
}
