// The sim's small helper programs: a TCP echo server for the instance, ping and TCP checks for the client, a stats read.

export const ECHO_PORT = 7;

/** `node -e` program: echo server on every address (IPv4 and IPv6), ready file once listening, exits with its parent. */
export const ECHO_SERVER = `
const [port, ready, parent] = process.argv.slice(1);
const net = require('node:net'), fs = require('node:fs');
const server = net.createServer((socket) => { socket.on('error', () => {}); socket.pipe(socket); });
server.listen({ port: Number(port), host: '::', ipv6Only: false }, () => fs.writeFileSync(ready, 'ok'));
setInterval(() => { try { process.kill(Number(parent), 0); } catch { process.exit(0); } }, 1000).unref();
process.on('SIGTERM', () => process.exit(0));
`;

/** argv: one echo ping, `timeoutS` seconds at most. */
export function pingArgv(ip: string, timeoutS: number): string[] {
  return ['ping', ...(ip.includes(':') ? ['-6'] : []), '-n', '-q', '-c', '1', '-W', String(timeoutS), ip];
}

/** argv: connect, send a line, expect it back; exit 0 only on a full round trip, bounded by `timeout`. */
export function tcpCheckArgv(ip: string, port: number, timeoutS: number): string[] {
  const script = 'exec 3<>"/dev/tcp/$0/$1" || exit 1; printf "eni-sim\\n" >&3; IFS= read -r -t 2 line <&3; [ "$line" = eni-sim ]';
  return ['timeout', '-s', 'KILL', String(timeoutS), 'bash', '-c', script, ip, String(port)];
}

/** argv: one raw HTTP/1.0 request to the fake metadata service from inside the router namespace. */
export function httpArgv(method: 'GET' | 'POST', host: string, path: string): string[] {
  const script = 'exec 3<>"/dev/tcp/$0/80" || exit 1; printf "%s %s HTTP/1.0\\r\\nHost: %s\\r\\nContent-Length: 0\\r\\n\\r\\n" "$1" "$2" "$0" >&3; cat <&3';
  return ['timeout', '-s', 'KILL', '5', 'bash', '-c', script, host, method, path];
}

/** The body of a raw HTTP response, or throws on a non-200 status. */
export function httpBody(response: string): string {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1];
  if (status !== '200') throw new Error(`fake IMDS answered ${status ?? 'nothing'}: ${response.slice(0, 200)}`);
  const split = response.indexOf('\r\n\r\n');
  return split < 0 ? '' : response.slice(split + 4);
}
