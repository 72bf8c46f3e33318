// The floor's start term: a hello-world executable built exactly as build/build.mjs builds eni-init (esbuild to one
// CommonJS file, @yao-pkg/pkg SEA mode on a debug-stripped copy of the local Node, code cache on, offline).
// Usage: node bench/hello-sea.mjs  -> prints the executable's path; reuses it while the local Node is the same.
// A separate process because pkg's sea() changes the working directory and TMPDIR.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository (dist/ is not committed): pkg runs `npx postject` from TMPDIR, which must find our postject.
const dir = join(repo, 'dist', '.bench-hello');
const output = join(dir, 'hello');
const stamp = join(dir, 'stamp');
const key = `${process.version} ${process.execPath}`;
const require = createRequire(import.meta.url);

if (!(existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key)) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'hello.js'), "process.stdout.write('hello\\n');\n");
  await build({
    entryPoints: [join(dir, 'hello.js')],
    outfile: join(dir, 'hello.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const base = join(dir, 'node-base');
  copyFileSync(process.execPath, base);
  try {
    execFileSync('strip', ['--strip-debug', base], { stdio: 'ignore' });
  } catch {
    // as build/build.mjs: unstripped when strip is missing
  }
  process.env.TMPDIR = join(dir, 'tmp');
  process.env.npm_config_offline = 'true';
  const sea = require('@yao-pkg/pkg/lib-es5/sea.js').default;
  const nodeMajor = process.versions.node.split('.')[0];
  // pkg prints its progress on stdout: keep stdout for the path alone.
  const log = console.log;
  console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`);
  await sea(join(dir, 'hello.cjs'), {
    targets: [{ nodeRange: `node${nodeMajor}`, platform: 'linux', arch: 'x64', output }],
    nodePath: base,
    seaConfig: { useCodeCache: true },
  });
  console.log = log;
  process.chdir(repo);
  if (!existsSync(output)) throw new Error('hello-sea: pkg did not produce the executable');
  chmodSync(output, 0o755);
  const said = execFileSync(output, [], { encoding: 'utf8' });
  if (said !== 'hello\n') throw new Error(`hello-sea: the executable printed ${JSON.stringify(said)}`);
  rmSync(base, { force: true });
  rmSync(join(dir, 'tmp'), { recursive: true, force: true });
  writeFileSync(stamp, key);
}
process.stdout.write(`${output}\n`);
