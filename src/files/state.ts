// The state file: which addresses eni-init added (the kernel keeps no owner tag on addresses); tolerant read, atomic write.
import { readFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { EniInitError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import type { RecordedAddress } from '../model.ts';
import { parseMac } from '../net/address.ts';

export type StateAddress = RecordedAddress;

export interface EniState {
  version: 1;
  addresses: StateAddress[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Linux interface name rules (dev_valid_name): 1..15 bytes, not `.`/`..`, no `/`, `:` or whitespace. */
const validIfname = (name: string): boolean => name.length >= 1 && Buffer.byteLength(name) <= 15 && name !== '.' && name !== '..' && !/[/:\s\0]/.test(name);

/** The entry as a StateAddress with keys in a stable order, or why it is invalid. */
function validate(entry: unknown): StateAddress | string {
  if (!isRecord(entry)) return 'not an object';
  const { ifname, mac, family, address, prefixLength } = entry;
  if (typeof ifname !== 'string' || !validIfname(ifname)) return `bad ifname ${JSON.stringify(ifname)}`;
  // '' when the ENI's MAC was not known; otherwise a canonical lowercase MAC.
  if (typeof mac !== 'string' || (mac !== '' && parseMac(mac) !== mac)) return `bad mac ${JSON.stringify(mac)}`;
  if (family !== 4 && family !== 6) return `bad family ${JSON.stringify(family)}`;
  if (typeof address !== 'string' || !(family === 4 ? isIPv4(address) : isIPv6(address) && !address.includes('%'))) return `bad IPv${family} address ${JSON.stringify(address)}`;
  if (!Number.isInteger(prefixLength) || (prefixLength as number) < 0 || (prefixLength as number) > (family === 4 ? 32 : 128)) return `bad prefixLength ${JSON.stringify(prefixLength)}`;
  return { ifname, mac, family, address, prefixLength: prefixLength as number };
}

const empty = (): EniState => ({ version: 1, addresses: [] });

/**
 * Reads the state file. Never throws and never deletes: a missing file is an empty state; an unreadable,
 * corrupt or unknown-version file is an empty state plus `problem`; invalid entries are dropped with `problem`.
 */
export async function readState(path: string): Promise<{ state: EniState; problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: empty() };
    return { state: empty(), problem: `state file ${path} cannot be read (${(error as Error).message}); ignored` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: empty(), problem: `state file ${path} is not valid JSON; ignored` };
  }
  if (!isRecord(json) || json.version !== 1 || !Array.isArray(json.addresses)) {
    const version = isRecord(json) ? JSON.stringify(json.version) : 'none';
    return { state: empty(), problem: `state file ${path} has an unknown format (version ${version}); ignored` };
  }
  const addresses: StateAddress[] = [];
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

/** Writes the state atomically (0644) as JSON with a stable key order and a trailing newline; refuses invalid entries. */
export async function writeState(path: string, state: EniState): Promise<void> {
  const addresses = state.addresses.map((entry, index) => {
    const result = validate(entry);
    if (typeof result === 'string') throw new EniInitError('internal', `refusing to record address #${index}: ${result}`, { details: { path } });
    return result;
  });
  await writeFileAtomic(path, JSON.stringify({ version: 1, addresses }, null, 2) + '\n', { mode: 0o644 });
}
