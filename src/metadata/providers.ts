// Which provider reads the metadata, decided before any network request: the one list of providers, and "where am I".
import { NotOnCloudError } from '../errors.ts';
import { aliyunProvider } from './aliyun/index.ts';
import type { Detection, MetadataProvider } from './provider.ts';

/** Every provider; the first is the default (the one whose metadata URL is --metadata-url's default). */
export const PROVIDERS: readonly MetadataProvider[] = [aliyunProvider];

export interface ProviderChoice {
  provider: MetadataProvider;
  /** What detect found; absent when an explicit metadata URL skipped it. */
  detection?: Detection;
}

/**
 * The provider for this run. With an explicit metadata URL (flag, environment or config file: tests, the
 * simulator, a proxy) nothing is checked and the default provider reads it. Otherwise the DMI identity under
 * `sysRoot` must not say "another machine": `no` from every provider is a NotOnCloudError (exit 12) before any
 * request; `unknown` (DMI unreadable, e.g. in a container) is no evidence either way, and the run goes on.
 */
export async function detectProvider(options: { metadataUrlExplicit?: boolean }, sysRoot = '/', providers: readonly MetadataProvider[] = PROVIDERS): Promise<ProviderChoice> {
  const fallback = providers[0];
  if (fallback === undefined) throw new Error('no metadata provider');
  if (options.metadataUrlExplicit === true) return { provider: fallback };
  const detections = await Promise.all(providers.map(async (provider) => ({ provider, detection: await provider.detect(sysRoot) })));
  const found = detections.find((entry) => entry.detection.verdict === 'yes') ?? detections.find((entry) => entry.detection.verdict === 'unknown');
  if (found !== undefined) return found;
  const first = detections[0] as { provider: MetadataProvider; detection: Detection };
  throw new NotOnCloudError(
    `this does not look like ${first.provider.instanceKind} (${first.detection.evidence}); pass --metadata-url to use a metadata service anyway`,
    { details: { evidence: first.detection.evidence } },
  );
}
