// Builds dist/eni-init: esbuild bundles src/main.ts to one CommonJS file, pkg's SEA mode bakes it into the local Node binary (offline).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(repo, 'dist');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const only = process.argv.slice(2);

mkdirSync(dist, { recursive: true });

/**
 * undici's HTTP/2 client requires node:http2 when it loads (client-h2.js), and node:http2 loads node:tls with it:
 * about 20 built-in modules that a run never uses (the metadata service speaks plain HTTP/1.1, allowH2 is off).
 * undici guards that require with a try/catch and falls back to `{ constants: {} }` (for a Node built without
 * HTTP/2), so the bundle gives it a module that throws instead. Only undici's own import is replaced.
 */
const leaveOutHttp2 = {
  name: 'leave-out-http2',
  setup(build) {
    build.onResolve({ filter: /^node:http2$/ }, (args) => (/[\\/]undici[\\/]/.test(args.importer) ? { path: 'http2', namespace: 'left-out' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({
      contents: "throw new Error('node:http2 is left out of the eni-init bundle (the metadata service speaks HTTP/1.1)');",
      loader: 'js',
    }));
  },
};

/** Bundle one entry point into a single CommonJS file for Node 20. */
async function bundle(entry, outfile) {
  await build({
    entryPoints: [join(repo, entry)],
    outfile: join(dist, outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifySyntax: true,
    // Whitespace and comments out: a smaller source to hold and scan (undici's comments also hold non-ASCII
    // characters, which made V8 keep the whole bundle as a two-byte string). Names stay, so stacks stay readable.
    minifyWhitespace: true,
    charset: 'ascii',
    legalComments: 'none',
    define: { ENI_INIT_VERSION: JSON.stringify(pkg.version) },
    logLevel: 'warning',
    plugins: [leaveOutHttp2],
  });
}

/** A copy of the local Node binary without debug symbols: the base of the executable. */
function strippedNode() {
  const out = join(dist, '.node-base');
  copyFileSync(process.execPath, out);
  try {
    execFileSync('strip', ['--strip-debug', out], { stdio: 'inherit' });
  } catch {
    console.warn('build: strip not available, using the unstripped Node binary');
  }
  return out;
}

async function seaExecutable() {
  const bundlePath = join(dist, 'eni-init.cjs');
  const output = join(dist, 'eni-init');
  rmSync(output, { force: true });
  const sea = require('@yao-pkg/pkg/lib-es5/sea.js').default;
  const nodeMajor = process.versions.node.split('.')[0];
  // pkg runs `npx postject` from its temp dir: keep that dir inside the repo so npx finds our own
  // postject in node_modules and never downloads anything.
  const tmp = join(dist, '.tmp');
  mkdirSync(tmp, { recursive: true });
  process.env.TMPDIR = tmp;
  process.env.npm_config_offline = 'true';
  await sea(bundlePath, {
    targets: [{ nodeRange: `node${nodeMajor}`, platform: 'linux', arch: 'x64', output }],
    nodePath: strippedNode(),
    seaConfig: { useCodeCache: true },
  });
  process.chdir(repo);
  // pkg's sea() settles its bake step silently: check the result ourselves.
  if (!existsSync(output)) throw new Error('build: pkg did not produce dist/eni-init');
  chmodSync(output, 0o755);
  const version = execFileSync(output, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.includes(pkg.version)) throw new Error(`build: dist/eni-init --version printed ${JSON.stringify(version)}`);
  rmSync(join(dist, '.node-base'), { force: true });
  rmSync(tmp, { recursive: true, force: true });
  console.log(`build: dist/eni-init ${version} (${(statSync(output).size / 1048576).toFixed(1)} MiB)`);
}

if (only.length === 0 || only.includes('eni-init')) {
  await bundle('src/main.ts', 'eni-init.cjs');
  await seaExecutable();
}
if (only.length === 0 || only.includes('sim')) {
  if (existsSync(join(repo, 'test/sim/fake-imds.ts'))) await bundle('test/sim/fake-imds.ts', 'fake-imds.cjs');
}
