// The state file: which addresses eni-init added (the kernel keeps no owner tag on addresses); tolerant read, atomic write.
import { lstat, unlink } from 'node:fs/promises';
import { EniInitError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { openRegularNoFollow, readBounded } from './safe-open.ts';
import type { RecordedAddress } from '../model.ts';
import { canonicalAddress, hostPrefix } from '../net/address.ts';
import { isSafeInterfaceName } from '../net/interface-name.ts';
import { canonicalMac } from '../net/mac.ts';

export interface EniState {
  version: 1;
  addresses: RecordedAddress[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The entry as a RecordedAddress with keys in a stable order, or why it is invalid. */
function validate(entry: unknown): RecordedAddress | string {
  if (!isRecord(entry)) return 'not an object';
  const { ifname, mac, family, address, prefixLength } = entry;
  if (typeof ifname !== 'string' || !isSafeInterfaceName(ifname)) return `bad ifname ${JSON.stringify(ifname)}`;
  // '' when the ENI's MAC was not known; otherwise a canonical lowercase MAC.
  if (typeof mac !== 'string' || (mac !== '' && canonicalMac(mac) !== mac)) return `bad mac ${JSON.stringify(mac)}`;
  if (family !== 4 && family !== 6) return `bad family ${JSON.stringify(family)}`;
  if (typeof address !== 'string' || canonicalAddress(address, family) !== address) return `bad IPv${family} address ${JSON.stringify(address)}`;
  // eni-init adds only /32 and /128 addresses: any other entry (an admin's /24, DHCP's address) is not ours.
  if (prefixLength !== hostPrefix(family)) return `bad prefixLength ${JSON.stringify(prefixLength)} (only /${hostPrefix(family)} is ever recorded)`;
  return { ifname, mac, family, address, prefixLength: prefixLength as number };
}

const empty = (): EniState => ({ version: 1, addresses: [] });

/** Far above any real state (256 ENIs x 256 IPs is about 8 MB): a bigger file is not ours. */
const MAX_STATE_BYTES = 16 * 1024 * 1024;

const kindOf = (stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string =>
  stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'not a regular file';

/**
 * The file's text, `null` when absent, or why it cannot be used. Opened without following a symlink and without
 * blocking (a FIFO at the path would block a plain open or read forever), then checked to be a regular file.
 */
async function readRegular(path: string): Promise<string | null | { why: string }> {
  let opened;
  try {
    opened = await openRegularNoFollow(path);
  } catch (error) {
    return { why: `cannot be opened (${(error as Error).message})` };
  }
  if (opened.kind === 'absent') return null;
  if (opened.kind === 'symlink') return { why: 'is a symbolic link (not followed)' };
  if (opened.kind === 'special') return { why: `is ${kindOf(opened.stats)}, not a regular file` };
  const { handle, stats } = opened;
  try {
    if (stats.size > MAX_STATE_BYTES) return { why: `is too large (${stats.size} bytes)` };
    return (await readBounded(handle, MAX_STATE_BYTES)).toString('utf8');
  } catch (error) {
    return { why: `cannot be read (${(error as Error).message})` };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Reads the state file. Never throws, never blocks and never deletes: a missing file is an empty state; a
 * symlink, FIFO, directory or other non-regular file, an unreadable, corrupt or unknown-version file is an
 * empty state plus `problem` (the caller rewrites it, so it is reported once); invalid entries are dropped with
 * `problem`. Entries are only a hint: the plan still checks each against the live state before removing it.
 */
export async function readState(path: string): Promise<{ state: EniState; problem?: string }> {
  const text = await readRegular(path);
  if (text === null) return { state: empty() };
  if (typeof text !== 'string') return { state: empty(), problem: `state file ${path} cannot be read: it ${text.why}; ignored and rewritten` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: empty(), problem: `state file ${path} is not valid JSON; ignored and rewritten` };
  }
  if (!isRecord(json) || json.version !== 1 || !Array.isArray(json.addresses)) {
    const version = isRecord(json) ? JSON.stringify(json.version) : 'none';
    return { state: empty(), problem: `state file ${path} has an unknown format (version ${version}); ignored and rewritten` };
  }
  const addresses: RecordedAddress[] = [];
  const invalid: string[] = [];
  json.addresses.forEach((entry, index) => {
    const result = validate(entry);
    if (typeof result === 'string') invalid.push(`#${index}: ${result}`);
    else addresses.push(result);
  });
  const state: EniState = { version: 1, addresses };
  if (invalid.length === 0) return { state };
  const shown = invalid.slice(0, 3).join('; ') + (invalid.length > 3 ? `; and ${invalid.length - 3} more` : '');
  return { state, problem: `state file ${path}: dropped ${invalid.length} invalid entr${invalid.length === 1 ? 'y' : 'ies'} (${shown})` };
}

/**
 * Writes the state atomically (0644) as JSON with a stable key order and a trailing newline; refuses invalid
 * entries; replaces a symlink or special file at the path (the link itself, never its target).
 */
export async function writeState(path: string, state: EniState): Promise<void> {
  const addresses = state.addresses.map((entry, index) => {
    const result = validate(entry);
    if (typeof result === 'string') throw new EniInitError('internal', `refusing to record address #${index}: ${result}`, { details: { path } });
    return result;
  });
  // The path is eni-init's own: a symlink, FIFO or socket someone put there is taken away (never followed), so the
  // file is rewritten and its problem reported once. A directory is left for the write to refuse.
  const current = await lstat(path).catch(() => undefined);
  if (current !== undefined && !current.isFile() && !current.isDirectory()) await unlink(path).catch(() => undefined);
  await writeFileAtomic(path, JSON.stringify({ version: 1, addresses }, null, 2) + '\n', { mode: 0o644 });
}
