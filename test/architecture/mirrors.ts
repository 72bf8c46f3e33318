// Tests mirror src/: every module of src/ has test/unit/<path>.test.ts or test/integration/<path>.test.ts (run: node --import tsx test/architecture/mirrors.ts).
//
// A mirror may carry a middle word (`plan/gate.property.test.ts` mirrors `plan/gate.ts`). A module that holds
// nothing but types and re-exports has no behaviour to test: those are listed in TYPE_ONLY, each with why.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Modules (relative to src/) with no runtime statements of their own, so no mirrored test. */
export const TYPE_ONLY: readonly string[] = [
  'model.ts', // the shared types of the pipeline
  'persist/types.ts', // the persistence step's types
  'metadata/provider.ts', // the provider interface
  'metadata/aliyun/index.ts', // re-exports the Aliyun provider
  'version.ts', // one constant the build replaces
];

/** Every .ts module under `dir`, relative to it (posix), sorted. */
export function modulesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(relative(dir, path).split('\\').join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found.sort();
}

/** True when `test` (relative to a test folder) mirrors `module`: `a/b.ts` <- `a/b.test.ts` or `a/b.<word>.test.ts`. */
export function mirrors(module: string, test: string): boolean {
  const stem = module.replace(/\.ts$/, '');
  return test === `${stem}.test.ts` || (test.startsWith(`${stem}.`) && /^[^./]+\.test\.ts$/.test(test.slice(stem.length + 1)));
}

/** The modules of `modules` with no mirror among `tests` and not in `typeOnly`. */
export function unmirrored(modules: readonly string[], tests: readonly string[], typeOnly: readonly string[] = TYPE_ONLY): string[] {
  return modules.filter((module) => !typeOnly.includes(module) && !tests.some((test) => mirrors(module, test)));
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SRC = join(ROOT, 'src');
export const TEST_DIRS = [join(ROOT, 'test/unit'), join(ROOT, 'test/integration')];

/** The modules of src/ that have no mirrored test. */
export function missingMirrors(): string[] {
  const tests = TEST_DIRS.flatMap((dir) => modulesUnder(dir));
  return unmirrored(modulesUnder(SRC), tests);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = missingMirrors();
  for (const module of missing) process.stderr.write(`src/${module} has no test/unit/ or test/integration/ mirror\n`);
  process.stdout.write(missing.length === 0 ? 'src/: every module has a mirrored test\n' : '');
  process.exitCode = missing.length === 0 ? 0 : 1;
}
