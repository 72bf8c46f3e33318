// Imported first by main-run.ts (the run path main.ts loads lazily): loads the Node built-ins the run uses, then sets the V8 flags that pay for themselves.
//
// Setting a V8 flag at run time changes V8's flag hash, and Node then rejects its embedded code cache for every
// built-in compiled afterwards (each is compiled from source). So the built-ins a run loads are required here,
// before the flags, while the code cache still matches. The list is what a converging run loads of the bundle's
// `require("node:...")` (test/integration/v8-flags.test.ts runs one and fails on a built-in loaded after the flags).
// Built-ins the bundle names but a run never loads stay out: undici's TLS connector (https only), its fetch code
// (zlib, perf_hooks, worker_threads, util/types) and node:http2, which the build leaves out (build/build.mjs).
import { setFlagsFromString } from 'node:v8';

export const PRELOAD = ('assert buffer child_process crypto diagnostics_channel events fs fs/promises http net os path path/posix querystring ' +
  'stream timers/promises util').split(' ').map((id) => `node:${id}`);

// Plain `import 'node:x'` lines would not do: esbuild drops side-effect imports of built-ins from the bundle.
// (process.getBuiltinModule is Node >= 20.16; the executable embeds the build machine's Node, so it is there.)
for (const id of PRELOAD) process.getBuiltinModule?.(id);

// Measured with bench/ab.ts at 72x30, 5 interleaved rounds on a loaded shared machine (CPU = user+system of the
// process; wall time was too noisy there to decide on). Preloading above: `--version` CPU 90 -> 60 ms, apply
// 880 -> 780 ms.
//
// --liftoff-only: undici's llhttp parser is WebAssembly; a run lives under a second, so the baseline compiler alone
// (no optimizing recompile on a background thread). Private peak 50.8 -> 42.2 MB, apply CPU 790 -> 700 ms,
// no-change CPU 690 -> 510 ms. Kept.
// --optimize-for-size (dropped): with --liftoff-only, private peak 42.2 -> 39.0 MB but apply CPU 700 -> 780 ms and
// no-change 510 -> 610 ms; alone it saved nothing (51.2 MB). Not worth its time on the boot path.
setFlagsFromString('--liftoff-only');
// --semi-space-growth-factor=1: the young generation stays at its initial 1 MB semi-spaces instead of doubling up to
// 16 MB while the metadata responses and `ip` output arrive (read at every growth, so it works when set at run
// time; --max-semi-space-size does not, the heap is sized at start). bench/ab.ts at 72x30, 5 interleaved rounds on
// the loaded machine: private peak 50.5 -> 34.5 MB, total 95.0 -> 79.8 MB; apply CPU 1090 -> 1080 ms, no-change
// 760 -> 720 ms (more scavenges, each smaller: no measurable cost). Kept.
setFlagsFromString('--semi-space-growth-factor=1');
