/**
 * What an HTTP User-Agent (or an SSDP/UPnP USER-AGENT / SERVER header) says
 * about the operating system, the device and the client software.
 *
 * The rules are our own, written from how the products identify themselves;
 * they look for characteristic tokens, never for whole strings. Confidence:
 *  - 0.8: the string names the OS and a version ('Windows NT 10.0', 'iPhone OS 17_1');
 *  - 0.6: family only, or a version that browsers freeze (macOS 10_15_7, Android 10; K);
 *  - ≤0.4: hints from libraries and ambiguous Apple agents (CFNetwork without a platform).
 *
 * Pure, never throws, regexes compiled once at module level.
 */
import { osGuess, deviceGuess, type DeviceGuess, type DeviceType, type OsFamily, type OsGuess } from './types.js';

export type UaClient = 'browser' | 'library' | 'os-service' | 'bot' | 'other';

export interface UaInference {
  os: OsGuess | null;
  device: DeviceGuess | null;
  browser: { name: string; version: string | null } | null;
  client: UaClient;
}

/** Longer User-Agents are cut to this many characters before matching (bounds regex work). */
const MAX_UA = 1024;

const os = osGuess;
const dev = deviceGuess;

// ---------------------------------------------------------------- Windows

/** 'Windows NT x.y' → product name. NT 10.0 covers both Windows 10 and 11 (browsers send 10.0 on 11). */
const WINDOWS_NT: Record<string, string> = {
  '10.0': 'Windows 10/11',
  '6.4': 'Windows 10', // technical previews of Windows 10
  '6.3': 'Windows 8.1',
  '6.2': 'Windows 8',
  '6.1': 'Windows 7',
  '6.0': 'Windows Vista',
  '5.2': 'Windows XP', // XP x64 / Server 2003 share 5.2; clients are nearly always XP x64
  '5.1': 'Windows XP',
  '5.01': 'Windows 2000',
  '5.0': 'Windows 2000',
  '4.0': 'Windows NT 4.0',
};

export function windowsFromNt(nt: string, confidence: number): OsGuess {
  const name = WINDOWS_NT[nt];
  return name ? os(name, nt, 'Windows', confidence) : os('Windows', nt || null, 'Windows', Math.min(confidence, 0.6));
}

/**
 * A full Windows version ('10.0.19045') names the build: builds from 22000 on
 * are Windows 11, 20348 is Server 2022; other 10.0 builds are Windows 10 (or
 * the Server release sharing the build, 14393 = 2016, 17763 = 2019).
 */
function windowsFromBuild(ver: string, confidence: number): OsGuess {
  const m = RE_VER3.exec(ver);
  if (m && m[1] === '10' && m[2] === '0' && m[3]) {
    const build = Number(m[3]);
    if (build >= 22000) return os('Windows 11', ver, 'Windows', confidence);
    if (build === 20348) return os('Windows Server 2022', ver, 'Windows', confidence);
    if (build >= 10240) return os('Windows 10', ver, 'Windows', confidence);
  }
  if (m) return { ...windowsFromNt(`${m[1]}.${m[2]}`, confidence), version: ver };
  return os('Windows', null, 'Windows', 0.6);
}
const RE_VER3 = /^(\d+)\.(\d+)(?:\.(\d+))?/;

// ---------------------------------------------------------------- Apple

/**
 * Darwin kernel major → macOS / iOS release. Darwin 10..19 = Mac OS X 10.6..10.15,
 * 20.. = macOS 11..; iOS 7 came with Darwin 13. In 2025 both moved to year numbers
 * (26) with Darwin 25.
 */
export function darwinToMacos(major: number): string | null {
  if (major >= 25) return String(major + 1);
  if (major >= 20) return String(major - 9);
  if (major >= 5) return `10.${major - 4}`;
  return null;
}
export function darwinToIos(major: number): string | null {
  if (major >= 25) return String(major + 1);
  if (major >= 13) return String(major - 6);
  return null;
}

/**
 * When a string proves Apple but not which OS (CFNetwork, captive-portal probe,
 * com.apple.* daemons), the family is one value: we say 'macOS' with a name that
 * admits the doubt and a low confidence, so any sharper evidence (a browser UA,
 * an 'iPhone' hostname, mDNS model) wins. Same convention in dhcp-fingerprint.ts.
 */
export const APPLE_AMBIGUOUS = 'macOS/iOS';

// ---------------------------------------------------------------- Android models

/** Model-name prefixes whose vendor is unambiguous. */
const ANDROID_VENDORS: Array<[RegExp, string]> = [
  [/^(?:SM-|GT-|SCH-|SGH-|SHV-|SHW-|SC-\d|Galaxy|SAMSUNG)/i, 'Samsung'],
  [/^(?:Pixel|Nexus)/i, 'Google'],
  [/^(?:moto|XT\d{4}|Motorola)/i, 'Motorola'],
  [/^(?:Redmi|POCO|Mi \w|MI \w|Xiaomi|M2\d{3}[A-Z])/i, 'Xiaomi'],
  [/^(?:ONEPLUS|OnePlus)/, 'OnePlus'],
  [/^(?:HUAWEI|HONOR)/i, 'Huawei'],
  [/^(?:LG-|LM-|LG\b)/, 'LG'],
  [/^Nokia/i, 'Nokia'],
  [/^(?:SO-\d|XQ-[A-Z]{2}\d|Xperia|SOV\d|BRAVIA)/i, 'Sony'],
  [/^CPH\d{4}/, 'OPPO'],
  [/^RMX\d{4}/, 'realme'],
  [/^vivo/i, 'vivo'],
  [/^(?:KF[A-Z]{2,5}|AFT[A-Z]{1,5}|Kindle)/, 'Amazon'],
  [/^Lenovo/i, 'Lenovo'],
  [/^ASUS/i, 'ASUS'],
  [/^HTC/i, 'HTC'],
  [/^TCL/i, 'TCL'],
  [/^(?:Infinix|TECNO|itel)/i, 'Transsion'],
  [/^(?:Fairphone|FP\d\b)/i, 'Fairphone'],
  [/^(?:Nothing|A0\d{2}$)/, 'Nothing'],
];

/** Tokens in the Android UA comment that are not the model. */
const RE_NOT_MODEL = /^(?:U|I|N|wv|Mobile|Tablet|TV|Linux|K|arm(?:64|v\w+)?|x86(?:_64)?|aarch64|[a-z]{2}(?:[-_][a-zA-Z]{2,4})?|rv:.*|Android.*)$/;

/** The parenthesised comment that contains position `at`, allowing nested '(...)' as in 'moto g(60)'. */
function commentAt(ua: string, at: number): string | null {
  const open = ua.lastIndexOf('(', at);
  if (open < 0) return null;
  let depth = 0;
  const end = Math.min(ua.length, open + 400);
  for (let i = open; i < end; i++) {
    const c = ua.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return ua.slice(open + 1, i);
  }
  return ua.slice(open + 1, end);
}

function androidModel(comment: string): string | null {
  const parts = comment.split(';');
  let seenAndroid = false;
  for (let i = 0; i < parts.length && i < 12; i++) {
    const raw = parts[i].trim();
    if (!seenAndroid) {
      if (/^Android\b/i.test(raw)) seenAndroid = true;
      continue;
    }
    const model = raw.replace(/\s+Build\/.*$/, '').replace(/\s+MIUI\/.*$/, '').trim();
    if (!model || model.length > 60 || RE_NOT_MODEL.test(model)) continue;
    return model;
  }
  return null;
}

export function androidVendor(model: string): string | null {
  for (const [re, vendor] of ANDROID_VENDORS) if (re.test(model)) return vendor;
  return null;
}

// ---------------------------------------------------------------- browsers

/** First match wins: the derived browsers (Edge, Opera, Samsung...) also carry 'Chrome/' and 'Safari/'. */
const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\/([\d.]+)/, 'Edge'],
  [/\b(?:OPR|OPiOS|Opera)\/([\d.]+)/, 'Opera'],
  [/\bSamsungBrowser\/([\d.]+)/, 'Samsung Internet'],
  [/\bYaBrowser\/([\d.]+)/, 'Yandex Browser'],
  [/\bVivaldi\/([\d.]+)/, 'Vivaldi'],
  [/\bUCBrowser\/([\d.]+)/, 'UC Browser'],
  [/\bSilk\/([\d.]+)/, 'Amazon Silk'],
  [/\bFxiOS\/([\d.]+)/, 'Firefox'],
  [/\bCriOS\/([\d.]+)/, 'Chrome'],
  [/\bFirefox\/([\d.]+)/, 'Firefox'],
  [/\bHeadlessChrome\/([\d.]+)/, 'Headless Chrome'],
  // Android WebView marks itself with '; wv)' and keeps 'Chrome/'.
  [/;\s*wv\).*?\bChrome\/([\d.]+)/, 'Android WebView'],
  [/\bChrom(?:e|ium)\/([\d.]+)/, 'Chrome'],
  [/\bVersion\/([\d.]+)(?: Mobile\/\w+)? Safari\//, 'Safari'],
  [/\bMSIE ([\d.]+)/, 'Internet Explorer'],
  [/\bTrident\/7\.0;.*?\brv:([\d.]+)/, 'Internet Explorer'],
];

function detectBrowser(ua: string): { name: string; version: string | null } | null {
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) return { name, version: m[1] ?? null };
  }
  return null;
}

// ---------------------------------------------------------------- bots & libraries

// 'bot' as a word end ('Googlebot', 'AhrefsBot', 'bingbot') but not the Cubot phone brand;
// a '+http(s)://' contact URL inside the UA is the crawler convention.
const RE_BOT =
  /(?<!cu)bot\b|crawler|spider|slurp|facebookexternalhit|Mediapartners-Google|AdsBot|ia_archiver|\+https?:\/\/|\bHeadlessChrome\b.*\bbot\b|Google-InspectionTool|bingpreview|python-scrapy|Scrapy\/|zgrab|masscan|Nmap Scripting|\bNessus|sqlmap|nikto|CensysInspect|Expanse/i;

interface LibraryRule {
  re: RegExp;
  name: string;
  /** OS hint the library implies (≤0.4). */
  hint?: (m: RegExpExecArray, ua: string) => OsGuess | null;
}

/**
 * Wget and old curl name the platform they were built for: 'Wget/1.21.2 (linux-gnu)',
 * 'curl/7.16.3 (powerpc-apple-darwin9.0)'. Build platform, not necessarily the host: 0.4.
 */
function platformHint(_m: RegExpExecArray, ua: string): OsGuess | null {
  const p = RE_BUILD_PLATFORM.exec(ua);
  if (!p) return null;
  const t = p[1].toLowerCase();
  if (t.includes('android')) return os('Android', null, 'Android', 0.4);
  if (t.includes('linux')) return os('Linux', null, 'Linux', 0.4);
  if (t.includes('darwin') || t.includes('apple')) return os('macOS', null, 'macOS', 0.4);
  if (/mingw|cygwin|msys|windows|win32|win64/.test(t)) return os('Windows', null, 'Windows', 0.4);
  const bsd = /(freebsd|openbsd|netbsd)/.exec(t);
  if (bsd) return os(bsd[1] === 'freebsd' ? 'FreeBSD' : bsd[1] === 'openbsd' ? 'OpenBSD' : 'NetBSD', null, 'BSD', 0.4);
  if (t.includes('solaris') || t.includes('sunos')) return os('Solaris', null, 'Unix', 0.4);
  return null;
}
const RE_BUILD_PLATFORM = /^\S+ \(([\w.-]+)[;)]/;

const LIBRARIES: LibraryRule[] = [
  { re: /^curl\/([\d.]+)/i, name: 'curl', hint: platformHint },
  { re: /^Wget\/([\d.]+)/i, name: 'Wget', hint: platformHint },
  { re: /^python-requests\/([\d.]+)/i, name: 'python-requests' },
  { re: /^Python-urllib\/([\d.]+)/i, name: 'Python urllib' },
  { re: /^python-httpx\/([\d.]+)/i, name: 'httpx' },
  { re: /^aiohttp\/([\d.]+)/i, name: 'aiohttp' },
  { re: /^Python\/([\d.]+)/, name: 'Python' },
  { re: /^Go-http-client\/([\d.]+)/, name: 'Go net/http' },
  { re: /^Java\/([\d._]+)/, name: 'Java' },
  { re: /^Apache-HttpClient\/([\d.]+)/, name: 'Apache HttpClient' },
  // okhttp is mostly Android apps, but servers use it too: a weak hint.
  { re: /^okhttp\/([\d.]+)/i, name: 'OkHttp', hint: () => os('Android', null, 'Android', 0.3) },
  { re: /^libwww-perl\/([\d.]+)/, name: 'libwww-perl' },
  { re: /^(?:node-fetch|axios|undici|got)\/?([\d.]+)?/i, name: 'Node.js HTTP' },
  { re: /^Ruby\b|^Faraday v([\d.]+)/, name: 'Ruby' },
  { re: /^(?:libcurl|PycURL)\/([\d.]+)/i, name: 'libcurl' },
  { re: /^PostmanRuntime\/([\d.]+)/, name: 'Postman' },
  { re: /^Dart\/([\d.]+)/, name: 'Dart' },
  { re: /^ESP(?:8266|32)HTTPClient/i, name: 'ESP HTTP client' },
];

// ---------------------------------------------------------------- compiled patterns

const RE_NT = /Windows NT (\d+\.\d+)/;
const RE_WIN_PHONE = /Windows Phone(?: OS)? ([\d.]+)/;
const RE_WIN_OLD = /Windows (98|95|ME)|Win 9x 4\.90/;
const RE_IPHONE_OS = /\b(iPhone|iPad|iPod(?: touch)?)\b[^)]*?\bOS (\d+(?:_\d+)*)/;
const RE_MAC = /Mac OS X (\d+[._]\d+(?:[._]\d+)?)/;
const RE_MACINTOSH = /\bMacintosh\b/;
const RE_ANDROID = /\bAndroid(?:[ /](\d+(?:\.\d+)*))?/;
const RE_CROS = /\bCrOS [\w_]+ ([\d.]+)/;
const RE_LINUX_DISTRO =
  /\b(Ubuntu|Kubuntu|Xubuntu|Fedora|Debian|Linux Mint|Mint|Arch Linux|Manjaro|openSUSE|SUSE|CentOS|Red Hat|Gentoo|Raspbian|Slackware|elementary OS|Pop!_OS|Kali)\b(?:[ /]([\d.]+))?/i;
const RE_X11_LINUX = /\bX11\b[^)]*\bLinux\b|\bLinux (?:x86_64|i[3-6]86|aarch64|armv\w+)\b/;
const RE_BSD = /\b(FreeBSD|OpenBSD|NetBSD|DragonFly)\b/;
const RE_SUNOS = /\bSunOS\b/;

const RE_PLAYSTATION = /\b(PlayStation (?:5|4|3|Vita|Portable)|PLAYSTATION 3)(?:[ /]([\d.]+))?/i;
const RE_XBOX = /\b(Xbox Series [XS]|Xbox One|Xbox)\b/;
const RE_NINTENDO = /\bNintendo (Switch|WiiU|Wii|3DS|DSi)\b/;

const RE_HBBTV = /\bHbbTV\/[\d.]+ \(([^)]*)\)/;
const RE_TIZEN = /\bTizen[ /]?([\d.]+)?/;
const RE_WEBOS = /\b(?:Web0S|webOS)(?:[ /;]+(?:TV-)?([\d.]+))?/i;
const RE_ROKU = /\bRoku\/DVP-([\d.]+)|\bRoku\b/;
const RE_APPLETV = /\b(?:AppleTV[\d,]*|Apple TV)\b(?:.*?\b(?:tvOS|OS) ([\d_.]+))?/;
const RE_CRKEY = /\bCrKey\/([\d.]+)/;
const RE_SMARTTV = /\b(?:SMART-TV|SmartTV|Smart TV|NetCast|NETTV|VIDAA|BRAVIA|AFT[A-Z]{1,5}\b|GoogleTV|Android TV)/i;

const RE_MS_SERVICE =
  /^(Microsoft-CryptoAPI|Microsoft-Delivery-Optimization|Microsoft-WNS|Microsoft-WebDAV-MiniRedir|Microsoft-Windows|Microsoft BITS|Windows-Update-Agent|WinHttp[\w-]*|Microsoft NCSI|MSDW|MICROSOFT_DEVICE_METADATA_RETRIEVAL_CLIENT|Microsoft Office|Microsoft-OneDrive-Sync|OneDrive)(?:\/([\d.]+))?/i;
const RE_CHROME_UPDATER = /^Google Chrome\/[\d.]+ (Windows|Mac|Linux|CrOS)\b/;
const RE_POWERSHELL = /\bWindowsPowerShell\/([\d.]+)|\bPowerShell\/([\d.]+)/;
const RE_CFNETWORK = /\bCFNetwork\/[\d.]+(?:.*?\bDarwin\/(\d+)(?:\.[\d.]+)?)?/;
const RE_DARWIN = /\bDarwin\/((\d+)(?:\.\d+)*)/;
const RE_APPLE_SERVICE = /^(?:CaptiveNetworkSupport|com\.apple\.|AppleCoreMedia|itunesstored|softwareupdated|akd\/|mDNSResponder|trustd|nsurlsessiond|apsd|MobileAsset|Apple-PubSub|iOS\/|macOS\/)/;
const RE_IOS_TOKEN = /\b(?:iOS|iPhone OS|iPadOS)[ /](\d+(?:[._]\d+)*)/;
const RE_MACOS_TOKEN = /\b(?:macOS|Mac OS X|OS X)[ /](\d+(?:[._]\d+)*)/;
const RE_APPLE_MODEL = /\b(iPhone|iPad|iPod|Watch|AppleTV|MacBookPro|MacBookAir|MacBook|iMac|Macmini|MacPro|Mac)(\d+,\d+)/;
const RE_DALVIK = /^Dalvik\/[\d.]+/;
const RE_APT = /^(\w+) APT-(?:HTTP|CURL)\/[\d.]+ \((\d+)\.(\d+)[\d.~a-z+]*\)/i;
const RE_LIBDNF = /\blibdnf \(([^;)]+?) (\d+(?:\.\d+)?)[;)]/;
const RE_YUM = /\byum\/3\./;
const RE_SNAPD = /\bsnapd\/[\d.]+ .*?\b(ubuntu|debian|fedora|arch|centos|rhel|opensuse\S*)\/([\d.]+)/i;
const RE_PACMAN = /^pacman\/[\d.]+/;
const RE_ZYPP = /^ZYpp\b|\blibzypp\b/;
const RE_CUPS = /^CUPS\/[\d.]+ \((\w[\w ]*?) ([\d.]+)[^;)]*;/;
const RE_UPNP_OS = /^(Linux|Darwin|FreeBSD|Windows(?:_NT)?|Android)\/([\d.]+)[^ ]* ,?\s*UPnP\//i;
const RE_SONOS = /\bSonos\/([\d.]+)/;
const RE_PRINTER = /\b(HP[- ](?:LaserJet|OfficeJet|DeskJet|ENVY|PageWide|Color LaserJet)[^;/)]*|Brother[^;/)]*|EPSON[^;/)]*|Canon[^;/)]*|Xerox[^;/)]*|RICOH[^;/)]*|Lexmark[^;/)]*|KONICA MINOLTA[^;/)]*|KYOCERA[^;/)]*)/i;
const RE_MOBILE = /\bMobile\b/;

// ---------------------------------------------------------------- helpers

const dots = (s: string): string => s.replace(/_/g, '.');

function result(
  o: OsGuess | null,
  d: DeviceGuess | null,
  browser: UaInference['browser'],
  client: UaClient,
): UaInference {
  return { os: o, device: d, browser, client };
}

/** Apple OS from a Darwin kernel version plus any platform words in the string. */
function appleFromDarwin(ua: string, darwin: string | null, confidence: number): { os: OsGuess; device: DeviceGuess | null } {
  const major = darwin ? Number(darwin.split('.')[0]) : NaN;
  const model = RE_APPLE_MODEL.exec(ua);
  const iosTok = RE_IOS_TOKEN.exec(ua);
  const macTok = RE_MACOS_TOKEN.exec(ua);
  const isIos = !!iosTok || (model !== null && /^(?:iPhone|iPad|iPod|Watch|AppleTV)$/.test(model[1])) || /\biPhone|\biPad/.test(ua);
  // CFNetwork agents on Intel Macs end with '(x86_64)'; no iOS device is x86_64.
  const isMac = !isIos && (!!macTok || (model !== null && /^Mac/.test(model[1])) || /\(x86_64\)|Macintosh/.test(ua));
  let device: DeviceGuess | null = null;
  if (model) {
    const kind = model[1];
    const type: DeviceType | null =
      kind === 'iPhone' ? 'phone' : kind === 'iPad' ? 'tablet' : kind === 'AppleTV' ? 'media device' : /^MacBook/.test(kind) ? 'laptop' : kind === 'iMac' || kind === 'Macmini' || kind === 'MacPro' ? 'workstation' : null;
    device = dev(type, 'Apple', model[0], 0.7);
  } else if (/\biPhone\b/.test(ua)) device = dev('phone', 'Apple', 'iPhone', 0.6);
  else if (/\biPad\b/.test(ua)) device = dev('tablet', 'Apple', 'iPad', 0.6);
  if (isIos) {
    const v = iosTok ? dots(iosTok[1]) : Number.isFinite(major) ? darwinToIos(major) : null;
    return { os: os('iOS', v, 'iOS', v ? confidence : Math.min(confidence, 0.6)), device };
  }
  if (isMac) {
    const v = macTok ? dots(macTok[1]) : Number.isFinite(major) ? darwinToMacos(major) : null;
    return { os: os('macOS', v, 'macOS', v ? confidence : Math.min(confidence, 0.6)), device };
  }
  return {
    os: os(APPLE_AMBIGUOUS, darwin ? `Darwin ${darwin}` : null, 'macOS', Math.min(confidence, 0.4)),
    device: device ?? dev(null, 'Apple', null, 0.5),
  };
}

/** APT version → the release that shipped it. Backports exist, hence 0.6. */
const APT_RELEASE: Record<string, [string, string]> = {
  '1.4': ['Debian', '9'],
  '1.6': ['Ubuntu', '18.04'],
  '1.8': ['Debian', '10'],
  '2.0': ['Ubuntu', '20.04'],
  '2.2': ['Debian', '11'],
  '2.4': ['Ubuntu', '22.04'],
  '2.6': ['Debian', '12'],
  '2.7': ['Ubuntu', '24.04'],
};

// ---------------------------------------------------------------- main

const EMPTY: UaInference = { os: null, device: null, browser: null, client: 'other' };

export function inferFromUserAgent(uaIn: string): UaInference {
  try {
    return infer(uaIn);
  } catch {
    return { ...EMPTY };
  }
}

function infer(uaIn: string): UaInference {
  if (typeof uaIn !== 'string') return { ...EMPTY };
  const ua = (uaIn.length > MAX_UA ? uaIn.slice(0, MAX_UA) : uaIn).trim();
  if (!ua) return { ...EMPTY };

  // Crawlers first: they borrow browser and phone strings (Googlebot smartphone is a Nexus 5X).
  if (RE_BOT.test(ua)) return result(null, null, null, 'bot');

  const browser = detectBrowser(ua);
  const mozilla = ua.startsWith('Mozilla/') || ua.startsWith('Opera/');

  // ---- operating-system services and system HTTP stacks (not browsers)
  let m: RegExpExecArray | null;
  // Office and OneDrive exist on macOS too: only their Windows strings count here.
  if ((m = RE_MS_SERVICE.exec(ua)) && !/Macintosh|Mac OS X|Darwin/.test(ua)) {
    const svc = m[1].toLowerCase();
    const ver = m[2] ?? null;
    const nt = RE_NT.exec(ua);
    let o: OsGuess;
    if (nt) o = windowsFromNt(nt[1], 0.8);
    else if (ver && /^(?:microsoft-(?:cryptoapi|delivery-optimization|wns|webdav-miniredir|windows))$/.test(svc))
      o = /^\d+\.\d+\.\d+/.test(ver) ? windowsFromBuild(ver, 0.8) : windowsFromNt(ver.split('.').slice(0, 2).join('.'), 0.8);
    else if (ver && svc === 'windows-update-agent' && ver.startsWith('10.')) o = os('Windows 10/11', '10.0', 'Windows', 0.8);
    else o = os('Windows', null, 'Windows', 0.6);
    const client: UaClient = svc === 'microsoft office' || svc.includes('onedrive') ? 'other' : 'os-service';
    return result(o, null, null, client);
  }
  if ((m = RE_CHROME_UPDATER.exec(ua))) {
    // Chrome's component updater: 'Google Chrome/63.0.3239.84 Windows'.
    const p = m[1].toLowerCase();
    const o = p === 'windows' ? os('Windows', null, 'Windows', 0.6) : p === 'mac' ? os('macOS', null, 'macOS', 0.6) : p === 'linux' ? os('Linux', null, 'Linux', 0.6) : os('ChromeOS', null, 'ChromeOS', 0.6);
    return result(o, null, null, 'other');
  }
  if ((m = RE_POWERSHELL.exec(ua))) {
    const nt = RE_NT.exec(ua);
    return result(nt ? windowsFromNt(nt[1], 0.8) : os('Windows', null, 'Windows', 0.4), null, null, 'library');
  }
  if ((m = RE_DALVIK.exec(ua))) {
    // Android's built-in HttpURLConnection: it states the Android version and model.
    const a = RE_ANDROID.exec(ua);
    const comment = a ? commentAt(ua, a.index) : null;
    const model = comment ? androidModel(comment) : null;
    const o = a?.[1] ? os('Android', a[1], 'Android', 0.8) : os('Android', null, 'Android', 0.6);
    const d = model ? dev(null, androidVendor(model), model, 0.6) : null;
    return result(o, d, null, 'library');
  }
  if ((m = RE_APT.exec(ua))) {
    const rel = APT_RELEASE[`${m[2]}.${m[3]}`];
    const distro = m[1];
    if (rel && (distro === 'Debian' || distro === rel[0])) return result(os(rel[0], rel[1], 'Linux', 0.6), null, null, 'os-service');
    const name = /^debian$/i.test(distro) ? 'Debian/Ubuntu' : distro;
    return result(os(name, null, 'Linux', 0.5), null, null, 'os-service');
  }
  if ((m = RE_LIBDNF.exec(ua))) {
    const name = m[1].replace(/ Linux$/, '');
    return result(os(name, m[2], 'Linux', 0.8), null, null, 'os-service');
  }
  if ((m = RE_SNAPD.exec(ua))) {
    const n = m[1].toLowerCase();
    const name = n === 'rhel' ? 'Red Hat Enterprise Linux' : n.charAt(0).toUpperCase() + n.slice(1);
    return result(os(name, m[2], 'Linux', 0.8), null, null, 'os-service');
  }
  if (RE_YUM.test(ua)) return result(os('CentOS/RHEL', '7', 'Linux', 0.5), null, null, 'os-service');
  if (RE_PACMAN.test(ua)) return result(os('Arch Linux', null, 'Linux', 0.7), null, null, 'os-service');
  if (RE_ZYPP.test(ua)) return result(os('openSUSE/SLES', null, 'Linux', 0.6), null, null, 'os-service');
  if ((m = RE_CUPS.exec(ua))) {
    const sys = m[1];
    if (/^macOS|Darwin|Mac OS/i.test(sys)) return result(os('macOS', m[2], 'macOS', 0.8), null, null, 'os-service');
    if (/^Linux/i.test(sys)) return result(os('Linux', m[2], 'Linux', 0.6), null, null, 'os-service');
    if (/BSD/i.test(sys)) return result(os(sys, m[2], 'BSD', 0.6), null, null, 'os-service');
    return result(null, null, null, 'os-service');
  }
  if ((m = RE_APPLETV.exec(ua))) {
    const v = m[1] ? dots(m[1]) : null;
    const c: UaClient = mozilla ? 'browser' : RE_CFNETWORK.test(ua) ? 'library' : 'os-service';
    return result(os('tvOS', v, 'iOS', v ? 0.8 : 0.6), dev('media device', 'Apple', 'Apple TV', 0.8), browser, c);
  }
  if (!mozilla && RE_APPLE_SERVICE.test(ua)) {
    const d = RE_DARWIN.exec(ua);
    const a = appleFromDarwin(ua, d ? d[1] : null, 0.6);
    return result(a.os, a.device, null, 'os-service');
  }
  if (!mozilla && (m = RE_CFNETWORK.exec(ua))) {
    // '<App>/<ver> CFNetwork/1410.0.3 Darwin/22.6.0': Apple's HTTP stack, any app.
    const d = RE_DARWIN.exec(ua);
    const a = appleFromDarwin(ua, d ? d[1] : null, 0.6);
    return result(a.os, a.device, null, 'library');
  }
  if (!mozilla && (m = RE_UPNP_OS.exec(ua))) {
    // SSDP / UPnP: 'Linux/4.9 UPnP/1.0 ...', 'Microsoft-Windows/10.0 UPnP/1.0' handled above.
    const sys = m[1].toLowerCase();
    const device = RE_SONOS.test(ua) ? dev('media device', 'Sonos', null, 0.7) : null;
    if (sys === 'linux') return result(os('Linux', m[2], 'Linux', 0.6), device, null, 'other');
    if (sys === 'android') return result(os('Android', m[2], 'Android', 0.6), device, null, 'other');
    if (sys === 'freebsd') return result(os('FreeBSD', m[2], 'BSD', 0.6), device, null, 'other');
    if (sys === 'darwin') {
      const a = appleFromDarwin(ua, m[2], 0.6);
      return result(a.os, a.device, null, 'other');
    }
    return result(windowsFromNt(m[2], 0.6), device, null, 'other');
  }
  if (!mozilla) {
    for (const rule of LIBRARIES) {
      const lm = rule.re.exec(ua);
      if (lm) return result(rule.hint ? rule.hint(lm, ua) : null, null, null, 'library');
    }
  }

  const client: UaClient = mozilla || browser ? 'browser' : 'other';

  // ---- game consoles (their browsers also claim Windows / Linux / Android)
  if ((m = RE_PLAYSTATION.exec(ua))) {
    const model = m[1].replace(/^PLAYSTATION/, 'PlayStation');
    return result(os(`${model} system software`, m[2] ?? null, 'Game console', m[2] ? 0.8 : 0.6), dev('game console', 'Sony', model, 0.8), browser, client);
  }
  if ((m = RE_XBOX.exec(ua))) {
    const nt = RE_NT.exec(ua);
    return result(os('Xbox OS', nt ? nt[1] : null, 'Game console', 0.7), dev('game console', 'Microsoft', m[1], 0.8), browser, client);
  }
  if ((m = RE_NINTENDO.exec(ua))) {
    return result(os(`Nintendo ${m[1]} system software`, null, 'Game console', 0.7), dev('game console', 'Nintendo', `Nintendo ${m[1]}`, 0.8), browser, client);
  }

  // ---- TVs and streaming devices. Their platforms are Linux underneath but are
  // appliance firmware, so the family is 'Embedded' (Android TV stays 'Android', tvOS 'iOS').
  if ((m = RE_CRKEY.exec(ua))) {
    // Chromecast with Google TV runs Android TV and says so; older Chromecasts run Cast OS.
    const a = RE_ANDROID.exec(ua);
    if (a) return result(os('Android', a[1] ?? null, 'Android', a[1] ? 0.8 : 0.6), dev('media device', 'Google', 'Chromecast', 0.8, m[1]), browser, client);
    return result(os('Cast OS', m[1], 'Embedded', 0.7), dev('media device', 'Google', 'Chromecast', 0.8, m[1]), browser, client);
  }
  const hbb = RE_HBBTV.exec(ua);
  const hbbParts = hbb ? hbb[1].split(';').map((s) => s.trim()) : null;
  // HbbTV/1.x (<capabilities>;<vendor>;<model>;<software>;<hardware>;...)
  const hbbDevice = hbbParts && hbbParts[1] ? dev('smart tv', hbbParts[1], hbbParts[2] || null, 0.8, hbbParts[3] || null) : null;
  if ((m = RE_TIZEN.exec(ua))) {
    return result(os('Tizen', m[1] ?? null, 'Embedded', m[1] ? 0.8 : 0.6), hbbDevice ?? dev('smart tv', 'Samsung', null, 0.7), browser, client);
  }
  if ((m = RE_WEBOS.exec(ua))) {
    return result(os('webOS', m[1] ?? null, 'Embedded', m[1] ? 0.8 : 0.6), hbbDevice ?? dev('smart tv', 'LG', null, 0.7), browser, client);
  }
  if ((m = RE_ROKU.exec(ua))) {
    return result(os('Roku OS', m[1] ?? null, 'Embedded', m[1] ? 0.8 : 0.6), dev('media device', 'Roku', null, 0.8), browser, client);
  }
  const smartTv = RE_SMARTTV.exec(ua);

  // ---- Windows
  if ((m = RE_WIN_PHONE.exec(ua))) {
    return result(os('Windows Phone', m[1], 'Windows', 0.8), dev('phone', null, null, 0.7), browser, client);
  }
  if ((m = RE_NT.exec(ua))) return result(windowsFromNt(m[1], 0.8), null, browser, client);
  if ((m = RE_WIN_OLD.exec(ua))) {
    const v = m[1] ?? 'ME';
    return result(os(`Windows ${v}`, null, 'Windows', 0.8), null, browser, client);
  }

  // ---- Apple
  if ((m = RE_IPHONE_OS.exec(ua))) {
    const kind = m[1];
    const v = dots(m[2]);
    if (kind === 'iPad') {
      const name = Number(m[2].split('_')[0]) >= 13 ? 'iPadOS' : 'iOS';
      return result(os(name, v, 'iOS', 0.8), dev('tablet', 'Apple', 'iPad', 0.8), browser, client);
    }
    if (kind.startsWith('iPod')) return result(os('iOS', v, 'iOS', 0.8), dev('media device', 'Apple', 'iPod touch', 0.8), browser, client);
    return result(os('iOS', v, 'iOS', 0.8), dev('phone', 'Apple', 'iPhone', 0.8), browser, client);
  }
  if ((m = RE_MAC.exec(ua)) || RE_MACINTOSH.test(ua)) {
    // Safari, Chrome and Edge froze the string at 10_15_7 (Firefox at 10.15) on every
    // later macOS, so that version means "10.15.7 or later": family-level confidence.
    // iPadOS Safari also sends this desktop string by default.
    const v = m ? dots(m[1]) : null;
    const frozen = v === '10.15.7' || v === '10.15';
    return result(os('macOS', v, 'macOS', v && !frozen ? 0.8 : 0.6), dev(null, 'Apple', 'Mac', 0.5), browser, client);
  }

  // ---- Android (also Android TVs, Fire TV, tablets)
  if ((m = RE_ANDROID.exec(ua))) {
    const comment = commentAt(ua, m.index);
    let model: string | null = comment ? androidModel(comment) : null;
    let version: string | null = m[1] ?? null;
    let conf = version ? 0.8 : 0.6;
    // Chrome 110+ reduced UA: 'Linux; Android 10; K' whatever the real version and model.
    if (version === '10' && /Android 10; K\)/.test(ua)) {
      version = null;
      conf = 0.6;
      model = null;
    }
    const vendor = model ? androidVendor(model) : null;
    let type: DeviceType = RE_MOBILE.test(ua) ? 'phone' : 'tablet';
    if (smartTv || /\bTV\b|AFT[A-Z]/.test(ua)) type = model && /^AFT/.test(model) ? 'media device' : 'smart tv';
    const d = dev(type, vendor, model, model ? 0.7 : 0.5);
    return result(os('Android', version, 'Android', conf), d, browser, client);
  }

  // ---- other desktop systems
  if ((m = RE_CROS.exec(ua))) {
    // 14541.0.0 is the frozen platform version of Chrome's reduced UA.
    const v = m[1] === '14541.0.0' ? null : m[1];
    return result(os('ChromeOS', v, 'ChromeOS', v ? 0.8 : 0.6), dev('laptop', null, 'Chromebook', 0.4), browser, client);
  }
  if (smartTv) {
    const tok = smartTv[0].toUpperCase();
    const vendor = tok === 'BRAVIA' ? 'Sony' : tok === 'NETCAST' ? 'LG' : tok === 'NETTV' ? 'Philips' : tok === 'VIDAA' ? 'Hisense' : null;
    return result(/linux/i.test(ua) ? os('Linux', null, 'Embedded', 0.5) : null, hbbDevice ?? dev('smart tv', vendor, null, 0.7), browser, client);
  }
  if (hbbDevice) return result(null, hbbDevice, browser, client);
  if ((m = RE_LINUX_DISTRO.exec(ua)) && /Linux|X11|\bU;/.test(ua)) {
    return result(os(canonicalDistro(m[1]), m[2] ?? null, 'Linux', m[2] ? 0.8 : 0.7), null, browser, client);
  }
  if ((m = RE_BSD.exec(ua))) return result(os(m[1], null, 'BSD', 0.7), null, browser, client);
  if (RE_SUNOS.test(ua)) return result(os('Solaris', null, 'Unix', 0.7), null, browser, client);
  if (RE_X11_LINUX.test(ua) || /\(X11;/.test(ua)) {
    return result(os('Linux', null, 'Linux', 0.6), null, browser, client);
  }

  // ---- apps carrying 'iOS/17.1 (iPhone15,2)' style tokens, printers, IoT
  if (RE_IOS_TOKEN.test(ua) || RE_APPLE_MODEL.test(ua) || RE_DARWIN.test(ua)) {
    const d = RE_DARWIN.exec(ua);
    const a = appleFromDarwin(ua, d ? d[1] : null, 0.7);
    return result(a.os, a.device, browser, client);
  }
  if ((m = RE_PRINTER.exec(ua)) && !mozilla) {
    const model = m[1].trim();
    return result(os('Printer firmware', null, 'Printer OS', 0.5), dev('printer', model.split(/[- ]/)[0], model, 0.6), browser, client);
  }
  if ((m = RE_SONOS.exec(ua))) return result(os('Sonos OS', m[1], 'Embedded', 0.6), dev('media device', 'Sonos', null, 0.7), browser, client);
  if (/^ESP(?:8266|32)/i.test(ua)) return result(os('Embedded firmware', null, 'Embedded', 0.4), dev('iot', 'Espressif', null, 0.5), null, 'library');

  return result(null, null, browser, client);
}

function canonicalDistro(s: string): string {
  const l = s.toLowerCase();
  if (l === 'mint') return 'Linux Mint';
  if (l === 'red hat') return 'Red Hat Enterprise Linux';
  if (l === 'opensuse') return 'openSUSE';
  const fixed: Record<string, string> = {
    ubuntu: 'Ubuntu',
    kubuntu: 'Kubuntu',
    xubuntu: 'Xubuntu',
    fedora: 'Fedora',
    debian: 'Debian',
    'linux mint': 'Linux Mint',
    'arch linux': 'Arch Linux',
    manjaro: 'Manjaro',
    suse: 'SUSE',
    centos: 'CentOS',
    gentoo: 'Gentoo',
    raspbian: 'Raspbian',
    slackware: 'Slackware',
    'elementary os': 'elementary OS',
    'pop!_os': 'Pop!_OS',
    kali: 'Kali Linux',
  };
  return fixed[l] ?? s;
}
