/**
 * Application and family of a flow from its server port (SPEC §5.2). Payload
 * recognition by the dissectors refines this later; an unknown port says
 * `unknown` rather than guess.
 */
export interface Application {
  application: string;
  family: string;
}

export const UNKNOWN_APPLICATION: Application = Object.freeze({ application: 'unknown', family: 'unknown' });

const WEB = 'Web Services';
const NAME = 'Name Services';
const FILE = 'File Sharing';
const DB = 'Database';
const REMOTE = 'Remote Access';
const MAIL = 'Email';
const DIR = 'Directory Services';
const MGMT = 'Network Management';
const ICS = 'Industrial';
const VOIP = 'VoIP';
const MSG = 'Messaging';
const INFRA = 'Network Infrastructure';
const SEC = 'Security';
const PRINT = 'Printing';
const STREAM = 'Streaming';

type Row = [number, string, string];

const TCP_ROWS: Row[] = [
  [20, 'FTP-Data', FILE], [21, 'FTP', FILE], [22, 'SSH', REMOTE], [23, 'Telnet', REMOTE], [25, 'SMTP', MAIL],
  [53, 'DNS', NAME], [80, 'HTTP', WEB], [88, 'Kerberos', DIR], [102, 'S7comm', ICS], [110, 'POP3', MAIL],
  [111, 'RPC', INFRA], [119, 'NNTP', MSG], [135, 'MS-RPC', INFRA], [139, 'SMB', FILE], [143, 'IMAP', MAIL],
  [179, 'BGP', INFRA], [389, 'LDAP', DIR], [443, 'HTTPS', WEB], [445, 'SMB', FILE], [464, 'Kerberos', DIR],
  [465, 'SMTPS', MAIL], [502, 'Modbus', ICS], [515, 'LPD', PRINT], [548, 'AFP', FILE], [554, 'RTSP', STREAM],
  [587, 'SMTP', MAIL], [631, 'IPP', PRINT], [636, 'LDAPS', DIR], [853, 'DNS-over-TLS', NAME], [873, 'rsync', FILE],
  [990, 'FTPS', FILE], [992, 'Telnets', REMOTE], [993, 'IMAPS', MAIL], [994, 'IRCS', MSG], [995, 'POP3S', MAIL],
  [1080, 'SOCKS', WEB], [1433, 'MSSQL', DB], [1521, 'Oracle', DB], [1723, 'PPTP', REMOTE], [1883, 'MQTT', ICS],
  [2049, 'NFS', FILE], [2404, 'IEC-104', ICS], [3128, 'HTTP-Proxy', WEB], [3260, 'iSCSI', FILE],
  [3268, 'LDAP', DIR], [3269, 'LDAPS', DIR], [3306, 'MySQL', DB], [3389, 'RDP', REMOTE], [4840, 'OPC-UA', ICS],
  [5060, 'SIP', VOIP], [5061, 'SIPS', VOIP], [5222, 'XMPP', MSG], [5432, 'PostgreSQL', DB], [5672, 'AMQP', MSG],
  [5900, 'VNC', REMOTE], [5985, 'WinRM', REMOTE], [5986, 'WinRM', REMOTE], [6379, 'Redis', DB], [6667, 'IRC', MSG],
  [8080, 'HTTP', WEB], [8443, 'HTTPS', WEB], [8883, 'MQTT', ICS], [9100, 'JetDirect', PRINT], [9200, 'Elasticsearch', DB],
  [11211, 'Memcached', DB], [20000, 'DNP3', ICS], [27017, 'MongoDB', DB], [44818, 'EtherNet/IP', ICS],
];
const UDP_ROWS: Row[] = [
  [53, 'DNS', NAME], [67, 'DHCP', INFRA], [68, 'DHCP', INFRA], [69, 'TFTP', FILE], [88, 'Kerberos', DIR],
  [123, 'NTP', INFRA], [137, 'NetBIOS-NS', NAME], [138, 'NetBIOS-DGM', NAME], [161, 'SNMP', MGMT], [162, 'SNMP-Trap', MGMT],
  [389, 'CLDAP', DIR], [443, 'QUIC', WEB], [500, 'IKE', SEC], [514, 'Syslog', MGMT], [520, 'RIP', INFRA],
  [546, 'DHCPv6', INFRA], [547, 'DHCPv6', INFRA], [1194, 'OpenVPN', SEC], [1812, 'RADIUS', SEC], [1813, 'RADIUS', SEC],
  [1900, 'SSDP', NAME], [2222, 'EtherNet/IP', ICS], [3478, 'STUN', VOIP], [3702, 'WS-Discovery', NAME], [4500, 'IPsec-NAT-T', SEC],
  [4789, 'VXLAN', INFRA], [5060, 'SIP', VOIP], [5353, 'mDNS', NAME], [5355, 'LLMNR', NAME], [20000, 'DNP3', ICS],
  [34964, 'PROFINET-CM', ICS], [44818, 'EtherNet/IP', ICS], [47808, 'BACnet', ICS],
];

function build(rows: Row[]): (Application | undefined)[] {
  const t: (Application | undefined)[] = new Array(65536);
  for (const [port, application, family] of rows) t[port] = Object.freeze({ application, family });
  return t;
}

const TCP_APPS = build(TCP_ROWS);
const UDP_APPS = build(UDP_ROWS);
const ICMP_APP: Application = Object.freeze({ application: 'ICMP', family: 'Network Infrastructure' });
const ICMP6_APP: Application = Object.freeze({ application: 'ICMPv6', family: 'Network Infrastructure' });

/** Application of a (protocol, server port) pair by the port tables. */
export function applicationByPort(proto: number, serverPort: number): Application {
  if (proto === 6) return TCP_APPS[serverPort] ?? UNKNOWN_APPLICATION;
  if (proto === 17) return UDP_APPS[serverPort] ?? UNKNOWN_APPLICATION;
  if (proto === 1) return ICMP_APP;
  if (proto === 58) return ICMP6_APP;
  return UNKNOWN_APPLICATION;
}

export function protoName(proto: number): string {
  switch (proto) {
    case 6: return 'tcp';
    case 17: return 'udp';
    case 1: return 'icmp';
    case 58: return 'icmpv6';
    case 132: return 'sctp';
    case 2: return 'igmp';
    case 47: return 'gre';
    case 50: return 'esp';
    case 51: return 'ah';
    case 89: return 'ospf';
    case 103: return 'pim';
    case 112: return 'vrrp';
    default: return String(proto);
  }
}
