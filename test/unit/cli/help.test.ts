// --help is complete: every command, option, allowed value, real default and exit code, from the tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpText } from '../../../src/cli/help.ts';
import { COMMAND_SPECS, OPTION_SPECS } from '../../../src/cli/spec.ts';

const HELP = helpText('1.2.3');

test('lists the allowed values of --persist, --log-level and --metadata-token', () => {
  assert.match(HELP, /one of: auto, none, networkmanager, netplan, networkd, ifcfg; default: auto/);
  assert.match(HELP, /one of: error, warn, info, debug; default: info/);
  assert.match(HELP, /one of: auto, required, off; default: auto/);
});

test('never prints an empty default', () => {
  assert.doesNotMatch(HELP, /default: *[);]|default: *$/m);
  assert.match(HELP, /--exclude IFACE\|MAC,\.\.\. .*\n.*default: none/);
  assert.doesNotMatch(HELP.split('--json')[1]?.split('\n  --')[0] ?? '', /default/, 'a boolean that is off shows no default');
});

test('lists every command and every option with its environment variable and config key', () => {
  for (const spec of COMMAND_SPECS) assert.match(HELP, new RegExp(`^ {2}${spec.name} +${spec.help.slice(0, 20).replace(/[()]/g, '\\$&')}`, 'm'));
  for (const spec of OPTION_SPECS) assert.match(HELP, new RegExp(`^ {2}--${spec.flag}\\b`, 'm'));
  assert.match(HELP, /env ENI_INIT_ROOT; not in the config file/);
  assert.match(HELP, /env ENI_INIT_PERSIST; config key persist/);
});

test('lists the exit codes, 11 and 12 included', () => {
  assert.match(HELP, /^ {2}10 {2}not permitted/m);
  assert.match(HELP, /^ {2}11 {2}the kernel state or a file eni-init needs could not be read$/m);
  assert.match(HELP, /^ {2}12 {2}no metadata URL was given and this host does not look like an Alibaba Cloud ECS instance \(DMI\)$/m);
});
