/**
 * SSDP (UPnP discovery, UDP 1900): HTTP-formatted NOTIFY announcements,
 * M-SEARCH queries and their unicast answers. An announcement or answer
 * describes its sender: SERVER (OS and UPnP stack), LOCATION (the device
 * description URL), NT/ST and USN (device type and UUID). A search's
 * USER-AGENT describes the searching client.
 */
import { header, parseHttpHead } from './http-head.js';
import { Verdict, type Dissector } from './types.js';

/** Device or service type from an NT/ST/USN value: "urn:schemas-upnp-org:device:MediaRenderer:1". */
function deviceUrn(v: string | null): string | null {
  if (v === null) return null;
  const m = /urn:[^:\s]+:device:[^:\s]+(?::\d+)?/i.exec(v);
  return m ? m[0] : null;
}

export const ssdpDissector: Dissector = {
  id: 'ssdp',
  app: { application: 'SSDP', family: 'Name Services' },
  udpPorts: [1900],
  dissect(buf, off, len, ctx) {
    const h = parseHttpHead(buf, off, len, ctx);
    if (h === null) return Verdict.Malformed;
    const isSearch = h.kind === 'request' && h.method === 'M-SEARCH';
    if (isSearch) {
      const ua = header(h, 'user-agent');
      if (ua) ctx.src('user_agent', ua);
      return Verdict.Continue;
    }
    // NOTIFY (alive) or a search answer: facts about the sender.
    if (h.kind === 'request' && h.method === 'NOTIFY' && /ssdp:byebye/i.test(header(h, 'nts') ?? '')) return Verdict.Continue;
    const server = header(h, 'server');
    if (server) ctx.src('server', server);
    const location = header(h, 'location');
    if (location) ctx.src('location', location);
    const type = deviceUrn(header(h, 'nt')) ?? deviceUrn(header(h, 'st')) ?? deviceUrn(header(h, 'usn'));
    if (type) ctx.src('device_type', type);
    return Verdict.Continue;
  },
};
