// Checks of the environment decided before anything is changed (exit 9/10: capability, write access, room, file
// types), and the non-blocking config file read.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { access, lstat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Options } from './cli/spec.ts';
import { EniInitError, EnvironmentError, PermissionError, fileSystemError } from './errors.ts';
import { rootedPath } from './files/rooted.ts';
import { UnsafeParentError, checkDirectories } from './files/safe-open.ts';
import { reportPathFor } from './report/last-runs.ts';

const MAX_CONFIG_BYTES = 1 << 20;

/** The config file, or null when absent. Non-blocking open (a FIFO cannot hang the boot), regular files only. */
export function readConfigSync(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileSystemError(path, 'cannot read the config file', error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new EnvironmentError(`the config file ${path} is not a regular file`, { details: { path } });
    if (stats.size > MAX_CONFIG_BYTES) throw new EnvironmentError(`the config file ${path} is over ${MAX_CONFIG_BYTES} bytes`, { details: { path } });
    return readFileSync(fd, 'utf8');
  } catch (error) {
    throw error instanceof EniInitError ? error : fileSystemError(path, 'cannot read the config file', error);
  } finally {
    closeSync(fd);
  }
}

/** CAP_NET_ADMIN (bit 12) in the effective set, from /proc/self/status; without /proc, being root. */
function hasNetAdmin(): boolean {
  try {
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return (BigInt(`0x${match[1] as string}`) & (1n << 12n)) !== 0n;
  } catch {
    // fall through
  }
  return process.geteuid?.() === 0;
}

/**
 * Write access to the run directory (the state, lock and report live there), or to its nearest existing
 * parent when it does not exist yet (eni-init creates it): decided before anything, as the capability is.
 */
async function checkRunDirWritable(command: string, runDir: string): Promise<void> {
  let dir = runDir;
  for (;;) {
    try {
      await access(dir, constants.W_OK);
      return;
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code;
      if (errno === 'ENOENT' && dir !== '/') {
        dir = dirname(dir);
        continue;
      }
      if (errno === 'EACCES' || errno === 'EPERM') {
        const what = dir === runDir ? runDir : `${runDir} (${dir} does not let it be created)`;
        throw new PermissionError(`${command} needs write access to the run directory ${what}, uid ${process.geteuid?.() ?? '?'} has none; run it as root`, { details: { path: dir } });
      }
      // Read-only file systems and wrong types are environment failures (exit 9), named by the checks that follow.
      if (errno === 'EROFS') return;
      throw fileSystemError(dir, 'cannot inspect the run directory', error);
    }
  }
}

/** Room the run directory must have: the state file of a large instance (72 ENIs x 30 IPs) is about 250 KiB. */
const MIN_RUN_DIR_BYTES = 1 << 20;
const MIN_RUN_DIR_INODES = 16;

/** A full run directory is an environment failure before any change, not a failed state write in the middle. */
async function checkRunDirSpace(runDir: string): Promise<void> {
  let dir = runDir;
  for (;;) {
    try {
      const space = await statfs(dir);
      const bytes = space.bavail * space.bsize;
      // ffree is 0 on file systems without an inode limit that report files = 0 (btrfs): only a real limit counts.
      if (bytes < MIN_RUN_DIR_BYTES || (space.files > 0 && space.ffree < MIN_RUN_DIR_INODES)) {
        throw new EnvironmentError(`the run directory ${runDir} is full (${Math.floor(bytes / 1024)} KiB, ${space.ffree} inodes free)`, { details: { path: runDir } });
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dir === '/') throw error instanceof EniInitError ? error : fileSystemError(dir, 'cannot inspect', error);
      dir = dirname(dir);
    }
  }
}

/**
 * Decided before anything is changed: apply and remove need CAP_NET_ADMIN and write access to the run
 * directory, and the report path must be a regular file (or absent) under real directories. The run
 * directory's type is checked by taking the lock.
 */
export async function preflight(options: Options, runDir: string): Promise<void> {
  if (options.command !== 'apply' && options.command !== 'remove') return;
  if (!hasNetAdmin()) {
    throw new PermissionError(`${options.command} needs root or CAP_NET_ADMIN (uid ${process.geteuid?.() ?? '?'} has no CAP_NET_ADMIN); run it as root: sudo eni-init ${options.command}`);
  }
  await checkRunDirWritable(options.command, rootedPath(options.root, runDir));
  await checkRunDirSpace(rootedPath(options.root, runDir));
  const reportFile = reportPathFor(options.reportFile, options.onlyInterface);
  if (reportFile === '') return;
  const path = rootedPath(options.root, reportFile);
  try {
    await checkDirectories(dirname(path), false);
  } catch (error) {
    if (error instanceof UnsafeParentError) throw new EnvironmentError(`the report file ${path} cannot be written: ${error.message}`, { details: { path } });
    throw error;
  }
  const stats = await lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileSystemError(path, 'cannot inspect the report file', error);
  });
  if (stats !== null && !stats.isFile()) {
    throw new EnvironmentError(`the report file ${path} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; eni-init only replaces a regular file there`, { details: { path } });
  }
}

