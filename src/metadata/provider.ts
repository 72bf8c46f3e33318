// The provider contract, after NetworkManager's nm-cloud-setup (nmcs-provider.h: detect, get_config): every cloud
// answers "is this host one of my instances?" from local facts, and reads its metadata into the one network model.
//
// A new cloud is one new folder, src/metadata/<cloud>/, whose index.ts exports a MetadataProvider:
// - `detect(sysRoot)`: local facts only (DMI identity under sysRoot, never the network), fast; 'unknown' when the
//   facts cannot be read (a container without /sys/class/dmi), so that the run is not refused on no evidence;
// - `read(http, log)`: every request through the injected client (src/metadata/http.ts: deadline, retries,
//   token mode, size caps), every value validated for form, into a MetadataResult (EniMetadata per ENI, FailedEni
//   for an ENI that cannot be used, `complete` only when removals are safe). The semantic gate judges the rest;
// - its metadata facts and their evidence in shared/design (imds.md for Alibaba Cloud), its tests mirrored under
//   test/unit/metadata/<cloud>/.
// Then it is listed once in PROVIDERS (providers.ts).
import type { Logger } from '../log.ts';
import type { MetadataResult } from '../model.ts';
import type { MetadataHttp } from './http.ts';

/** What detect found: `yes`/`no` with the facts it judged (for the message), or `unknown` when none could be read. */
export interface Detection {
  verdict: 'yes' | 'no' | 'unknown';
  /** The facts read, e.g. `sys_vendor="Alibaba Cloud", product_name="Alibaba Cloud ECS"`, or why none could be. */
  evidence: string;
}

export interface MetadataProvider {
  /** Stable short name: `aliyun`. */
  readonly name: string;
  /** What an instance of this cloud is called in messages: `an Alibaba Cloud ECS instance`. */
  readonly instanceKind: string;
  /** Whether this host is an instance of this cloud, from local facts under `sysRoot` (`/` on a real host). */
  detect(sysRoot: string): Promise<Detection>;
  /** The network model, read through `http` (its base URL, deadline and token mode are the caller's). */
  read(http: MetadataHttp, log: Logger): Promise<MetadataResult>;
}
