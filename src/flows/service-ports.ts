/**
 * Well-known service ports, for deciding which side of a mid-stream or UDP
 * conversation is the server. 65,536-entry tables, one per transport, filled
 * once at load time.
 */
const TCP = new Uint8Array(65536);
const UDP = new Uint8Array(65536);

const TCP_PORTS = [
  20, 21, 22, 23, 25, 53, 80, 88, 102, 110, 111, 119, 135, 139, 143, 179, 389, 443, 445, 465, 502, 515, 548, 587, 593, 631, 636,
  873, 902, 989, 990, 993, 995, 1080, 1194, 1433, 1521, 1723, 1883, 2000, 2049, 2375, 2376, 2404, 3000, 3128, 3260, 3268, 3269,
  3306, 3389, 4840, 5000, 5060, 5061, 5222, 5432, 5601, 5671, 5672, 5900, 5901, 5985, 5986, 6379, 6443, 6667, 7000, 7001, 8000,
  8008, 8080, 8081, 8088, 8443, 8883, 8888, 9000, 9090, 9092, 9100, 9200, 9300, 9418, 11211, 20000, 27017, 44818, 50000,
];
const UDP_PORTS = [
  53, 67, 68, 69, 88, 123, 137, 138, 161, 162, 389, 443, 500, 514, 520, 546, 547, 1194, 1434, 1812, 1813, 1900, 2222, 3478,
  3702, 4500, 4789, 5060, 5353, 5355, 6081, 11211, 20000, 47808,
];
for (const p of TCP_PORTS) TCP[p] = 1;
for (const p of UDP_PORTS) UDP[p] = 1;

export function isServicePort(proto: number, port: number): boolean {
  if (proto === 6) return TCP[port] === 1;
  if (proto === 17) return UDP[port] === 1;
  return false;
}
