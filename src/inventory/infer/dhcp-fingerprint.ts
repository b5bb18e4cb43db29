/**
 * What a DHCP client's request says about its operating system and device:
 * the vendor class identifier (option 60), the parameter request list (option
 * 55, in the client's order) and a few other fields.
 *
 * The rules are our own, written from how the DHCP clients of these systems
 * behave (which client software they use and how it builds its requests);
 * they test characteristic features, not whole fingerprints. Order of
 * strength:
 *  1. option 60, when the client names itself ('MSFT 5.0', 'android-dhcp-14',
 *     'dhcpcd-9.4.1:Linux-5.15.0:…', a phone or printer model): 0.6–0.85;
 *  2. the shape of option 55, which follows the DHCP client implementation
 *     (Windows' own client, Apple's configd/IPConfiguration, ISC dhclient,
 *     BusyBox udhcpc, Android's DhcpClient): ≤0.6;
 *  3. the default hostname patterns of some systems (DESKTOP-XXXXXXX,
 *     Johns-iPhone, BRN + MAC on Brother printers): ≤0.6, mostly device hints.
 *
 * macOS vs iOS: both use the same client and the lists differ only in that
 * macOS also asks for LDAP (95) and NetBIOS (44, 46). We use that, with low
 * confidence (0.5 macOS, 0.4 iOS); a hostname naming an iPhone/MacBook settles it.
 *
 * Pure, never throws; regexes compiled at module level.
 */
import { osGuess, deviceGuess, type DeviceGuess, type DeviceType, type OsFamily, type OsGuess } from './types.js';

export interface DhcpInput {
  /** Option 55 in order. */
  prl: number[] | null;
  /** Option 60. */
  vendorClass: string | null;
  /** Option 12. */
  hostname?: string | null;
  /** Type byte of option 61 (1 = Ethernet MAC, 255 = RFC 4361 IAID+DUID, 0 = other). */
  clientIdType?: number | null;
  /** Option 57. */
  maxMessageSize?: number | null;
  /** Option codes present in the message, in order. */
  options?: number[] | null;
}

export interface DhcpInference {
  os: OsGuess | null;
  device: DeviceGuess | null;
}

const os = osGuess;
const dev = deviceGuess;

/** "1,3,6,15,…": the usual way to write a parameter request list. Bounded to 255 entries. */
export function dhcpFingerprintString(prl: number[]): string {
  if (!Array.isArray(prl)) return '';
  const out: string[] = [];
  for (let i = 0; i < prl.length && i < 255; i++) {
    const v = prl[i];
    out.push(Number.isInteger(v) ? String(v) : '?');
  }
  return out.join(',');
}

// ---------------------------------------------------------------- option 60

interface VcResult {
  os: OsGuess | null;
  device: DeviceGuess | null;
}
type VcRule = [RegExp, (m: RegExpExecArray) => VcResult];

/** PXE client system architecture (RFC 4578 and the IANA registry): the usual ones. */
const PXE_ARCH: Record<number, string> = {
  0: 'BIOS x86',
  6: 'UEFI x86',
  7: 'UEFI x64',
  9: 'UEFI x64',
  10: 'UEFI ARM32',
  11: 'UEFI ARM64',
  15: 'UEFI x86 HTTP',
  16: 'UEFI x64 HTTP',
  19: 'UEFI ARM64 HTTP',
};

function pxe(kind: string, arch: string | undefined): VcResult {
  const a = arch !== undefined ? PXE_ARCH[Number(arch)] : undefined;
  // Boot firmware, not the OS that will run: the inventory should not let it
  // outweigh the OS the machine boots into, hence 0.5.
  return { os: os(kind, a ?? null, 'Other', 0.5), device: null };
}

const PRINTER_VENDORS: Array<[RegExp, string]> = [
  [/^(?:Hewlett[- ]Packard|HP)\b/i, 'HP'],
  [/^Brother\b/i, 'Brother'],
  [/^Canon\b/i, 'Canon'],
  [/^EPSON\b/i, 'Epson'],
  [/^(?:Fuji )?Xerox\b/i, 'Xerox'],
  [/^RICOH\b/i, 'Ricoh'],
  [/^Lexmark\b/i, 'Lexmark'],
  [/^KONICA[ _]?MINOLTA\b/i, 'Konica Minolta'],
  [/^KYOCERA\b/i, 'Kyocera'],
  [/^SHARP\b/i, 'Sharp'],
  [/^(?:Samsung|SEC) .*Printer/i, 'Samsung'],
];

const RE_MODEL_WORD = /\b([A-Z]{1,4}-?\d{2,5}[A-Za-z]{0,4})\b/;

const VC_RULES: VcRule[] = [
  [/^MSFT 5\.0 XBOX/i, () => ({ os: os('Xbox OS', null, 'Game console', 0.85), device: dev('game console', 'Microsoft', 'Xbox', 0.85) })],
  [/^MSFT 98/i, () => ({ os: os('Windows 98/ME', null, 'Windows', 0.85), device: null })],
  // 'MSFT 5.0' is sent by every Windows from 2000 to 11; the list tells the version.
  [/^MSFT 5\.0/i, () => ({ os: os('Windows', null, 'Windows', 0.85), device: null })],
  [/^MSFT\b/i, () => ({ os: os('Windows', null, 'Windows', 0.7), device: null })],
  [/^android-dhcp-(\d+)/i, (m) => ({ os: os('Android', m[1], 'Android', 0.85), device: null })],
  [/^HUAWEI:android:(.+)$/i, (m) => ({ os: os('Android', null, 'Android', 0.8), device: dev(null, 'Huawei', m[1].trim() || null, 0.7) })],
  // dhcpcd-<version>:<sysname>-<release>:<machine>:<platform>
  [
    /^dhcpcd-([\d.]+):([A-Za-z]+)-([^:]*):([^:]*)(?::(.*))?$/,
    (m) => {
      const sys = m[2];
      const release = m[3] || null;
      const platform = m[5] ?? '';
      const pi = /BCM\d|Raspberry/i.test(platform) || /-v[678]l?\+$|-rpi/.test(m[3]);
      const device = pi ? dev(null, 'Raspberry Pi', 'Raspberry Pi', 0.7) : null;
      if (/^Linux$/i.test(sys)) return { os: os('Linux', release, 'Linux', 0.8), device };
      if (/BSD$/i.test(sys)) return { os: os(sys, release, 'BSD', 0.8), device };
      return { os: os(sys, release, 'Unix', 0.6), device };
    },
  ],
  // Android 4–8 used dhcpcd 5 and sent just 'dhcpcd-5.x.y'; Linux builds add the ':Linux-…' part.
  [/^dhcpcd-(5\.[\d.]+)$/, () => ({ os: os('Android', null, 'Android', 0.4), device: null })],
  [/^dhcpcd\b/, () => ({ os: os('Linux', null, 'Linux', 0.5), device: null })],
  // BusyBox udhcpc: routers, cameras, NAS, set-top boxes, anything with a busybox userland.
  [
    /^udhcpc? ?([\d.]+)?/i,
    (m) => ({
      os: os('Embedded Linux', null, 'Embedded', 0.6),
      device: dev('iot', null, null, 0.3, m[1] ? `BusyBox udhcp ${m[1]}` : 'BusyBox udhcp'),
    }),
  ],
  [/^Linux ipconfig/i, () => ({ os: os('Linux', null, 'Linux', 0.6), device: null })],
  [/^PXEClient(?::Arch:(\d{5}))?/, (m) => pxe('PXE boot firmware', m[1])],
  [/^HTTPClient(?::Arch:(\d{5}))?/, (m) => pxe('UEFI HTTP boot firmware', m[1])],
  [/^iPXE/i, () => pxe('iPXE', undefined)],
  // VoIP phones
  [
    /^Cisco Systems,? Inc\.? IP Phone ?(\S+)?/i,
    (m) => ({ os: os('Cisco IP Phone firmware', null, 'Embedded', 0.8), device: dev('voip phone', 'Cisco', m[1] ?? null, 0.9) }),
  ],
  [/^Cisco AP[ -]?(\S+)?/i, (m) => ({ os: os('Cisco AP firmware', null, 'Network OS', 0.7), device: dev('wireless access point', 'Cisco', m[1] ?? null, 0.85) })],
  [/^Cisco\b/i, () => ({ os: null, device: dev('network device', 'Cisco', null, 0.5) })],
  [/^Polycom[- ]?(\S+)?/i, (m) => ({ os: null, device: dev('voip phone', 'Polycom', m[1] ?? null, 0.85) })],
  [/^Yealink[- ]?(?:SIP-?)?(\S+)?/i, (m) => ({ os: null, device: dev('voip phone', 'Yealink', m[1] ?? null, 0.85) })],
  [/^(?:Mitel|Aastra)\b[^\d]*(\S*\d\S*)?/i, (m) => ({ os: null, device: dev('voip phone', 'Mitel', m[1] ?? null, 0.8) })],
  [/^ccp\.avaya\.com/i, () => ({ os: null, device: dev('voip phone', 'Avaya', null, 0.8) })],
  [/^Grandstream[- ]?(\S+)?/i, (m) => ({ os: null, device: dev('voip phone', 'Grandstream', m[1] ?? null, 0.8) })],
  [/^snom[- ]?(\S+)?/i, (m) => ({ os: null, device: dev('voip phone', 'Snom', m[1] ?? null, 0.8) })],
  // network gear
  [/^ubnt/i, () => ({ os: os('Ubiquiti firmware', null, 'Network OS', 0.6), device: dev('network device', 'Ubiquiti', null, 0.8) })],
  [/^MikroTik/i, () => ({ os: os('RouterOS', null, 'Network OS', 0.8), device: dev('network device', 'MikroTik', null, 0.8) })],
  [/^Aruba(?:Instant)?AP|^Aruba\b/i, () => ({ os: os('ArubaOS', null, 'Network OS', 0.7), device: dev('wireless access point', 'Aruba', null, 0.7) })],
  [/^Arista/i, () => ({ os: os('Arista EOS', null, 'Network OS', 0.7), device: dev('network device', 'Arista', null, 0.8) })],
  [/^Meraki/i, () => ({ os: null, device: dev('network device', 'Cisco Meraki', null, 0.7) })],
];

function fromVendorClass(vc: string): VcResult | null {
  for (const [re, fn] of VC_RULES) {
    const m = re.exec(vc);
    if (m) return fn(m);
  }
  for (const [re, vendor] of PRINTER_VENDORS) {
    if (re.test(vc)) {
      const model = vc.length <= 80 ? vc.trim() : (RE_MODEL_WORD.exec(vc)?.[1] ?? null);
      return { os: os('Printer firmware', null, 'Printer OS', 0.6), device: dev('printer', vendor, model, 0.8) };
    }
  }
  return null;
}

// ---------------------------------------------------------------- option 55

const startsWith = (prl: number[], prefix: readonly number[]): boolean => {
  if (prl.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prl[i] !== prefix[i]) return false;
  return true;
};
const ascending = (prl: number[]): boolean => {
  for (let i = 1; i < prl.length; i++) if (prl[i] <= prl[i - 1]) return false;
  return true;
};

// Windows 10/11 (since about 2018): 1,3,6,15,31,33,43,44,46,47,119,121,249,252.
const WIN10 = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47] as const;
// Windows 2000 … 8.1 (and early 10): 1,15,3,6,44,46,47,31,33[,121,249][,43][,252].
const WIN_OLD = [1, 15, 3, 6, 44, 46, 47, 31, 33] as const;
// Apple IPConfiguration (macOS, iOS, iPadOS, tvOS, watchOS): classless routes asked second.
const APPLE = [1, 121, 3, 6, 15] as const;
// Mac OS X 10.5/10.6 era: 1,3,6,15,119,95,252,44,46[,101].
const APPLE_OLD_MAC = [1, 3, 6, 15, 119, 95, 252, 44, 46] as const;
// Android's own DhcpClient (Android 9/10 on): 1,3,6,15,26,28,51,58,59,43[,114][,108].
const ANDROID = [1, 3, 6, 15, 26, 28, 51, 58, 59] as const;
// Android with dhcpcd 5 (4.x–8): 1,121,33,3,6,15,28,51,58,59,119 (121 second, then 33: not Apple).
const ANDROID_DHCPCD = [1, 121, 33, 3, 6] as const;
// ISC dhclient with the Debian/Ubuntu dhclient.conf: 1,28,2,3,15,6,119,12,44,47,26,121,42.
const DHCLIENT_DEBIAN = [1, 28, 2, 3, 15, 6] as const;
// BusyBox udhcpc default request: subnet, router, dns, hostname, domain, broadcast (+ntp, nis…).
const UDHCPC = [1, 3, 6, 12, 15, 28] as const;
const UDHCPC_EXTRA = new Set([33, 40, 41, 42, 249]);

function fromPrl(prl: number[], input: DhcpInput): OsGuess | null {
  if (prl.length === 0) return null;
  const has = (n: number) => prl.includes(n);
  if (startsWith(prl, WIN10)) return os('Windows 10/11', null, 'Windows', has(249) && has(252) ? 0.6 : 0.5);
  if (startsWith(prl, WIN_OLD)) {
    if (has(121)) return os('Windows Vista/7/8', null, 'Windows', 0.5);
    if (has(249)) return os('Windows XP', null, 'Windows', 0.5);
    return os('Windows 2000/XP', null, 'Windows', 0.45);
  }
  if (startsWith(prl, APPLE)) {
    if (has(95) || has(44) || has(46)) return os('macOS', null, 'macOS', 0.5);
    return os('iOS/iPadOS', null, 'iOS', 0.4);
  }
  if (startsWith(prl, APPLE_OLD_MAC)) return os('macOS', null, 'macOS', 0.5);
  // Cisco IOS's DHCP client asks for TFTP servers (150) and advertises a 1152-byte maximum message.
  if (has(150) && input.maxMessageSize === 1152) return os('Cisco IOS', null, 'Network OS', 0.45);
  if (startsWith(prl, ANDROID)) return os('Android', null, 'Android', 0.5);
  if (startsWith(prl, ANDROID_DHCPCD)) return os('Android', null, 'Android', 0.45);
  if (startsWith(prl, DHCLIENT_DEBIAN)) return os('Linux', null, 'Linux', 0.5);
  // Other dhclient.conf variants (Red Hat family, NetworkManager + dhclient) still begin 1,28,2.
  if (startsWith(prl, [1, 28, 2])) return os('Linux', null, 'Linux', 0.4);
  if (startsWith(prl, UDHCPC) && prl.slice(UDHCPC.length).every((n) => UDHCPC_EXTRA.has(n)) && ascending(prl)) {
    return os('Embedded Linux', null, 'Embedded', 0.4);
  }
  // systemd-networkd and NetworkManager's internal client send the list sorted by
  // option number; none of the clients above do. DUID client ids (type 255) are
  // networkd's default.
  if (prl.length >= 5 && ascending(prl) && has(1) && has(3) && has(6) && (has(121) || has(119))) {
    return os('Linux', null, 'Linux', input.clientIdType === 255 ? 0.45 : 0.35);
  }
  return null;
}

// ---------------------------------------------------------------- hostname

type HostRule = [RegExp, (m: RegExpExecArray) => VcResult];

const HOST_RULES: HostRule[] = [
  // Windows setup's generated names.
  [/^DESKTOP-[A-Z0-9]{7}$/i, () => ({ os: os('Windows 10/11', null, 'Windows', 0.5), device: null })],
  [/^LAPTOP-[A-Z0-9]{8}$/i, () => ({ os: os('Windows 10/11', null, 'Windows', 0.5), device: dev('laptop', null, null, 0.4) })],
  [/^WIN-[A-Z0-9]{11}$/i, () => ({ os: os('Windows Server', null, 'Windows', 0.5), device: dev('server', null, null, 0.4) })],
  // Apple devices name themselves '<Owner>s-iPhone', 'Johns-MacBook-Pro', 'iPad'.
  [/iPhone/i, () => ({ os: os('iOS', null, 'iOS', 0.6), device: dev('phone', 'Apple', 'iPhone', 0.6) })],
  [/iPad/i, () => ({ os: os('iPadOS', null, 'iOS', 0.6), device: dev('tablet', 'Apple', 'iPad', 0.6) })],
  [/Apple-?Watch/i, () => ({ os: os('watchOS', null, 'iOS', 0.6), device: dev(null, 'Apple', 'Apple Watch', 0.6) })],
  [/MacBook/i, () => ({ os: os('macOS', null, 'macOS', 0.6), device: dev('laptop', 'Apple', 'MacBook', 0.6) })],
  [/\biMac\b|iMac-|Mac-?mini|Mac-?Pro|Mac-?Studio/i, () => ({ os: os('macOS', null, 'macOS', 0.6), device: dev('workstation', 'Apple', null, 0.5) })],
  [/^android[-_][0-9a-f]{8,16}$/i, () => ({ os: os('Android', null, 'Android', 0.5), device: null })],
  [/^Galaxy[-_ ]?Tab/i, () => ({ os: os('Android', null, 'Android', 0.5), device: dev('tablet', 'Samsung', null, 0.5) })],
  [/^Galaxy[-_ ]/i, () => ({ os: os('Android', null, 'Android', 0.5), device: dev('phone', 'Samsung', null, 0.5) })],
  [/^raspberrypi/i, () => ({ os: os('Linux', null, 'Linux', 0.5), device: dev(null, 'Raspberry Pi', 'Raspberry Pi', 0.5) })],
  // Printers: Brother BRN/BRW + MAC, Epson EPSON + 6 hex, HP NPI + 6 hex.
  [/^BR[NW][0-9A-F]{12}$/i, () => ({ os: null, device: dev('printer', 'Brother', null, 0.7) })],
  [/^EPSON[0-9A-F]{6}$/i, () => ({ os: null, device: dev('printer', 'Epson', null, 0.7) })],
  [/^NPI[0-9A-F]{6}$/i, () => ({ os: null, device: dev('printer', 'HP', null, 0.6) })],
  // Cisco IP phones: SEP + MAC.
  [/^SEP[0-9A-F]{12}$/i, () => ({ os: null, device: dev('voip phone', 'Cisco', null, 0.7) })],
  [/^Chromecast/i, () => ({ os: null, device: dev('media device', 'Google', 'Chromecast', 0.6) })],
  [/^Roku/i, () => ({ os: os('Roku OS', null, 'Embedded', 0.4), device: dev('media device', 'Roku', null, 0.6) })],
  [/^LGwebOSTV/i, () => ({ os: os('webOS', null, 'Embedded', 0.5), device: dev('smart tv', 'LG', null, 0.6) })],
  [/^(?:Xbox|XBOX)/, () => ({ os: null, device: dev('game console', 'Microsoft', 'Xbox', 0.5) })],
  [/^(?:Wii|WiiU|Nintendo)/i, () => ({ os: null, device: dev('game console', 'Nintendo', null, 0.5) })],
  [/^PS[345]-/i, () => ({ os: null, device: dev('game console', 'Sony', 'PlayStation', 0.5) })],
  // Espressif SDK default ('ESP_1A2B3C') and Tasmota ('tasmota-1A2B3C-1234').
  [/^ESP[-_][0-9A-F]{6}$|^tasmota-/i, () => ({ os: os('Embedded firmware', null, 'Embedded', 0.4), device: dev('iot', 'Espressif', null, 0.5) })],
];

function fromHostname(h: string): VcResult | null {
  if (h.length > 255) return null;
  for (const [re, fn] of HOST_RULES) {
    const m = re.exec(h);
    if (m) return fn(m);
  }
  return null;
}

// ---------------------------------------------------------------- combining

function cleanPrl(prl: unknown): number[] | null {
  if (!Array.isArray(prl)) return null;
  const out: number[] = [];
  for (let i = 0; i < prl.length && i < 255; i++) {
    const v = prl[i];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255) out.push(v);
  }
  return out;
}

/** Two guesses about the OS: agreeing families reinforce, otherwise the stronger one stays. */
function merge(a: OsGuess | null, b: OsGuess | null): OsGuess | null {
  if (!a) return b;
  if (!b) return a;
  if (a.family === b.family) {
    // Prefer the more specific name (longer, with a version) of the stronger guess.
    const best = b.confidence > a.confidence || (b.confidence === a.confidence && !a.version && !!b.version) ? b : a;
    const other = best === a ? b : a;
    return {
      ...best,
      version: best.version ?? other.version,
      confidence: Math.min(0.9, Math.max(a.confidence, b.confidence) + 0.1),
    };
  }
  return b.confidence > a.confidence ? b : a;
}

export function inferFromDhcp(input: DhcpInput): DhcpInference {
  try {
    return infer(input);
  } catch {
    return { os: null, device: null };
  }
}

function infer(input: DhcpInput): DhcpInference {
  if (!input || typeof input !== 'object') return { os: null, device: null };
  const prl = cleanPrl(input.prl);
  const vc = typeof input.vendorClass === 'string' ? input.vendorClass.slice(0, 256).trim() : '';
  const host = typeof input.hostname === 'string' ? input.hostname.trim() : '';
  const options = Array.isArray(input.options) ? input.options : null;

  const byVc = vc ? fromVendorClass(vc) : null;
  const byPrl = prl ? fromPrl(prl, input) : null;
  let o: OsGuess | null = byVc?.os ?? null;
  let d: DeviceGuess | null = byVc?.device ?? null;

  if (o && byPrl) {
    if (o.family === byPrl.family && o.name === 'Windows') {
      // 'MSFT 5.0' + the Windows list shape: the list names the version.
      o = { ...byPrl, confidence: o.confidence };
    } else if (o.family === byPrl.family) {
      o = { ...o, confidence: Math.min(0.9, o.confidence + 0.05) };
    }
    // Different families: option 60 is the client naming itself; keep it.
  } else if (!o && !byVc) {
    o = byPrl;
  } else if (!o && byPrl && d && d.type !== 'printer' && d.type !== 'voip phone') {
    o = byPrl;
  }

  // PXE / iPXE without option 60: client architecture (93) or iPXE's encapsulated options (175).
  if (!o && !byVc && options) {
    if (options.includes(175)) o = os('iPXE', null, 'Other', 0.5);
    else if (options.includes(93) && options.includes(97)) o = os('PXE boot firmware', null, 'Other', 0.4);
  }

  if (host) {
    const byHost = fromHostname(host);
    if (byHost) {
      if (byHost.os) o = merge(o, byHost.os);
      if (!d) d = byHost.device;
      else if (byHost.device && d.type === null && d.vendor === byHost.device.vendor) d = { ...d, type: byHost.device.type };
    }
  }
  return { os: o, device: d };
}
