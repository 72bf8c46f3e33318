// Types for the one undici module the bundle takes (src/metadata/http.ts): undici's Pool, without its index (fetch,
// WebSocket, cache, proxy agents...), which would load and compile on every run. undici has no `exports` map, so the
// file is importable; its types are undici's own.
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}
