// "Where am I": is this host an Alibaba Cloud ECS instance? Judged from the DMI (SMBIOS) identity, never the network.
//
// Evidence for the strings:
// - cloud-init's Aliyun datasource (cloudinit/sources/DataSourceAliYun.py, `_is_aliyun`): ECS iff the DMI
//   `system-product-name` (/sys/class/dmi/id/product_name) is exactly "Alibaba Cloud ECS" (ALIYUN_PRODUCT).
// - The modalias of a real ECS instance, quoted in open-license-manager's cloud detection:
//   `dmi:bvnSeaBIOS:...:svnAlibabaCloud:pnAlibabaCloudECS:...:cvnAlibabaCloud:...` (udev's hwdb keys drop the
//   spaces), i.e. sys_vendor "Alibaba Cloud", product_name "Alibaba Cloud ECS"; `hostnamectl` on an ECS instance
//   (Rocky 9, FreeBSD-Ask's Aliyun notes) shows "Hardware Vendor: Alibaba Cloud", "Hardware Model: Alibaba Cloud ECS".
// - systemd matches clouds the same way in hwdb.d/40-imds.hwdb (`dmi:*:svn<vendor>:*`, `dmi:*:pn<product>:*`, e.g.
//   Scaleway's `svnScaleway`, GCE's `pnGoogleComputeEngine`); the version read (3025f078) lists no Alibaba entry yet,
//   and src/basic/virt.c's DMI vendor table has none either (ECS reports plain KVM there).
// Either value is enough (a bare-metal ECS instance or an older image may differ in one of them); both are compared
// after trimming the kernel's trailing newline, case-sensitively, as cloud-init and hwdb do.
// Unreadable DMI (no /sys/class/dmi in a container or under some hypervisors) is `unknown`: no reason to refuse.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Detection } from '../provider.ts';

export const ECS_SYS_VENDOR = 'Alibaba Cloud';
export const ECS_PRODUCT_NAME = 'Alibaba Cloud ECS';
const DMI_DIR = 'sys/class/dmi/id';

/** The file's first line, trimmed; null when it cannot be read (absent, no permission, not a file). */
async function dmiValue(sysRoot: string, name: string): Promise<string | null> {
  try {
    const text = await readFile(join(sysRoot, DMI_DIR, name), 'utf8');
    return (text.split('\n')[0] ?? '').trim().slice(0, 128);
  } catch {
    return null;
  }
}

/** Pure: the verdict for the two DMI values (null = unreadable). */
export function judgeDmi(sysVendor: string | null, productName: string | null): Detection {
  const shown = (value: string | null) => (value === null ? 'unreadable' : JSON.stringify(value));
  const evidence = `DMI sys_vendor=${shown(sysVendor)}, product_name=${shown(productName)}`;
  if (sysVendor === null && productName === null) return { verdict: 'unknown', evidence };
  const ecs = sysVendor === ECS_SYS_VENDOR || productName === ECS_PRODUCT_NAME;
  return { verdict: ecs ? 'yes' : 'no', evidence };
}

/** Reads `<sysRoot>/sys/class/dmi/id/{sys_vendor,product_name}` and judges them. */
export async function detectEcs(sysRoot: string): Promise<Detection> {
  const [sysVendor, productName] = await Promise.all([dmiValue(sysRoot, 'sys_vendor'), dmiValue(sysRoot, 'product_name')]);
  return judgeDmi(sysVendor, productName);
}
