// Pure parsers of iproute2 output (`ip -json` links, addresses, routes, rules; `ip -batch` stderr); input is untrusted.
import type { Family, LiveAddress, LiveInterface, LiveRoute, LiveRule } from '../model.ts';
import { canonicalAddress, hostPrefix } from '../net/address.ts';
import { canonicalMac } from '../net/mac.ts';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const isUint = (value: unknown, max: number): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;

/** canonicalAddress for a JSON value: undefined unless it is an address of `family` (IPv4-mapped and zone-scoped ones are not). */
const canonicalIp = (value: unknown, family: Family): string | undefined => (typeof value === 'string' ? (canonicalAddress(value, family) ?? undefined) : undefined);

/** `addr/len` or a bare host address (which gets /32 or /128), in canonical form; host bits are kept as printed. */
export function canonicalCidr(value: unknown, family: Family): string | undefined {
  if (typeof value !== 'string') return undefined;
  const slash = value.indexOf('/');
  const address = canonicalIp(slash < 0 ? value : value.slice(0, slash), family);
  const lengthText = slash < 0 ? String(hostPrefix(family)) : value.slice(slash + 1);
  if (address === undefined || !/^\d{1,3}$/.test(lengthText) || Number(lengthText) > hostPrefix(family)) return undefined;
  return `${address}/${Number(lengthText)}`;
}


function parseAddress(entry: unknown): LiveAddress | undefined {
  if (!isRecord(entry)) return undefined;
  const family: Family | undefined = entry.family === 'inet' ? 4 : entry.family === 'inet6' ? 6 : undefined;
  if (family === undefined || !isUint(entry.prefixlen, hostPrefix(family))) return undefined;
  const address = canonicalIp(entry.local, family);
  if (address === undefined) return undefined;
  const live: LiveAddress = { family, address, prefixLength: entry.prefixlen };
  // ip prints `dynamic` for an address without IFA_F_PERMANENT (a lease); eni-init only adds permanent ones.
  if (entry.dynamic === true) live.dynamic = true;
  return live;
}

/**
 * `ip -json address show` (or `link show`: then no addresses) -> interfaces. `mac` is set only for Ethernet links
 * (`link_type` `ether`, or `[1]` under `-N`). Link-local IPv6 addresses are kept: they are real kernel state.
 * Entries without a valid `ifindex`/`ifname` and addresses of other families or shapes are skipped.
 */
export function parseLinksAndAddresses(json: unknown): LiveInterface[] {
  const interfaces: LiveInterface[] = [];
  for (const entry of asArray(json)) {
    if (!isRecord(entry) || !isUint(entry.ifindex, 0xffffffff) || entry.ifindex === 0) continue;
    if (typeof entry.ifname !== 'string' || entry.ifname === '') continue;
    const ether = entry.link_type === 'ether' || entry.link_type === '[1]';
    const mac = typeof entry.address === 'string' ? entry.address : '';
    const addresses = asArray(entry.addr_info).flatMap((item) => parseAddress(item) ?? []);
    const iface: LiveInterface = {
      name: entry.ifname,
      index: entry.ifindex,
      mac: ether ? (canonicalMac(mac) ?? '') : '',
      up: asArray(entry.flags).includes('UP'),
      addresses,
    };
    if (typeof entry.link === 'string' || typeof entry.master === 'string') iface.stacked = true;
    interfaces.push(iface);
  }
  return interfaces;
}

/** Links from `link show` with the addresses found for the same ifindex in per-family `address show` dumps. */
export function mergeAddresses(links: readonly LiveInterface[], ...dumps: readonly LiveInterface[][]): LiveInterface[] {
  return links.map((link) => ({
    ...link,
    addresses: dumps.flatMap((dump) => dump.filter((other) => other.index === link.index).flatMap((other) => other.addresses)),
  }));
}

const TABLE_NUMBERS: Record<string, number> = { default: 253, main: 254, local: 255 };
const TABLE_NAMES: Record<number, string> = { 253: 'default', 254: 'main', 255: 'local' };
/** iproute2's built-in names, so `-N` (numeric) output reads like the default output for common values. */
const PROTOCOL_NAMES: Record<string, string> = { '0': 'unspec', '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static' };
const SCOPE_NAMES: Record<string, string> = { '0': 'global', '200': 'site', '253': 'link', '254': 'host', '255': 'nowhere' };

function tableNumber(value: unknown): number | undefined {
  if (value === undefined) return 254;
  if (isUint(value, 0xffffffff)) return value;
  if (typeof value !== 'string') return undefined;
  if (/^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff) return Number(value);
  return TABLE_NUMBERS[value];
}

const protocolName = (value: string): string => PROTOCOL_NAMES[value] ?? value;

/** Keys of a route that make it another kind of kernel object than LiveRoute describes (source-specific, TOS). */
const ROUTE_SELECTOR_KEYS = ['from', 'src', 'tos'];

function parseRoute(entry: unknown, family: Family): LiveRoute | undefined {
  if (!isRecord(entry)) return undefined;
  if (entry.type !== undefined && entry.type !== 'unicast' && entry.type !== '1') return undefined;
  if (ROUTE_SELECTOR_KEYS.some((key) => key in entry)) return undefined;
  const table = tableNumber(entry.table);
  const dst = entry.dst === 'default' ? 'default' : canonicalCidr(entry.dst, family);
  if (table === undefined || dst === undefined) return undefined;
  if (entry.protocol !== undefined && typeof entry.protocol !== 'string') return undefined;
  // ip omits `protocol` for boot routes (the default of `ip route add`).
  const route: LiveRoute = { family, table, dst, protocol: entry.protocol === undefined ? 'boot' : protocolName(entry.protocol) };
  const via = isRecord(entry.via) ? entry.via : undefined;
  const viaFamily: Family = via?.family === 'inet' ? 4 : 6;
  const gateway = entry.gateway !== undefined ? canonicalIp(entry.gateway, family) : via ? canonicalIp(via.host, viaFamily) : undefined;
  if (gateway !== undefined) route.gateway = gateway;
  if (typeof entry.dev === 'string' && entry.dev !== '') route.dev = entry.dev;
  if (typeof entry.scope === 'string') route.scope = SCOPE_NAMES[entry.scope] ?? entry.scope;
  const prefsrc = canonicalIp(entry.prefsrc, family);
  if (prefsrc !== undefined) route.prefsrc = prefsrc;
  if (Array.isArray(entry.nexthops)) {
    // Kept so that a next hop of another tool merged into our route is seen (and never deleted with it).
    route.nexthops = entry.nexthops.filter(isRecord).map((hop) => {
      const hopVia = isRecord(hop.via) ? hop.via : undefined;
      const hopGateway = hop.gateway !== undefined ? canonicalIp(hop.gateway, family) : hopVia ? canonicalIp(hopVia.host, hopVia.family === 'inet' ? 4 : 6) : undefined;
      return { ...(hopGateway === undefined ? {} : { gateway: hopGateway }), ...(typeof hop.dev === 'string' && hop.dev !== '' ? { dev: hop.dev } : {}) };
    });
  }
  return route;
}

/**
 * `ip -json -4|-6 route show table all` -> unicast routes. Missing `table` is main (254); names and `-N`
 * numbers both work. Non-unicast types, source-specific and TOS routes, and unnamed custom tables are skipped.
 * Multipath routes are kept without `gateway`/`dev`.
 */
export function parseRoutes(json: unknown, family: Family): LiveRoute[] {
  return asArray(json).flatMap((entry) => parseRoute(entry, family) ?? []);
}

/** The only keys a rule may have for LiveRule to describe it fully; rules with others (fwmark, iif, actions...) are skipped. */
const RULE_KEYS = new Set(['priority', 'src', 'srclen', 'table', 'protocol', 'suppress_prefixlen']);

function ruleTable(value: unknown): number | string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (!/^\d{1,10}$/.test(value)) return value;
  const number = Number(value);
  return number > 0xffffffff ? undefined : (TABLE_NAMES[number] ?? number);
}

function parseRule(entry: unknown, family: Family): LiveRule | undefined {
  if (!isRecord(entry) || Object.keys(entry).some((key) => !RULE_KEYS.has(key))) return undefined;
  const priority = entry.priority === undefined ? 0 : entry.priority;
  const table = ruleTable(entry.table);
  if (!isUint(priority, 0xffffffff) || table === undefined) return undefined;
  const rule: LiveRule = { family, priority, table };
  if (entry.src !== 'all') {
    if (entry.srclen !== undefined && !isUint(entry.srclen, hostPrefix(family))) return undefined;
    const from = canonicalCidr(`${String(entry.src)}/${String(entry.srclen ?? hostPrefix(family))}`, family);
    if (from === undefined) return undefined;
    rule.from = from;
  } else if (entry.srclen !== undefined) return undefined;
  if (entry.protocol !== undefined) {
    if (typeof entry.protocol !== 'string') return undefined;
    rule.protocol = protocolName(entry.protocol);
  }
  if (entry.suppress_prefixlen !== undefined) {
    if (!isUint(entry.suppress_prefixlen, hostPrefix(family))) return undefined;
    rule.suppressPrefixLength = entry.suppress_prefixlen;
  }
  return rule;
}

/**
 * `ip -json -4|-6 rule show` -> rules. `from all` leaves `from` out; tables 253/254/255 (or their names) become
 * `default`/`main`/`local`, other numbers numbers, other names stay names. Rules that select on more than the
 * source (fwmark, iif, oif, to, tos, not...) or have another action (blackhole, goto, nop) are skipped.
 */
export function parseRules(json: unknown, family: Family): LiveRule[] {
  return asArray(json).flatMap((entry) => parseRule(entry, family) ?? []);
}

/**
 * Splits `ip -json -batch` output: one JSON array or object per `show` command, back to back (iproute2 6.1
 * prints each followed by a newline). Throws SyntaxError on anything else, including a truncated value.
 */
export function splitJsonValues(text: string): unknown[] {
  // Fast path: without -p, ip prints each value on one line (JSON strings escape newlines).
  try {
    return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
  } catch {
    return scanJsonValues(text);
  }
}

/** Character scan for output that is not one value per line (or is broken: then a precise SyntaxError). */
function scanJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (char !== '[' && char !== '{') throw new SyntaxError(`expected a JSON array or object at offset ${index}`);
    const start = index;
    let depth = 0;
    let inString = false;
    for (; index < text.length; index++) {
      const c = text[index];
      if (inString) {
        if (c === '\\') index++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '[' || c === '{') depth++;
      else if ((c === ']' || c === '}') && --depth === 0) break;
    }
    if (index >= text.length) throw new SyntaxError(`truncated JSON value starting at offset ${start}`);
    values.push(JSON.parse(text.slice(start, ++index)));
  }
  return values;
}

export interface BatchFailure {
  /** 1-based line of the batch. */
  line: number;
  command: string;
  message: string;
}

/** How an `ip -batch` process ended. */
export interface BatchExit {
  code: number | null;
  /** Why nothing after the last reported failure is known (killed on timeout, signal, stderr cut), if so. */
  incomplete?: string;
}

const FAILED_LINE = /^Command failed .*:(\d+)$/;
const MAX_MESSAGE = 500;

const clip = (text: string): string => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}...` : text);

/**
 * Attributes `ip -force -batch` stderr to batch lines. iproute2 prints a command's error message(s), then
 * `Command failed <file>:<line>`, and goes on. Argument errors (`invarg`) instead exit at once without that
 * line: the aborting line is found by the quoted words of the message, every later line is reported as not
 * run, and when it cannot be found every line after the last attributed one is reported as unknown.
 * `Warning:` lines are not failures.
 */
export function attributeBatchErrors(stderr: string, lines: readonly string[], exit: BatchExit): BatchFailure[] {
  const failures: BatchFailure[] = [];
  const fail = (line: number, message: string) => failures.push({ line, command: lines[line - 1] ?? '', message: clip(message) });
  let pending: string[] = [];
  let last = 0;
  for (const raw of stderr.split('\n')) {
    const text = raw.trim();
    const marker = FAILED_LINE.exec(text);
    const line = marker ? Number(marker[1]) : 0;
    if (marker && line > last && line <= lines.length) {
      fail(line, pending.length > 0 ? pending.join('; ') : 'failed');
      last = line;
      pending = [];
    } else if (text !== '' && !text.startsWith('Warning:')) pending.push(text);
  }
  const aborted = exit.incomplete !== undefined || (exit.code !== 0 && (pending.length > 0 || failures.length === 0));
  if (!aborted || last >= lines.length) return failures;
  const message = exit.incomplete ?? (pending.length > 0 ? pending.join('; ') : `ip exited with code ${String(exit.code)}`);
  const words = [...message.matchAll(/"([^"\s]+)"/g)].map((match) => match[1] as string);
  let culprit = 0;
  if (exit.incomplete === undefined && words.length > 0) {
    for (let line = last + 1; line <= lines.length && culprit === 0; line++) {
      const tokens = new Set((lines[line - 1] ?? '').split(/\s+/));
      if (words.every((word) => tokens.has(word))) culprit = line;
    }
  }
  if (culprit > 0) fail(culprit, message);
  for (let line = (culprit || last) + 1; line <= lines.length; line++) {
    fail(line, culprit > 0 ? `not run: ip stopped at line ${culprit}` : `unknown: ip stopped after line ${last} (${message})`);
  }
  return failures;
}
