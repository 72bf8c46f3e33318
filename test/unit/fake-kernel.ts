// A fake kernel for unit tests: a live state that `ip -batch` lines (as apply renders them) really change.
import type { Family, LiveRoute, LiveRule, LiveState } from '../../src/model.ts';
import type { BatchFailure } from '../../src/kernel/parse.ts';

export interface FakeKernel {
  /** The current state (a deep copy on every read, as two `ip show` runs would give); only `families` when given (links always). */
  readLive(families?: readonly Family[]): Promise<LiveState>;
  /** The families of every readLive, in order: what `ip` would have been run for. */
  reads: Family[][];
  listInterfaces(): Promise<LiveState['interfaces']>;
  runBatch(family: Family, lines: string[]): Promise<{ ok: boolean; failures: BatchFailure[] }>;
  /** Every line run, in order. */
  lines: string[];
  state: LiveState;
  /** Makes the kernel refuse a line (e.g. a driver error) with this message; nothing of that line is applied. */
  refuse?: (line: string) => string | undefined;
}

const copy = (state: LiveState): LiveState => structuredClone(state);

/** The value after `word` in the tokens, if the word is there. */
function after(tokens: readonly string[], word: string): string | undefined {
  const at = tokens.indexOf(word);
  return at === -1 ? undefined : tokens[at + 1];
}

const sameRouteKey = (a: LiveRoute, b: LiveRoute) => a.family === b.family && a.table === b.table && a.dst === b.dst;
const sameRule = (a: LiveRule, b: LiveRule) =>
  a.family === b.family && a.priority === b.priority && a.from === b.from && a.table === b.table && a.suppressPrefixLength === b.suppressPrefixLength;
/** The kernel refuses only a rule equal in every attribute, protocol included; a delete naming a protocol takes only that one. */
const sameProtocol = (entry: { protocol?: string }, wanted: string | undefined) => wanted === undefined || entry.protocol === wanted;

/** Applies one line to the state; returns the kernel's complaint when it refuses, like `ip -force -batch` goes on after it. */
function applyLine(state: LiveState, family: Family, line: string): string | undefined {
  const tokens = line.split(' ');
  const [object, verb] = tokens;
  if (object === 'link') {
    const iface = state.interfaces.find((entry) => entry.name === after(tokens, 'dev'));
    if (!iface) return 'Cannot find device';
    iface.up = true;
    return undefined;
  }
  if (object === 'address') {
    const [address, prefix] = (tokens[2] ?? '').split('/');
    const iface = state.interfaces.find((entry) => entry.name === after(tokens, 'dev'));
    if (!iface || address === undefined) return 'Cannot find device';
    const at = iface.addresses.findIndex((entry) => entry.address === address);
    if (verb === 'add') {
      if (at !== -1) return 'RTNETLINK answers: File exists';
      iface.addresses.push({ family: address.includes(':') ? 6 : 4, address, prefixLength: Number(prefix) });
    } else {
      if (at === -1) return 'RTNETLINK answers: Cannot assign requested address';
      iface.addresses.splice(at, 1);
    }
    return undefined;
  }
  if (object === 'route') {
    const route: LiveRoute = { family, table: Number(after(tokens, 'table')), dst: tokens[2] ?? '', protocol: after(tokens, 'proto') ?? 'boot' };
    const via = after(tokens, 'via');
    const dev = after(tokens, 'dev');
    const scope = after(tokens, 'scope');
    const src = after(tokens, 'src');
    if (via !== undefined) route.gateway = via;
    if (dev !== undefined) route.dev = dev;
    if (scope !== undefined) route.scope = scope;
    if (src !== undefined) route.prefsrc = src;
    const at = state.routes.findIndex((entry) => sameRouteKey(entry, route) && (verb !== 'del' || sameProtocol(entry, after(tokens, 'proto'))));
    if (verb === 'del') {
      if (at === -1) return 'RTNETLINK answers: No such process';
      state.routes.splice(at, 1);
    } else if (verb === 'add' && at !== -1) return 'RTNETLINK answers: File exists';
    else if (at === -1) state.routes.push(route);
    else state.routes[at] = route;
    return undefined;
  }
  if (object === 'rule') {
    const table = after(tokens, 'table') ?? '';
    const rule: LiveRule = { family, priority: Number(after(tokens, 'pref')), table: /^\d+$/.test(table) ? Number(table) : table, protocol: after(tokens, 'protocol') ?? 'unspec' };
    const from = after(tokens, 'from');
    const suppress = after(tokens, 'suppress_prefixlength');
    if (from !== undefined) rule.from = from;
    if (suppress !== undefined) rule.suppressPrefixLength = Number(suppress);
    const at = state.rules.findIndex((entry) => sameRule(entry, rule) && sameProtocol(entry, after(tokens, 'protocol')));
    if (verb === 'add') {
      if (at !== -1) return 'RTNETLINK answers: File exists';
      state.rules.push(rule);
    } else {
      if (at === -1) return 'RTNETLINK answers: No such file or directory';
      state.rules.splice(at, 1);
    }
    return undefined;
  }
  return `Object "${object}" is unknown, try "ip help".`;
}

export function fakeKernel(initial: LiveState): FakeKernel {
  const kernel: FakeKernel = {
    lines: [],
    reads: [],
    state: copy(initial),
    readLive: async (families = [4, 6]) => {
      kernel.reads.push([...families]);
      const state = copy(kernel.state);
      const asked = (item: { family: Family }) => families.includes(item.family);
      return {
        interfaces: state.interfaces.map((iface) => ({ ...iface, addresses: iface.addresses.filter(asked) })),
        routes: state.routes.filter(asked),
        rules: state.rules.filter(asked),
      };
    },
    listInterfaces: async () => copy(kernel.state).interfaces,
    async runBatch(family, lines) {
      const failures: BatchFailure[] = [];
      lines.forEach((line, index) => {
        kernel.lines.push(line);
        const message = kernel.refuse?.(line) ?? applyLine(kernel.state, family, line);
        if (message !== undefined) failures.push({ line: index + 1, command: line, message });
      });
      return { ok: failures.length === 0, failures };
    },
  };
  return kernel;
}
