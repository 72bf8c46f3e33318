// The Alibaba Cloud provider: detect from the DMI identity (detect.ts), read the ECS metadata service (read.ts).
import type { MetadataProvider } from '../provider.ts';
import { detectEcs } from './detect.ts';
import { readAliyunMetadata } from './read.ts';

export const aliyunProvider: MetadataProvider = {
  name: 'aliyun',
  instanceKind: 'an Alibaba Cloud ECS instance',
  detect: detectEcs,
  read: readAliyunMetadata,
};
