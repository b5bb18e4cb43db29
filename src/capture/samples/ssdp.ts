/**
 * SSDP (UPnP device architecture 1.1 §1; UDP 1900) messages built in code for
 * the sample captures: a device's NOTIFY ssdp:alive announcement and a
 * control point's M-SEARCH.
 */

export interface SsdpNotify {
  /** Device description URL. */
  location: string;
  /** Notification type: upnp:rootdevice, uuid:…, or a device/service URN. */
  nt: string;
  /** Device UUID (without "uuid:"). */
  uuid: string;
  /** SERVER: "OS/version UPnP/1.0 product/version". */
  server: string;
  maxAge?: number;
}

export function ssdpNotify(o: SsdpNotify): Buffer {
  const usn = o.nt === `uuid:${o.uuid}` ? o.nt : `uuid:${o.uuid}::${o.nt}`;
  return Buffer.from(
    'NOTIFY * HTTP/1.1\r\n' +
      'HOST: 239.255.255.250:1900\r\n' +
      `CACHE-CONTROL: max-age=${o.maxAge ?? 1800}\r\n` +
      `LOCATION: ${o.location}\r\n` +
      `NT: ${o.nt}\r\n` +
      'NTS: ssdp:alive\r\n' +
      `SERVER: ${o.server}\r\n` +
      `USN: ${usn}\r\n` +
      '\r\n',
    'latin1',
  );
}

export function ssdpSearch(o: { st: string; userAgent?: string; mx?: number }): Buffer {
  return Buffer.from(
    'M-SEARCH * HTTP/1.1\r\n' +
      'HOST: 239.255.255.250:1900\r\n' +
      'MAN: "ssdp:discover"\r\n' +
      `MX: ${o.mx ?? 1}\r\n` +
      `ST: ${o.st}\r\n` +
      (o.userAgent ? `USER-AGENT: ${o.userAgent}\r\n` : '') +
      '\r\n',
    'latin1',
  );
}
