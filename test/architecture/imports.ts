// The import graph of src/: fails on any import cycle and on any upward import (run: node --import tsx test/architecture/imports.ts).
//
// "Upward": every module of src/ belongs to one layer of LAYERS below (the longest matching prefix decides, so a
// single file can be placed apart from its folder). A module may import from its own layer or a lower one (earlier
// in the table), never from a higher one (later in the table). Lower layers are the shared model and the pure
// rules; higher ones the steps that use them, then the pipeline, then the entry point. Cycles are refused in
// every case, within a layer too. Type-only imports count: a type is a dependency of the reader as much as a value.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Lowest first. Prefixes are relative to src/; a folder ends with `/`. Adjust here when a module moves. */
export const LAYERS: readonly (readonly string[])[] = [
  ['model.ts', 'errors.ts', 'log.ts', 'signals.ts', 'v8-flags.ts', 'version.ts'],
  // The refresh-interval grammar is an option's value rule (cli/ checks it), apart from the rest of lifecycle/.
  ['net/', 'lifecycle/refresh.ts'],
  ['files/', 'exec/'],
  ['plan/'],
  ['metadata/', 'kernel/'],
  ['discover/', 'apply/'],
  ['persist/'],
  ['cli/'],
  ['report/'],
  // Why a run started and what that changes: refresh, hot-plug replays, detach (the entry decides before a run).
  ['lifecycle/'],
  ['pipeline/'],
  // Commands over the whole pipeline: `metadata` reads and prints; preflight checks the options before a run.
  ['run.ts', 'preflight.ts', 'metadata/command.ts'],
  // The run path main.ts loads lazily (only for a command that runs), then the entry point itself.
  ['main-run.ts'],
  ['main.ts'],
];

export interface Finding {
  kind: 'cycle' | 'upward' | 'unlayered';
  message: string;
}

/** Module path relative to src/ (posix) -> the src/ modules it imports. */
export function importGraph(srcDir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const from = relative(srcDir, path).split('\\').join('/');
        const imports = ts
          .preProcessFile(readFileSync(path, 'utf8'), true, true)
          .importedFiles.map((file) => file.fileName)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => posix.normalize(posix.join(posix.dirname(from), spec)));
        graph.set(from, [...new Set(imports)]);
      }
    }
  };
  walk(srcDir);
  return graph;
}

export function layerOf(module: string, layers: readonly (readonly string[])[] = LAYERS): number | undefined {
  let best: { layer: number; length: number } | undefined;
  layers.forEach((prefixes, layer) => {
    for (const prefix of prefixes) {
      const matches = prefix.endsWith('/') ? module.startsWith(prefix) : module === prefix;
      if (matches && (best === undefined || prefix.length > best.length)) best = { layer, length: prefix.length };
    }
  });
  return best?.layer;
}

/** Every cycle once, as the path of modules that closes it (Tarjan's strongly connected components). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

export function check(graph: ReadonlyMap<string, readonly string[]>, layers: readonly (readonly string[])[] = LAYERS): Finding[] {
  const findings: Finding[] = [];
  for (const cycle of cycles(graph)) findings.push({ kind: 'cycle', message: `import cycle: ${cycle.join(' <-> ')}` });
  for (const [from, targets] of graph) {
    const own = layerOf(from, layers);
    if (own === undefined) {
      findings.push({ kind: 'unlayered', message: `${from} is in no layer: add it to LAYERS in test/architecture/imports.ts` });
      continue;
    }
    for (const target of targets) {
      const theirs = layerOf(target, layers);
      if (theirs !== undefined && theirs > own) findings.push({ kind: 'upward', message: `upward import: ${from} (layer ${own}) imports ${target} (layer ${theirs})` });
    }
  }
  return findings;
}

export const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const findings = check(importGraph(SRC));
  for (const finding of findings) process.stderr.write(`${finding.message}\n`);
  process.stdout.write(findings.length === 0 ? 'src/: no import cycles, no upward imports\n' : '');
  process.exitCode = findings.length === 0 ? 0 : 1;
}
