/**
 * The dissectors the engine runs, in registration order: where two claim the
 * same port the first wins, and probes are tried in this order.
 */
import { ftpDissector, imapDissector, pop3Dissector, smtpDissector, telnetDissector } from './banner.js';
import { cdpDissector } from './cdp.js';
import { dcerpcDissector } from './dcerpc.js';
import { dhcpDissector } from './dhcp-message.js';
import { dhcpv6Dissector } from './dhcpv6.js';
import { dnsDissector } from './dns-message.js';
import { httpDissector } from './http-head.js';
import { kerberosDissector } from './kerberos.js';
import { ldapDissector } from './ldap.js';
import { lldpDissector } from './lldp.js';
import { llmnrDissector, mdnsDissector } from './mdns.js';
import { browserDissector, nbnsDissector } from './netbios.js';
import { ntpDissector } from './ntp.js';
import { quicDissector } from './quic.js';
import { sipDissector } from './sip.js';
import { smbDissector } from './smb.js';
import { snmpDissector } from './snmp.js';
import { sshDissector } from './ssh-banner.js';
import { ssdpDissector } from './ssdp.js';
import { tlsDissector } from './tls.js';
import type { Dissector, LinkDissector } from './types.js';
import { bacnetDissector } from './bacnet.js';
import { dnp3Dissector } from './dnp3.js';
import { enipDissector } from './enip.js';
import { iec104Dissector } from './iec104.js';
import { modbusDissector } from './modbus.js';
import { mqttDissector } from './mqtt.js';
import { opcuaDissector } from './opcua.js';
import { profinetDcpDissector } from './profinet-dcp.js';
import { s7commDissector } from './s7comm.js';
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
    ldapDissector,
    // DCE/RPC: port 135, elsewhere by its probe (a bind, alter_context or auth3 with NTLMSSP or SPNEGO credentials).
    dcerpcDissector,
    smtpDissector,
    ftpDissector,
    pop3Dissector,
    imapDissector,
    telnetDissector,
    // Industrial protocols (SPEC §4).
    modbusDissector,
    dnp3Dissector,
    s7commDissector,
    iec104Dissector,
    bacnetDissector,
    enipDissector,
    opcuaDissector,
    mqttDissector,
    // QUIC (UDP 443, elsewhere by its probe: a client Initial of 1200 bytes or more).
    quicDissector,
    // Stream protocols with probes: the cheapest and most distinctive probes first.
    tlsDissector,
    sshDissector,
    httpDissector,
  ];
}

export function linkDissectors(): LinkDissector[] {
  return [lldpDissector, cdpDissector, profinetDcpDissector];
}
