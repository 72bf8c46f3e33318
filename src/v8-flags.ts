// Imported first by main-run.ts (the run path main.ts loads lazily): loads the Node built-ins the run uses, then sets the one V8 flag that pays for itself.
//
// Setting a V8 flag at run time changes V8's flag hash, and Node then rejects its embedded code cache for every
// built-in compiled afterwards (each is compiled from source). So the built-ins are required here, before the
// flags, while the code cache still matches. This list is the node: modules the bundle requires (undici's included:
// `grep -o 'require("node:[^"]*")' dist/eni-init.cjs | sort -u`); one left out is only slower to load, never wrong.
import { setFlagsFromString } from 'node:v8';

const PRELOAD = ('assert async_hooks buffer child_process console crypto diagnostics_channel dns events fs fs/promises http http2 net os ' +
  'path path/posix perf_hooks querystring stream string_decoder timers/promises tls url util util/types worker_threads zlib').split(' ').map((id) => `node:${id}`);

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
