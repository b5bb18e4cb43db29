/**
 * Device type, vendor and model from the values protocols carry: OUI vendor
 * names, mDNS service types and TXT records, SSDP headers, LLDP / CDP
 * capabilities and platforms, SNMP sysObjectIDs, DHCP vendor classes and
 * HTTP Server headers.
 *
 * The tables are our own, written from general knowledge (IANA enterprise
 * numbers of well-known vendors are listed by hand). Pure functions: no I/O,
 * never throw; regexes are compiled once at module load.
 *
 * Confidences: explicit model/type statements 0.8–0.9; a type implied by the
 * vendor 0.3–0.5.
 */
import type { DeviceGuess, DeviceType } from './types.js';

/** Small helper patterns (compiled once). */
const RE_SPACES = /\s+/g;
const RE_TRAILING_PUNCT = /[\s,.]+$/;
const RE_PARENTHESISED = /^\((.*)\)$/;
const RE_UNDERSCORES_SPACES = /[_\s]+/g;
const RE_WORD_SEP = /[\s,]/;
const RE_HYPERV_WORD = /hyper-?v/i;
const RE_FAKE_APPLE_MODEL = /^(?:MacSamba|Xserve|RackMac)$/i;
const RE_ARUBA_WORD = /aruba/i;

const MAX_TEXT = 1024;

function dev(
  type: DeviceType | null,
  vendor: string | null,
  model: string | null,
  firmware: string | null,
  confidence: number,
): DeviceGuess {
  return { type, vendor, model, firmware, confidence };
}

function clip(s: unknown): string {
  if (typeof s !== 'string') return '';
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
}

function clean(s: string | undefined | null): string | null {
  if (typeof s !== 'string') return null;
  const t = s.replace(RE_SPACES, ' ').trim();
  return t === '' ? null : t;
}

// ---------------------------------------------------------------------------
// Vendor names
// ---------------------------------------------------------------------------

/** Canonical vendor names: first matching pattern wins (tested on the raw, lower-cased name). */
const VENDOR_ALIASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^apple\b/, 'Apple'],
  [/^hewlett[- ]?packard enterprise\b|^hpe\b/, 'HPE'],
  [/^hewlett[- ]?packard\b|^hp\b|^hp inc\b/, 'HP'],
  [/^cisco[- ]linksys\b|^linksys\b/, 'Linksys'],
  [/^cisco meraki\b|^meraki\b/, 'Cisco Meraki'],
  [/^cisco\b/, 'Cisco'],
  [/^raspberry pi\b/, 'Raspberry Pi'],
  [/^samsung\b/, 'Samsung'],
  [/^intel\b/, 'Intel'],
  [/^dell\b/, 'Dell'],
  [/^lenovo\b/, 'Lenovo'],
  [/^microsoft\b/, 'Microsoft'],
  [/^google\b/, 'Google'],
  [/^amazon\b/, 'Amazon'],
  [/^sony interactive\b/, 'Sony Interactive Entertainment'],
  [/^sony\b/, 'Sony'],
  [/^nintendo\b/, 'Nintendo'],
  [/^ubiquiti\b/, 'Ubiquiti'],
  [/^aruba\b/, 'Aruba'],
  [/^ruckus\b/, 'Ruckus'],
  [/^polycom\b/, 'Polycom'],
  [/\byealink\b/, 'Yealink'],
  [/^grandstream\b/, 'Grandstream'],
  [/^mitel\b|^aastra\b/, 'Mitel'],
  [/^avaya\b/, 'Avaya'],
  [/^snom\b/, 'snom'],
  [/^axis communications\b|^axis\b/, 'Axis'],
  [/\bhikvision\b/, 'Hikvision'],
  [/\bdahua\b/, 'Dahua'],
  [/^sonos\b/, 'Sonos'],
  [/^roku\b/, 'Roku'],
  [/^synology\b/, 'Synology'],
  [/^qnap\b/, 'QNAP'],
  [/^brother\b/, 'Brother'],
  [/^lexmark\b/, 'Lexmark'],
  [/^kyocera\b/, 'Kyocera'],
  [/^ricoh\b/, 'Ricoh'],
  [/^konica\b/, 'Konica Minolta'],
  [/^fuji ?xerox\b|^xerox\b/, 'Xerox'],
  [/^canon\b/, 'Canon'],
  [/^seiko epson\b|^epson\b/, 'Epson'],
  [/^zebra\b/, 'Zebra'],
  [/^espressif\b/, 'Espressif'],
  [/\btuya\b/, 'Tuya'],
  [/^shelly\b|^allterco\b/, 'Shelly'],
  [/^siemens\b/, 'Siemens'],
  [/^rockwell\b|^allen[- ]bradley\b/, 'Rockwell Automation'],
  [/^schneider\b/, 'Schneider Electric'],
  [/^beckhoff\b/, 'Beckhoff'],
  [/^phoenix contact\b/, 'Phoenix Contact'],
  [/^wago\b/, 'WAGO'],
  [/^omron\b/, 'Omron'],
  [/^mitsubishi electric\b/, 'Mitsubishi Electric'],
  [/^vmware\b/, 'VMware'],
  [/^qemu\b/, 'QEMU'],
  [/^xensource\b|^xen\b/, 'Xen'],
  [/^parallels\b/, 'Parallels'],
  [/^pcs systemtechnik\b|^virtualbox\b|^oracle virtualbox\b/, 'VirtualBox'],
  [/^juniper\b/, 'Juniper'],
  [/^arista\b/, 'Arista'],
  [/^fortinet\b/, 'Fortinet'],
  [/^palo alto\b/, 'Palo Alto Networks'],
  [/^sonicwall\b/, 'SonicWall'],
  [/^routerboard\b|^mikrotik\b/, 'MikroTik'],
  [/^netgear\b/, 'Netgear'],
  [/^tp-?link\b/, 'TP-Link'],
  [/^d-?link\b/, 'D-Link'],
  [/^zyxel\b/, 'Zyxel'],
  [/^huawei\b/, 'Huawei'],
  [/^extreme\b/, 'Extreme Networks'],
  [/^cambium\b/, 'Cambium'],
  [/^nest\b/, 'Nest'],
  [/^signify\b|^philips lighting\b/, 'Philips Hue'],
  [/^belkin\b/, 'Belkin'],
  [/^avm\b/, 'AVM'],
  [/^nvidia\b/, 'NVIDIA'],
  [/^lg electronics\b|^lg\b/, 'LG'],
  [/^vizio\b/, 'Vizio'],
  [/^hon hai\b|^foxconn\b/, 'Foxconn'],
  [/^super ?micro\b/, 'Supermicro'],
  [/^realtek\b/, 'Realtek'],
  [/^broadcom\b/, 'Broadcom'],
  [/^texas instruments\b/, 'Texas Instruments'],
  [/^murata\b/, 'Murata'],
  [/^xiaomi\b|^beijing xiaomi\b/, 'Xiaomi'],
  [/^zte\b/, 'ZTE'],
  [/^moxa\b/, 'Moxa'],
  [/^netapp\b/, 'NetApp'],
  [/^apc\b|^american power conversion\b/, 'APC'],
];

/** Corporate suffixes dropped from names we do not know. */
const RE_CORP_SUFFIX =
  /(?:[,.]?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l\.l\.c|gmbh|ag|sa|s\.a|s\.p\.a|spa|b\.v|bv|ab|oy|asa|plc|pty|pte|kg|co\.?\s*kg|s\.r\.l|srl|sas|nv|n\.v|kk|k\.k))\.?\s*$/i;

const RE_CO_KG = /\s*&\s*Co\.?\s*(?:KG|KGaA|OHG)?\.?\s*$/i;

/** 'Apple, Inc.' → 'Apple'; 'Hewlett Packard' → 'HP'; unknown names lose their corporate suffixes. */
export function normaliseVendor(name: string): string {
  try {
    if (typeof name !== 'string') return '';
    let s = clip(name).replace(RE_SPACES, ' ').trim();
    if (s === '') return '';
    const lower = s.toLowerCase();
    for (const [re, canon] of VENDOR_ALIASES) if (re.test(lower)) return canon;
    s = s.replace(RE_CO_KG, '');
    for (let i = 0; i < 4; i++) {
      const next = s.replace(RE_CORP_SUFFIX, '').replace(RE_TRAILING_PUNCT, '');
      if (next === s || next === '') break;
      s = next;
    }
    return s;
  } catch {
    return typeof name === 'string' ? name : '';
  }
}

/** Vendor → the one kind of device it (nearly) only makes, with how sure that is. */
const VENDOR_TYPES: ReadonlyMap<string, readonly [DeviceType, number]> = new Map([
  ['Raspberry Pi', ['iot', 0.3]],
  ['Ubiquiti', ['network device', 0.4]],
  ['Aruba', ['network device', 0.5]],
  ['Ruckus', ['network device', 0.5]],
  ['Cisco Meraki', ['network device', 0.5]],
  ['MikroTik', ['network device', 0.5]],
  ['Juniper', ['network device', 0.5]],
  ['Arista', ['network device', 0.5]],
  ['Extreme Networks', ['network device', 0.5]],
  ['Cambium', ['network device', 0.5]],
  ['Fortinet', ['firewall', 0.5]],
  ['Palo Alto Networks', ['firewall', 0.5]],
  ['SonicWall', ['firewall', 0.5]],
  ['Polycom', ['voip phone', 0.5]],
  ['Yealink', ['voip phone', 0.5]],
  ['Grandstream', ['voip phone', 0.5]],
  ['Mitel', ['voip phone', 0.5]],
  ['Avaya', ['voip phone', 0.4]],
  ['snom', ['voip phone', 0.5]],
  ['Axis', ['camera', 0.5]],
  ['Hikvision', ['camera', 0.5]],
  ['Dahua', ['camera', 0.5]],
  ['Sonos', ['media device', 0.5]],
  ['Roku', ['media device', 0.5]],
  ['Synology', ['storage', 0.5]],
  ['QNAP', ['storage', 0.5]],
  ['NetApp', ['storage', 0.5]],
  ['Brother', ['printer', 0.5]],
  ['Lexmark', ['printer', 0.5]],
  ['Kyocera', ['printer', 0.5]],
  ['Ricoh', ['printer', 0.5]],
  ['Konica Minolta', ['printer', 0.5]],
  ['Xerox', ['printer', 0.5]],
  ['Zebra', ['printer', 0.3]],
  ['Espressif', ['iot', 0.5]],
  ['Tuya', ['iot', 0.5]],
  ['Shelly', ['iot', 0.5]],
  ['Nest', ['iot', 0.5]],
  ['Philips Hue', ['iot', 0.5]],
  ['Nintendo', ['game console', 0.5]],
  ['Sony Interactive Entertainment', ['game console', 0.5]],
  ['Rockwell Automation', ['industrial controller', 0.3]],
  ['Beckhoff', ['industrial controller', 0.3]],
  ['Phoenix Contact', ['industrial controller', 0.3]],
  ['WAGO', ['industrial controller', 0.3]],
  ['Omron', ['industrial controller', 0.3]],
  ['VMware', ['virtual machine', 0.8]],
  ['QEMU', ['virtual machine', 0.8]],
  ['Xen', ['virtual machine', 0.8]],
  ['Parallels', ['virtual machine', 0.8]],
  ['VirtualBox', ['virtual machine', 0.8]],
]);

/** Hyper-V's synthetic NICs use Microsoft's 00:15:5D block. */
const RE_HYPERV_OUI = /^00[:\-.]?15[:\-.]?5d/i;

/**
 * Device from the vendor an OUI is registered to. `oui` (optional, any of
 * 'aa:bb:cc', 'aa-bb-cc', 'aabbcc', or a full MAC) lets Microsoft's Hyper-V
 * block be told from Microsoft hardware. Type only when the vendor makes
 * nearly one kind of device; otherwise type null with the normalised vendor.
 */
export function deviceFromOuiVendor(vendor: string, oui?: string): DeviceGuess | null {
  try {
    const v = normaliseVendor(vendor);
    if (v === '') return null;
    if (typeof oui === 'string' && RE_HYPERV_OUI.test(oui.trim())) return dev('virtual machine', 'Microsoft', 'Hyper-V', null, 0.8);
    if (RE_HYPERV_WORD.test(clip(vendor))) return dev('virtual machine', 'Microsoft', 'Hyper-V', null, 0.8);
    const t = VENDOR_TYPES.get(v);
    if (t) return dev(t[0], v, null, null, t[1]);
    return dev(null, v, null, null, 0.5);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// Apple model identifiers
// ---------------------------------------------------------------------------

/** Apple's newer 'MacNN,M' identifiers, which no longer say the product line. */
const APPLE_MAC_IDS: ReadonlyMap<string, readonly [DeviceType, string]> = new Map([
  ['Mac13,1', ['workstation', 'Mac Studio']],
  ['Mac13,2', ['workstation', 'Mac Studio']],
  ['Mac14,2', ['laptop', 'MacBook Air']],
  ['Mac14,3', ['workstation', 'Mac mini']],
  ['Mac14,5', ['laptop', 'MacBook Pro']],
  ['Mac14,6', ['laptop', 'MacBook Pro']],
  ['Mac14,7', ['laptop', 'MacBook Pro']],
  ['Mac14,8', ['workstation', 'Mac Pro']],
  ['Mac14,9', ['laptop', 'MacBook Pro']],
  ['Mac14,10', ['laptop', 'MacBook Pro']],
  ['Mac14,12', ['workstation', 'Mac mini']],
  ['Mac14,13', ['workstation', 'Mac Studio']],
  ['Mac14,14', ['workstation', 'Mac Studio']],
  ['Mac14,15', ['laptop', 'MacBook Air']],
  ['Mac15,3', ['laptop', 'MacBook Pro']],
  ['Mac15,4', ['workstation', 'iMac']],
  ['Mac15,5', ['workstation', 'iMac']],
  ['Mac15,6', ['laptop', 'MacBook Pro']],
  ['Mac15,7', ['laptop', 'MacBook Pro']],
  ['Mac15,8', ['laptop', 'MacBook Pro']],
  ['Mac15,9', ['laptop', 'MacBook Pro']],
  ['Mac15,10', ['laptop', 'MacBook Pro']],
  ['Mac15,11', ['laptop', 'MacBook Pro']],
  ['Mac15,12', ['laptop', 'MacBook Air']],
  ['Mac15,13', ['laptop', 'MacBook Air']],
]);

/** Board identifiers ('J314sAP') of Apple-silicon Macs. */
const APPLE_BOARDS: ReadonlyMap<string, readonly [DeviceType, string]> = new Map([
  ['J274', ['workstation', 'Mac mini']],
  ['J293', ['laptop', 'MacBook Pro']],
  ['J313', ['laptop', 'MacBook Air']],
  ['J456', ['workstation', 'iMac']],
  ['J457', ['workstation', 'iMac']],
  ['J314', ['laptop', 'MacBook Pro']],
  ['J316', ['laptop', 'MacBook Pro']],
  ['J375', ['workstation', 'Mac Studio']],
  ['J413', ['laptop', 'MacBook Air']],
  ['J493', ['laptop', 'MacBook Pro']],
  ['J414', ['laptop', 'MacBook Pro']],
  ['J416', ['laptop', 'MacBook Pro']],
  ['J473', ['workstation', 'Mac mini']],
  ['J474', ['workstation', 'Mac mini']],
  ['J415', ['laptop', 'MacBook Air']],
  ['J180', ['workstation', 'Mac Pro']],
]);

const APPLE_PREFIXES: ReadonlyArray<readonly [RegExp, DeviceType | null, string]> = [
  [/^MacBookPro\d/i, 'laptop', 'MacBook Pro'],
  [/^MacBookAir\d/i, 'laptop', 'MacBook Air'],
  [/^MacBook\d/i, 'laptop', 'MacBook'],
  [/^iMacPro\d/i, 'workstation', 'iMac Pro'],
  [/^iMac\d/i, 'workstation', 'iMac'],
  [/^Macmini\d/i, 'workstation', 'Mac mini'],
  [/^MacPro\d/i, 'workstation', 'Mac Pro'],
  [/^iPhone\d/i, 'phone', 'iPhone'],
  [/^iPad\d/i, 'tablet', 'iPad'],
  [/^iPod\d/i, 'media device', 'iPod'],
  [/^AppleTV\d/i, 'media device', 'Apple TV'],
  [/^AudioAccessory\d/i, 'media device', 'HomePod'],
  [/^Watch\d/i, null, 'Apple Watch'],
  [/^RackMac\d|^Xserve\d/i, 'server', 'Xserve'],
  [/^TimeCapsule\d/i, 'storage', 'Time Capsule'],
  [/^AirPort\d/i, 'wireless access point', 'AirPort'],
];

const RE_APPLE_BOARD = /^(J\d{3})[a-z]{0,2}AP$/i;
const RE_APPLE_MACNN = /^Mac\d{2},\d+$/;

/**
 * Apple device from a model identifier ('MacBookPro18,3', 'iPhone14,2',
 * 'J314sAP', 'AppleTV6,2'); null when it is not an Apple identifier.
 */
export function appleModel(id: string): DeviceGuess | null {
  const s = clean(id);
  if (s === null) return null;
  for (const [re, type, name] of APPLE_PREFIXES) if (re.test(s)) return dev(type, 'Apple', `${name} (${s})`, null, 0.85);
  const known = APPLE_MAC_IDS.get(s);
  if (known) return dev(known[0], 'Apple', `${known[1]} (${s})`, null, 0.85);
  if (RE_APPLE_MACNN.test(s)) return dev(null, 'Apple', `Mac (${s})`, null, 0.7);
  const b = RE_APPLE_BOARD.exec(s);
  if (b) {
    const board = APPLE_BOARDS.get(b[1]!.toUpperCase());
    if (board) return dev(board[0], 'Apple', `${board[1]} (${s})`, null, 0.8);
    return dev(null, 'Apple', s, null, 0.6);
  }
  return null;
}

// ---------------------------------------------------------------------------
// mDNS / DNS-SD
// ---------------------------------------------------------------------------

const RE_MDNS_SERVICE = /(_[a-z0-9][a-z0-9\-]*)\.(_tcp|_udp)\b/gi;

/** '_ipp._tcp' from 'Office Printer._ipp._tcp.local.' or '_universal._sub._ipp._tcp'. */
function serviceType(service: string): string | null {
  let last: string | null = null;
  RE_MDNS_SERVICE.lastIndex = 0;
  for (let m = RE_MDNS_SERVICE.exec(service); m !== null; m = RE_MDNS_SERVICE.exec(service)) {
    last = `${m[1]!.toLowerCase()}.${m[2]!.toLowerCase()}`;
  }
  return last;
}

function txtGet(txt: Record<string, string> | undefined, ...keys: string[]): string | null {
  if (!txt || typeof txt !== 'object') return null;
  for (const k of keys) {
    for (const key of Object.keys(txt)) {
      if (key.toLowerCase() === k.toLowerCase()) {
        const v = txt[key];
        if (typeof v === 'string') {
          const c = clean(clip(v));
          if (c !== null) return c;
        }
      }
    }
  }
  return null;
}

const PRINTER_SERVICES = new Set(['_ipp._tcp', '_ipps._tcp', '_printer._tcp', '_pdl-datastream._tcp', '_fax-ipp._tcp', '_ipp-tls._tcp']);
const SCANNER_SERVICES = new Set(['_scanner._tcp', '_uscan._tcp', '_uscans._tcp', '_scan-target._tcp']);

/** Printer vendors whose name starts a model string ('HP LaserJet …', 'EPSON ET-2750'). */
const RE_PRINTER_VENDOR_WORD =
  /^(HP|Hewlett[- ]Packard|Brother|Canon|EPSON|Lexmark|Kyocera|Ricoh|Xerox|FUJI ?XEROX|Konica Minolta|KONICA|Samsung|Dell|OKI|Sharp|Toshiba|Zebra|Pantum|Develop|Sindoh)\b/i;

function vendorFromModelText(model: string | null): string | null {
  if (model === null) return null;
  const m = RE_PRINTER_VENDOR_WORD.exec(model);
  return m ? normaliseVendor(m[1]!) : null;
}

/** HomeKit accessory categories ('ci') that map to our types. */
const HAP_CATEGORIES: ReadonlyMap<string, DeviceType> = new Map([
  ['17', 'camera'],
  ['18', 'camera'],
  ['31', 'smart tv'],
  ['32', 'media device'],
  ['33', 'media device'],
  ['34', 'media device'],
  ['35', 'media device'],
  ['36', 'media device'],
  ['2', 'iot'],
]);

const RE_TV_WORD = /\b(?:TV|BRAVIA|Smart ?TV|OLED|QLED|webOS|Android TV|Google TV|Fire ?TV|Roku TV|SHIELD)\b/i;
const RE_GOOGLE_MODEL = /^(?:Chromecast|Google|Nest)\b/i;

/**
 * Device from an mDNS/DNS-SD service type (optionally with instance name and
 * domain) and its TXT record. Null when the service says nothing about the
 * device (e.g. '_http._tcp', '_ssh._tcp').
 */
export function deviceFromMdnsService(service: string, txt?: Record<string, string>): DeviceGuess | null {
  try {
    const svc = serviceType(clip(service));
    if (svc === null) return null;

    if (PRINTER_SERVICES.has(svc) || SCANNER_SERVICES.has(svc)) {
      const mfg = txtGet(txt, 'usb_MFG', 'usb_MANUFACTURER', 'mfg', 'manufacturer');
      const mdl = txtGet(txt, 'usb_MDL', 'usb_MODEL', 'mdl');
      let model = txtGet(txt, 'ty');
      const product = txtGet(txt, 'product');
      if (model === null && product !== null) model = product.replace(RE_PARENTHESISED, '$1').trim() || null;
      if (model === null && mdl !== null) model = mfg !== null && !mdl.toLowerCase().startsWith(mfg.toLowerCase()) ? `${mfg} ${mdl}` : mdl;
      const vendor = mfg !== null ? normaliseVendor(mfg) : vendorFromModelText(model);
      const scanner = SCANNER_SERVICES.has(svc);
      return dev('printer', vendor, model, null, model !== null ? 0.85 : scanner ? 0.7 : 0.8);
    }

    switch (svc) {
      case '_airplay._tcp':
      case '_raop._tcp': {
        const model = txtGet(txt, 'model', 'am', 'md');
        const maker = txtGet(txt, 'manufacturer');
        if (model !== null) {
          const a = appleModel(model);
          if (a) return a;
          const vendor = maker !== null ? normaliseVendor(maker) : null;
          return dev(RE_TV_WORD.test(model) ? 'smart tv' : 'media device', vendor, model, txtGet(txt, 'fv', 'srcvers'), 0.7);
        }
        return dev('media device', maker !== null ? normaliseVendor(maker) : null, null, null, 0.5);
      }
      case '_googlecast._tcp': {
        const model = txtGet(txt, 'md');
        const vendor = model !== null && RE_GOOGLE_MODEL.test(model) ? 'Google' : null;
        const type: DeviceType = model !== null && RE_TV_WORD.test(model) ? 'smart tv' : 'media device';
        return dev(type, vendor, model, null, model !== null ? 0.8 : 0.7);
      }
      case '_hap._tcp': {
        const model = txtGet(txt, 'md');
        const ci = txtGet(txt, 'ci');
        const type = (ci !== null ? HAP_CATEGORIES.get(ci) : undefined) ?? 'iot';
        return dev(type, null, model, null, 0.7);
      }
      case '_companion-link._tcp':
      case '_rdlink._tcp': {
        const model = txtGet(txt, 'rpMd', 'model');
        const a = model !== null ? appleModel(model) : null;
        return a ?? dev(null, 'Apple', null, null, 0.7);
      }
      case '_apple-mobdev2._tcp':
      case '_apple-mobdev._tcp':
        return dev('phone', 'Apple', null, null, 0.5);
      case '_device-info._tcp': {
        const model = txtGet(txt, 'model');
        if (model === null) return null;
        const a = appleModel(model);
        if (a) return a;
        // Samba's fruit module and NAS appliances advertise made-up Apple models.
        if (RE_FAKE_APPLE_MODEL.test(model)) return dev('server', null, null, null, 0.4);
        return dev(null, null, model, null, 0.5);
      }
      case '_adisk._tcp':
        return dev('storage', null, null, null, 0.4);
      case '_smb._tcp':
      case '_afpovertcp._tcp':
        return dev('server', null, null, null, 0.2);
      case '_sleep-proxy._udp':
        return dev('media device', 'Apple', null, null, 0.5);
      case '_appletv-v2._tcp':
      case '_touch-able._tcp':
        return dev('media device', 'Apple', 'Apple TV', null, 0.7);
      case '_airport._tcp':
        return dev('wireless access point', 'Apple', 'AirPort', null, 0.8);
      case '_spotify-connect._tcp':
        return dev('media device', null, null, null, 0.3);
      case '_amzn-wplay._tcp':
        return dev('media device', 'Amazon', 'Fire TV', null, 0.6);
      case '_androidtvremote._tcp':
      case '_androidtvremote2._tcp':
        return dev('smart tv', null, null, null, 0.6);
      case '_googlezone._tcp':
        return dev('media device', 'Google', null, null, 0.5);
      case '_viziocast._tcp':
        return dev('smart tv', 'Vizio', null, null, 0.7);
      case '_sonos._tcp':
        return dev('media device', 'Sonos', null, null, 0.8);
      case '_nvstream._tcp':
      case '_nvstream_dbd._tcp':
        return dev('workstation', null, null, null, 0.4);
      case '_axis-video._tcp':
        return dev('camera', 'Axis', null, null, 0.8);
      case '_esphomelib._tcp':
        return dev('iot', null, txtGet(txt, 'board', 'platform'), txtGet(txt, 'version'), 0.8);
      case '_hue._tcp':
        return dev('iot', 'Philips Hue', 'Hue Bridge', null, 0.8);
      case '_matter._tcp':
      case '_matterc._udp':
      case '_matterd._udp':
        return dev('iot', null, null, null, 0.6);
      case '_meshcop._udp':
        return dev('iot', null, txtGet(txt, 'mn'), null, 0.5);
      default:
        return null;
    }
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// SSDP / UPnP
// ---------------------------------------------------------------------------

export interface SsdpFields {
  server?: string | null;
  /** NT / ST value, e.g. 'urn:schemas-upnp-org:device:MediaRenderer:1'. */
  deviceType?: string | null;
  usn?: string | null;
  userAgent?: string | null;
  location?: string | null;
}

type TextRule = readonly [RegExp, (m: RegExpExecArray) => DeviceGuess];

/** Rules on the NT/ST/USN device or service type. */
const SSDP_TYPE_RULES: readonly TextRule[] = [
  [/\bZonePlayer\b/i, () => dev('media device', 'Sonos', null, null, 0.9)],
  [/\broku:ecp\b/i, () => dev('media device', 'Roku', null, null, 0.9)],
  [/\bdevice:(?:InternetGatewayDevice|WANDevice|WANConnectionDevice)\b|\bservice:(?:WANIPConnection|WANPPPConnection|WANCommonInterfaceConfig|Layer3Forwarding)\b/i,
    () => dev('network device', null, null, null, 0.7)],
  [/\bwifialliance-org:device:WFADevice\b|\bservice:WFAWLANConfig\b/i, () => dev('network device', null, null, null, 0.6)],
  [/\bdevice:Printer\b|\bservice:PrintBasic\b|\bservice:PrintEnhanced\b/i, () => dev('printer', null, null, null, 0.8)],
  [/\bdevice:(?:DigitalSecurityCamera|Camera)\b/i, () => dev('camera', null, null, null, 0.8)],
  [/samsung\.com:device:RemoteControlReceiver\b|samsung\.com:service:MultiScreenService\b/i, () => dev('smart tv', 'Samsung', null, null, 0.8)],
  [/lge-com:service:webos-second-screen\b/i, () => dev('smart tv', 'LG', null, null, 0.8)],
  [/schemas-sony-com:service:ScalarWebAPI\b/i, () => dev('smart tv', 'Sony', null, null, 0.6)],
  [/dial-multiscreen-org:(?:service|device):dial\b/i, () => dev('smart tv', null, null, null, 0.5)],
  [/\bBelkin:device:(?:controllee|lightswitch|sensor|insight|bridge)\b/i, () => dev('iot', 'Belkin', null, null, 0.8)],
  [/\bdevice:MediaRenderer\b|\bservice:(?:AVTransport|RenderingControl)\b/i, () => dev('media device', null, null, null, 0.6)],
  [/\bdevice:MediaServer\b|\bservice:ContentDirectory\b/i, () => dev('media device', null, null, null, 0.4)],
  [/\bdevice:(?:HVAC_System|HVAC_ZoneThermostat|BinaryLight|DimmableLight|SensorManagement)\b/i, () => dev('iot', null, null, null, 0.6)],
];

/** Rules on SERVER / USER-AGENT texts. */
const SSDP_SERVER_RULES: readonly TextRule[] = [
  [/\bSonos\/([\w.\-]+)(?:\s*\((\w+)\))?/i, (m) => dev('media device', 'Sonos', m[2] ?? null, m[1] ?? null, 0.9)],
  [/\bRoku(?:\/([\d.]+))?/i, (m) => dev('media device', 'Roku', null, m[1] ?? null, 0.85)],
  [/\bXbox\b/i, () => dev('game console', 'Microsoft', 'Xbox', null, 0.85)],
  [/\bPlayStation\s*(\d|Vita|Portable)?/i, (m) => dev('game console', 'Sony', m[1] ? `PlayStation ${m[1]}` : 'PlayStation', null, 0.85)],
  [/\bNintendo\b/i, () => dev('game console', 'Nintendo', null, null, 0.8)],
  [/\bIpBridge\/([\d.]+)/i, (m) => dev('iot', 'Philips Hue', 'Hue Bridge', m[1]!, 0.85)],
  [/\bHDHomeRun\b/i, () => dev('media device', 'SiliconDust', 'HDHomeRun', null, 0.85)],
  [/\bFRITZ!Box\b(?:\s+([\w ]+?))?(?:\s+UPnP|$)/i, (m) => dev('network device', 'AVM', m[1] ? `FRITZ!Box ${m[1].trim()}` : 'FRITZ!Box', null, 0.85)],
  [/\bSynology\/DSM\/?([\w.\-]*)/i, (m) => dev('storage', 'Synology', null, m[1] || null, 0.8)],
  [/\bQNAP\b/i, () => dev('storage', 'QNAP', null, null, 0.7)],
  [/\b(?:SmartTV|Smart TV|SHP,|Samsung[- ]?TV)\b/i, () => dev('smart tv', null, null, null, 0.7)],
  [/\bwebOS\/?[\d.]*\b.*\bLG\b|\bLG\b.*\bwebOS\b/i, () => dev('smart tv', 'LG', null, null, 0.75)],
  [/\bHikvision\b|\bDNVRS-Webs\b/i, () => dev('camera', 'Hikvision', null, null, 0.7)],
  [/\bmicro_httpd\b.*\bmini?upnpd\b|\bminiupnpd\/([\d.]+)/i, () => dev('network device', null, null, null, 0.5)],
];

/**
 * Device from SSDP / UPnP headers. `deviceType` is the NT of a NOTIFY or the
 * ST of an M-SEARCH *response* (what the sender is); the ST of an M-SEARCH
 * request is what a client looks for and must not be passed here (its
 * USER-AGENT may be).
 */
export function deviceFromSsdp(fields: SsdpFields): DeviceGuess | null {
  try {
    if (!fields || typeof fields !== 'object') return null;
    const typeText = [fields.deviceType, fields.usn].map(clip).join(' ');
    const serverText = [fields.server, fields.userAgent].map(clip).join(' ');
    let best: DeviceGuess | null = null;
    const consider = (g: DeviceGuess): void => {
      if (g.confidence <= 0) return;
      if (best === null) {
        best = g;
        return;
      }
      const hi: DeviceGuess = g.confidence > best.confidence ? g : best;
      const lo: DeviceGuess = hi === g ? best : g;
      // Merge details from the weaker guess when they do not contradict.
      const sameKind = hi.type === null || lo.type === null || hi.type === lo.type || lo.confidence < 0.6;
      best = {
        type: hi.type ?? lo.type,
        vendor: hi.vendor ?? (sameKind ? lo.vendor : null),
        model: hi.model ?? (sameKind ? lo.model : null),
        firmware: hi.firmware ?? (sameKind ? lo.firmware : null),
        confidence: hi.confidence,
      };
    };
    for (const [re, build] of SSDP_TYPE_RULES) {
      const m = re.exec(typeText);
      if (m) {
        consider(build(m));
        break;
      }
    }
    for (const [re, build] of SSDP_SERVER_RULES) {
      const m = re.exec(serverText);
      if (m) {
        consider(build(m));
        break;
      }
    }
    return best;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// LLDP / CDP
// ---------------------------------------------------------------------------

/** IEEE 802.1AB system capability bits. */
export const LLDP_CAP = {
  other: 0x01,
  repeater: 0x02,
  bridge: 0x04,
  wlanAp: 0x08,
  router: 0x10,
  telephone: 0x20,
  docsis: 0x40,
  station: 0x80,
  cvlan: 0x100,
  svlan: 0x200,
  tpmr: 0x400,
} as const;

const LLDP_CAP_NAMES: ReadonlyArray<readonly [RegExp, number]> = [
  [/^other$/, LLDP_CAP.other],
  [/^repeater$/, LLDP_CAP.repeater],
  [/^(?:mac )?bridge$|^switch$/, LLDP_CAP.bridge],
  [/^wlan(?: access point| ap)?$|^wlan-?ap$|^ap$|^access point$/, LLDP_CAP.wlanAp],
  [/^router$/, LLDP_CAP.router],
  [/^telephone$|^phone$/, LLDP_CAP.telephone],
  [/^docsis(?: cable device)?$/, LLDP_CAP.docsis],
  [/^station(?: only)?$/, LLDP_CAP.station],
  [/^c-?vlan(?: component)?(?: of a vlan bridge)?$/, LLDP_CAP.cvlan],
  [/^s-?vlan(?: component)?(?: of a vlan bridge)?$/, LLDP_CAP.svlan],
  [/^(?:tpmr|two-port mac relay)$/, LLDP_CAP.tpmr],
];

function lldpBits(enabled: string[] | number): number {
  if (typeof enabled === 'number') return Number.isFinite(enabled) ? enabled & 0xffff : 0;
  if (!Array.isArray(enabled)) return 0;
  let bits = 0;
  for (const raw of enabled.slice(0, 64)) {
    if (typeof raw !== 'string') continue;
    const s = raw.toLowerCase().replace(RE_UNDERSCORES_SPACES, ' ').trim();
    for (const [re, bit] of LLDP_CAP_NAMES) if (re.test(s)) bits |= bit;
  }
  return bits;
}

/**
 * Device type from LLDP *enabled* system capabilities, as names ('Bridge',
 * 'Router', 'WLAN Access Point', 'Telephone', …) or the 16-bit mask.
 * Telephones and access points also bridge, so they are tested first; Linux
 * hosts running lldpd may announce bridge/router, hence the modest confidence.
 */
export function deviceFromLldpCapabilities(enabled: string[] | number): DeviceGuess | null {
  try {
    const b = lldpBits(enabled);
    if (b & LLDP_CAP.telephone) return dev('voip phone', null, null, null, 0.8);
    if (b & LLDP_CAP.wlanAp) return dev('wireless access point', null, null, null, 0.8);
    if (b & LLDP_CAP.docsis) return dev('network device', null, null, null, 0.7);
    if (b & (LLDP_CAP.router | LLDP_CAP.bridge | LLDP_CAP.cvlan | LLDP_CAP.svlan | LLDP_CAP.tpmr)) return dev('network device', null, null, null, 0.6);
    if (b & LLDP_CAP.repeater) return dev('network device', null, null, null, 0.5);
    return null;
  } catch {
    return null;
  }
}

/** CDP capability bits. */
export const CDP_CAP = {
  router: 0x01,
  transparentBridge: 0x02,
  sourceRouteBridge: 0x04,
  switch: 0x08,
  host: 0x10,
  igmp: 0x20,
  repeater: 0x40,
  phone: 0x80,
  remotelyManaged: 0x100,
  cvta: 0x200,
  macRelay: 0x400,
} as const;

/** Device type from CDP capability bits. */
export function deviceFromCdpCapabilities(bits: number): DeviceGuess | null {
  try {
    if (typeof bits !== 'number' || !Number.isFinite(bits)) return null;
    const b = bits >>> 0;
    if (b & CDP_CAP.phone) return dev('voip phone', null, null, null, 0.8);
    if (b & (CDP_CAP.router | CDP_CAP.switch | CDP_CAP.transparentBridge | CDP_CAP.sourceRouteBridge | CDP_CAP.macRelay))
      return dev('network device', null, null, null, 0.6);
    if (b & CDP_CAP.repeater) return dev('network device', null, null, null, 0.5);
    return null;
  } catch {
    return null;
  }
}

/** CDP platform strings. */
const PLATFORM_RULES: readonly TextRule[] = [
  [/^\s*Cisco IP (?:Phone|Conference Station)\s+(?:CP-)?([\w-]+)/i, (m) => dev('voip phone', 'Cisco', m[1]!.toUpperCase().startsWith('CP-') ? m[1]! : `CP-${m[1]!}`, null, 0.9)],
  [/^\s*(?:cisco\s+)?(CP-\d{4}[\w-]*)/i, (m) => dev('voip phone', 'Cisco', m[1]!, null, 0.9)],
  [/^\s*Cisco ATA\s*([\w-]+)/i, (m) => dev('voip phone', 'Cisco', `ATA ${m[1]!}`, null, 0.8)],
  [/^\s*(?:cisco\s+)?(AIR-[\w-]+)/i, (m) => dev('wireless access point', 'Cisco', m[1]!, null, 0.9)],
  [/^\s*(?:cisco\s+)?(C91\d\dAX[\w-]*|C9105[\w-]*|C9162[\w-]*|C9166[\w-]*|C9136[\w-]*|CW91\d\d[\w-]*)/i, (m) => dev('wireless access point', 'Cisco', m[1]!, null, 0.85)],
  [/^\s*(?:cisco\s+)?(ASA\s?\d{4}[\w-]*|FPR-?\d{3,4}[\w-]*|Firepower[\w -]*)/i, (m) => dev('firewall', 'Cisco', m[1]!.trim(), null, 0.85)],
  [/^\s*(?:cisco\s+)?(WS-C[\w-]+|C9[2-6]\d{2}[\w-]*|C1000[\w-]*|C2960[\w-]*|C3560[\w-]*|C3750[\w-]*|IE-\d{4}[\w-]*|N[2-9]K-[\w-]+|N77-[\w-]+|Nexus\s?\d+[\w-]*|ME-\d+[\w-]*|SG\d{3}[\w-]*|CBS\d{3}[\w-]*|UCS-FI-[\w-]+)/i,
    (m) => dev('network device', 'Cisco', m[1]!, null, 0.85)],
  [/^\s*(?:cisco\s+)?(ISR\d{4}[\w/-]*|CISCO\d{3,4}[\w/-]*|C8\d{2,3}[\w/-]*|C1\d{3}[\w/-]*|ASR\d{3,4}[\w/-]*|C\d{3}[A-Z]?-[\w-]+|\d{4}(?:\s|$)[\w-]*|CSR1000V|Catalyst 8000V)/i,
    (m) => dev('network device', 'Cisco', m[1]!.trim(), null, 0.8)],
  [/^\s*Cisco UCS\b/i, () => dev('server', 'Cisco', 'UCS', null, 0.7)],
  [/^\s*VMware(?: ESX)?\b/i, () => dev('server', 'VMware', 'ESXi host', null, 0.7)],
  [/^\s*Meraki\s+(MR\d+[\w-]*)/i, (m) => dev('wireless access point', 'Cisco Meraki', m[1]!, null, 0.85)],
  [/^\s*Meraki\s+(M[SX]\d+[\w-]*)/i, (m) => dev('network device', 'Cisco Meraki', m[1]!, null, 0.85)],
  [/^\s*Polycom\b\s*([\w-]+)?/i, (m) => dev('voip phone', 'Polycom', m[1] ?? null, null, 0.85)],
  [/^\s*(?:Aastra|Mitel)\b.*?\b(\d{4}i|\d{4})\b/i, (m) => dev('voip phone', 'Mitel', m[1] ?? null, null, 0.8)],
  [/^\s*(?:HP|ProCurve|HPE|Aruba)\b\s*(J\d{4}[A-Z])?/i, (m) => dev('network device', RE_ARUBA_WORD.test(m[0]) ? 'Aruba' : 'HP', m[1] ?? null, null, 0.7)],
  [/^\s*cisco\s+([\w-]+)/i, (m) => dev('network device', 'Cisco', m[1]!, null, 0.6)],
];

/** Device from a CDP platform string ('cisco WS-C2960-24TT-L', 'Cisco IP Phone 7965', 'AIR-CAP3702I'). */
export function deviceFromPlatform(platform: string): DeviceGuess | null {
  try {
    const p = clip(platform);
    if (p.trim() === '') return null;
    for (const [re, build] of PLATFORM_RULES) {
      const m = re.exec(p);
      if (m) return build(m);
    }
    return null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// SNMP sysObjectID
// ---------------------------------------------------------------------------

/**
 * Well-known IANA Private Enterprise Numbers, listed by hand. `software`
 * marks agents that say which SNMP software runs, not who made the hardware.
 */
const ENTERPRISES: ReadonlyMap<number, { vendor: string; type?: readonly [DeviceType, number]; software?: boolean }> = new Map([
  [2, { vendor: 'IBM' }],
  [9, { vendor: 'Cisco', type: ['network device', 0.4] }],
  [11, { vendor: 'HP' }],
  [42, { vendor: 'Sun Microsystems' }],
  [43, { vendor: '3Com', type: ['network device', 0.4] }],
  [45, { vendor: 'Nortel', type: ['network device', 0.4] }],
  [171, { vendor: 'D-Link', type: ['network device', 0.4] }],
  [253, { vendor: 'Xerox', type: ['printer', 0.5] }],
  [311, { vendor: 'Microsoft', software: true }],
  [318, { vendor: 'APC' }],
  [367, { vendor: 'Ricoh', type: ['printer', 0.5] }],
  [641, { vendor: 'Lexmark', type: ['printer', 0.5] }],
  [674, { vendor: 'Dell' }],
  [789, { vendor: 'NetApp', type: ['storage', 0.6] }],
  [890, { vendor: 'Zyxel', type: ['network device', 0.4] }],
  [1248, { vendor: 'Epson', type: ['printer', 0.5] }],
  [1347, { vendor: 'Kyocera', type: ['printer', 0.5] }],
  [1588, { vendor: 'Brocade', type: ['network device', 0.4] }],
  [1602, { vendor: 'Canon', type: ['printer', 0.5] }],
  [1916, { vendor: 'Extreme Networks', type: ['network device', 0.4] }],
  [1991, { vendor: 'Brocade (Foundry)', type: ['network device', 0.4] }],
  [2011, { vendor: 'Huawei', type: ['network device', 0.4] }],
  [2021, { vendor: 'UCD-SNMP', software: true }],
  [2435, { vendor: 'Brother', type: ['printer', 0.5] }],
  [2620, { vendor: 'Check Point', type: ['firewall', 0.5] }],
  [2636, { vendor: 'Juniper', type: ['network device', 0.4] }],
  [3076, { vendor: 'Cisco', type: ['network device', 0.4] }],
  [3224, { vendor: 'Juniper (NetScreen)', type: ['firewall', 0.5] }],
  [3375, { vendor: 'F5', type: ['network device', 0.4] }],
  [4413, { vendor: 'Broadcom', type: ['network device', 0.3] }],
  [4526, { vendor: 'Netgear', type: ['network device', 0.4] }],
  [5624, { vendor: 'Enterasys', type: ['network device', 0.4] }],
  [5951, { vendor: 'Citrix (NetScaler)', type: ['network device', 0.4] }],
  [6027, { vendor: 'Force10', type: ['network device', 0.4] }],
  [6486, { vendor: 'Alcatel-Lucent', type: ['network device', 0.4] }],
  [6574, { vendor: 'Synology', type: ['storage', 0.6] }],
  [6876, { vendor: 'VMware', software: true }],
  [8072, { vendor: 'Net-SNMP', software: true }],
  [8691, { vendor: 'Moxa', type: ['network device', 0.3] }],
  [8741, { vendor: 'SonicWall', type: ['firewall', 0.5] }],
  [10002, { vendor: 'Ubiquiti', type: ['network device', 0.4] }],
  [11863, { vendor: 'TP-Link', type: ['network device', 0.4] }],
  [12356, { vendor: 'Fortinet', type: ['firewall', 0.5] }],
  [14179, { vendor: 'Cisco', type: ['network device', 0.4] }],
  [14823, { vendor: 'Aruba', type: ['network device', 0.4] }],
  [14988, { vendor: 'MikroTik', type: ['network device', 0.5] }],
  [18334, { vendor: 'Konica Minolta', type: ['printer', 0.5] }],
  [24681, { vendor: 'QNAP', type: ['storage', 0.6] }],
  [25053, { vendor: 'Ruckus', type: ['wireless access point', 0.4] }],
  [25461, { vendor: 'Palo Alto Networks', type: ['firewall', 0.5] }],
  [25506, { vendor: 'H3C', type: ['network device', 0.4] }],
  [29671, { vendor: 'Cisco Meraki', type: ['network device', 0.4] }],
  [30065, { vendor: 'Arista', type: ['network device', 0.5] }],
  [41112, { vendor: 'Ubiquiti', type: ['network device', 0.4] }],
]);

/** Vendor name of a well-known IANA Private Enterprise Number, null when not in our table. */
export function vendorFromEnterprise(pen: number): string | null {
  if (typeof pen !== 'number' || !Number.isInteger(pen)) return null;
  return ENTERPRISES.get(pen)?.vendor ?? null;
}

const RE_ENTERPRISE_OID = /^\s*\.?(?:1\.3\.6\.1\.4\.1|iso\.3\.6\.1\.4\.1|enterprises)\.(\d{1,10})((?:\.\d{1,10})*)\s*$/i;

/** Sub-trees that name a product class. */
const OID_PREFIX_RULES: ReadonlyArray<readonly [string, DeviceGuess]> = [
  ['311.1.1.3.1.1', dev('workstation', null, null, null, 0.6)],
  ['311.1.1.3.1.2', dev('server', null, null, null, 0.7)],
  ['311.1.1.3.1.3', dev('server', null, 'Domain controller', null, 0.7)],
  ['11.2.3.9.1', dev('printer', 'HP', null, null, 0.7)],
  ['11.2.3.7.11', dev('network device', 'HP', null, null, 0.7)],
  ['6876.4.1', dev('server', null, 'VMware ESXi host', null, 0.6)],
];

/** Device from an SNMP sysObjectID ('1.3.6.1.4.1.<PEN>…'). */
export function deviceFromSysObjectId(oid: string): DeviceGuess | null {
  try {
    const m = RE_ENTERPRISE_OID.exec(clip(oid));
    if (!m) return null;
    const rest = `${m[1]!}${m[2] ?? ''}`;
    for (const [prefix, g] of OID_PREFIX_RULES) {
      if (rest === prefix || rest.startsWith(`${prefix}.`)) return { ...g };
    }
    const e = ENTERPRISES.get(Number(m[1]));
    if (!e || e.software) return null;
    return e.type ? dev(e.type[0], e.vendor, null, null, e.type[1]) : dev(null, e.vendor, null, null, 0.5);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// DHCP vendor class (option 60)
// ---------------------------------------------------------------------------

const DHCP_VC_RULES: readonly TextRule[] = [
  [/^Cisco Systems,? Inc\.? IP Phone\s+(CP-[\w-]+|[\w-]+)/i, (m) => dev('voip phone', 'Cisco', m[1]!, null, 0.9)],
  [/^Cisco (?:AP|Access Point)\s+([\w-]+)/i, (m) => dev('wireless access point', 'Cisco', m[1]!, null, 0.85)],
  [/^Cisco ATA\s*([\w-]+)?/i, (m) => dev('voip phone', 'Cisco', m[1] ? `ATA ${m[1]}` : 'ATA', null, 0.8)],
  [/^(?:Cisco|Linksys)\s+(SPA[\w-]+)/i, (m) => dev('voip phone', 'Cisco', m[1]!, null, 0.8)],
  [/^ciscopnp\b/i, () => dev('network device', 'Cisco', null, null, 0.6)],
  [/^Polycom-?([\w-]+)?/i, (m) => dev('voip phone', 'Polycom', m[1] ? m[1].replace(/^SoundPointIP-/i, '') : null, null, 0.85)],
  [/^Aastra\s*(?:IP\s*Phone\s*)?([\w-]+)?/i, (m) => dev('voip phone', 'Mitel', m[1] ?? null, null, 0.85)],
  [/^Mitel\b\s*(?:IP\s*Phone\s*)?([\w-]+)?/i, (m) => dev('voip phone', 'Mitel', m[1] ?? null, null, 0.8)],
  [/^ShoreTel\b/i, () => dev('voip phone', 'Mitel', null, null, 0.8)],
  [/^yealink(?:[\s_-]+(?:SIP-)?([\w-]+))?/i, (m) => dev('voip phone', 'Yealink', m[1] ?? null, null, 0.85)],
  [/^Grandstream\s*([\w-]+)?/i, (m) => dev('voip phone', 'Grandstream', m[1] ?? null, null, 0.85)],
  [/^ccp\.avaya\.com\b|^Avaya\b/i, () => dev('voip phone', 'Avaya', null, null, 0.8)],
  [/^snom\s*([\w-]+)?/i, (m) => dev('voip phone', 'snom', m[1] ?? null, null, 0.85)],
  [/^(?:Hewlett-Packard\s+)?(?:HP\s+)?JetDirect\b/i, () => dev('printer', 'HP', null, null, 0.85)],
  [/\b(?:HP|Hewlett-Packard)\s+((?:Color\s+)?(?:LaserJet|OfficeJet|DeskJet|PageWide|DesignJet)[\w -]*)/i, (m) => dev('printer', 'HP', m[1]!.trim(), null, 0.85)],
  [/^AXIS\b(?:,([^,]*),([^,]*))?/i, (m) => dev('camera', 'Axis', clean(m[2]) , null, 0.8)],
  [/^ubnt\b/i, () => dev('network device', 'Ubiquiti', null, null, 0.6)],
  [/^Aruba(?:AP|InstantAP|\s+AP)\b/i, () => dev('wireless access point', 'Aruba', null, null, 0.8)],
  [/^Ruckus\b/i, () => dev('wireless access point', 'Ruckus', null, null, 0.7)],
  [/^Meraki\b/i, () => dev('network device', 'Cisco Meraki', null, null, 0.6)],
  [/^Arista\b/i, () => dev('network device', 'Arista', null, null, 0.6)],
  [/^Crestron\b/i, () => dev('iot', 'Crestron', null, null, 0.6)],
  [/^(?:SAMSUNG|Samsung)\s+Network Printer\b/i, () => dev('printer', 'Samsung', null, null, 0.8)],
  [/^(?:Brother|Canon|EPSON|Lexmark|Kyocera|Ricoh|Xerox|KONICA MINOLTA)\b(.*)$/i, (m) => {
    const v = normaliseVendor(m[0].split(RE_WORD_SEP)[0]!);
    return dev('printer', v, clean(m[1]) , null, 0.6);
  }],
];

/**
 * Device from a DHCP vendor class identifier. Only device aspects: OS-level
 * classes ('MSFT 5.0', 'android-dhcp-13', 'dhcpcd-…') return null.
 */
export function deviceFromDhcpVendorClass(vc: string): DeviceGuess | null {
  try {
    const s = clip(vc).trim();
    if (s === '') return null;
    for (const [re, build] of DHCP_VC_RULES) {
      const m = re.exec(s);
      if (m) return build(m);
    }
    return null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// HTTP Server headers of embedded web servers
// ---------------------------------------------------------------------------

const HTTP_SERVER_RULES: readonly TextRule[] = [
  [/\bHP HTTP Server;\s*(?:HP\s+)?([^;]+?)(?:\s+-\s+[\w]+)?\s*;/i, (m) => dev('printer', 'HP', clean(m[1]), null, 0.9)],
  [/\bHP HTTP Server\b|\bHP-ChaiSOE\b|\bHP-ChaiServer\b/i, () => dev('printer', 'HP', null, null, 0.7)],
  [/\bKM-MFP-http\b/i, () => dev('printer', 'Konica Minolta', null, null, 0.8)],
  [/\bXerox_MicroServer\b/i, () => dev('printer', 'Xerox', null, null, 0.8)],
  [/\bEWS-NIC\d?\b/i, () => dev('printer', null, null, null, 0.7)],
  [/^\s*Debut\/[\d.]+/i, () => dev('printer', 'Brother', null, null, 0.7)],
  [/\bEPSON_Linux\b|\bEPSON-HTTP\b|\bEpson UPnP SDK\b/i, () => dev('printer', 'Epson', null, null, 0.7)],
  [/\bCanon HTTP Server\b/i, () => dev('printer', 'Canon', null, null, 0.7)],
  [/\bLexmark\b|\bRICOH\b|\bKyocera\b|\bBrother\b/i, (m) => dev('printer', normaliseVendor(m[0]), null, null, 0.6)],
  [/\bCUPS\/([\d.]+)/i, () => dev('server', null, null, null, 0.2)],
  [/\bHikvision-Webs\b|\bApp-webs\//i, () => dev('camera', 'Hikvision', null, null, 0.8)],
  [/\bDNVRS-Webs\b|\bDVRDVS-Webs\b/i, () => dev('camera', 'Hikvision', null, null, 0.6)],
  [/\buc-httpd\b/i, () => dev('camera', null, null, null, 0.5)],
  [/\bSonos\/([\w.\-]+)/i, (m) => dev('media device', 'Sonos', null, m[1]!, 0.8)],
  [/\bRoku\b/i, () => dev('media device', 'Roku', null, null, 0.7)],
  [/\bSonicWALL\b/i, () => dev('firewall', 'SonicWall', null, null, 0.8)],
  [/^\s*cisco-IOS\b/i, () => dev('network device', 'Cisco', null, null, 0.6)],
  [/\bMikrotik HttpProxy\b/i, () => dev('network device', 'MikroTik', null, null, 0.5)],
  [/\bVirata-EmWeb\b/i, () => dev('printer', null, null, null, 0.3)],
  [/\b(?:Allegro-Software-)?RomPager\b/i, () => dev('network device', null, null, null, 0.3)],
  [/^\s*Boa\/[\d.]+/i, () => dev('camera', null, null, null, 0.3)],
  [/\bGoAhead-(?:Webs|http)\b/i, () => dev('iot', null, null, null, 0.2)],
  [/\bZ-World Rabbit\b|\bEmbedthis-(?:http|Appweb)\b/i, () => dev('iot', null, null, null, 0.3)],
];

/** Device from an HTTP Server header of an embedded web server; null for general-purpose servers. */
export function deviceFromHttpServer(server: string): DeviceGuess | null {
  try {
    const s = clip(server);
    if (s.trim() === '') return null;
    for (const [re, build] of HTTP_SERVER_RULES) {
      const m = re.exec(s);
      if (m) return build(m);
    }
    return null;
  } catch {
    return null;
  }
}
