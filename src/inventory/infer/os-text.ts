/**
 * Operating system from the version numbers and free-form texts that
 * protocols carry: NTLMSSP / SMB / browser-announcement Windows versions,
 * SNMP sysDescr, LLDP system descriptions, CDP software versions, SMB
 * NativeOS / NativeLanMan, SSH software versions, HTTP Server headers and
 * SMTP/FTP banners.
 *
 * The rules are our own, written from general knowledge of how these products
 * describe themselves. Pure functions: no I/O, never throw; regexes are
 * compiled once at module load.
 *
 * Confidences: about 0.9 for a precise system description, 0.6–0.7 when a
 * product implies the OS (IIS ⇒ Windows), 0.5 and below for weak hints.
 */
import type { OsFamily, OsGuess } from './types.js';

/** Small helper patterns (compiled once). */
const RE_ALT_SUFFIX = / \/ .*$/;
const RE_BRACKET_TAIL = /\[.*$/;
const RE_TRAILING_PUNCT = /[,.]$/;
const RE_JUNIPER_KIND = /\b(?:router|switch|firewall|srx|ex\d|mx\d|qfx)\b/i;
const RE_AOSCX_VERSION = /\bVersion\s+([A-Z]{2}\.\d+\.\d+\.\d+)/i;
const RE_ARUBA_WORD = /\bAruba\b/i;
const RE_ARUBA_16_REV = /^[A-Z]{2}\.1[6-9]\./;
const RE_MIKROTIK_WORD = /MikroTik|^\s*RouterOS\b/i;
const RE_IBM_AIX = /\bIBM\b|^\s*AIX\b/i;
const RE_SPACES = /\s+/g;
const RE_GNU_SUFFIX = /\/GNU$/i;
const RE_MOD_SFTP = /mod_sftp/i;
const RE_CISCO_OR_IOS = /\bCisco\b|\bIOS\b/i;
const RE_FREEBSD_EXACT = /^FreeBSD$/i;

export type OsTextSource = 'snmp' | 'lldp' | 'cdp' | 'smb' | 'ssh' | 'http-server' | 'banner';

/** Longest text looked at; descriptions are short, anything longer is cut. */
const MAX_TEXT = 2048;

function guess(name: string, version: string | null, family: OsFamily, confidence: number): OsGuess {
  return { name, version, family, confidence };
}

// ---------------------------------------------------------------------------
// Windows version numbers
// ---------------------------------------------------------------------------

/** Client / server product names by NT major.minor. */
const WINDOWS_BY_VERSION: ReadonlyMap<string, string> = new Map([
  ['5.0', 'Windows 2000'],
  ['5.1', 'Windows XP'],
  ['5.2', 'Windows XP x64 / Server 2003'],
  ['6.0', 'Windows Vista / Server 2008'],
  ['6.1', 'Windows 7 / Server 2008 R2'],
  ['6.2', 'Windows 8 / Server 2012'],
  ['6.3', 'Windows 8.1 / Server 2012 R2'],
  ['4.0', 'Windows NT 4.0'],
  ['3.51', 'Windows NT 3.51'],
]);

function isSmallInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1_000_000;
}

/**
 * Windows from an NT version (NTLMSSP VERSION, SMB, SNMP, browser
 * announcements). `build` is null when the evidence carries only
 * major.minor (browser announcements).
 *
 * 10.0 covers Windows 10 and 11 and Server 2016/2019/2022/2025: builds
 * ≥ 22000 are Windows 11 (Server 2025, build 26100, shares its build with
 * Windows 11 24H2); build 20348 exists only as Server 2022. Builds 14393 and
 * 17763 are Windows 10 1607/1809 or Server 2016/2019 and stay 'Windows 10'.
 * The SNMP agent of Windows 10+ reports 'Version 6.3' with the real build, so
 * 6.2/6.3 with a build ≥ 10240 is read as 10.0.
 */
export function osFromWindowsVersion(major: number, minor: number, build: number | null): OsGuess {
  try {
    if (!isSmallInt(major) || !isSmallInt(minor)) return guess('Windows', null, 'Windows', 0.5);
    const b = isSmallInt(build) ? build : null;
    if (major === 6 && minor >= 2 && b !== null && b >= 10240) {
      major = 10;
      minor = 0;
    }
    const version = b !== null ? `${major}.${minor}.${b}` : `${major}.${minor}`;
    if (major === 10 && minor === 0) {
      if (b === null) return guess('Windows 10', version, 'Windows', 0.8);
      if (b === 20348) return guess('Windows Server 2022', version, 'Windows', 0.9);
      return guess(b >= 22000 ? 'Windows 11' : 'Windows 10', version, 'Windows', 0.9);
    }
    const name = WINDOWS_BY_VERSION.get(`${major}.${minor}`);
    if (name !== undefined) return guess(name, version, 'Windows', 0.9);
    return guess('Windows', version, 'Windows', 0.6);
  } catch {
    return guess('Windows', null, 'Windows', 0.5);
  }
}

/** Windows product names seen in SMB NativeOS strings, to NT major.minor. */
const WINDOWS_PRODUCT_RULES: ReadonlyArray<readonly [RegExp, number, number]> = [
  [/\bWindows (?:Server )?2000\b/i, 5, 0],
  [/\bWindows XP\b|\bWindows 2002\b/i, 5, 1],
  [/\bWindows (?:Server )?\.?NET\b|\bWindows Server 2003\b/i, 5, 2],
  [/\bWindows 7\b|\bServer(?: \(R\))? 2008 R2\b/i, 6, 1],
  [/\bWindows Vista\b|\bServer(?: \(R\))? 2008\b/i, 6, 0],
  [/\bWindows 8\b(?!\.)|\bWindows Server 2012\b(?! R2)/i, 6, 2],
  [/\bWindows 8\.1\b|\bWindows Server 2012 R2\b/i, 6, 3],
  [/\bWindows (?:10|11)\b|\bWindows Server 201[69]\b|\bWindows Server 202[25]\b/i, 10, 0],
];

const RE_WIN_NATIVE_BARE = /^\s*Windows\s+(\d{1,2})\.(\d{1,2})\s*$/i;
/** 4–5 digit numbers that are not a product year ('Server 2003', 'Windows 2000', '(R) 2008'). */
const RE_WIN_BUILD_IN_TEXT = /(?<!\b(?:Windows|Server|\(R\)|\u00ae) )\b(\d{4,5})\b/gi;
const RE_WIN_SERVER_NAME = /\bWindows (?:\(R\) |\u00ae )?(?:Small Business |Web |Storage )?Server(?: \(R\)|\u00ae)? (2003|2008|2012|2016|2019|2022|2025)( R2)?\b/i;

/** 'Windows 5.1', 'Windows Server 2003 3790 Service Pack 2', 'Windows 7 Professional 7601 Service Pack 1'. */
function windowsFromNativeOs(text: string): OsGuess | null {
  const bare = RE_WIN_NATIVE_BARE.exec(text);
  if (bare) return osFromWindowsVersion(Number(bare[1]), Number(bare[2]), null);
  for (const [re, major, minor] of WINDOWS_PRODUCT_RULES) {
    if (!re.test(text)) continue;
    let build: number | null = null;
    for (const b of text.matchAll(RE_WIN_BUILD_IN_TEXT)) build = Number(b[1]);
    const g = osFromWindowsVersion(major, minor, build);
    // The product name is explicit: say it rather than the ambiguous pair.
    const server = RE_WIN_SERVER_NAME.exec(text);
    if (server) g.name = `Windows Server ${server[1]!}${server[2] ? ' R2' : ''}`;
    else if (major !== 10) g.name = g.name.replace(RE_ALT_SUFFIX, '');
    return g;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Darwin → macOS
// ---------------------------------------------------------------------------

/** Darwin kernel major → macOS version. */
const MACOS_BY_DARWIN: ReadonlyMap<number, string> = new Map([
  [8, '10.4'], [9, '10.5'], [10, '10.6'], [11, '10.7'], [12, '10.8'], [13, '10.9'],
  [14, '10.10'], [15, '10.11'], [16, '10.12'], [17, '10.13'], [18, '10.14'], [19, '10.15'],
  [20, '11'], [21, '12'], [22, '13'], [23, '14'], [24, '15'], [25, '26'],
]);

// ---------------------------------------------------------------------------
// Linux distributions
// ---------------------------------------------------------------------------

/** Distribution names as lldpd / os-release / banners spell them. */
const RE_DISTRO_NAMED =
  /\b(Ubuntu|Debian(?: GNU\/Linux)?|CentOS(?: Linux| Stream)?|Red Hat Enterprise Linux(?: Server)?|Fedora(?: Linux)?|Rocky Linux|AlmaLinux|openSUSE(?: Leap| Tumbleweed)?|SUSE Linux Enterprise Server|Alpine Linux|Raspbian GNU\/Linux|Raspbian|Arch Linux|Linux Mint|Oracle Linux(?: Server)?|Amazon Linux|Gentoo|Kali GNU\/Linux|Proxmox VE)\b(?:\s+(?:release\s+)?v?(\d+(?:\.\d+)*(?:\s+LTS)?))?/i;

function canonicalDistro(raw: string): string {
  const s = raw.toLowerCase();
  if (s.startsWith('ubuntu')) return 'Ubuntu';
  if (s.startsWith('debian')) return 'Debian';
  if (s.startsWith('centos')) return 'CentOS';
  if (s.startsWith('red hat')) return 'Red Hat Enterprise Linux';
  if (s.startsWith('fedora')) return 'Fedora';
  if (s.startsWith('rocky')) return 'Rocky Linux';
  if (s.startsWith('alma')) return 'AlmaLinux';
  if (s.startsWith('opensuse')) return 'openSUSE';
  if (s.startsWith('suse')) return 'SUSE Linux Enterprise Server';
  if (s.startsWith('alpine')) return 'Alpine Linux';
  if (s.startsWith('raspbian')) return 'Raspbian';
  if (s.startsWith('arch')) return 'Arch Linux';
  if (s.startsWith('linux mint')) return 'Linux Mint';
  if (s.startsWith('oracle')) return 'Oracle Linux';
  if (s.startsWith('amazon')) return 'Amazon Linux';
  if (s.startsWith('gentoo')) return 'Gentoo';
  if (s.startsWith('kali')) return 'Kali Linux';
  if (s.startsWith('proxmox')) return 'Proxmox VE';
  return raw;
}

/** Distribution hinted by a kernel release string or uname -v text. */
const KERNEL_DISTRO_HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/-Ubuntu\b|-generic\b|-lowlatency\b|ubuntu/i, 'Ubuntu'],
  [/\bDebian\b|\+deb\d+|\bdeb\d+u\d+/i, 'Debian'],
  [/\.el[6-9](?:_\d+)?\b/i, 'RHEL/CentOS'],
  [/\.fc\d{2}\b/i, 'Fedora'],
  [/-pve\b/i, 'Proxmox VE'],
  [/-v[78]l?\+|-v8\+|raspi|rpi/i, 'Raspberry Pi OS'],
  [/-arch\d|\bARCH\b/, 'Arch Linux'],
  [/\.amzn\d/i, 'Amazon Linux'],
  [/-default\b.*SUSE|SUSE/i, 'SUSE'],
  [/-OpenWrt|OpenWrt/i, 'OpenWrt'],
];

function kernelDistro(text: string): string | null {
  for (const [re, name] of KERNEL_DISTRO_HINTS) if (re.test(text)) return name;
  return null;
}

// ---------------------------------------------------------------------------
// System-description rules (SNMP sysDescr, LLDP, CDP, and anything else)
// ---------------------------------------------------------------------------

type Rule = (text: string) => OsGuess | null;

const RE_IOS_XR = /\bIOS[ -]XR\b.*?\bVersion\s+([\w.()\-]+)/is;
const RE_IOS_XE_MARK = /\bIOS[ -]?XE\b|_IOSXE\b|\bIOSXE\b/i;
const RE_IOS_VERSION = /\bVersion\s+([0-9][\w.()\-]*?)[,\s\[]/i;
const RE_IOS_VERSION_END = /\bVersion\s+([0-9][\w.()\-]*)\s*$/i;
const RE_IOS = /\bCisco IOS Software\b|\bIOS \(tm\)|\bCisco Internetwork Operating System\b/i;
const RE_NXOS = /\bNX-OS\b|\bNexus Operating System\b/i;
const RE_ASA = /\bCisco Adaptive Security Appliance\b(?:.*?\bVersion\s+([0-9][\w.()\-]*))?/is;
const RE_PIX = /\bCisco PIX (?:Security Appliance|Firewall)\b(?:.*?\bVersion\s+([0-9][\w.()\-]*))?/is;
const RE_CATOS = /\bCatalyst Operating System\b(?:.*?\bVersion\s+([0-9][\w.()\-]*))?/is;
const RE_JUNOS = /\bJUNOS\s+(?:Software Release\s+\[?)?([0-9][\w.\-]*)/i;
const RE_JUNIPER = /\bJuniper Networks\b/i;
const RE_SCREENOS = /\b(?:NetScreen-[\w-]+|SSG-?\d+[\w-]*|ISG-?\d+)\s+version\s+([\d.]+\w*(?:\.\d+)?)/i;
const RE_ARISTA = /\bArista Networks EOS\b(?:\s+version\s+([\w.\-]+))?/i;
const RE_ARUBAOS = /\bArubaOS\b(?:\s*\([^)]*\))?(?:,?\s*Version\s+([\d.]+[\w.\-]*))?/i;
const RE_AOSCX = /\bArubaOS-CX\b|\bAOS-CX\b/i;
const RE_PROCURVE_REV = /\b(?:HP|HPE|ProCurve|Aruba|Hewlett[- ]Packard)\b.*?\brevision\s+([A-Z]{1,3}\.\d{2}\.\d{2}(?:\.\d{4})?)/i;
const RE_COMWARE = /\bComware\b(?:.*?\bVersion\s+([\d.]+)(?:,?\s*(?:Release|ESS)\s+(\w+))?)?/is;
const RE_VRP = /\bHuawei Versatile Routing Platform\b(?:.*?\bVersion\s+([\d.]+(?:\s*\([^)]*\))?))?|\bVRP \(R\) software\b/is;
const RE_ROUTEROS = /\bRouterOS\b(?:\s+v?(\d+\.\d+(?:\.\d+)?(?:beta\d+|rc\d+)?))?/i;
const RE_FORTIOS = /\bForti(?:Gate|OS|Wifi|Switch|Manager|Analyzer)\b[\w-]*(?:\s+v?(\d+\.\d+(?:\.\d+)?))?/i;
const RE_PANOS = /\bPAN-OS\b(?:\s+v?(\d+\.\d+(?:\.\d+)?[\w-]*))?|\bPalo Alto Networks\b/i;
const RE_PANOS_VERSION = /\bPAN-OS\s+v?(\d+\.\d+(?:\.\d+)?[\w-]*)/i;
const RE_EDGEOS = /\bEdgeOS\b(?:\s+v?(\d+\.\d+(?:\.\d+)*))?/i;
const RE_EDGESWITCH = /\bEdgeSwitch\b(?:.*?\b(\d+\.\d+\.\d+(?:\.\d+)*))?/is;
const RE_UNIFI = /^\s*(U(?:AP|SW|S|DM|XG|CK|SG|7)[\w-]*|UniFi[\w -]*?),\s*v?(\d+\.\d+\.\d+(?:\.\d+)*)/i;
const RE_UNIFI_WORD = /\bUniFi\b/i;
const RE_AIROS = /\bXW\.|\bXM\.v|\bWA\.v|\bairOS\b/i;
const RE_SONICOS = /\bSonicOS\b(?:\s+(?:Enhanced\s+)?v?(\d+(?:\.\d+)+[\w-]*))?/i;
const RE_EXTREME = /\bExtremeXOS\b(?:.*?\bversion\s+([\d.]+))?/is;
const RE_VYOS = /\bVyOS\b(?:\s+v?(\d+\.\d+[\w.\-]*))?/i;
const RE_OPENWRT = /\bOpenWrt\b(?:\s+(\d+\.\d+(?:\.\d+)?))?/i;
const RE_DDWRT = /\bDD-WRT\b(?:\s+v?(\S+))?/i;
const RE_WINDOWS_SYSDESCR = /\bSoftware:\s*Windows\b[^()]*?\bVersion\s+(\d+)\.(\d+)\s*\(Build\s+(\d+)/i;
const RE_WINDOWS_VERSION_BUILD = /\bWindows\b[^()]*?\bVersion\s+(\d+)\.(\d+)\s*\(Build\s+(\d+)/i;
const RE_ESXI = /\bVMware ESXi?\b(?:\s+(\d+\.\d+(?:\.\d+)?))?(?:\s+build-(\d+))?/i;
const RE_LINUX_UNAME = /^\s*Linux\s+\S+\s+(\d+\.\d+(?:\.\d+)?[\w.\-+~]*)/i;
const RE_LINUX_KERNEL_ANY = /\bLinux\s+(?:version\s+|kernel\s+)?(\d+\.\d+(?:\.\d+)?[\w.\-+~]*)/i;
const RE_PFSENSE = /\b(pfSense|OPNsense)\b(?:\s+\S+)?(?:\s+(\d+\.\d+(?:\.\d+)?(?:-[A-Z]+)?))?/i;
const RE_FREEBSD = /\bFreeBSD\b(?:\s+\S+)?\s+(\d+\.\d+(?:-[A-Z]+[\w-]*)?)/i;
const RE_FREEBSD_WORD = /\bFreeBSD\b/i;
const RE_OPENBSD = /\b(OpenBSD|NetBSD|DragonFly)\b(?:\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)/i;
const RE_DARWIN = /\bDarwin\b(?:\s+\S+)?\s+(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?/i;
const RE_DARWIN_KERNEL = /\bDarwin Kernel Version\s+(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?/i;
const RE_IOS_APPLE = /\biPhone|\biPad|\bRELEASE_ARM64_T80[0-2]\d\b/;
const RE_SOLARIS = /\bSunOS\s+\S+\s+5\.(\d+)|\bSolaris\s+(\d+)/i;
const RE_AIX = /\bAIX\b(?:\s+version\s+(\d+(?:\.\d+)*))?/i;
const RE_HPUX = /\bHP-UX\b(?:\s+\S+\s+B\.(\d+\.\d+))?/i;
const RE_DSM = /\bSynology\b.*?\bDSM\b(?:\s+(\d+\.\d+(?:\.\d+)?))?/is;
const RE_QTS = /\bQNAP\b.*?\bQTS\b|\bQTS\s+\d/i;

const RE_ONTAP = /^\s*NetApp Release\s+([\w.]+?):?\s/i;
const RE_ILO = /\bIntegrated Lights-Out(?:\s+(\d+))?(?:\s+(\d+\.\d+))?/i;
const RE_APC = /\bAPC Web\/SNMP Management Card\b(?:.*?\bAOS\s+v?([\d.]+)|.*?\bPF:v([\d.]+))?/is;

// Printers
const RE_JETDIRECT = /\bHP ETHERNET MULTI-ENVIRONMENT\b|\bJETDIRECT\b/i;
const RE_JETDIRECT_FW = /\bJETDIRECT,JD\d+,EEPROM\s+([\w.]+)/i;
const RE_HP_PRINTER = /^\s*(?:HP|Hewlett[- ]Packard)\s+(?:Color\s+)?(?:LaserJet|OfficeJet|DeskJet|PageWide|DesignJet|ENVY|Smart Tank|Neverstop)\b/i;
const RE_BROTHER = /\bBrother\s+(?:NC-[\w]+|HL-|MFC-|DCP-|QL-|PT-)|\bBrother Industries\b/i;
const RE_BROTHER_FW = /\bFirmware Ver\.?\s*([\w.]+)/i;
const RE_KONICA = /\bKONICA MINOLTA\b/i;
const RE_RICOH = /\bRICOH\s+(?:Aficio|MP|IM|SP|Pro|Network Printer|P\s|M\s|C\d)|^\s*RICOH\b|\bNRG\s+(?:MP|SP)\b|\bSAVIN\b|\bLanier\b/i;
const RE_XEROX = /\b(?:FUJI\s*)?Xerox\s+(?:WorkCentre|Phaser|AltaLink|VersaLink|ColorQube|DocuCentre|ApeosPort|DocuPrint|Color|PrimeLink|B\d|C\d)|^\s*(?:FUJI\s*)?XEROX\b/i;
const RE_XEROX_FW = /\bSystem Software\s+([\w.]+)/i;
const RE_KYOCERA = /\bKYOCERA\b.*?\b(?:Print|ECOSYS|TASKalfa|FS-)|\bTASKalfa\b|\bECOSYS\b/is;
const RE_LEXMARK = /^\s*Lexmark\b(?:.*?\bversion\s+([\w.\-]+))?/is;
const RE_CANON_PRINTER = /^\s*Canon\s+(?:iR|imageRUNNER|imageCLASS|MF\d|LBP|i-SENSYS|MAXIFY|PIXMA|TS\d|G\d)/i;
const RE_EPSON = /\bEPSON\b.*?\b(?:Print Server|Type-[A-Z]|Network Printer|Built-in)|^\s*EPSON\s+(?:[A-Z]{1,3}-?\d|WF|ET|XP|L\d)/i;
const RE_SAMSUNG_PRINTER = /\bSamsung\s+(?:[MCSKX]L?\d|CLX|SCX|ML-|CLP-|SL-)[\w-]*\b.*?\bOS\s+([\w.]+)/i;
const RE_ZEBRA = /\bZebra Technologies\b|\bZTC\s+Z[TMD]\d|\bZebraNet\b/i;

function ciscoVersion(text: string): string | null {
  const m = RE_IOS_VERSION.exec(text) ?? RE_IOS_VERSION_END.exec(text);
  return m ? m[1]! : null;
}

const DESCRIPTION_RULES: readonly Rule[] = [
  // Cisco, most specific first.
  (t) => {
    const m = RE_IOS_XR.exec(t);
    return m ? guess('Cisco IOS XR', m[1]!.replace(RE_BRACKET_TAIL, ''), 'Network OS', 0.9) : null;
  },
  (t) => (RE_NXOS.test(t) ? guess('Cisco NX-OS', ciscoVersion(t), 'Network OS', 0.9) : null),
  (t) => {
    if (!RE_IOS_XE_MARK.test(t) || !RE_CISCO_OR_IOS.test(t)) return null;
    return guess('Cisco IOS XE', ciscoVersion(t), 'Network OS', 0.9);
  },
  (t) => (RE_IOS.test(t) ? guess('Cisco IOS', ciscoVersion(t), 'Network OS', 0.9) : null),
  (t) => {
    const m = RE_ASA.exec(t);
    return m ? guess('Cisco ASA', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  (t) => {
    const m = RE_PIX.exec(t);
    return m ? guess('Cisco PIX', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  (t) => {
    const m = RE_CATOS.exec(t);
    return m ? guess('Cisco CatOS', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  // Juniper
  (t) => {
    const m = RE_JUNOS.exec(t);
    if (m) return guess('Junos', m[1]!.replace(RE_TRAILING_PUNCT, ''), 'Network OS', 0.9);
    return null;
  },
  (t) => {
    const m = RE_SCREENOS.exec(t);
    return m ? guess('ScreenOS', m[1]!, 'Network OS', 0.85) : null;
  },
  (t) => (RE_JUNIPER.test(t) && RE_JUNIPER_KIND.test(t) ? guess('Junos', null, 'Network OS', 0.8) : null),
  // Arista
  (t) => {
    const m = RE_ARISTA.exec(t);
    return m ? guess('Arista EOS', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  // HPE / Aruba
  (t) => (RE_AOSCX.test(t) ? guess('ArubaOS-CX', RE_AOSCX_VERSION.exec(t)?.[1] ?? null, 'Network OS', 0.9) : null),
  (t) => {
    const m = RE_PROCURVE_REV.exec(t);
    if (!m) return null;
    const aruba = RE_ARUBA_WORD.test(t) || RE_ARUBA_16_REV.test(m[1]!);
    return guess(aruba ? 'ArubaOS-Switch' : 'HP ProCurve', m[1]!, 'Network OS', 0.9);
  },
  (t) => {
    const m = RE_ARUBAOS.exec(t);
    return m ? guess('ArubaOS', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  (t) => {
    const m = RE_COMWARE.exec(t);
    if (!m) return null;
    const v = m[1] ? (m[2] ? `${m[1]} ${m[2]}` : m[1]) : null;
    return guess('Comware', v, 'Network OS', 0.9);
  },
  (t) => {
    const m = RE_VRP.exec(t);
    return m ? guess('Huawei VRP', m[1]?.trim() ?? null, 'Network OS', 0.9) : null;
  },
  // MikroTik, Fortinet, Palo Alto, SonicWall, Ubiquiti, Extreme, VyOS
  (t) => {
    const m = RE_ROUTEROS.exec(t);
    if (!m) return null;
    return guess('MikroTik RouterOS', m[1] ?? null, 'Network OS', RE_MIKROTIK_WORD.test(t) ? 0.9 : 0.8);
  },
  (t) => {
    const m = RE_FORTIOS.exec(t);
    return m ? guess('FortiOS', m[1] ?? null, 'Network OS', m[1] ? 0.9 : 0.8) : null;
  },
  (t) => {
    if (!RE_PANOS.test(t)) return null;
    const v = RE_PANOS_VERSION.exec(t);
    return guess('PAN-OS', v ? v[1]! : null, 'Network OS', v ? 0.9 : 0.8);
  },
  (t) => {
    const m = RE_SONICOS.exec(t);
    return m ? guess('SonicOS', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  (t) => {
    const m = RE_EDGEOS.exec(t);
    return m ? guess('EdgeOS', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  (t) => {
    const m = RE_EDGESWITCH.exec(t);
    return m ? guess('EdgeSwitch', m[1] ?? null, 'Network OS', 0.85) : null;
  },
  (t) => {
    const m = RE_UNIFI.exec(t);
    if (m) return guess('UniFi', m[2]!, 'Network OS', 0.85);
    return RE_UNIFI_WORD.test(t) ? guess('UniFi', null, 'Network OS', 0.7) : null;
  },
  (t) => {
    const m = RE_EXTREME.exec(t);
    return m ? guess('ExtremeXOS', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  (t) => {
    const m = RE_VYOS.exec(t);
    return m ? guess('VyOS', m[1] ?? null, 'Network OS', 0.9) : null;
  },
  (t) => {
    const m = RE_OPENWRT.exec(t);
    return m ? guess('OpenWrt', m[1] ?? null, 'Embedded', 0.85) : null;
  },
  (t) => {
    const m = RE_DDWRT.exec(t);
    return m ? guess('DD-WRT', m[1] ?? null, 'Embedded', 0.85) : null;
  },
  // Windows SNMP sysDescr
  (t) => {
    const m = RE_WINDOWS_SYSDESCR.exec(t) ?? RE_WINDOWS_VERSION_BUILD.exec(t);
    return m ? osFromWindowsVersion(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  },
  // Hypervisors and NAS systems (before Linux: they often print a Linux kernel too)
  (t) => {
    const m = RE_ESXI.exec(t);
    if (!m) return null;
    const v = m[1] ? (m[2] ? `${m[1]} build-${m[2]}` : m[1]) : null;
    return guess('VMware ESXi', v, 'Other', 0.9);
  },
  (t) => {
    const m = RE_DSM.exec(t);
    return m ? guess('Synology DSM', m[1] ?? null, 'Linux', 0.85) : null;
  },
  (t) => (RE_QTS.test(t) ? guess('QNAP QTS', null, 'Linux', 0.85) : null),
  (t) => {
    const m = RE_ONTAP.exec(t);
    return m ? guess('NetApp ONTAP', m[1]!, 'Other', 0.85) : null;
  },
  (t) => {
    const m = RE_ILO.exec(t);
    return m ? guess('HPE iLO', m[2] ?? null, 'Embedded', 0.85) : null;
  },
  (t) => {
    const m = RE_APC.exec(t);
    return m ? guess('APC Network Management Card', m[1] ?? m[2] ?? null, 'Embedded', 0.85) : null;
  },
  // Printers
  (t) => {
    if (!RE_JETDIRECT.test(t) && !RE_HP_PRINTER.test(t)) return null;
    return guess('HP JetDirect', RE_JETDIRECT_FW.exec(t)?.[1] ?? null, 'Printer OS', 0.85);
  },
  (t) => (RE_BROTHER.test(t) ? guess('Brother printer firmware', RE_BROTHER_FW.exec(t)?.[1] ?? null, 'Printer OS', 0.85) : null),
  (t) => (RE_KONICA.test(t) ? guess('Konica Minolta printer firmware', null, 'Printer OS', 0.85) : null),
  (t) => (RE_RICOH.test(t) ? guess('Ricoh printer firmware', null, 'Printer OS', 0.85) : null),
  (t) => (RE_XEROX.test(t) ? guess('Xerox printer firmware', RE_XEROX_FW.exec(t)?.[1] ?? null, 'Printer OS', 0.85) : null),
  (t) => (RE_KYOCERA.test(t) ? guess('Kyocera printer firmware', null, 'Printer OS', 0.85) : null),
  (t) => {
    const m = RE_LEXMARK.exec(t);
    return m ? guess('Lexmark printer firmware', m[1] ?? null, 'Printer OS', 0.85) : null;
  },
  (t) => (RE_CANON_PRINTER.test(t) ? guess('Canon printer firmware', null, 'Printer OS', 0.85) : null),
  (t) => (RE_EPSON.test(t) ? guess('Epson printer firmware', null, 'Printer OS', 0.85) : null),
  (t) => {
    const m = RE_SAMSUNG_PRINTER.exec(t);
    return m ? guess('Samsung printer firmware', m[1] ?? null, 'Printer OS', 0.85) : null;
  },
  (t) => (RE_ZEBRA.test(t) ? guess('Zebra printer firmware', null, 'Printer OS', 0.8) : null),
  // BSD (pfSense before FreeBSD)
  (t) => {
    const m = RE_PFSENSE.exec(t);
    if (!m) return null;
    const name = m[1]!.toLowerCase() === 'pfsense' ? 'pfSense' : 'OPNsense';
    return guess(name, m[2] ?? null, 'BSD', 0.9);
  },
  (t) => {
    const m = RE_FREEBSD.exec(t);
    if (m) return guess('FreeBSD', m[1]!, 'BSD', 0.9);
    return RE_FREEBSD_WORD.test(t) ? guess('FreeBSD', null, 'BSD', 0.7) : null;
  },
  (t) => {
    const m = RE_OPENBSD.exec(t);
    if (!m) return null;
    const n = m[1]!.toLowerCase();
    const name = n === 'openbsd' ? 'OpenBSD' : n === 'netbsd' ? 'NetBSD' : 'DragonFly BSD';
    return guess(name, m[2]!, 'BSD', 0.9);
  },
  // Apple
  (t) => {
    const m = RE_DARWIN_KERNEL.exec(t) ?? RE_DARWIN.exec(t);
    if (!m) return null;
    const major = Number(m[1]);
    if (RE_IOS_APPLE.test(t)) return guess('iOS', null, 'iOS', 0.7);
    const mac = MACOS_BY_DARWIN.get(major);
    return guess('macOS', mac ?? null, 'macOS', mac ? 0.85 : 0.7);
  },
  // Other Unix
  (t) => {
    const m = RE_SOLARIS.exec(t);
    if (!m) return null;
    return guess('Solaris', m[1] ? m[1] : m[2] ?? null, 'Unix', 0.9);
  },
  (t) => {
    const m = RE_AIX.exec(t);
    return m && RE_IBM_AIX.test(t) ? guess('AIX', m[1] ?? null, 'Unix', 0.85) : null;
  },
  (t) => {
    const m = RE_HPUX.exec(t);
    return m ? guess('HP-UX', m[1] ?? null, 'Unix', 0.9) : null;
  },
  // Linux: uname -a first (its -v part may say 'Debian 6.1.55-1', a kernel
  // package version), then a named distribution (lldpd, os-release), then
  // any kernel version.
  (t) => {
    const m = RE_LINUX_UNAME.exec(t);
    if (!m) return null;
    if (RE_AIROS.test(t)) return guess('airOS', null, 'Embedded', 0.8);
    const distro = kernelDistro(t);
    return guess(distro ? `Linux (${distro})` : 'Linux', m[1]!, 'Linux', 0.9);
  },
  (t) => {
    const m = RE_DISTRO_NAMED.exec(t);
    if (!m) return null;
    const kernel = RE_LINUX_KERNEL_ANY.exec(t);
    const distro = canonicalDistro(m[1]!);
    if (m[2]) return guess(distro, m[2].replace(RE_SPACES, ' '), 'Linux', 0.9);
    if (kernel) return guess(`Linux (${distro})`, kernel[1]!, 'Linux', 0.9);
    return null; // a bare distribution word is handled by the product rules
  },
  (t) => {
    const m = RE_LINUX_KERNEL_ANY.exec(t);
    if (!m) return null;
    const distro = kernelDistro(t);
    if (RE_AIROS.test(t)) return guess('airOS', null, 'Embedded', 0.8);
    return guess(distro ? `Linux (${distro})` : 'Linux', m[1]!, 'Linux', 0.9);
  },
];

// ---------------------------------------------------------------------------
// SMB NativeOS / NativeLanMan
// ---------------------------------------------------------------------------

const RE_SAMBA = /\bSamba\s+(\d+\.\d+(?:\.\d+)?[\w.\-+~]*)?/i;
const RE_SMB_UNIX = /^\s*Unix\s*$/i;
const RE_SMB_MAC = /\b(?:Mac OS X|macOS)(?:\s+(\d+\.\d+(?:\.\d+)?))?|\bsmbx\b/i;
const RE_SMB_SMBFS = /^\s*SMBFS\b/i;

function smbRule(text: string): OsGuess | null {
  const win = windowsFromNativeOs(text);
  if (win) return win;
  const samba = RE_SAMBA.exec(text);
  if (samba) {
    // Samba mostly runs on Linux (and NAS appliances built on it); FreeBSD less often.
    const d = kernelDistro(text);
    return d ? guess(`Linux (${d})`, null, 'Linux', 0.5) : guess('Samba', samba[1] ?? null, 'Linux', 0.5);
  }
  const mac = RE_SMB_MAC.exec(text);
  if (mac) return guess('macOS', mac[1] ?? null, 'macOS', 0.7);
  if (RE_SMB_SMBFS.test(text)) return guess('macOS', null, 'macOS', 0.5);
  if (RE_SMB_UNIX.test(text)) return guess('Unix', null, 'Unix', 0.4);
  return null;
}

// ---------------------------------------------------------------------------
// SSH software versions
// ---------------------------------------------------------------------------

const RE_SSH_WIN = /\bOpenSSH_for_Windows_([\w.]+)/i;
const RE_SSH_CISCO = /(?:^|-)Cisco-(\d+\.\d+)/i;
const RE_SSH_ROS = /\bROSSSH\b/i;
const RE_SSH_DROPBEAR = /\bdropbear(?:_(\S+))?/i;
const RE_SSH_DEBIAN_REL = /\bDebian-\S*?\+deb(\d+)u/i;
const RE_SSH_DEBIAN = /\bDebian-/i;
const RE_SSH_UBUNTU = /\bUbuntu-|\bDebian-\S*ubuntu\d/i;
const RE_SSH_RASPBIAN = /\bRaspbian-/i;
const RE_SSH_FREEBSD = /\bFreeBSD-\d+/i;
const RE_SSH_NETBSD = /\bNetBSD_Secure_Shell\b/i;
const RE_SSH_SUN = /\bSun_SSH_([\d.]+)/i;
const RE_SSH_HUAWEI = /(?:^|-)HUAWEI-(\d+\.\d+)/i;
const RE_SSH_COMWARE = /(?:^|-)Comware-([\d.]+)/i;
const RE_SSH_NETSCREEN = /(?:^|-)NetScreen\b/i;
const RE_SSH_ROMSSHELL = /\bRomSShell_/i;
const RE_SSH_WINSSHD = /\b(?:WinSSHD|Bitvise|WeOnlyDo|FreeSSHd|mod_sftp|Microsoft)\b/i;

function sshRule(text: string): OsGuess | null {
  let m = RE_SSH_WIN.exec(text);
  if (m) return guess('Windows', null, 'Windows', 0.8);
  m = RE_SSH_CISCO.exec(text);
  if (m) return guess('Cisco IOS', null, 'Network OS', 0.7);
  if (RE_SSH_ROS.test(text)) return guess('MikroTik RouterOS', null, 'Network OS', 0.8);
  m = RE_SSH_HUAWEI.exec(text);
  if (m) return guess('Huawei VRP', null, 'Network OS', 0.7);
  m = RE_SSH_COMWARE.exec(text);
  if (m) return guess('Comware', m[1]!, 'Network OS', 0.7);
  if (RE_SSH_NETSCREEN.test(text)) return guess('ScreenOS', null, 'Network OS', 0.7);
  m = RE_SSH_SUN.exec(text);
  if (m) return guess('Solaris', null, 'Unix', 0.7);
  if (RE_SSH_NETBSD.test(text)) return guess('NetBSD', null, 'BSD', 0.7);
  if (RE_SSH_FREEBSD.test(text)) return guess('FreeBSD', null, 'BSD', 0.7);
  if (RE_SSH_RASPBIAN.test(text)) return guess('Raspbian', null, 'Linux', 0.7);
  if (RE_SSH_UBUNTU.test(text)) return guess('Ubuntu', null, 'Linux', 0.7);
  m = RE_SSH_DEBIAN_REL.exec(text);
  if (m) return guess('Debian', m[1]!, 'Linux', 0.7);
  if (RE_SSH_DEBIAN.test(text)) return guess('Debian', null, 'Linux', 0.7);
  if (RE_SSH_DROPBEAR.test(text)) return guess('Embedded Linux', null, 'Embedded', 0.5);
  if (RE_SSH_ROMSSHELL.test(text)) return guess('Embedded', null, 'Embedded', 0.5);
  if (RE_SSH_WINSSHD.test(text) && !RE_MOD_SFTP.test(text)) return guess('Windows', null, 'Windows', 0.5);
  return null;
}

// ---------------------------------------------------------------------------
// HTTP Server headers
// ---------------------------------------------------------------------------

/** IIS version → Windows release(s) that ship it. */
const IIS_TO_WINDOWS: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['5.0', ['Windows 2000', '5.0']],
  ['5.1', ['Windows XP', '5.1']],
  ['6.0', ['Windows Server 2003', '5.2']],
  ['7.0', ['Windows Vista / Server 2008', '6.0']],
  ['7.5', ['Windows 7 / Server 2008 R2', '6.1']],
  ['8.0', ['Windows 8 / Server 2012', '6.2']],
  ['8.5', ['Windows 8.1 / Server 2012 R2', '6.3']],
  ['10.0', ['Windows 10 / Server 2016+', '10.0']],
]);

const RE_IIS = /\bMicrosoft-IIS\/(\d+\.\d+)/i;
const RE_HTTPAPI = /\bMicrosoft-HTTPAPI\/[\d.]+/i;
const RE_WINCE = /\bMicrosoft-WinCE\/([\d.]+)/i;
const RE_HTTP_DISTRO = /\((Ubuntu|Debian(?:\/GNU)?|CentOS|Red Hat(?: Enterprise Linux)?|Fedora|Raspbian|SUSE|openSUSE|Amazon(?: Linux)?|Gentoo|Alpine|Rocky Linux|AlmaLinux|Oracle(?: Linux)?)\)/i;
const RE_HTTP_WIN = /\((?:Win64|Win32|Windows(?: NT)?)\)/i;
const RE_HTTP_UNIX = /\(Unix\)/i;
const RE_HTTP_FREEBSD = /\(FreeBSD\)/i;
const RE_HTTP_CISCO = /^\s*cisco-IOS\b/i;
const RE_HTTP_MIKROTIK = /\bMikrotik HttpProxy\b/i;

function httpServerRule(text: string): OsGuess | null {
  let m = RE_IIS.exec(text);
  if (m) {
    const w = IIS_TO_WINDOWS.get(m[1]!);
    if (w) return guess(w[0], w[1], 'Windows', 0.7);
    return guess('Windows', null, 'Windows', 0.7);
  }
  m = RE_WINCE.exec(text);
  if (m) return guess('Windows CE', m[1]!, 'Windows', 0.7);
  if (RE_HTTPAPI.test(text)) return guess('Windows', null, 'Windows', 0.6);
  m = RE_HTTP_DISTRO.exec(text);
  if (m) {
    const distro = canonicalDistro(m[1]!.replace(RE_GNU_SUFFIX, ''));
    return guess(distro === 'Red Hat' ? 'Red Hat Enterprise Linux' : distro, null, 'Linux', 0.6);
  }
  if (RE_HTTP_WIN.test(text)) return guess('Windows', null, 'Windows', 0.6);
  if (RE_HTTP_FREEBSD.test(text)) return guess('FreeBSD', null, 'BSD', 0.6);
  if (RE_HTTP_CISCO.test(text)) return guess('Cisco IOS', null, 'Network OS', 0.7);
  if (RE_HTTP_MIKROTIK.test(text)) return guess('MikroTik RouterOS', null, 'Network OS', 0.6);
  if (RE_HTTP_UNIX.test(text)) return guess('Unix', null, 'Unix', 0.3);
  return null;
}

// ---------------------------------------------------------------------------
// SMTP / FTP / POP / IMAP / Telnet banners
// ---------------------------------------------------------------------------

const RE_BANNER_MS = /\bMicrosoft (?:ESMTP MAIL Service|FTP Service|Exchange|SMTP MAIL|Windows)\b|\bMicrosoft Exchange\b|\bFileZilla Server\b|\bServ-U\b|\bMDaemon\b|\bhMailServer\b/i;
const RE_BANNER_DISTRO = /\b(?:Postfix|ProFTPD|Dovecot|Exim|vsFTPd|Sendmail|OpenSSH|Courier)\b.*?\((Ubuntu|Debian(?:\/GNU)?|CentOS|Red Hat|Fedora|Raspbian|FreeBSD)\)/i;
const RE_BANNER_CISCO = /\bUser Access Verification\b/i;

function bannerRule(text: string): OsGuess | null {
  if (RE_BANNER_MS.test(text)) return guess('Windows', null, 'Windows', 0.6);
  const m = RE_BANNER_DISTRO.exec(text);
  if (m) {
    const d = m[1]!.replace(RE_GNU_SUFFIX, '');
    if (RE_FREEBSD_EXACT.test(d)) return guess('FreeBSD', null, 'BSD', 0.6);
    const distro = canonicalDistro(d);
    return guess(distro === 'Red Hat' ? 'Red Hat Enterprise Linux' : distro, null, 'Linux', 0.6);
  }
  if (RE_BANNER_CISCO.test(text)) return guess('Cisco IOS', null, 'Network OS', 0.5);
  return null;
}

// ---------------------------------------------------------------------------

/**
 * OS from a free-form text. `source` says where the text came from: SSH
 * texts are software version strings, HTTP texts are Server headers, SMB
 * texts are NativeOS / NativeLanMan strings, 'banner' is an SMTP/FTP greeting;
 * all sources also accept a full system description. Null when the text says
 * nothing about the OS.
 */
export function osFromText(source: OsTextSource, text: string): OsGuess | null {
  try {
    if (typeof text !== 'string') return null;
    const t = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
    if (t.trim() === '') return null;
    switch (source) {
      case 'ssh':
        return sshRule(t);
      case 'http-server':
        return httpServerRule(t) ?? descriptionOnlyStrong(t);
      case 'smb':
        return smbRule(t) ?? descriptionOnlyStrong(t);
      case 'banner':
        return bannerRule(t) ?? descriptionOnlyStrong(t);
      default: {
        for (const rule of DESCRIPTION_RULES) {
          const g = rule(t);
          if (g) return g;
        }
        return windowsFromNativeOs(t);
      }
    }
  } catch {
    return null;
  }
}

/** Description rules for texts that are not system descriptions: a match is weaker. */
function descriptionOnlyStrong(t: string): OsGuess | null {
  for (const rule of DESCRIPTION_RULES) {
    const g = rule(t);
    if (g) return { ...g, confidence: Math.min(g.confidence, 0.6) };
  }
  return null;
}
