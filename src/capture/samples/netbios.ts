/**
 * NetBIOS name service messages (RFC 1002 §4.2; UDP 137) built in code for
 * the sample captures: the broadcast name registrations a Windows machine
 * sends when its interface comes up, a name query and its answer.
 */

/** Suffixes: 0x00 workstation, 0x20 file server service, 0x1e browser election (group). */
export const NB_SUFFIX = { WORKSTATION: 0x00, SERVER: 0x20, BROWSER_ELECTION: 0x1e, MASTER_BROWSER: 0x1d } as const;

/** The first-level encoded name (RFC 1001 §14.1) as a DNS-style name: 0x20, 32 letters, 0x00. */
export function netbiosName(name: string, suffix: number): Buffer {
  const raw = Buffer.alloc(16, 0x20);
  Buffer.from(name.toUpperCase().slice(0, 15), 'latin1').copy(raw, 0);
  raw[15] = suffix;
  const out = Buffer.alloc(34);
  out[0] = 32;
  for (let i = 0; i < 16; i++) {
    out[1 + 2 * i] = 0x41 + (raw[i]! >> 4);
    out[2 + 2 * i] = 0x41 + (raw[i]! & 0xf);
  }
  out[33] = 0;
  return out;
}

const NB = 0x20;
const IN = 1;

function nbRdata(ip: string, group: boolean): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(group ? 0x8000 : 0x0000, 0); // B-node
  Buffer.from(ip.split('.').map(Number)).copy(b, 2);
  return b;
}

function header(id: number, flags: number, qd: number, an: number, ar: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(0, 8);
  h.writeUInt16BE(ar, 10);
  return h;
}

/** Broadcast name registration request (opcode 5, RD and B set), the name in the question and an additional record pointing at it. */
export function nbnsRegistration(o: { id: number; name: string; suffix: number; ip: string; group?: boolean; ttl?: number }): Buffer {
  const q = Buffer.alloc(4);
  q.writeUInt16BE(NB, 0);
  q.writeUInt16BE(IN, 2);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
  rr.writeUInt16BE(NB, 2);
  rr.writeUInt16BE(IN, 4);
  rr.writeUInt32BE(o.ttl ?? 300_000, 6);
  rr.writeUInt16BE(6, 10);
  return Buffer.concat([header(o.id, 0x2910, 1, 0, 1), netbiosName(o.name, o.suffix), q, rr, nbRdata(o.ip, o.group ?? false)]);
}

/** Broadcast name query (opcode 0, RD and B set). */
export function nbnsQuery(o: { id: number; name: string; suffix: number }): Buffer {
  const q = Buffer.alloc(4);
  q.writeUInt16BE(NB, 0);
  q.writeUInt16BE(IN, 2);
  return Buffer.concat([header(o.id, 0x0110, 1, 0, 0), netbiosName(o.name, o.suffix), q]);
}

/** Positive name query response (AA, RD), the owner's address in the answer. */
export function nbnsQueryResponse(o: { id: number; name: string; suffix: number; ip: string; ttl?: number }): Buffer {
  const rr = Buffer.alloc(10);
  rr.writeUInt16BE(NB, 0);
  rr.writeUInt16BE(IN, 2);
  rr.writeUInt32BE(o.ttl ?? 300_000, 4);
  rr.writeUInt16BE(6, 8);
  return Buffer.concat([header(o.id, 0x8500, 0, 1, 0), netbiosName(o.name, o.suffix), rr, nbRdata(o.ip, false)]);
}
