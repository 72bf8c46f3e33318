// The one table of commands and options: each entry is complete and consistent with the defaults it documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, DEFAULTS, META_FLAGS, OPTION_SPECS, defaultText, envName } from '../../../src/cli/spec.ts';

test('every option has a distinct flag and key, a default, and a choice list that holds its default', () => {
  assert.equal(new Set(OPTION_SPECS.map((spec) => spec.flag)).size, OPTION_SPECS.length);
  assert.equal(new Set(OPTION_SPECS.map((spec) => spec.key)).size, OPTION_SPECS.length);
  assert.deepEqual(OPTION_SPECS.map((spec) => spec.key).sort(), Object.keys(DEFAULTS).sort(), 'one option per default');
  for (const spec of OPTION_SPECS) {
    assert.match(spec.flag, /^[a-z]+(-[a-z]+)*$/, spec.flag);
    if (spec.choices) assert.ok(spec.choices.includes(String(DEFAULTS[spec.key])), `${spec.flag}: default among the choices`);
    if (spec.kind !== 'boolean') assert.ok(spec.placeholder, `${spec.flag}: a placeholder for --help`);
    if (spec.min !== undefined) assert.ok(Number(DEFAULTS[spec.key]) >= spec.min && Number(DEFAULTS[spec.key]) <= (spec.max ?? Infinity), `${spec.flag}: default in range`);
  }
  assert.deepEqual(OPTION_SPECS.filter((spec) => spec.inConfigFile === false).map((spec) => spec.flag).sort(), ['config', 'root', 'trigger']);
  assert.deepEqual(COMMANDS, ['apply', 'plan', 'status', 'remove', 'metadata']);
  assert.deepEqual(META_FLAGS.map((spec) => `${spec.flag}/${spec.short}`), ['help/h', 'version/V']);
});

test('environment names and the default text --help shows', () => {
  assert.equal(envName('metadata-url'), 'ENI_INIT_METADATA_URL');
  const spec = (flag: string) => OPTION_SPECS.find((candidate) => candidate.flag === flag) ?? assert.fail(flag);
  assert.equal(defaultText(spec('deadline')), '30');
  assert.equal(defaultText(spec('exclude')), 'none', 'an empty list shows its defaultText');
  assert.equal(defaultText(spec('json')), undefined, 'a switch that is off shows nothing');
  assert.equal(defaultText(spec('persist')), 'auto');
  const { defaultText: _shown, ...bare } = spec('exclude');
  assert.equal(defaultText(bare), undefined, 'without it, an empty list shows nothing');
  assert.equal(defaultText(spec('root')), '/');
});
