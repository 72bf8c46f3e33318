import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../../src/cli/options.ts';
import { UsageError } from '../../../src/errors.ts';

const noConfig = () => null;

function options(argv: string[], env: NodeJS.ProcessEnv = {}, config: string | null = null) {
  const request = parseCommandLine(argv, env, () => config);
  assert.equal(request.kind, 'run');
  return request.kind === 'run' ? request.options : (undefined as never);
}

test('no arguments means apply with the documented defaults', () => {
  const parsed = options([]);
  assert.equal(parsed.command, 'apply');
  assert.equal(parsed.metadataUrl, 'http://100.100.100.200');
  assert.equal(parsed.tableBase, 1000);
  assert.equal(parsed.priorityBase, 20000);
  assert.equal(parsed.reportFile, '/run/eni-init/report.json');
  assert.equal(parsed.primaryRules, false);
});

test('flags win over environment, environment over the config file', () => {
  const config = 'deadline = 9\n# comment\ntable-base = 3000\nexclude = eth3\njson = yes\n';
  const env = { ENI_INIT_DEADLINE: '7', ENI_INIT_EXCLUDE: 'eth4,00:16:3E:AA:BB:CC' };
  const parsed = options(['plan', '--deadline', '5'], env, config);
  assert.equal(parsed.command, 'plan');
  assert.equal(parsed.deadlineSeconds, 5);
  assert.equal(parsed.tableBase, 3000);
  assert.deepEqual(parsed.exclude, ['eth4', '00:16:3e:aa:bb:cc']);
  assert.equal(parsed.json, true);
  assert.deepEqual(options(['--exclude', 'eth1', '--exclude', 'eth2,enP2s0']).exclude, ['eth1', 'eth2', 'enP2s0'], 'names keep their case');
});

test('the config file is read under --root', () => {
  let asked = '';
  parseCommandLine(['--root', '/tmp/r'], {}, (path) => {
    asked = path;
    return null;
  });
  assert.equal(asked, '/tmp/r/etc/eni-init/eni-init.conf');
});

test('help and version', () => {
  assert.deepEqual(parseCommandLine(['--help'], {}, noConfig), { kind: 'help' });
  assert.deepEqual(parseCommandLine(['-V'], {}, noConfig), { kind: 'version' });
});

test('bad input is a usage error naming the culprit', () => {
  const cases: [string[], NodeJS.ProcessEnv, string | null, RegExp][] = [
    [['frobnicate'], {}, null, /unknown command "frobnicate"/],
    [['--bogus'], {}, null, /bogus/],
    [['--deadline', 'soon'], {}, null, /--deadline: expected a number/],
    [['--deadline', '0'], {}, null, /outside/],
    [[], { ENI_INIT_TABLE_BASE: '12x' }, null, /ENI_INIT_TABLE_BASE/],
    [['--metadata-url', 'ftp://x'], {}, null, /metadata-url/],
    [['--priority-base', '32700'], {}, null, /priority-base/],
    [[], {}, 'nonsense line', /eni-init.conf:1/],
    [[], {}, 'root = /x', /eni-init\.conf:1: root cannot be set in the config file; use --root or ENI_INIT_ROOT/],
    [['--metadata-token', 'maybe'], {}, null, /auto, required, off/],
    [['apply', 'plan'], {}, null, /one command/],
  ];
  for (const [argv, env, config, message] of cases) {
    assert.throws(() => parseCommandLine(argv, env, () => config), (error: unknown) => error instanceof UsageError && message.test(error.message), argv.join(' '));
  }
});

test('every exclude and only-interface value is an interface name or a MAC; anything else is exit 2 naming it', () => {
  assert.deepEqual(options(['--exclude', ' eth1 , 00:16:3E:00:00:01,,enP2s0']).exclude, ['eth1', '00:16:3e:00:00:01', 'enP2s0']);
  assert.deepEqual(options([], { ENI_INIT_EXCLUDE: '' }).exclude, []);
  for (const value of ['eth2   # comment', 'eth2; eth1', 'eth2\neth1', 'eth2\n', 'eth\t2', 'a/b', 'eth0:1', '-x', '..', 'averyveryverylongname', '"eth2"', "eth2'", 'eth2\\']) {
    assert.throws(() => options([`--exclude=${value}`]), (error: unknown) => error instanceof UsageError && error.message.includes(JSON.stringify(value)), JSON.stringify(value));
    assert.throws(() => options([], { ENI_INIT_EXCLUDE: value }), /ENI_INIT_EXCLUDE/);
    assert.throws(() => options([`--only-interface=${value}`]), /--only-interface/);
  }
  assert.throws(() => options([], {}, 'exclude = eth2;eth3\n'), (error: unknown) => error instanceof UsageError && /eni-init\.conf:1: exclude/.test(error.message) && error.message.includes('eth2;eth3'));
});

test('--metadata-url is exactly http://HOST[:PORT]', () => {
  for (const good of ['http://100.100.100.200', 'http://100.100.100.200/', 'http://127.0.0.1:8080', 'http://[fd00::1]:80', 'http://[::1]', 'http://metadata.internal:8000']) {
    assert.equal(options(['--metadata-url', good]).metadataUrl, good);
  }
  const bad = [
    'http://100.100.100.200:80\n80',
    'http://100.100.100.200:8\n0',
    'http://100.100.100.200\n',
    'http://100.100.\t100.200',
    'https://100.100.100.200',
    'http://user:pw@100.100.100.200',
    'http://100.100.100.200/latest',
    'http://100.100.100.200?x=1',
    'http://100.100.100.200#x',
    'http://100.100.100.256',
    'http://1.2.3',
    'http://100.100.100.200:0',
    'http://100.100.100.200:65536',
    'http://[zz::1]',
    'http://under_score',
    'http://',
    ' http://100.100.100.200',
  ];
  for (const value of bad) {
    assert.throws(() => options(['--metadata-url', value]), (error: unknown) => error instanceof UsageError && error.message.includes(JSON.stringify(value)), JSON.stringify(value));
  }
});

test('paths are absolute and free of control characters', () => {
  for (const [flag, value] of [['--root', 'relative'], ['--root', '/tmp/a\nb'], ['--config', '/etc/x\0y'], ['--config', 'x.conf'], ['--report-file', '/run/r\n.json'], ['--report-file', 'r.json']] as const) {
    assert.throws(() => options([flag, value]), (error: unknown) => error instanceof UsageError && error.message.startsWith(flag), `${flag} ${JSON.stringify(value)}`);
  }
  assert.equal(options(['--report-file', '']).reportFile, '');
});
