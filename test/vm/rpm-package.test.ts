// VM boot test (d): the .rpm on the NetworkManager image (rpm -i from runcmd); boot, reboot, hotplug, rpm -e gives the NICs back.
import { test } from 'node:test';
import { rpmScenario } from './scenarios.ts';

test('NetworkManager image, .rpm: every private IP answers after boot, reboot and NIC hotplug; rpm -e leaves every NIC connected', { timeout: 40 * 60_000 }, (t) =>
  rpmScenario(t));
