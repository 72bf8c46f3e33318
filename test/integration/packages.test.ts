// The .deb and .rpm built by build/package.mjs, checked with the real tools (dpkg-deb, dpkg, rpm,
// systemd-analyze, udevadm): metadata, exact file lists and modes, scriptlets, unit files, a full
// install/upgrade/remove/purge cycle into a throwaway root (never the host's /), and reproducibility.
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(REPO, 'dist');
const PACKAGING = join(REPO, 'packaging');
/** The package version: package.json's, with a pre-release written "~" as build/package.mjs does. */
const UPSTREAM_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const VERSION = UPSTREAM_VERSION.replace('-', '~').replace('+', '.');
const DEB = join(DIST, `eni-init_${VERSION}_amd64.deb`);
const RPM = join(DIST, `eni-init-${VERSION}-1.x86_64.rpm`);
const isRoot = process.getuid?.() === 0;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): Ran {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    cwd: options.cwd ?? REPO,
    env: { ...process.env, LC_ALL: 'C', ...options.env },
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 << 20,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command that must succeed; returns its stdout. */
function ok(command: string, args: readonly string[], options: Parameters<typeof run>[2] = {}): string {
  const result = run(command, args, options);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, tool)));
}

/** Part of a test that cannot run in this environment: said loudly (TAP diagnostic and stderr). */
function loudNote(t: TestContext, why: string): string {
  const message = `NOT CHECKED: ${why}`;
  console.error(`\n!!! packages.test.ts: ${message}\n`);
  t.diagnostic(message);
  return message;
}

/** A whole test that cannot run in this environment: skipped, loudly. */
function loudSkip(t: TestContext, why: string): void {
  t.skip(loudNote(t, why));
}

/** Exists, also as a dangling symlink. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `eni-init-pkg-${prefix}-`));
  temps.push(dir);
  return dir;
}
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

// ---- expected contents ------------------------------------------------------------------------------------

const UNIT_DIR = '/usr/lib/systemd/system';
/** Files and directories of both packages: [mode, path]. */
const COMMON_FILES: [string, string][] = [
  ['-rwxr-xr-x', '/usr/bin/eni-init'],
  ['-rw-r--r--', `${UNIT_DIR}/eni-init.service`],
  ['-rw-r--r--', `${UNIT_DIR}/eni-init@.service`],
  ['-rw-r--r--', '/usr/lib/udev/rules.d/81-eni-init.rules'],
  ['-rw-r--r--', `${UNIT_DIR}/eni-init-refresh.timer`],
  ['-rw-r--r--', `${UNIT_DIR}/eni-init-refresh.service`],
  ['-rw-r--r--', `${UNIT_DIR}/eni-init-detach@.service`],
  ['-rwxr-xr-x', '/usr/lib/systemd/system-generators/eni-init-refresh-generator'],
  ['-rwxr-xr-x', '/usr/lib/eni-init/replayed-add'],
  ['-rw-r--r--', '/etc/eni-init/eni-init.conf'],
  ['-rw-r--r--', '/etc/iproute2/rt_protos.d/eni-init.conf'],
  ['-rw-r--r--', '/usr/share/man/man8/eni-init.8.gz'],
  ['-rw-r--r--', '/usr/share/bash-completion/completions/eni-init'],
  ['drwxr-xr-x', '/etc/cloud'],
  ['drwxr-xr-x', '/etc/cloud/cloud.cfg.d'],
  ['drwxr-xr-x', '/etc/systemd/networkd.conf.d'],
];
const DEB_ONLY: [string, string][] = [
  ['-rw-r--r--', '/usr/share/doc/eni-init/copyright'],
  ['-rw-r--r--', '/usr/share/doc/eni-init/changelog.gz'],
];
const RPM_ONLY: [string, string][] = [
  ['drwxr-xr-x', '/etc/eni-init'],
  ['drwxr-xr-x', '/usr/lib/eni-init'],
  ['drwxr-xr-x', '/usr/share/doc/eni-init'],
  ['-rw-r--r--', '/usr/share/doc/eni-init/CHANGELOG'],
  ['drwxr-xr-x', '/usr/share/licenses/eni-init'],
  ['-rw-r--r--', '/usr/share/licenses/eni-init/LICENSE'],
];
const CONFFILES = ['/etc/eni-init/eni-init.conf', '/etc/iproute2/rt_protos.d/eni-init.conf'];

/** The .deb data archive lists every parent directory too. */
function expectedDebListing(): string[] {
  const entries = new Map<string, string>([['./', 'drwxr-xr-x']]);
  for (const [mode, path] of [...COMMON_FILES, ...DEB_ONLY]) {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) entries.set(`./${parts.slice(0, i).join('/')}/`, 'drwxr-xr-x');
    entries.set(mode.startsWith('d') ? `.${path}/` : `.${path}`, mode);
  }
  return [...entries].map(([path, mode]) => `${mode} root/root ${path}`).sort();
}

// ---- build ------------------------------------------------------------------------------------------------

let buildOutput = '';
/** sha256 of the executable build/package.mjs packaged (dist/eni-init may be rebuilt meanwhile). */
let packagedSha = '';
/** The .deb unpacked (dpkg-deb -x); its executable is the one the other checks run. */
let extracted = '';
const packagedExe = () => join(extracted, 'usr/bin/eni-init');
const packagedShaOf = (output: string) => /^package: packaging dist\/eni-init, sha256 ([0-9a-f]{64})$/m.exec(output)?.[1] ?? '';
before(() => {
  const missing = ['dpkg-deb', 'dpkg', 'rpm', 'rpmbuild'].filter((tool) => !onPath(tool));
  assert.deepEqual(missing, [], `missing tools: ${missing.join(', ')} (apt-get install dpkg rpm)`);
  rmSync(DEB, { force: true });
  rmSync(RPM, { force: true });
  const built = run(process.execPath, [join(REPO, 'build/package.mjs')], { timeoutMs: 15 * 60_000 });
  buildOutput = built.stdout + built.stderr;
  assert.equal(built.code, 0, `build/package.mjs failed:\n${buildOutput}`);
  assert.ok(existsSync(DEB), `no ${DEB}:\n${buildOutput}`);
  assert.ok(existsSync(RPM), `no ${RPM}:\n${buildOutput}`);
  packagedSha = packagedShaOf(buildOutput);
  assert.notEqual(packagedSha, '', `build/package.mjs did not report the sha256 of the executable:\n${buildOutput}`);
  extracted = tempDir('x');
  ok('dpkg-deb', ['-x', DEB, extracted]);
}, { timeout: 20 * 60_000 });

// ---- .deb -------------------------------------------------------------------------------------------------

describe('.deb', () => {
  test('control fields (dpkg-deb -I / -f)', () => {
    const info = ok('dpkg-deb', ['-I', DEB]);
    for (const member of ['control', 'conffiles', 'md5sums', 'postinst', 'prerm', 'postrm']) {
      assert.match(info, new RegExp(`\\s${member}\\s`), `control member ${member} missing:\n${info}`);
    }
    for (const script of ['postinst', 'prerm', 'postrm']) {
      assert.match(info, new RegExp(`\\*\\s+${script}\\s+#!/bin/sh`), `${script} not executable or not /bin/sh:\n${info}`);
    }
    const fields = new Map<string, string>();
    for (const field of ['Package', 'Version', 'Architecture', 'Maintainer', 'Depends', 'Section', 'Priority', 'Installed-Size']) {
      fields.set(field, ok('dpkg-deb', ['-f', DEB, field]).trim());
    }
    assert.equal(fields.get('Package'), 'eni-init');
    assert.equal(fields.get('Version'), VERSION);
    assert.equal(fields.get('Architecture'), 'amd64');
    assert.equal(fields.get('Maintainer'), 'eni-init developers <eni-init@example.invalid>');
    assert.equal(fields.get('Section'), 'net');
    const depends = (fields.get('Depends') ?? '').split(',').map((dep) => dep.trim());
    assert.ok(depends.includes('iproute2'), `Depends: ${fields.get('Depends')}`);
    assert.ok(depends.includes('libc6 (>= 2.28)'), `Depends: ${fields.get('Depends')}`);
    assert.ok(Number(fields.get('Installed-Size')) > statSync(packagedExe()).size / 1024, `Installed-Size ${fields.get('Installed-Size')}`);
    assert.match(ok('dpkg-deb', ['-f', DEB, 'Description']), /Alibaba Cloud ECS/);
  });

  test('exact file list, owners and modes (dpkg-deb -c)', () => {
    const listing = ok('dpkg-deb', ['-c', DEB])
      .trim()
      .split('\n')
      .map((line) => {
        const [mode, owner, , , , path] = line.split(/\s+/);
        return `${mode} ${owner} ${path}`;
      })
      .sort();
    assert.deepEqual(listing, expectedDebListing());
  });

  test('control archive: conffiles, scripts, md5sums', () => {
    const dir = tempDir('ctrl');
    ok('dpkg-deb', ['-e', DEB, join(dir, 'DEBIAN')]);
    assert.equal(readFileSync(join(dir, 'DEBIAN/conffiles'), 'utf8'), CONFFILES.map((path) => `${path}\n`).join(''));
    for (const script of ['postinst', 'prerm', 'postrm']) {
      const path = join(dir, 'DEBIAN', script);
      assert.equal(statSync(path).mode & 0o777, 0o755, script);
      assert.equal(readFileSync(path, 'utf8'), readFileSync(join(PACKAGING, 'deb', script), 'utf8'));
      ok('sh', ['-n', path]);
    }
    // The maintainer scripts' semantics, as text: live actions only on the running system.
    const postinst = readFileSync(join(dir, 'DEBIAN/postinst'), 'utf8');
    assert.match(postinst, /daemon-reload/);
    assert.match(postinst, /enable/);
    assert.match(postinst, /udevadm control --reload-rules/);
    assert.match(postinst, /--no-block start/);
    assert.match(postinst, /policy-rc\.d/);
    assert.match(postinst, /\/run\/systemd\/system/);
    const prerm = readFileSync(join(dir, 'DEBIAN/prerm'), 'utf8');
    assert.match(prerm, /remove\)\n[\s\S]*eni-init remove --deadline[\s\S]*disable_unit\n\s*;;/);
    assert.match(prerm, /upgrade \| deconfigure \| failed-upgrade\)\n\s*;;/);
    assert.match(readFileSync(join(dir, 'DEBIAN/postrm'), 'utf8'), /daemon-reload/);
    for (const text of [postinst, prerm]) {
      assert.doesNotMatch(text, /(disable|mask|stop)\s+(NetworkManager|systemd-networkd|networking|cloud-init)/, 'never touches the network manager');
    }
    const md5sums = readFileSync(join(dir, 'DEBIAN/md5sums'), 'utf8');
    assert.match(md5sums, /^[0-9a-f]{32} {2}usr\/bin\/eni-init$/m);
    for (const conffile of CONFFILES) assert.ok(!md5sums.includes(conffile.slice(1)), `conffile ${conffile} in md5sums`);
  });

  test('payload: unstripped executable, man page, md5sums match', (t) => {
    const dir = extracted;
    const shipped = readFileSync(join(dir, 'usr/bin/eni-init'));
    assert.equal(sha256(shipped), packagedSha, 'usr/bin/eni-init differs from dist/eni-init (stripped?)');
    assert.equal(ok(join(dir, 'usr/bin/eni-init'), ['--version']).trim(), `eni-init ${UPSTREAM_VERSION}`);
    const control = tempDir('md5');
    ok('dpkg-deb', ['-e', DEB, control]);
    const md5check = run('md5sum', ['--check', '--quiet', '-'], { cwd: dir, input: readFileSync(join(control, 'md5sums'), 'utf8') });
    assert.equal(md5check.code, 0, md5check.stdout + md5check.stderr);
    const man = gunzipSync(readFileSync(join(dir, 'usr/share/man/man8/eni-init.8.gz'))).toString();
    assert.match(man, new RegExp(`^\\.TH ENI-INIT 8 "[^"]+" "eni-init ${UPSTREAM_VERSION.replaceAll('.', '\\.')}"`, 'm'));
    assert.equal(readFileSync(join(dir, 'etc/iproute2/rt_protos.d/eni-init.conf'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')).join('\n'), '203\teni-init');
    const changelog = gunzipSync(readFileSync(join(dir, 'usr/share/doc/eni-init/changelog.gz'))).toString();
    assert.match(changelog, new RegExp(`^eni-init \\(${VERSION.replaceAll('.', '\\.')}\\) `));
    if (onPath('groff')) {
      const lint = run('groff', ['-man', '-ww', '-z', '-Tutf8'], { input: man });
      assert.equal(lint.code, 0, lint.stderr);
      assert.equal(lint.stderr, '', `groff warnings in eni-init.8:\n${lint.stderr}`);
    } else {
      loudNote(t, 'groff (Debian package "groff-base") not installed: the man page was not linted');
    }
  });
});

// ---- .rpm -------------------------------------------------------------------------------------------------

describe('.rpm', () => {
  const query = (...args: string[]) => ok('rpm', ['-qp', ...args, RPM]);

  test('header (rpm -qpi, -qpR)', () => {
    const info = query('-i');
    const field = (name: string) => new RegExp(`^${name}\\s*: (.*)$`, 'm').exec(info)?.[1]?.trim();
    assert.equal(field('Name'), 'eni-init');
    assert.equal(field('Version'), VERSION);
    assert.equal(field('Release'), '1');
    assert.equal(field('Architecture'), 'x86_64');
    assert.equal(field('License'), 'Apache-2.0');
    assert.match(field('Summary') ?? '', /ENI/);
    const requires = query('-R').trim().split('\n').map((line) => line.trim());
    assert.ok(requires.includes('iproute'), requires.join('\n'));
    assert.ok(requires.includes('libc.so.6(GLIBC_2.28)(64bit)'), `no glibc 2.28 requirement:\n${requires.join('\n')}`);
    assert.ok(!requires.some((req) => /GLIBC_2\.(29|[3-9]\d)/.test(req)), `needs a glibc newer than 2.28:\n${requires.join('\n')}`);
    assert.match(query('--changelog'), new RegExp(`- ${VERSION.replaceAll('.', '\\.')}-1\\n`));
  });

  test('exact file list, owners and modes (rpm -qpl)', () => {
    const list = query('-l').trim().split('\n').sort();
    const expected = [...COMMON_FILES, ...RPM_ONLY].map(([, path]) => path).sort();
    assert.deepEqual(list, expected);
    const modes = query('--qf', '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]').trim().split('\n').sort();
    assert.deepEqual(modes, [...COMMON_FILES, ...RPM_ONLY].map(([mode, path]) => `${mode} root:root ${path}`).sort());
    assert.ok(!list.some((path) => path.includes('.build-id')), 'build-id links');
  });

  test('config files are %config(noreplace) (rpm -qp --configfiles)', () => {
    assert.deepEqual(query('--configfiles').trim().split('\n').sort(), [...CONFFILES].sort());
    const flags = query('--qf', '[%{FILEFLAGS:fflags} %{FILENAMES}\n]').trim().split('\n');
    for (const conffile of CONFFILES) assert.ok(flags.includes(`cn ${conffile}`), `${conffile} not config(noreplace):\n${flags.join('\n')}`);
    assert.ok(flags.includes('l /usr/share/licenses/eni-init/LICENSE'), flags.join('\n'));
    assert.ok(flags.includes('d /usr/share/doc/eni-init/CHANGELOG'), flags.join('\n'));
  });

  test('the executable is not stripped (file digest = dist/eni-init)', () => {
    assert.equal(query('--qf', '%{FILEDIGESTALGO}').trim(), '8', 'file digests are not SHA-256');
    const digests = query('--qf', '[%{FILEDIGESTS} %{FILENAMES}\n]').trim().split('\n');
    assert.ok(digests.includes(`${packagedSha} /usr/bin/eni-init`), `/usr/bin/eni-init is not the packaged executable (stripped?):\n${digests.join('\n')}`);
  });

  test('scriptlets (rpm -qp --scripts)', () => {
    const scripts = query('--scripts');
    assert.match(scripts, /^postinstall scriptlet \(using \/bin\/sh\):$/m);
    assert.match(scripts, /^preuninstall scriptlet \(using \/bin\/sh\):$/m);
    assert.match(scripts, /^postuninstall scriptlet \(using \/bin\/sh\):$/m);
    const part = (tag: string) => query('--qf', `%{${tag}}`);
    const post = part('POSTIN');
    const preun = part('PREUN');
    const postun = part('POSTUN');
    assert.match(post, /if \[ "\$1" -eq 1 \]; then[\s\S]*systemctl --quiet enable eni-init\.service[\s\S]*--no-block start eni-init\.service/);
    assert.match(post, /daemon-reload/);
    assert.match(post, /udevadm control --reload-rules/);
    assert.match(preun, /if \[ "\$1" -eq 0 \]; then[\s\S]*\/usr\/bin\/eni-init remove --deadline[\s\S]*systemctl --quiet disable eni-init\.service/);
    assert.match(postun, /daemon-reload/);
    for (const script of [post, preun, postun]) {
      assert.match(script, /stat -c %d:%i \//, 'rpm macro expansion mangled the chroot test');
      assert.match(script, /\/run\/systemd\/system/);
      assert.doesNotMatch(script, /(disable|mask|stop)\s+(NetworkManager|systemd-networkd|network\.service|cloud-init)/);
      const dir = tempDir('scriptlet');
      writeFileSync(join(dir, 's.sh'), script);
      ok('sh', ['-n', join(dir, 's.sh')]);
    }
  });
});

// ---- units, udev rule, config, docs ------------------------------------------------------------------------

/** `key=value` entries of one section of a unit file (repeated keys accumulate). */
function unitSection(text: string, section: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1] ?? '';
      continue;
    }
    if (current !== section) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    entries.set(key, [...(entries.get(key) ?? []), line.slice(eq + 1)]);
  }
  return entries;
}
const words = (entries: Map<string, string[]>, key: string) => (entries.get(key) ?? []).flatMap((value) => value.split(/\s+/)).filter(Boolean);
const single = (entries: Map<string, string[]>, key: string) => {
  const values = entries.get(key) ?? [];
  assert.equal(values.length, 1, `${key}: ${JSON.stringify(values)}`);
  return values[0] ?? '';
};

describe('unit files and udev rule', () => {
  const bootUnit = () => readFileSync(join(PACKAGING, 'systemd/eni-init.service'), 'utf8');
  const hotplugUnit = () => readFileSync(join(PACKAGING, 'systemd/eni-init@.service'), 'utf8');

  test('eni-init.service: ordering, exit codes, kill mode, sandbox', () => {
    const text = bootUnit();
    const unit = unitSection(text, 'Unit');
    const service = unitSection(text, 'Service');
    const install = unitSection(text, 'Install');
    const afterUnits = words(unit, 'After');
    for (const dep of ['network.target', 'NetworkManager-wait-online.service', 'systemd-networkd-wait-online.service', 'networking.service']) {
      assert.ok(afterUnits.includes(dep), `After= lacks ${dep}`);
    }
    assert.deepEqual(words(unit, 'Before'), ['network-online.target']);
    for (const key of ['Wants', 'Requires', 'BindsTo', 'Requisite']) assert.equal(unit.get(key), undefined, `${key}= pulls units in`);
    assert.deepEqual(words(install, 'WantedBy').sort(), ['multi-user.target', 'network-online.target']);
    assert.equal(single(service, 'Type'), 'oneshot');
    assert.equal(single(service, 'RemainAfterExit'), 'yes');
    assert.equal(single(service, 'ExecStart'), '/usr/bin/eni-init apply --trigger boot');
    assert.deepEqual(words(service, 'SuccessExitStatus'), ['3']);
    assert.equal(single(service, 'KillMode'), 'mixed');
    assert.equal(single(service, 'EnvironmentFile'), '-/etc/eni-init/eni-init.env');
    const deadline = Number(/^ENI_INIT_DEADLINE=(\d+)$/.exec(single(service, 'Environment'))?.[1]);
    const timeout = Number(single(service, 'TimeoutStartSec'));
    assert.ok(deadline > 0 && timeout > deadline, `deadline ${deadline} must be below TimeoutStartSec ${timeout}`);
    assert.ok(Number(single(service, 'TimeoutStopSec')) > 0);
    // The sandbox must not cut eni-init off the host network or from CAP_NET_ADMIN.
    for (const key of ['PrivateNetwork', 'PrivateUsers', 'IPAddressDeny', 'MemoryDenyWriteExecute', 'ProtectProc', 'SystemCallFilter', 'User', 'DynamicUser']) {
      assert.equal(service.get(key), undefined, `${key}= breaks eni-init`);
    }
    assert.ok(words(service, 'CapabilityBoundingSet').includes('CAP_NET_ADMIN'));
    assert.ok(words(service, 'RestrictAddressFamilies').includes('AF_NETLINK'));
    assert.equal(single(service, 'RuntimeDirectory'), 'eni-init');
    assert.equal(single(service, 'RuntimeDirectoryPreserve'), 'yes');
    assert.ok(words(service, 'ReadWritePaths').some((path) => path.replace(/^-/, '') === '/etc/cloud/cloud.cfg.d'));
  });

  test('eni-init@.service: one interface, re-runnable, after the boot run', () => {
    const text = hotplugUnit();
    const unit = unitSection(text, 'Unit');
    const service = unitSection(text, 'Service');
    assert.equal(single(service, 'ExecStart'), '/usr/bin/eni-init apply --trigger hotplug --only-interface %i');
    // Coldplug replays of NICs the boot run configured are skipped before eni-init starts.
    assert.equal(single(service, 'ExecCondition'), '/usr/lib/eni-init/replayed-add %i');
    assert.equal(single(service, 'Type'), 'oneshot');
    assert.equal(service.get('RemainAfterExit'), undefined, 'RemainAfterExit=yes would keep a re-attached ENI from being configured');
    assert.equal(service.get('SuccessExitStatus'), undefined);
    assert.equal(single(service, 'KillMode'), 'mixed');
    assert.ok(words(unit, 'After').includes('eni-init.service'));
    assert.equal(unit.get('Wants'), undefined);
    assert.equal(unitSection(text, 'Install').size, 0, 'a hotplug template is started by udev, not enabled');
    assert.ok(Number(single(service, 'TimeoutStartSec')) > Number(/=(\d+)$/.exec(single(service, 'Environment'))?.[1]));
    // Same sandbox as the boot unit.
    const sandbox = (entries: Map<string, string[]>) => [...entries].filter(([key]) => /^(Protect|Private|Restrict|Capability|NoNew|Lock|SystemCall|RuntimeDirectory|ReadWrite|UMask)/.test(key)).map(([key, value]) => `${key}=${value.join(' ')}`).sort();
    assert.deepEqual(sandbox(service), sandbox(unitSection(bootUnit(), 'Service')));
  });

  test('refresh timer and service, detach template: triggers, quiet busy refresh, same sandbox', () => {
    const sandbox = (entries: Map<string, string[]>) => [...entries].filter(([key]) => /^(Protect|Private|Restrict|Capability|NoNew|Lock|SystemCall|RuntimeDirectory|ReadWrite|UMask)/.test(key)).map(([key, value]) => `${key}=${value.join(' ')}`).sort();
    const timerText = readFileSync(join(PACKAGING, 'systemd/eni-init-refresh.timer'), 'utf8');
    const timer = unitSection(timerText, 'Timer');
    assert.equal(single(timer, 'OnBootSec'), '5min');
    assert.equal(single(timer, 'OnUnitInactiveSec'), '5min');
    assert.equal(single(timer, 'RandomizedDelaySec'), '30s');
    assert.equal(single(timer, 'AccuracySec'), '1s');
    assert.deepEqual(words(unitSection(timerText, 'Install'), 'WantedBy'), ['timers.target']);
    const refreshText = readFileSync(join(PACKAGING, 'systemd/eni-init-refresh.service'), 'utf8');
    const refresh = unitSection(refreshText, 'Service');
    assert.equal(single(refresh, 'ExecStart'), '/usr/bin/eni-init apply --trigger refresh');
    assert.deepEqual(words(refresh, 'SuccessExitStatus'), ['3', '7']);
    assert.equal(refresh.get('RemainAfterExit'), undefined, 'RemainAfterExit=yes would stop OnUnitInactiveSec= from ever elapsing again');
    assert.ok(words(unitSection(refreshText, 'Unit'), 'After').includes('eni-init.service'));
    assert.equal(unitSection(refreshText, 'Install').size, 0, 'the timer starts it');
    assert.deepEqual(sandbox(refresh), sandbox(unitSection(bootUnit(), 'Service')));
    const detachText = readFileSync(join(PACKAGING, 'systemd/eni-init-detach@.service'), 'utf8');
    const detach = unitSection(detachText, 'Service');
    assert.equal(single(detach, 'ExecStart'), '/usr/bin/eni-init apply --trigger detach --only-interface %i');
    assert.equal(single(detach, 'ExecCondition'), '/usr/bin/test -e /run/eni-init/configured/%i');
    assert.equal(detach.get('RemainAfterExit'), undefined);
    assert.deepEqual(sandbox(detach), sandbox(unitSection(bootUnit(), 'Service')));
  });

  test('systemd-analyze verify (the units as installed, against the packaged executable and man page)', (t) => {
    if (!onPath('systemd-analyze')) {
      loudSkip(t, 'systemd-analyze not found (Debian package "systemd"): the unit files were not verified');
      return;
    }
    const root = extracted;
    const exe = join(root, 'usr/bin/eni-init');
    const units = tempDir('units');
    // Verify needs ExecStart= to exist: point it at the extracted executable; the man page is found via MANPATH.
    writeFileSync(join(units, 'eni-init.service'), readFileSync(join(root, UNIT_DIR, 'eni-init.service'), 'utf8').replaceAll('/usr/bin/eni-init', exe));
    const installed = (name: string) => readFileSync(join(root, UNIT_DIR, name), 'utf8').replaceAll('/usr/bin/eni-init', exe).replaceAll('/usr/lib/eni-init/', join(root, 'usr/lib/eni-init/'));
    writeFileSync(join(units, 'eni-init@eth1.service'), installed('eni-init@.service'));
    writeFileSync(join(units, 'eni-init-detach@eth1.service'), installed('eni-init-detach@.service'));
    writeFileSync(join(units, 'eni-init-refresh.service'), installed('eni-init-refresh.service'));
    writeFileSync(join(units, 'eni-init-refresh.timer'), installed('eni-init-refresh.timer'));
    const env = { MANPATH: join(root, 'usr/share/man'), SYSTEMD_LOG_LEVEL: 'notice', SYSTEMD_LOG_TARGET: 'console' };
    // Can systemd-analyze verify anything at all here (no running systemd needed, but a usable environment)?
    writeFileSync(join(units, 'probe.service'), '[Unit]\nDescription=probe\n[Service]\nType=oneshot\nExecStart=/bin/true\n');
    const probe = run('systemd-analyze', ['verify', '--man=no', join(units, 'probe.service')], { env });
    if (probe.code !== 0 || probe.stderr.trim() !== '') {
      loudSkip(t, `systemd-analyze verify does not work here (exit ${probe.code}: ${probe.stderr.trim()}); the unit files were not verified`);
      return;
    }
    // Documentation=man:eni-init(8) is checked by running man(1) against the packaged man page.
    const manArgs = onPath('man') ? [] : ['--man=no'];
    const verified = run('systemd-analyze', ['verify', ...manArgs, ...['eni-init.service', 'eni-init@eth1.service', 'eni-init-detach@eth1.service', 'eni-init-refresh.service', 'eni-init-refresh.timer'].map((name) => join(units, name))], { env });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.equal((verified.stdout + verified.stderr).trim(), '', `systemd-analyze verify warnings:\n${verified.stdout}${verified.stderr}`);
    // And the checker does catch mistakes.
    writeFileSync(join(units, 'broken.service'), readFileSync(join(units, 'eni-init.service'), 'utf8').replace(/^KillMode=mixed$/m, 'KillMode=bogus'));
    const broken = run('systemd-analyze', ['verify', ...manArgs, join(units, 'broken.service')], { env });
    assert.match(broken.stdout + broken.stderr, /kill mode/i, `systemd-analyze verify did not flag KillMode=bogus (exit ${broken.code})`);
    if (manArgs.length > 0) loudNote(t, 'man (Debian package "man-db") not installed: Documentation=man:eni-init(8) was not resolved');
  });

  test("the packaged executable works with the units' capability bounding set (private network namespace)", (t) => {
    const caps = words(unitSection(bootUnit(), 'Service'), 'CapabilityBoundingSet');
    if (!isRoot || !onPath('setpriv') || !onPath('unshare')) {
      loudSkip(t, `needs root, setpriv and unshare (util-linux); have root=${isRoot}: the capability set was not exercised`);
      return;
    }
    const root = tempDir('caps');
    const bounding = ['-all', ...caps.map((cap) => `+${cap.replace(/^CAP_/, '').toLowerCase()}`)].join(',');
    // A rule and a route tagged 203 in eni-init's ranges: `remove` must be able to delete them with these caps.
    const script = `
      set -e
      ip link set lo up
      ip rule add from 10.1.2.3 lookup 1001 pref 20001 proto 203
      ip route add 10.1.2.0/24 dev lo table 1001 proto 203
      rc=0; "$0" remove --root "$1" --deadline 5 --log-level warn >/dev/null || rc=$?
      echo "exit $rc"
      ip -4 rule show pref 20001
      ip -4 route show table 1001`;
    const result = run('unshare', ['--net', 'setpriv', `--bounding-set=${bounding}`, '--inh-caps=-all', 'sh', '-c', script, packagedExe(), root], { timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.trim(), 'exit 0', `with ${bounding}:\n${result.stdout}${result.stderr}`);
    assert.ok(existsSync(join(root, 'run/eni-init/report.json')), 'no report written');
  });

  test('udev rule: wants eni-init@<name> for 00:16:3e NICs only, starts eni-init-detach@<name> on remove (udevadm test in a private namespace)', (t) => {
    const rule = readFileSync(join(PACKAGING, 'udev/81-eni-init.rules'), 'utf8');
    assert.match(rule, /^ACTION!="add", GOTO="eni_init_end"$/m);
    assert.match(rule, /^SUBSYSTEM!="net", GOTO="eni_init_end"$/m);
    assert.match(rule, /^DEVPATH=="\/devices\/virtual\/\*", GOTO="eni_init_end"$/m);
    assert.match(rule, /^ATTR\{address\}!="00:16:3e:\*", GOTO="eni_init_end"$/m);
    assert.match(rule, /^TAG\+="systemd", ENV\{SYSTEMD_WANTS\}\+="eni-init@\$name\.service"$/m);
    assert.match(rule, /^ACTION=="remove", GOTO="eni_init_remove"$/m);
    assert.match(rule, /^RUN\+="\/usr\/bin\/systemctl --no-block start eni-init-detach@\$kernel\.service"$/m);
    if (!isRoot || !onPath('udevadm') || !onPath('unshare')) {
      loudSkip(t, `udevadm test needs root, udevadm (Debian package "udev") and unshare; have root=${isRoot} udevadm=${onPath('udevadm')}: the rule was not run through udev`);
      return;
    }
    const dir = tempDir('udev');
    // Test devices are veths (virtual): a copy without the DEVPATH line checks the rest of the rule; the
    // real rule must ignore them.
    writeFileSync(join(dir, 'physical.rules'), rule.replace(/^DEVPATH==.*\n/m, ''));
    writeFileSync(join(dir, 'real.rules'), rule);
    const script = `
      set -e
      mount -t sysfs sysfs /sys
      mkdir -p /run/udev/rules.d
      mount -t tmpfs tmpfs /run/udev/rules.d
      ip link add eni0 address 00:16:3e:01:02:03 type veth peer name other0 address 02:11:22:33:44:55
      for rules in physical real; do
        cp "${dir}/$rules.rules" /run/udev/rules.d/81-eni-init.rules
        for dev in eni0 other0; do
          echo "== $rules $dev"
          udevadm test --action=add /sys/class/net/$dev 2>&1 | grep -E '^(SYSTEMD_WANTS=|/run/udev/rules.d/81-eni-init.rules)' || true
          udevadm test --action=remove /sys/class/net/$dev 2>&1 | grep -E "^run: .*eni-init-detach@|^RUN" | sed "s/^/remove: /" || true
        done
      done`;
    const result = run('unshare', ['--mount', '--net', '--propagation', 'private', 'sh', '-c', script], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(
      result.stdout.trim(),
      [
        '== physical eni0',
        'SYSTEMD_WANTS=eni-init@eni0.service',
        "remove: run: '/usr/bin/systemctl --no-block start eni-init-detach@eni0.service'",
        '== physical other0',
        // remove cannot match the MAC (sysfs is gone): eni-init-detach@.service's ExecCondition= skips other NICs.
        "remove: run: '/usr/bin/systemctl --no-block start eni-init-detach@other0.service'",
        '== real eni0',
        '== real other0',
      ].join('\n'),
      'udev rule parse errors or wrong matches',
    );
  });
});

describe('config file, man page and snippets', () => {
  const help = () => ok(packagedExe(), ['--help']);
  const helpFlags = () => [...new Set([...help().matchAll(/^\s+(?:-\w, )?--([a-z-]+)/gm)].map((match) => match[1] ?? ''))];

  test('eni-init.conf: every option commented out with its default, and valid when uncommented', () => {
    const conf = readFileSync(join(PACKAGING, 'eni-init.conf'), 'utf8');
    assert.equal(conf.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#')).length, 0, 'an active setting');
    const keys = [...conf.matchAll(/^# ([a-z-]+) =/gm)].map((match) => match[1]);
    const settable = helpFlags().filter((flag) => !['help', 'version', 'root', 'config', 'only-interface', 'trigger'].includes(flag));
    assert.deepEqual([...keys].sort(), [...settable].sort());
    // Uncommented, the file must parse: an unreachable metadata service then gives 4, not 2 (usage).
    const root = tempDir('conf');
    mkdirSync(join(root, 'etc/eni-init'), { recursive: true });
    writeFileSync(join(root, 'etc/eni-init/eni-init.conf'), conf.replace(/^# ([a-z-]+ =)/gm, '$1'));
    const result = run(packagedExe(), ['status', '--root', root, '--metadata-url', 'http://127.0.0.1:9', '--deadline', '1'], { timeoutMs: 20_000 });
    assert.equal(result.code, 4, result.stdout + result.stderr);
  });

  test('man page: every option and exit code of --help', () => {
    const man = readFileSync(join(PACKAGING, 'eni-init.8'), 'utf8');
    for (const flag of helpFlags()) assert.ok(man.includes(`\\-\\-${flag.replaceAll('-', '\\-')}`), `eni-init.8 lacks --${flag}`);
    for (let code = 0; code <= 10; code++) assert.match(man, new RegExp(`^\\.TP\\n\\.B ${code}\\n`, 'm'), `eni-init.8 lacks exit code ${code}`);
    for (const env of [...help().matchAll(/env (ENI_INIT_[A-Z_]+)/g)].map((match) => match[1] ?? '')) {
      assert.ok(man.includes(env), `eni-init.8 lacks ${env}`);
    }
    assert.match(man, /\n\.B 203\n/);
  });

  test('cloud-init and rc.local snippets', () => {
    for (const name of ['runcmd-bare.yaml', 'runcmd-package.yaml']) {
      const text = readFileSync(join(PACKAGING, 'cloud-init', name), 'utf8');
      assert.ok(text.startsWith('#cloud-config\n'), name);
      if (onPath('python3') && run('python3', ['-c', 'import yaml']).code === 0) {
        ok('python3', ['-c', 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert isinstance(d, dict) and "runcmd" in d, d', join(PACKAGING, 'cloud-init', name)]);
      }
    }
    const bare = readFileSync(join(PACKAGING, 'cloud-init/runcmd-bare.yaml'), 'utf8');
    assert.match(bare, /path: \/var\/lib\/cloud\/scripts\/per-boot\//, 'later boots need a per-boot script (runcmd runs once per instance)');
    assert.doesNotMatch(bare, /^bootcmd:/m, 'bootcmd runs before NetworkManager brought eth0 up');
    ok('sh', ['-n', join(PACKAGING, 'rc.local/rc.local.snippet')]);
    assert.match(readFileSync(join(PACKAGING, 'rc.local/rc.local.snippet'), 'utf8'), /--deadline \d+/);
  });
});

// ---- dependency resolution, the way dnf and apt see it (no --nodeps, no --force-depends) --------------------

/** What only the host supplies (glibc, the C++ runtime, iproute, a shell); never eni-init itself. */
const HOST_CAPABILITY = /^(\/bin\/sh|iproute|rtld\(GNU_HASH\)|(ld-linux-x86-64|libc|libdl|libgcc_s|libm|libpthread|libstdc\+\+)\.so\.\d+(\([A-Za-z0-9_.]*\))?(\(64bit\))?)$/;
const RPM_NAME = `eni-init-${VERSION}-1.x86_64`;

/** `rpm -i --test` into a scratch database: the capabilities rpm reports missing ("X is needed by eni-init-..."). */
function rpmMissing(dbpath: string): { code: number | null; missing: string[]; output: string } {
  const result = run('rpm', ['--dbpath', dbpath, '-i', '--test', RPM]);
  const output = result.stdout + result.stderr;
  const missing = [...output.matchAll(/^\s+(.+?) is needed by (\S+)$/gm)].map((match) => {
    assert.equal(match[2], RPM_NAME, output);
    return match[1] as string;
  });
  return { code: result.code, missing, output };
}

/** A noarch package that provides the given capabilities and holds no file: the host's glibc, iproute and shell. */
function hostStubRpm(capabilities: readonly string[]): string {
  const top = tempDir('rpmstub');
  const spec = join(top, 'host-stub.spec');
  writeFileSync(spec, [
    'Name: host-stub', 'Version: 1', 'Release: 1', 'Summary: the host packages eni-init needs', 'License: none', 'BuildArch: noarch',
    ...capabilities.map((capability) => `Provides: ${capability}`),
    '%description', 'stub', '%files', '',
  ].join('\n'));
  ok('rpmbuild', ['-bb', '--define', `_topdir ${top}`, '--define', '_build_id_links none', spec], { timeoutMs: 120_000 });
  return join(top, 'RPMS/noarch/host-stub-1-1.noarch.rpm');
}

describe('dependencies resolve (rpm and apt, scratch databases, never --nodeps)', () => {
  const query = (...args: string[]) => ok('rpm', ['-qp', ...args, RPM]);
  test('.rpm: on an empty database only host capabilities are missing; with the host stubbed in, it installs', () => {
    const db = tempDir('rpmdb');
    ok('rpm', ['--dbpath', db, '--initdb']);
    const empty = rpmMissing(db);
    assert.equal(empty.code, 1, `rpm -i --test on an empty database did not fail:\n${empty.output}`);
    assert.ok(empty.missing.includes('iproute') && empty.missing.includes('libc.so.6(GLIBC_2.28)(64bit)'), empty.output);
    const own = empty.missing.filter((capability) => !HOST_CAPABILITY.test(capability));
    assert.deepEqual(own, [], `the package needs capabilities no host package supplies (itself?):\n${empty.output}`);
    // Whatever the package requires of itself, it provides (config(eni-init) of its %config files above all).
    const provides = query('--provides').trim().split('\n').map((line) => line.trim());
    const requires = query('--requires').trim().split('\n').map((line) => line.trim());
    for (const self of requires.filter((req) => /^(config\()?eni-init\b/.test(req))) assert.ok(provides.includes(self), `requires ${self} but does not provide it:\n${provides.join('\n')}`);
    assert.ok(provides.includes(`config(eni-init) = ${VERSION}-1`), provides.join('\n'));
    assert.ok(provides.includes(`eni-init = ${VERSION}-1`), provides.join('\n'));
    assert.deepEqual(provides.filter((capability) => !/^(config\()?eni-init(\(x86-64\))?\)? = /.test(capability)), [], `unexpected provides:\n${provides.join('\n')}`);

    // The host's packages (a stub providing exactly what rpm said was missing): now nothing is missing.
    ok('rpm', ['--dbpath', db, '-i', '--justdb', hostStubRpm(empty.missing)]);
    const resolved = rpmMissing(db);
    assert.equal(resolved.code, 0, `rpm -i --test still fails with every host capability installed:\n${resolved.output}`);
    assert.deepEqual(resolved.missing, []);
  });

  test('.deb: on an empty status only host packages are missing; with them installed (libc6 >= 2.28), apt installs it', () => {
    const dir = tempDir('apt');
    for (const sub of ['lists/partial', 'parts', 'cache/archives/partial']) mkdirSync(join(dir, sub), { recursive: true });
    const status = join(dir, 'status');
    const aptSim = (statusText: string) => {
      writeFileSync(status, statusText);
      const options = [
        `Dir::State::status=${status}`, `Dir::State::Lists=${join(dir, 'lists')}`, 'Dir::Etc::SourceList=/dev/null', `Dir::Etc::SourceParts=${join(dir, 'parts')}`,
        `Dir::Cache=${join(dir, 'cache')}`, 'Dir::Etc::Preferences=/dev/null', `Dir::Etc::PreferencesParts=${join(dir, 'parts')}`, 'APT::Architecture=amd64', 'Debug::NoLocking=1',
      ].flatMap((option) => ['-o', option]);
      const result = run('apt-get', ['-s', ...options, 'install', DEB]);
      return { code: result.code, output: result.stdout + result.stderr };
    };
    const installed = (name: string, version: string) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\nMulti-Arch: same\n\n`;
    const empty = aptSim('');
    assert.equal(empty.code, 100, empty.output);
    const unmet = [...empty.output.matchAll(/Depends: (\S+)(?: \([^)]*\))? but it is not installable/g)].map((match) => match[1]).sort();
    assert.deepEqual(unmet, ['iproute2', 'libc6', 'libstdc++6'], empty.output);
    const host = installed('iproute2', '6.1.0-3') + installed('libstdc++6', '12.2.0-14');
    const tooOld = aptSim(host + installed('libc6', '2.27-3'));
    assert.equal(tooOld.code, 100, `installs on glibc 2.27:\n${tooOld.output}`);
    const resolved = aptSim(host + installed('libc6', '2.28-10'));
    assert.equal(resolved.code, 0, resolved.output);
    assert.match(resolved.output, /^Inst eni-init \(/m);
    assert.match(resolved.output, /^Conf eni-init \(/m);
  });
});

// ---- a real install into a throwaway root ------------------------------------------------------------------

describe('dpkg --root: install, upgrade, remove, reinstall, purge (throwaway root, scripts chrootless)', () => {
  test('lifecycle', (t) => {
    if (!isRoot) {
      loudSkip(t, 'dpkg --root installs need root: the install cycle was not run');
      return;
    }
    const root = tempDir('root');
    for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers']) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), '');
    writeFileSync(join(root, 'var/lib/dpkg/available'), '');
    const dpkg = (...args: string[]) => {
      const result = run('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', '--force-confold', ...args], {
        timeoutMs: 120_000,
        env: { DEBIAN_FRONTEND: 'noninteractive' },
      });
      assert.equal(result.code, 0, `dpkg ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
      assert.doesNotMatch(result.stdout + result.stderr, /could not|eni-init remove|started in the background/, 'a live action ran for a --root install');
      return result.stdout + result.stderr;
    };
    const at = (path: string) => join(root, path);
    const wants = ['multi-user.target', 'network-online.target'].map((target) => at(`etc/systemd/system/${target}.wants/eni-init.service`));
    const enabled = () => wants.every((link) => {
      try {
        return readlinkSync(link) === `${UNIT_DIR}/eni-init.service`;
      } catch {
        return false;
      }
    });
    const hostHadBinary = existsSync('/usr/bin/eni-init');

    // Fresh install: every file with its mode, conffiles registered, unit enabled.
    dpkg('-i', DEB);
    for (const [mode, path] of [...COMMON_FILES, ...DEB_ONLY]) {
      const stats = lstatSync(at(path));
      assert.equal(stats.isDirectory() ? 'd' : '-', mode[0], path);
      assert.equal((stats.mode & 0o777).toString(8), mode === '-rwxr-xr-x' || mode.startsWith('d') ? '755' : '644', path);
      assert.equal(stats.uid, 0, path);
    }
    assert.equal(sha256(readFileSync(at('usr/bin/eni-init'))), packagedSha);
    const status = ok('dpkg', [`--root=${root}`, '-s', 'eni-init']);
    assert.match(status, /^Status: install ok installed$/m);
    for (const conffile of CONFFILES) assert.match(status, new RegExp(`^ ${conffile} [0-9a-f]{32}$`, 'm'));
    assert.ok(enabled(), 'eni-init.service not enabled on first install');
    assert.equal(readlinkSync(at('etc/systemd/system/timers.target.wants/eni-init-refresh.timer')), `${UNIT_DIR}/eni-init-refresh.timer`, 'eni-init-refresh.timer not enabled on first install');
    assert.equal(existsSync('/usr/bin/eni-init'), hostHadBinary, 'the host was touched');

    // Upgrade (same version again): a local conffile edit and an administrator's disable survive.
    const conf = at('etc/eni-init/eni-init.conf');
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}table-base = 2000\n`);
    for (const link of wants) rmSync(link);
    dpkg('-i', DEB);
    assert.match(readFileSync(conf, 'utf8'), /^table-base = 2000$/m, 'conffile overwritten on upgrade');
    assert.ok(!enabled(), 'upgrade re-enabled a unit the administrator disabled');
    ok('systemctl', [`--root=${root}`, '--quiet', 'enable', 'eni-init.service']);
    assert.ok(enabled());

    // Remove: files gone, conffiles kept, unit disabled; reinstall enables it again.
    dpkg('-r', 'eni-init');
    assert.ok(!existsSync(at('usr/bin/eni-init')));
    assert.ok(!existsSync(at(`${UNIT_DIR}/eni-init.service`)));
    assert.ok(existsSync(conf), 'conffile removed by remove (only purge may)');
    assert.ok(!wants.some(present), 'enablement symlinks left behind');
    assert.ok(!present(at('etc/systemd/system/timers.target.wants/eni-init-refresh.timer')), 'timer enablement left behind');
    assert.match(ok('dpkg', [`--root=${root}`, '-s', 'eni-init']), /^Status: deinstall ok config-files$/m);
    dpkg('-i', DEB);
    assert.ok(enabled(), 'reinstall after remove did not enable the unit again');
    assert.match(readFileSync(conf, 'utf8'), /^table-base = 2000$/m);

    // Purge: nothing of the package left.
    dpkg('-P', 'eni-init');
    for (const path of ['etc/eni-init', 'etc/iproute2/rt_protos.d/eni-init.conf', 'usr/bin/eni-init', 'var/lib/eni-init', ...wants.map((link) => link.slice(root.length + 1))]) {
      assert.ok(!present(at(path)), `${path} left after purge`);
    }
    assert.equal(run('dpkg', [`--root=${root}`, '-s', 'eni-init']).code, 1, 'package still known after purge');
    assert.equal(existsSync('/usr/bin/eni-init'), hostHadBinary, 'the host was touched');
  });
});

// ---- reproducibility (last: it rebuilds) ------------------------------------------------------------------

describe('reproducible', () => {
  test('a second build gives byte-identical packages', { timeout: 15 * 60_000 }, (t) => {
    const first = [sha256(readFileSync(DEB)), sha256(readFileSync(RPM))];
    const listing = (full: boolean) => ok('dpkg-deb', ['-c', DEB]).split('\n').map((line) => (full ? line : line.split(/\s+/).filter((_, i) => i === 0 || i === 1 || i === 5).join(' ')));
    const firstList = listing(true);
    const firstShort = listing(false);
    const firstRpm = ok('rpm', ['-qp', '--qf', '[%{FILEMODES:perms} %{FILENAMES}\n]', RPM]);
    const rebuilt = run(process.execPath, [join(REPO, 'build/package.mjs')], { timeoutMs: 15 * 60_000 });
    assert.equal(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr);
    assert.equal(ok('rpm', ['-qp', '--qf', '[%{FILEMODES:perms} %{FILENAMES}\n]', RPM]), firstRpm, 'rpm file list or modes changed');
    if (packagedShaOf(rebuilt.stdout) !== packagedSha) {
      // Someone rebuilt dist/eni-init between the two builds: only the file lists and modes can be compared.
      t.diagnostic('dist/eni-init changed between the two builds: compared file lists and modes, not bytes');
      assert.deepEqual(listing(false), firstShort, 'file list or modes changed');
      return;
    }
    assert.deepEqual(listing(true), firstList, 'file list, modes, sizes or mtimes changed');
    assert.deepEqual([sha256(readFileSync(DEB)), sha256(readFileSync(RPM))], first);
  });
});
