// VM check of issue 13 item 4: the guest's kernel holds one copy of every rule and route in eni-init's ranges.
// Called by the package scenario (test/vm/scenarios.ts, packageScenario) after its reboot step, on the nm and networkd images.
import { DEFAULTS } from '../../src/cli/spec.ts';
import { MAX_SLOT, mainFirstPriority } from '../../src/plan/numbering.ts';
import type { VmSetup } from './harness.ts';

/** One entry of `ip -j rule show` (iproute2 >= 5.x), as far as the grouping needs it. */
interface GuestRule {
  priority: number;
  src?: string;
  srclen?: number;
  table?: string;
  protocol?: string;
  suppress_prefixlen?: number;
  [other: string]: unknown;
}

/** One entry of `ip -j route show table all`. */
interface GuestRoute {
  dst: string;
  table?: string;
  dev?: string;
  gateway?: string;
  protocol?: string;
}

const numbering = { tableBase: DEFAULTS.tableBase, priorityBase: DEFAULTS.priorityBase };
const inPriorityRange = (priority: number) => priority >= mainFirstPriority(numbering) && priority <= numbering.priorityBase + MAX_SLOT;
const inTableRange = (table: string | undefined) => table !== undefined && /^\d+$/.test(table) && Number(table) >= numbering.tableBase && Number(table) <= numbering.tableBase + MAX_SLOT;

/** Keys seen more than once, each with the protocols of its copies: `20001 from 10.0.0.30/32 lookup 1001 (eni-init, static)`. */
function duplicates<T>(entries: readonly T[], key: (entry: T) => string, protocol: (entry: T) => string): string[] {
  const groups = new Map<string, string[]>();
  for (const entry of entries) groups.set(key(entry), [...(groups.get(key(entry)) ?? []), protocol(entry)]);
  return [...groups].filter(([, protocols]) => protocols.length > 1).map(([name, protocols]) => `${name} (${protocols.join(', ')})`);
}

/**
 * `ip -j -4|-6 rule` in the guest, grouped by selector + priority + table (+ suppress_prefixlength), in our priority
 * range; and `ip -j -4|-6 route show table all` in our tables, grouped by table + destination + device + gateway.
 * Throws naming every duplicate (whoever's copies they are: ours is proto eni-init/203, a manager's usually static).
 */
export async function assertOneCopyOfEachRule(setup: VmSetup): Promise<void> {
  const found: string[] = [];
  for (const family of [4, 6] as const) {
    const rules = (JSON.parse(await setup.vm.sh(`ip -j -${family} rule show`)) as GuestRule[]).filter((rule) => inPriorityRange(rule.priority));
    found.push(
      ...duplicates(
        rules,
        (rule) => {
          // Selectors other than these (fwmark, iif, ...) make the rule a different one: they are part of the key.
          const { protocol: _protocol, ...selectors } = rule;
          return `ip -${family} rule ${JSON.stringify(Object.fromEntries(Object.entries(selectors).sort()))}`;
        },
        (rule) => rule.protocol ?? 'unspec',
      ),
    );
    const routes = (JSON.parse(await setup.vm.sh(`ip -j -${family} route show table all`)) as GuestRoute[]).filter((route) => inTableRange(route.table));
    found.push(
      ...duplicates(
        routes,
        (route) => `ip -${family} route ${route.dst} table ${route.table ?? ''} dev ${route.dev ?? ''} via ${route.gateway ?? '-'}`,
        (route) => route.protocol ?? 'unspec',
      ),
    );
  }
  if (found.length > 0) throw new Error(`more than one copy in eni-init's ranges:\n${found.join('\n')}`);
}
