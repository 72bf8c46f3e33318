// Builds the packages from the prebuilt executable (npm run package):
//   dist/eni-init_<version>_amd64.deb     dpkg-deb --root-owner-group --build
//   dist/eni-init-<version>-1.x86_64.rpm  rpmbuild -bb packaging/rpm/eni-init.spec
// The file trees are staged in dist/pkgroot/{deb,rpm} with explicit modes and mtimes (SOURCE_DATE_EPOCH, by
// default the date of packaging/deb/changelog), so the same inputs give the same file lists, modes and times.
// Usage: node build/package.mjs [deb] [rpm]   (default: both)
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, closeSync,
  readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(repo, 'dist');
const packaging = join(repo, 'packaging');
const exe = join(dist, 'eni-init');

function fail(message) {
  console.error(`package: error: ${message}`);
  process.exit(1);
}
const say = (message) => console.log(`package: ${message}`);

const wanted = process.argv.slice(2);
for (const arg of wanted) if (arg !== 'deb' && arg !== 'rpm') fail(`unknown argument ${JSON.stringify(arg)} (usage: node build/package.mjs [deb] [rpm])`);
const build = { deb: wanted.length === 0 || wanted.includes('deb'), rpm: wanted.length === 0 || wanted.includes('rpm') };

// --- tools ---------------------------------------------------------------------------------------------------
function onPath(tool) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      return dir !== '' && statSync(join(dir, tool)).isFile();
    } catch {
      return false;
    }
  });
}
const missing = [];
if (build.deb && !onPath('dpkg-deb')) missing.push('dpkg-deb (Debian package "dpkg")');
if (build.rpm && !onPath('rpmbuild')) missing.push('rpmbuild (Debian package "rpm": apt-get install rpm)');
if (missing.length > 0) fail(`missing tool${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);

// --- version and executable ----------------------------------------------------------------------------------
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const version = String(pkg.version);
if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.]+)?$/.test(version)) fail(`package.json version ${JSON.stringify(version)} is not X.Y.Z[-pre]`);
// A semver pre-release sorts before its release in both dpkg and rpm when written with "~" ("1.0.0~rc.1").
const pkgVersion = version.replace('-', '~').replace('+', '.');

if (!existsSync(exe)) {
  say('dist/eni-init is missing: building it (node build/build.mjs eni-init)');
  const built = spawnSync(process.execPath, [join(repo, 'build/build.mjs'), 'eni-init'], { cwd: repo, stdio: 'inherit' });
  if (built.status !== 0 || !existsSync(exe)) fail('node build/build.mjs did not produce dist/eni-init');
}
{
  const header = Buffer.alloc(20);
  const fd = openSync(exe, 'r');
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  const isElf = header.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  if (!isElf || header[4] !== 2 || header[5] !== 1 || header.readUInt16LE(18) !== 62) {
    fail('dist/eni-init is not an x86-64 ELF executable; the packages are amd64/x86_64 only (build on x86_64)');
  }
  let printed = '';
  try {
    printed = execFileSync(exe, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch (error) {
    fail(`dist/eni-init --version failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (printed !== `eni-init ${version}`) fail(`dist/eni-init prints ${JSON.stringify(printed)} but package.json says ${version}: run npm run build`);
}

// --- reproducibility -----------------------------------------------------------------------------------------
const debChangelog = readFileSync(join(packaging, 'deb/changelog'), 'utf8');
function sourceDateEpoch() {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^\d+$/.test(fromEnv)) fail(`SOURCE_DATE_EPOCH ${JSON.stringify(fromEnv)} is not a number of seconds`);
    return Number(fromEnv);
  }
  const trailer = /^ -- .+? <[^>]+>  (.+)$/m.exec(debChangelog);
  const ms = trailer ? Date.parse(trailer[1]) : Number.NaN;
  if (!Number.isFinite(ms)) fail('cannot read the date of the first entry of packaging/deb/changelog');
  return Math.floor(ms / 1000);
}
const epoch = sourceDateEpoch();
const firstChangelogVersion = /^eni-init \(([^)]+)\)/.exec(debChangelog)?.[1];
if (firstChangelogVersion !== pkgVersion) {
  console.warn(`package: warning: packaging/deb/changelog starts with ${firstChangelogVersion ?? '?'}, not ${pkgVersion}; add an entry (and to packaging/rpm/eni-init.spec %changelog)`);
}

// --- staging -------------------------------------------------------------------------------------------------
const pkgroot = join(dist, 'pkgroot');
rmSync(pkgroot, { recursive: true, force: true });

function put(tree, path, content, mode) {
  const target = join(tree, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}
const source = (path) => readFileSync(join(packaging, path));
const gzip = (data) => gzipSync(data, { level: 9 }); // zlib writes mtime 0 and no name: reproducible

/** The man page with the version of package.json in its .TH line. */
function manPage() {
  const text = readFileSync(join(packaging, 'eni-init.8'), 'utf8');
  const th = /^(\.TH ENI-INIT 8 "[^"]*" )"eni-init [^"]*"/m;
  if (!th.test(text)) fail('packaging/eni-init.8: no .TH ENI-INIT 8 "<date>" "eni-init <version>" line');
  return Buffer.from(text.replace(th, `$1"eni-init ${version}"`));
}

/** The bash completion script, generated from the option table (src/cli/completion.ts, bundled in memory). */
async function bashCompletion() {
  const bundled = buildSync({
    entryPoints: [join(repo, 'src/cli/completion.ts')], bundle: true, write: false, platform: 'node', format: 'esm', logLevel: 'warning',
  });
  const code = bundled.outputFiles[0].text;
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  if (module.BASH_COMPLETION_PATH !== '/usr/share/bash-completion/completions/eni-init') fail('src/cli/completion.ts names another completion path');
  return Buffer.from(module.bashCompletion());
}

function license() {
  const own = join(repo, 'LICENSE');
  if (existsSync(own)) return readFileSync(own);
  const debian = '/usr/share/common-licenses/Apache-2.0';
  if (existsSync(debian)) {
    console.warn('package: warning: no LICENSE at the repository root; using the Apache-2.0 text of /usr/share/common-licenses');
    return readFileSync(debian);
  }
  return fail('no LICENSE at the repository root (needed for the rpm %license)');
}

/** The files both packages install: [path, content or {copy}, mode]. */
const common = [
  ['etc/eni-init/eni-init.conf', source('eni-init.conf'), 0o644],
  ['etc/iproute2/rt_protos.d/eni-init.conf', source('iproute2/eni-init.conf'), 0o644],
  ['usr/lib/systemd/system/eni-init.service', source('systemd/eni-init.service'), 0o644],
  ['usr/lib/systemd/system/eni-init@.service', source('systemd/eni-init@.service'), 0o644],
  ['usr/lib/udev/rules.d/81-eni-init.rules', source('udev/81-eni-init.rules'), 0o644],
  ['usr/lib/systemd/system/eni-init-refresh.timer', source('systemd/eni-init-refresh.timer'), 0o644],
  ['usr/lib/systemd/system/eni-init-refresh.service', source('systemd/eni-init-refresh.service'), 0o644],
  ['usr/lib/systemd/system/eni-init-detach@.service', source('systemd/eni-init-detach@.service'), 0o644],
  ['usr/lib/systemd/system-generators/eni-init-refresh-generator', source('systemd/eni-init-refresh-generator'), 0o755],
  ['usr/lib/eni-init/replayed-add', source('lib/replayed-add'), 0o755],
  ['usr/share/man/man8/eni-init.8.gz', gzip(manPage()), 0o644],
  ['usr/share/bash-completion/completions/eni-init', await bashCompletion(), 0o644],
];
// Directories shipped empty: eni-init writes its cloud-init drop-in and its networkd.conf drop-in there, also on
// images without cloud-init, and the units' sandbox (ProtectSystem=strict) can only make an existing directory writable.
const emptyDirs = ['etc/cloud/cloud.cfg.d', 'etc/systemd/networkd.conf.d'];

let stagedBinary;
function stageCommon(tree) {
  mkdirSync(join(tree, 'usr/bin'), { recursive: true });
  const target = join(tree, 'usr/bin/eni-init');
  if (stagedBinary === undefined) {
    copyFileSync(exe, target);
    stagedBinary = target;
    // Both packages carry this one copy (hard link): the same bytes even if dist/eni-init is rebuilt meanwhile.
    say(`packaging dist/eni-init, sha256 ${createHash('sha256').update(readFileSync(target)).digest('hex')}`);
  } else {
    linkSync(stagedBinary, target);
  }
  chmodSync(target, 0o755);
  for (const [path, content, mode] of common) put(tree, path, content, mode);
  for (const dir of emptyDirs) mkdirSync(join(tree, dir), { recursive: true });
}

/** Every path under `dir`, sorted, depth first (directories before their contents). */
function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    out.push(path);
    if (lstatSync(path).isDirectory()) out.push(...walk(path));
  }
  return out;
}

/** Directories 0755, and every mtime set to SOURCE_DATE_EPOCH (contents first, then their directory). */
function normalize(tree) {
  const paths = walk(tree);
  for (const path of paths) if (lstatSync(path).isDirectory()) chmodSync(path, 0o755);
  chmodSync(tree, 0o755);
  for (const path of [...paths].reverse()) utimesSync(path, epoch, epoch);
  utimesSync(tree, epoch, epoch);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch), LC_ALL: 'C' }, ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

// --- .deb ----------------------------------------------------------------------------------------------------
function buildDeb() {
  const tree = join(pkgroot, 'deb');
  stageCommon(tree);
  put(tree, 'usr/share/doc/eni-init/copyright', source('deb/copyright'), 0o644);
  put(tree, 'usr/share/doc/eni-init/changelog.gz', gzip(Buffer.from(debChangelog)), 0o644);

  // Installed-Size: KiB, each file rounded up, each directory 1 (as dpkg-gencontrol counts).
  let kib = 0;
  const md5sums = [];
  const conffiles = source('deb/conffiles').toString().split('\n').filter((line) => line.trim() !== '');
  for (const path of walk(tree)) {
    const stats = lstatSync(path);
    const rel = relative(tree, path);
    kib += stats.isDirectory() ? 1 : Math.ceil(stats.size / 1024);
    if (stats.isFile() && !conffiles.includes(`/${rel}`)) md5sums.push(`${createHash('md5').update(readFileSync(path)).digest('hex')}  ${rel}\n`);
  }
  for (const conffile of conffiles) if (!existsSync(join(tree, conffile))) fail(`packaging/deb/conffiles lists ${conffile}, which is not in the package`);

  const control = source('deb/control').toString().replaceAll('@VERSION@', pkgVersion).replaceAll('@INSTALLED_SIZE@', String(kib));
  if (/@[A-Z_]+@/.test(control)) fail('packaging/deb/control has an unknown @PLACEHOLDER@');
  put(tree, 'DEBIAN/control', control, 0o644);
  put(tree, 'DEBIAN/conffiles', conffiles.map((line) => `${line}\n`).join(''), 0o644);
  put(tree, 'DEBIAN/md5sums', md5sums.join(''), 0o644);
  for (const script of ['postinst', 'prerm', 'postrm']) put(tree, `DEBIAN/${script}`, source(`deb/${script}`), 0o755);
  normalize(tree);

  const output = join(dist, `eni-init_${pkgVersion}_amd64.deb`);
  rmSync(output, { force: true });
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, output]);
  say(`${relative(repo, output)} (${(statSync(output).size / 1048576).toFixed(1)} MiB)`);
}

// --- .rpm ----------------------------------------------------------------------------------------------------
function buildRpm() {
  const tree = join(pkgroot, 'rpm');
  stageCommon(tree);
  put(tree, 'usr/share/doc/eni-init/CHANGELOG', source('CHANGELOG'), 0o644);
  put(tree, 'usr/share/licenses/eni-init/LICENSE', license(), 0o644);
  normalize(tree);

  const topdir = join(dist, 'rpmbuild');
  rmSync(topdir, { recursive: true, force: true });
  for (const dir of ['BUILD', 'BUILDROOT', 'RPMS', 'SOURCES', 'SPECS', 'SRPMS']) mkdirSync(join(topdir, dir), { recursive: true });
  run('rpmbuild', [
    '-bb', '--quiet', '--target', 'x86_64',
    '--define', `_topdir ${topdir}`,
    '--define', `pkgroot ${tree}`,
    '--define', `pkg_version ${pkgVersion}`,
    join(packaging, 'rpm/eni-init.spec'),
  ]);
  const name = `eni-init-${pkgVersion}-1.x86_64.rpm`;
  const built = join(topdir, 'RPMS/x86_64', name);
  if (!existsSync(built)) fail(`rpmbuild did not produce RPMS/x86_64/${name}`);
  const output = join(dist, name);
  rmSync(output, { force: true });
  renameSync(built, output);
  rmSync(topdir, { recursive: true, force: true });
  say(`${relative(repo, output)} (${(statSync(output).size / 1048576).toFixed(1)} MiB)`);
}

if (build.deb) buildDeb();
if (build.rpm) buildRpm();
