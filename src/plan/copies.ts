// Pure: the other copy of an object: a live rule as an object, and the managers' copies `remove` takes away with our files.
import type { DesiredObject, LiveRoute, LiveRule, Operation } from '../model.ts';
import { mainFirstPriority, ownsPriority, ownsTable } from './numbering.ts';
import type { Numbering } from './numbering.ts';
import { ownsLiveRoute, ownsLiveRule } from './ownership.ts';

/*
 * Why there can be two copies (issue 13 item 4). A backend's manager installs what our file holds with its own
 * protocol (NetworkManager 1.42 and networkd: `proto static`; initscripts' `ip rule add`/`ip route add`: their
 * defaults), eni-init its own with proto 203. The kernel keeps both:
 * - rules: fib_nl_newrule refuses only a rule equal in every attribute, protocol included, so a copy that differs
 *   in protocol alone is added (the duplicates `ip rule` showed);
 * - routes: a route is keyed by table, destination, tos and metric (IPv4) or metric (IPv6); NetworkManager gives
 *   its routes the device's metric (100 for Ethernet), ours have none (0; IPv6 1024), so both stay; a copy with
 *   the same metric (networkd, whose Metric= is unset) replaces ours or is refused: one copy;
 * - addresses: keyed by interface, address and prefix length, with no protocol: never two copies.
 */

export const DUPLICATE_REASON = 'the manager that persists it has its own copy';

/** A live rule as an object of ours would be (no protocol); undefined for tables eni-init never uses (local, names). */
export function liveRuleObject(rule: LiveRule): Extract<DesiredObject, { kind: 'rule' }> | undefined {
  const table = typeof rule.table === 'number' ? rule.table : rule.table === 'main' ? 'main' : undefined;
  if (table === undefined) return undefined;
  const object: Extract<DesiredObject, { kind: 'rule' }> = { kind: 'rule', family: rule.family, priority: rule.priority, table };
  if (rule.from !== undefined) object.from = rule.from;
  if (rule.suppressPrefixLength !== undefined) object.suppressPrefixLength = rule.suppressPrefixLength;
  return object;
}

/** A protocol `ip` prints and takes back: a name of rt_protos or a number; anything else is never put in a batch line. */
const SAFE_PROTOCOL = /^[A-Za-z0-9_.-]{1,32}$/;

/** A rule that would be ours but for its protocol: in our priority range, in our tables or the main-routes-first one. */
function inOurRuleRange(rule: LiveRule, numbering: Numbering): boolean {
  if (!ownsPriority(rule.priority, numbering)) return false;
  if (rule.table === 'main') return rule.priority === mainFirstPriority(numbering) && rule.suppressPrefixLength === 0 && rule.from === undefined;
  return ownsTable(rule.table, numbering) && rule.suppressPrefixLength === undefined;
}

/**
 * `remove`, after the managers forgot our files: a manager may leave its copy of what they held (networkd keeps
 * the config of a link it no longer manages). Such a copy goes too, strictly bounded: another protocol's rule in our
 * priority and table ranges, or route in our tables, exactly equal to an object of our removed files (`forgotten`),
 * each deleted exactly (with its protocol). An admin's rule elsewhere, or differing in any selector, is never touched.
 */
export function forgottenCopies(forgotten: readonly DesiredObject[], live: { routes: readonly LiveRoute[]; rules: readonly LiveRule[] }, numbering: Numbering, keyOf: (object: DesiredObject) => string): Operation[] {
  if (forgotten.length === 0) return [];
  const keys = new Set(forgotten.map(keyOf));
  const operations: Operation[] = [];
  const seen = new Set<string>();
  const reason = 'held by a removed file of eni-init; its manager left it';
  for (const rule of live.rules) {
    const object = liveRuleObject(rule);
    if (object === undefined || rule.protocol === undefined || !SAFE_PROTOCOL.test(rule.protocol)) continue;
    if (ownsLiveRule(rule, numbering) || !inOurRuleRange(rule, numbering) || !keys.has(keyOf(object))) continue;
    const id = `${keyOf(object)}|${rule.protocol}`;
    if (seen.has(id)) continue;
    seen.add(id);
    operations.push({ action: 'delete', object: { ...object, protocol: rule.protocol }, reason });
  }
  const routes = forgotten.filter((object): object is Extract<DesiredObject, { kind: 'route' }> => object.kind === 'route');
  for (const route of live.routes) {
    if (route.nexthops !== undefined || route.dev === undefined || !SAFE_PROTOCOL.test(route.protocol)) continue;
    if (ownsLiveRoute(route, numbering) || !ownsTable(route.table, numbering)) continue;
    const exact = routes.some(
      (object) =>
        object.family === route.family && object.table === route.table && object.dst === route.dst && object.ifname === route.dev &&
        object.gateway === route.gateway && object.prefsrc === route.prefsrc && (object.scope ?? 'global') === (route.scope ?? 'global'),
    );
    if (!exact) continue;
    const object: DesiredObject = { kind: 'route', family: route.family, table: route.table, dst: route.dst, ifname: route.dev, protocol: route.protocol };
    if (route.gateway !== undefined) object.gateway = route.gateway;
    if (route.prefsrc !== undefined) object.prefsrc = route.prefsrc;
    if (route.scope === 'link') object.scope = 'link';
    operations.push({ action: 'delete', object, reason });
  }
  return operations;
}
