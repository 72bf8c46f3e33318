// VM boot test (c): Debian 12 with cloud-init rendering netplan for systemd-networkd (an Ubuntu-style stack), the .deb installed by cloud-init.
import { test } from 'node:test';
import { packageScenario } from './scenarios.ts';

test('netplan image, package mode: every private IP answers after boot, reboot, networkd restart and NIC hotplug; the primary is never re-configured; remove gives the NICs back', { timeout: 40 * 60_000 }, (t) =>
  packageScenario(t, 'netplan'));
