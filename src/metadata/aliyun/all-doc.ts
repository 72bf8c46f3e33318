// Pure: the text of `meta-data/all` -> what it holds (primary MAC, instance values, per-ENI items); never throws.
//
// The document is never taken as complete: Alibaba's own samples (cloud-init's Aliyun helper and its tests) hold
// per-ENI objects with only a few items, so whatever it lacks is read from the tree. Keys are matched in any letter
// case; a value of another type than a string or an array of strings counts as "not in the document".
import type { FailedEni } from '../../model.ts';
import { canonicalMac } from '../../net/mac.ts';
import { rawFromAll, trimValue } from './forms.ts';
import type { RawValue } from './forms.ts';
import { printable } from './validate.ts';

export interface AllEni {
  /** Canonical (lowercase) MAC. */
  mac: string;
  /** The key as the document spells it (without a trailing `/`): used for the ENI's item paths. */
  spelling: string;
  /** Items the document holds for this ENI, in a usable type; everything else is read from the tree. */
  items: Record<string, RawValue>;
}

export interface AllDocument {
  /** The `mac` member, when it is a string (validated by the caller). */
  primaryMac?: string;
  /** String members at the top level (`instance-id`, `region-id`, `zone-id`...). */
  values: Record<string, string>;
  /** Per-ENI objects; undefined when the document has no `network.interfaces.macs` object. */
  enis?: AllEni[];
  /** Keys of `macs` that are not MACs, or entries that are not objects. */
  bad: FailedEni[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member by name in any letter case (exact spelling first). */
function member(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : object[key];
}

/** Parses the document; null when it is not JSON or not an object at all (then everything is read from the tree). */
export function parseAllDocument(text: string): AllDocument | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(doc)) return null;
  const result: AllDocument = { values: {}, bad: [] };
  for (const [key, value] of Object.entries(doc)) if (typeof value === 'string') result.values[key.toLowerCase()] = value;
  const mac = member(doc, 'mac');
  if (typeof mac === 'string') result.primaryMac = mac;
  const network = member(doc, 'network');
  const interfaces = isObject(network) ? member(network, 'interfaces') : undefined;
  const macs = isObject(interfaces) ? member(interfaces, 'macs') : undefined;
  if (!isObject(macs)) return result;
  const enis: AllEni[] = [];
  for (const [key, value] of Object.entries(macs)) {
    const spelling = trimValue(key).replace(/\/$/, '');
    const canonical = canonicalMac(spelling);
    if (canonical === null) {
      const shown = printable(key);
      result.bad.push({ mac: shown, problems: [{ mac: shown, field: 'macs', value: shown, message: 'meta-data/all: key is not a MAC address' }] });
      continue;
    }
    if (enis.some((eni) => eni.mac === canonical)) continue;
    const items: Record<string, RawValue> = {};
    // An entry that is not an object holds nothing usable: the ENI is read from the tree like any other.
    if (isObject(value)) {
      for (const [item, raw] of Object.entries(value)) {
        const usable = rawFromAll(raw);
        if (usable !== undefined) items[item.toLowerCase()] = usable;
      }
    }
    enis.push({ mac: canonical, spelling, items });
  }
  result.enis = enis;
  return result;
}
