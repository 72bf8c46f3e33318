// The instance's kernel network state as comparable sets (links, addresses, routes of all tables, rules; both
// families), and the reset that returns it to the boot state between benchmark runs.
import { run, runOk } from '../test/sim/exec.ts';

export interface AddressEntry {
  family: 4 | 6;
  ifname: string;
  local: string;
  prefixlen: number;
}

export interface KernelState {
  /** `eth1 up` */
  links: string[];
  /** `eth1 10.0.1.11/32 scope global [flags]` */
  addresses: string[];
  /** One JSON object per route, keys sorted, lifetimes dropped. */
  routes: string[];
  /** One JSON object per rule, keys sorted. */
  rules: string[];
  /** Structured addresses, to delete the ones added since boot. */
  addressEntries: Map<string, AddressEntry>;
  /** Tables (numbers) that hold at least one route. */
  tables: Set<number>;
}

type Json = Record<string, unknown>;

/** `{"b":1,"a":2}` -> `{"a":2,"b":1}`, without fields that change by themselves (lifetimes, cache counters). */
function canonical(object: Json): string {
  const volatile = new Set(['expires', 'cache', 'valid_life_time', 'preferred_life_time', 'age', 'used']);
  const keys = Object.keys(object)
    .filter((key) => !volatile.has(key))
    .sort();
  return JSON.stringify(Object.fromEntries(keys.map((key) => [key, object[key]])));
}

function jsonLines(stdout: string, expected: number): Json[][] {
  const values = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json[]);
  if (values.length !== expected) throw new Error(`ip -json -batch: expected ${expected} JSON values, got ${values.length}`);
  return values;
}

function addressesOf(dump: Json[], family: 4 | 6, into: KernelState): void {
  for (const link of dump) {
    const ifname = String(link['ifname']);
    for (const info of (link['addr_info'] as Json[] | undefined) ?? []) {
      const local = String(info['local']);
      const prefixlen = Number(info['prefixlen']);
      const flags = Object.entries(info)
        .filter(([key, value]) => value === true && key !== 'dynamic')
        .map(([key]) => key)
        .sort();
      const text = `${ifname} ${local}/${prefixlen} scope ${String(info['scope'])}${flags.length > 0 ? ` ${flags.join(' ')}` : ''}`;
      into.addresses.push(text);
      into.addressEntries.set(text, { family, ifname, local, prefixlen });
    }
  }
}

/** Numeric table of a route (`ip -N` prints numbers; main/local are 254/255 then). */
function tableOf(route: Json): number {
  const table = route['table'];
  if (table === undefined) return 254;
  const number = Number(table);
  return Number.isInteger(number) ? number : table === 'local' ? 255 : table === 'main' ? 254 : -1;
}

/** Reads the whole state inside namespace `ns`: two `ip -json -batch` processes. */
export async function snapshot(ns: string): Promise<KernelState> {
  const [v4, v6] = await Promise.all([
    runOk(['ip', '-n', ns, '-json', '-N', '-4', '-batch', '-'], { input: 'link show\naddress show\nroute show table all\nrule show\n', timeoutMs: 20_000 }),
    runOk(['ip', '-n', ns, '-json', '-N', '-6', '-batch', '-'], { input: 'address show\nroute show table all\nrule show\n', timeoutMs: 20_000 }),
  ]);
  const [links = [], addresses4 = [], routes4 = [], rules4 = []] = jsonLines(v4.stdout, 4);
  const [addresses6 = [], routes6 = [], rules6 = []] = jsonLines(v6.stdout, 3);
  const state: KernelState = { links: [], addresses: [], routes: [], rules: [], addressEntries: new Map(), tables: new Set() };
  for (const link of links) state.links.push(`${String(link['ifname'])} ${(link['flags'] as string[] | undefined)?.includes('UP') === true ? 'up' : 'down'}`);
  addressesOf(addresses4, 4, state);
  addressesOf(addresses6, 6, state);
  for (const [family, routes] of [[4, routes4], [6, routes6]] as const) {
    for (const route of routes) {
      state.routes.push(`${family} ${canonical(route)}`);
      state.tables.add(tableOf(route));
    }
  }
  for (const [family, rules] of [[4, rules4], [6, rules6]] as const) for (const rule of rules) state.rules.push(`${family} ${canonical(rule)}`);
  for (const list of [state.links, state.addresses, state.routes, state.rules]) list.sort();
  return state;
}

export interface StateDiff {
  /** In `expected`, not in `actual`. */
  missing: string[];
  /** In `actual`, not in `expected`. */
  extra: string[];
}

export function diffStates(expected: KernelState, actual: KernelState): StateDiff {
  const all = (state: KernelState) => [
    ...state.links.map((item) => `link ${item}`),
    ...state.addresses.map((item) => `address ${item}`),
    ...state.routes.map((item) => `route ${item}`),
    ...state.rules.map((item) => `rule ${item}`),
  ];
  const a = new Set(all(expected));
  const b = new Set(all(actual));
  return { missing: [...a].filter((item) => !b.has(item)), extra: [...b].filter((item) => !a.has(item)) };
}

export function sameState(expected: KernelState, actual: KernelState): boolean {
  const diff = diffStates(expected, actual);
  return diff.missing.length === 0 && diff.extra.length === 0;
}

export function describeDiff(diff: StateDiff, limit = 8): string {
  const show = (label: string, items: string[]) =>
    items.length === 0 ? '' : `${label} ${items.length}: ${items.slice(0, limit).join('; ')}${items.length > limit ? '; ...' : ''}\n`;
  return `${show('missing', diff.missing)}${show('extra', diff.extra)}`.trim();
}

/** Counts of what a run added on top of the boot state. */
export function addedCounts(boot: KernelState, after: KernelState): { addresses: number; routes: number; rules: number } {
  const added = (before: string[], now: string[]) => {
    const seen = new Set(before);
    return now.filter((item) => !seen.has(item)).length;
  };
  return { addresses: added(boot.addresses, after.addresses), routes: added(boot.routes, after.routes), rules: added(boot.rules, after.rules) };
}

/**
 * Back to the boot state, with one `ip -force -batch` per family: rules of protocol 203 flushed, tables 1000..1255
 * flushed, addresses that were not there at boot deleted. `rule flush` deletes while it dumps and can miss rules
 * among thousands, so this repeats (at most 5 rounds) until the state read back equals `boot` exactly (links,
 * addresses, routes of every table, rules), or throws.
 */
export async function resetToBoot(ns: string, boot: KernelState): Promise<void> {
  const bootAddresses = new Set(boot.addresses);
  let current = await snapshot(ns);
  for (let round = 0; round < 5 && !sameState(boot, current); round++) {
    const lines: Record<4 | 6, string[]> = { 4: ['rule flush protocol 203'], 6: ['rule flush protocol 203'] };
    for (const table of current.tables) {
      if (table >= 1000 && table <= 1255) lines[4].push(`route flush table ${table}`), lines[6].push(`route flush table ${table}`);
    }
    for (const [text, entry] of current.addressEntries) {
      if (!bootAddresses.has(text)) lines[entry.family].push(`address del ${entry.local}/${entry.prefixlen} dev ${entry.ifname}`);
    }
    // -force: an empty table or a rule already gone is not an error here; the comparison is the check.
    await Promise.all(([4, 6] as const).map((family) => run(['ip', '-n', ns, `-${family}`, '-force', '-batch', '-'], { input: `${lines[family].join('\n')}\n`, timeoutMs: 60_000 })));
    current = await snapshot(ns);
  }
  const diff = diffStates(boot, current);
  if (diff.missing.length > 0 || diff.extra.length > 0) throw new Error(`reset did not restore the boot state of ${ns}:\n${describeDiff(diff)}`);
}

/** Waits (bounded) until no IPv6 address of the namespace is tentative, so the boot state is stable. */
export async function waitForSettledIpv6(ns: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const result = await runOk(['ip', '-n', ns, '-6', 'address', 'show', 'tentative'], { timeoutMs: 5000 });
    if (result.stdout.trim() === '') return;
    if (Date.now() > until) throw new Error(`${ns}: IPv6 addresses still tentative after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
