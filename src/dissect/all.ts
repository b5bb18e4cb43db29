/**
 * The dissectors the engine runs, in registration order: where two claim the
 * same port the first wins, and probes are tried in this order.
 */
import { ftpDissector, imapDissector, pop3Dissector, smtpDissector, telnetDissector } from './banner.js';
import { cdpDissector } from './cdp.js';
import { dhcpDissector } from './dhcp-message.js';
import { dhcpv6Dissector } from './dhcpv6.js';
import { dnsDissector } from './dns-message.js';
import { httpDissector } from './http-head.js';
import { kerberosDissector } from './kerberos.js';
import { lldpDissector } from './lldp.js';
import { llmnrDissector, mdnsDissector } from './mdns.js';
import { browserDissector, nbnsDissector } from './netbios.js';
import { ntpDissector } from './ntp.js';
import { sipDissector } from './sip.js';
import { smbDissector } from './smb.js';
import { snmpDissector } from './snmp.js';
import { sshDissector } from './ssh-banner.js';
import { ssdpDissector } from './ssdp.js';
import { tlsDissector } from './tls.js';
import type { Dissector, LinkDissector } from './types.js';
import { wsDiscoveryDissector } from './ws-discovery.js';

export function ipDissectors(): Dissector[] {
  return [
    dhcpDissector,
    dhcpv6Dissector,
    dnsDissector,
    mdnsDissector,
    llmnrDissector,
    nbnsDissector,
    browserDissector,
    ssdpDissector,
    wsDiscoveryDissector,
    ntpDissector,
    snmpDissector,
    kerberosDissector,
    sipDissector,
    smbDissector,
    smtpDissector,
    ftpDissector,
    pop3Dissector,
    imapDissector,
    telnetDissector,
    // Stream protocols with probes: the cheapest and most distinctive probes first.
    tlsDissector,
    sshDissector,
    httpDissector,
  ];
}

export function linkDissectors(): LinkDissector[] {
  return [lldpDissector, cdpDissector];
}
