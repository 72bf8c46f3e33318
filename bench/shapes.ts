// Pure: the benchmark's simulated instances, ENIs x private IPs per ENI, each ENI in its own /24 vSwitch.
import type { SimEni, SimSpec } from '../test/sim/instance.ts';

export interface Shape {
  enis: number;
  ips: number;
}

export const DEFAULT_SHAPES: Shape[] = [
  { enis: 2, ips: 6 },
  { enis: 8, ips: 10 },
  { enis: 15, ips: 50 },
  { enis: 32, ips: 50 },
  { enis: 72, ips: 30 },
];

export function shapeName(shape: Shape): string {
  return `${shape.enis}x${shape.ips}`;
}

/** `2x6,8x10` -> shapes; throws on anything else (at most 72 ENIs as on ECS, 1..200 IPs per ENI in a /24). */
export function parseShapes(text: string): Shape[] {
  return text.split(',').map((part) => {
    const match = /^(\d{1,3})x(\d{1,3})$/.exec(part.trim());
    const enis = Number(match?.[1]);
    const ips = Number(match?.[2]);
    if (!match || enis < 1 || enis > 72 || ips < 1 || ips > 200) throw new Error(`bad shape ${JSON.stringify(part)}: expected ENIsxIPs, 1..72 x 1..200`);
    return { enis, ips };
  });
}

/**
 * ENI i is eth<i> in vSwitch 10.0.<i>.0/24 (gateway .253), private IPs 10.0.<i>.10 .. 10.0.<i>.(9+ips), the first
 * primary. Secondary ENIs boot `dhcp` (up, primary IP only), as on a real instance.
 */
export function specOf(shape: Shape, latencyMs: number): SimSpec {
  const enis: SimEni[] = [];
  for (let i = 0; i < shape.enis; i++) {
    const n = (i + 1).toString(16).padStart(2, '0');
    enis.push({
      ifname: `eth${i}`,
      mac: `00:16:3e:be:00:${n}`,
      eniId: `eni-bp1bench00000000${n}`,
      privateIps: Array.from({ length: shape.ips }, (_, j) => `10.0.${i}.${10 + j}`),
      vswitch: `10.0.${i}.0/24`,
      start: 'dhcp',
    });
  }
  return { enis, vpcCidr: '10.0.0.0/16', latencyMs };
}
