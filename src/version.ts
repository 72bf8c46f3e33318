// The version eni-init reports: set by the build (build/build.mjs defines ENI_INIT_VERSION), '0.0.0-dev' from source.
declare const ENI_INIT_VERSION: string | undefined;
export const VERSION = typeof ENI_INIT_VERSION === 'string' ? ENI_INIT_VERSION : '0.0.0-dev';
