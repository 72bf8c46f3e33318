// The config file: `key = value` lines -> values by key with their line, and messages that say file:line.
import { UsageError } from '../errors.ts';
import { didYouMean } from './suggest.ts';
import { OPTION_SPECS, envName } from './spec.ts';

export interface ConfigValue {
  value: string;
  /** `/mnt/img/etc/eni-init/eni-init.conf:7`: the real path (under --root) and the line number. */
  where: string;
}

const CONFIG_KEYS = OPTION_SPECS.filter((spec) => spec.inConfigFile !== false).map((spec) => spec.flag);

/**
 * The value after `=`: a `#` at its start or after a space or tab starts a comment (`exclude = eth3  # test`);
 * a `#` inside a word stays (`/run/a#b`). A value in double quotes is taken verbatim (`"a #b"`, `""`), and
 * only a comment may follow the closing quote.
 */
function valueOf(raw: string, where: string): string {
  if (raw.startsWith('"')) {
    const close = raw.indexOf('"', 1);
    if (close === -1) throw new UsageError(`${where}: the value ${raw} has no closing double quote`);
    const rest = raw.slice(close + 1).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      throw new UsageError(`${where}: unexpected ${JSON.stringify(rest)} after the quoted value; a comment starts with #`);
    }
    return raw.slice(1, close);
  }
  return raw.replace(/(^|[ \t])#.*$/, '').trim();
}

/**
 * Parses the config file; `path` is how messages name it (the real path, under --root). Keys are the long
 * flag names; root and config cannot be set here (they decide where this file is). A key set twice is an
 * error (which line wins would be a guess).
 */
export function parseConfigFile(text: string, path: string): Map<string, ConfigValue> {
  const values = new Map<string, ConfigValue>();
  text.split(/\r?\n/).forEach((line, index) => {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) return;
    const where = `${path}:${index + 1}`;
    const match = /^([^=\s]+)\s*=\s*(.*)$/.exec(content);
    if (!match) throw new UsageError(`${where}: expected "key = value" (or a # comment), got ${JSON.stringify(content)}`);
    const key = match[1] as string;
    if (key === 'root' || key === 'config') {
      throw new UsageError(`${where}: ${key} cannot be set in the config file; use --${key} or ${envName(key)}`);
    }
    if (!CONFIG_KEYS.includes(key)) {
      const hint = didYouMean(key, CONFIG_KEYS) || '; the keys are the long option names without "--" (see eni-init --help)';
      throw new UsageError(`${where}: unknown key ${JSON.stringify(key)}${hint}`);
    }
    const first = values.get(key);
    if (first !== undefined) throw new UsageError(`${where}: ${key} is set a second time (first at ${first.where}); keep one line`);
    values.set(key, { value: valueOf(match[2] as string, where), where });
  });
  return values;
}
