// Pure: operations -> `ip -batch` lines, one list per address family, and the change entries that name them.
import type { ChangeEntry, DesiredObject, Family, Operation } from '../model.ts';
import { PROTOCOL } from '../plan/numbering.ts';

export interface BatchLine {
  line: string;
  operation: Operation;
}

function routeArgs(object: Extract<DesiredObject, { kind: 'route' }>): string {
  const parts = [object.dst];
  if (object.gateway !== undefined) parts.push('via', object.gateway);
  if (object.ifname !== '') parts.push('dev', object.ifname);
  parts.push('table', String(object.table), 'proto', object.protocol ?? String(PROTOCOL));
  if (object.scope !== undefined) parts.push('scope', object.scope);
  if (object.prefsrc !== undefined) parts.push('src', object.prefsrc);
  return parts.join(' ');
}

function ruleArgs(object: Extract<DesiredObject, { kind: 'rule' }>): string {
  const parts = ['pref', String(object.priority)];
  if (object.from !== undefined) parts.push('from', object.from);
  parts.push('table', String(object.table));
  if (object.suppressPrefixLength !== undefined) parts.push('suppress_prefixlength', String(object.suppressPrefixLength));
  parts.push('protocol', object.protocol ?? String(PROTOCOL));
  return parts.join(' ');
}

/** The `ip` command (without the leading `ip -4`/`ip -6`) that performs one operation. */
export function commandFor(operation: Operation): string {
  const { object, action } = operation;
  switch (object.kind) {
    case 'link-up':
      return `link set dev ${object.ifname} up`;
    case 'address': {
      const verb = action === 'delete' ? 'del' : 'add';
      const extra = object.family === 6 && verb === 'add' ? ' nodad' : '';
      return `address ${verb} ${object.address}/${object.prefixLength} dev ${object.ifname}${extra}`;
    }
    case 'route': {
      if (action === 'delete') return `route del ${routeArgs(object)}`;
      // IPv4 default routes are onlink: the gateway is in the vSwitch subnet, which may have no route in main.
      // IPv6 validates an onlink gateway against main (where it may resolve to eth0), so there the subnet route,
      // added to the same table earlier in the batch, makes the gateway reachable instead.
      // `add` for a new route: a route of someone else at that key (e.g. an admin's blackhole) makes it fail
      // loudly instead of being overwritten; `replace` only for a route that is already ours.
      const verb = action === 'replace' ? 'replace' : 'add';
      return `route ${verb} ${routeArgs(object)}${object.dst === 'default' && object.family === 4 ? ' onlink' : ''}`;
    }
    case 'rule':
      return `rule ${action === 'delete' ? 'del' : 'add'} ${ruleArgs(object)}`;
  }
}

export function familyOf(object: DesiredObject): Family {
  return object.kind === 'link-up' ? 4 : object.family;
}

/** Splits operations into per-family batches, keeping their order. */
export function renderBatches(operations: readonly Operation[]): Record<Family, BatchLine[]> {
  const batches: Record<Family, BatchLine[]> = { 4: [], 6: [] };
  for (const operation of operations) batches[familyOf(operation.object)].push({ line: commandFor(operation), operation });
  return batches;
}

/** The report's entry for one operation: its full `ip` command text, and why it failed if it did. `line` is its batch line when already rendered. */
export function changeEntry(operation: Operation, failed?: string, line: string = commandFor(operation)): ChangeEntry {
  const entry: ChangeEntry = {
    action: operation.action,
    kind: operation.object.kind,
    command: `ip -${familyOf(operation.object)} ${line}`,
    reason: operation.reason,
  };
  if (operation.mac !== undefined) entry.mac = operation.mac;
  if (failed !== undefined) entry.failed = failed;
  return entry;
}
