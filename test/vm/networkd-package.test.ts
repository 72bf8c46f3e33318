// VM boot test (b): Debian 12 with systemd-networkd, the .deb installed by cloud-init; boot, reboot, networkd restart, DHCP renewal, hotplug.
import { test } from 'node:test';
import { packageScenario } from './scenarios.ts';

test('systemd-networkd image, package mode: every private IP answers after boot, reboot, networkd restart, DHCP renewal and NIC hotplug', { timeout: 40 * 60_000 }, (t) =>
  packageScenario(t, 'networkd'));
