// Pure: which rules and routes eni-init's files hold: the keys a manager applied this run, and what removed files held.
import type { DesiredObject, Family } from '../model.ts';
import { objectKey } from '../plan/diff.ts';
import type { Ownership } from './owner.ts';
import { backendOfPath } from './backends/index.ts';
import { fileInterface } from './own-files.ts';
import type { InterfacePersist, OwnFile } from './types.ts';

type Route = Extract<DesiredObject, { kind: 'route' }>;
type Rule = Extract<DesiredObject, { kind: 'rule' }>;

/**
 * The rules and routes the files of `backend` hold for `iface`, as objects: only what the renderer writes (a
 * primary's file is the admin's except under ifcfg; netplan cannot express --main-routes-first).
 */
export function heldObjects(backend: Ownership['backend'], iface: InterfacePersist): DesiredObject[] {
  if (backend === 'none' || (iface.primary && backend !== 'ifcfg')) return [];
  const objects: DesiredObject[] = iface.routes.map((route) => {
    const object: Route = { kind: 'route', family: route.family, table: route.table, dst: route.dst, ifname: iface.ifname };
    if (route.gateway !== undefined) object.gateway = route.gateway;
    if (route.prefsrc !== undefined) object.prefsrc = route.prefsrc;
    if (route.scope !== undefined) object.scope = route.scope;
    return object;
  });
  objects.push(...iface.rules.map((rule): Rule => ({ kind: 'rule', family: rule.family, priority: rule.priority, from: rule.from, table: rule.table })));
  if (backend !== 'netplan') {
    for (const rule of iface.mainFirst ?? []) objects.push({ kind: 'rule', family: rule.family, priority: rule.priority, table: 'main', suppressPrefixLength: 0 });
  }
  return objects;
}

/**
 * Keys of what a manager applied from our files this run: owners whose manager runs and manages the interface now
 * (NetworkManager, networkd, netplan), and ifcfg where it was detected on this host (initscripts applies the files
 * at boot). Never under --root (nothing probed), never an interface whose files could not be rendered.
 */
export function persistedKeys(owners: readonly Ownership[], interfaces: readonly InterfacePersist[], failed: ReadonlySet<string>, probed: boolean): Set<string> {
  const keys = new Set<string>();
  if (!probed) return keys;
  for (const owner of owners) {
    const iface = interfaces.find((entry) => entry.ifname === owner.ifname);
    if (iface === undefined || failed.has(owner.ifname) || !(owner.live || owner.backend === 'ifcfg')) continue;
    for (const object of heldObjects(owner.backend, iface)) keys.add(objectKey(object));
  }
  return keys;
}

const some = <T>(value: T | undefined): T[] => (value === undefined ? [] : [value]);
const familyOf = (text: string): Family => (text.includes(':') ? 6 : 4);
const isDefault = (cidr: string): boolean => cidr === '0.0.0.0/0' || cidr === '::/0';
const unquote = (text: string): string => (text.startsWith('"') ? (JSON.parse(text) as string) : text);

function rule(family: Family, priority: string | undefined, from: string | undefined, table: string | undefined, suppress: string | undefined): Rule | undefined {
  if (priority === undefined || table === undefined) return undefined;
  const main = table === 'main' || table === '254';
  if (main && suppress !== '0') return undefined;
  const object: Rule = { kind: 'rule', family, priority: Number(priority), table: main ? 'main' : Number(table) };
  if (from !== undefined && from !== 'all' && !isDefault(from)) object.from = from;
  if (main) object.suppressPrefixLength = 0;
  return Number.isInteger(object.priority) && (main || Number.isInteger(object.table)) ? object : undefined;
}

function route(ifname: string | undefined, fields: Record<string, string | undefined>): Route | undefined {
  const { dst, table } = fields;
  if (ifname === undefined || dst === undefined || table === undefined || !Number.isInteger(Number(table))) return undefined;
  const object: Route = { kind: 'route', family: familyOf(dst === 'default' ? (fields['gateway'] ?? '') : dst), table: Number(table), dst: isDefault(dst) ? 'default' : dst, ifname };
  if (fields['gateway'] !== undefined) object.gateway = fields['gateway'];
  if (fields['prefsrc'] !== undefined) object.prefsrc = fields['prefsrc'];
  if (fields['scope'] === 'link' || fields['scope'] === '253') object.scope = 'link';
  return object;
}

/** `[section]` blocks of a keyfile or .network file, each with its key=value lines in order. */
function sections(content: string): { name: string; entries: [string, string][] }[] {
  const result: { name: string; entries: [string, string][] }[] = [];
  for (const line of content.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) result.push({ name: header[1] as string, entries: [] });
    else if (line.includes('=') && !line.startsWith('#')) result.at(-1)?.entries.push([line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  }
  return result;
}

function fromKeyfile(content: string, ifname: string | undefined): DesiredObject[] {
  const objects: DesiredObject[] = [];
  for (const { name, entries } of sections(content)) {
    if (name !== 'ipv4' && name !== 'ipv6') continue;
    const family: Family = name === 'ipv4' ? 4 : 6;
    const values = new Map(entries);
    for (const [key, value] of entries) {
      const words = value.split(' ');
      const after = (word: string) => (words.includes(word) ? words[words.indexOf(word) + 1] : undefined);
      if (/^routing-rule\d+$/.test(key)) objects.push(...some(rule(family, after('priority'), after('from'), after('table'), after('suppress_prefixlength'))));
      if (!/^route\d+$/.test(key)) continue;
      const [dst, gateway] = value.split(',');
      const options = Object.fromEntries((values.get(`${key}_options`) ?? '').split(',').map((option) => option.split('=') as [string, string]));
      objects.push(...some(route(ifname, { dst, gateway, table: options['table'], prefsrc: options['src'], scope: options['scope'] })));
    }
  }
  return objects;
}

function fromNetwork(content: string, ifname: string | undefined): DesiredObject[] {
  const objects: DesiredObject[] = [];
  for (const { name, entries } of sections(content)) {
    const get = (key: string) => entries.find(([entry]) => entry === key)?.[1];
    if (name === 'RoutingPolicyRule') {
      const family = get('From') === undefined ? (get('Family') === 'ipv6' ? 6 : 4) : familyOf(get('From') as string);
      objects.push(...some(rule(family, get('Priority'), get('From'), get('Table'), get('SuppressPrefixLength'))));
    } else if (name === 'Route') {
      objects.push(...some(route(ifname, { dst: get('Destination'), gateway: get('Gateway'), prefsrc: get('PreferredSource'), scope: get('Scope'), table: get('Table') })));
    }
  }
  return objects;
}

/** netplan YAML as renderNetplan writes it: `routes:` and `routing-policy:` lists of `- key: value` items. */
function fromNetplan(content: string, ifname: string | undefined): DesiredObject[] {
  const items: { list: string; fields: Record<string, string> }[] = [];
  let list = '';
  for (const line of content.split('\n')) {
    const header = /^ {6}([a-z-]+):$/.exec(line);
    const field = /^ {8}(- | {2})([a-z-]+): (.+)$/.exec(line);
    if (header) list = header[1] as string;
    else if (field && (list === 'routes' || list === 'routing-policy')) {
      if (field[1] === '- ') items.push({ list, fields: {} });
      const item = items.at(-1);
      if (item) item.fields[field[2] as string] = unquote(field[3] as string);
    }
  }
  return items.flatMap(({ list: kind, fields }) => {
    if (kind === 'routing-policy') return rule(familyOf(fields['from'] ?? ''), fields['priority'], fields['from'], fields['table'], undefined) ?? [];
    return route(ifname, { dst: fields['to'], gateway: fields['via'], prefsrc: fields['from'], scope: fields['scope'], table: fields['table'] }) ?? [];
  });
}

/** ifcfg route-/route6-/rule-/rule6- files: `ip route add` / `ip rule add` arguments, one object per line. */
function fromIfcfg(content: string, path: string, ifname: string | undefined): DesiredObject[] {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const family: Family = /^(?:route|rule)6-/.test(base) ? 6 : 4;
  return content.split('\n').flatMap((line) => {
    const words = line.split(' ');
    const after = (word: string) => (words.includes(word) ? words[words.indexOf(word) + 1] : undefined);
    if (line.startsWith('#') || line === '') return [];
    if (base.startsWith('rule')) return rule(family, after('priority'), after('from'), after('table'), after('suppress_prefixlength')) ?? [];
    if (!base.startsWith('route')) return [];
    const dst = words[0] === 'default' ? (family === 4 ? '0.0.0.0/0' : '::/0') : words[0];
    return route(ifname, { dst, gateway: after('via'), prefsrc: after('src'), scope: after('scope'), table: after('table') }) ?? [];
  });
}

/** The rules and routes eni-init's own files held (for `remove`: what a manager may have left in the kernel). */
export function forgottenObjects(files: readonly OwnFile[]): DesiredObject[] {
  return files.flatMap((file) => {
    const backend = backendOfPath(file.path)?.name;
    const ifname = fileInterface(file.path);
    if (backend === 'networkmanager') return fromKeyfile(file.content, ifname);
    if (backend === 'networkd') return fromNetwork(file.content, ifname);
    if (backend === 'netplan') return fromNetplan(file.content, ifname);
    if (backend === 'ifcfg') return fromIfcfg(file.content, file.path, ifname);
    return [];
  });
}
