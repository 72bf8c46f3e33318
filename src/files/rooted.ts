// Maps an absolute host path under the --root directory option, refusing paths that would leave it.
import { posix } from 'node:path';
import { UsageError } from '../errors.ts';

/** True when `..` segments of an absolute path climb above `/` (where the kernel would stop, a root must refuse). */
function climbsAboveRoot(absolute: string): boolean {
  let depth = 0;
  for (const segment of absolute.split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * `root` + `absolute`, normalized: `rootedPath('/mnt/img', '/etc/x')` is `/mnt/img/etc/x`; a root of `/` or ''
 * is the real root. Throws UsageError for a relative `absolute`, a NUL byte, or `..` climbing out of the root
 * (for every root, the real one included, so a path means the same with and without --root).
 * Lexical only: symbolic links inside the root are the writers' concern (see atomic.ts).
 */
export function rootedPath(root: string, absolute: string): string {
  if (!absolute.startsWith('/')) throw new UsageError(`expected an absolute path, got ${JSON.stringify(absolute)}`);
  if (root.includes('\0') || absolute.includes('\0')) throw new UsageError(`path contains a NUL byte: ${JSON.stringify(absolute)}`);
  if (climbsAboveRoot(absolute)) throw new UsageError(`path ${JSON.stringify(absolute)} leaves the root directory ${JSON.stringify(root || '/')}`);
  const path = posix.normalize(absolute).replace(/(.)\/+$/, '$1');
  const base = root === '' ? '/' : posix.normalize(root).replace(/(.)\/+$/, '$1');
  return base === '/' ? path : path === '/' ? base : `${base}${path}`;
}
