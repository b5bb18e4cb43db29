/**
 * Device inference: OUI vendors, mDNS services, SSDP headers, LLDP/CDP
 * capabilities and platforms, SNMP sysObjectIDs, DHCP vendor classes, HTTP
 * Server headers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  appleModel,
  deviceFromCdpCapabilities,
  deviceFromDhcpVendorClass,
  deviceFromHttpServer,
  deviceFromLldpCapabilities,
  deviceFromMdnsService,
  deviceFromOuiVendor,
  deviceFromPlatform,
  deviceFromSsdp,
  deviceFromSysObjectId,
  normaliseVendor,
  vendorFromEnterprise,
} from '../../src/inventory/infer/device.js';
import type { DeviceGuess, DeviceType } from '../../src/inventory/infer/types.js';

interface Want {
  type?: DeviceType | null;
  vendor?: string | null;
  model?: string | null;
  firmware?: string | null;
  min?: number;
  max?: number;
}

function expectDev(g: DeviceGuess | null, want: Want, label: string): void {
  assert.ok(g, `${label}: expected a guess`);
  if (want.type !== undefined) assert.is(g!.type, want.type, `${label}: type`);
  if (want.vendor !== undefined) assert.is(g!.vendor, want.vendor, `${label}: vendor`);
  if (want.model !== undefined) assert.is(g!.model, want.model, `${label}: model`);
  if (want.firmware !== undefined) assert.is(g!.firmware, want.firmware, `${label}: firmware`);
  assert.ok(g!.confidence > 0 && g!.confidence <= 1, `${label}: confidence in (0,1]`);
  if (want.min !== undefined) assert.ok(g!.confidence >= want.min, `${label}: confidence ${g!.confidence} >= ${want.min}`);
  if (want.max !== undefined) assert.ok(g!.confidence <= want.max, `${label}: confidence ${g!.confidence} <= ${want.max}`);
}

test('normaliseVendor', () => {
  const cases: Array<[string, string]> = [
    ['Apple, Inc.', 'Apple'],
    ['Apple Inc', 'Apple'],
    ['Hewlett Packard', 'HP'],
    ['Hewlett-Packard Company', 'HP'],
    ['HP Inc.', 'HP'],
    ['Hewlett Packard Enterprise', 'HPE'],
    ['Cisco Systems, Inc', 'Cisco'],
    ['Cisco-Linksys, LLC', 'Linksys'],
    ['Cisco Meraki', 'Cisco Meraki'],
    ['Raspberry Pi Trading Ltd', 'Raspberry Pi'],
    ['Raspberry Pi (Trading) Ltd', 'Raspberry Pi'],
    ['Samsung Electronics Co.,Ltd', 'Samsung'],
    ['Intel Corporate', 'Intel'],
    ['Dell Inc.', 'Dell'],
    ['Hangzhou Hikvision Digital Technology Co.,Ltd.', 'Hikvision'],
    ['Zhejiang Dahua Technology Co., Ltd.', 'Dahua'],
    ['Xiamen Yealink Network Technology Co.,Ltd', 'Yealink'],
    ['Aruba, a Hewlett Packard Enterprise Company', 'Aruba'],
    ['Routerboard.com', 'MikroTik'],
    ['PCS Systemtechnik GmbH', 'VirtualBox'],
    ['Seiko Epson Corporation', 'Epson'],
    ['Konica Minolta Holdings, Inc.', 'Konica Minolta'],
    ['Some Random Widgets GmbH & Co. KG', 'Some Random Widgets'],
    ['Acme Widgets Pty Ltd', 'Acme Widgets'],
    ['  Foo   Bar  ', 'Foo Bar'],
    ['', ''],
  ];
  for (const [raw, want] of cases) assert.is(normaliseVendor(raw), want, raw);
});

test('deviceFromOuiVendor: single-kind vendors get a type, others only a vendor', () => {
  expectDev(deviceFromOuiVendor('Apple, Inc.'), { type: null, vendor: 'Apple' }, 'Apple');
  expectDev(deviceFromOuiVendor('Cisco Systems, Inc'), { type: null, vendor: 'Cisco' }, 'Cisco');
  expectDev(deviceFromOuiVendor('Raspberry Pi Trading Ltd'), { type: 'iot', vendor: 'Raspberry Pi', max: 0.4 }, 'RPi');
  expectDev(deviceFromOuiVendor('Ubiquiti Networks Inc.'), { type: 'network device', vendor: 'Ubiquiti', max: 0.5 }, 'Ubiquiti');
  expectDev(deviceFromOuiVendor('Ruckus Wireless'), { type: 'network device', vendor: 'Ruckus' }, 'Ruckus');
  expectDev(deviceFromOuiVendor('Polycom'), { type: 'voip phone', vendor: 'Polycom' }, 'Polycom');
  expectDev(deviceFromOuiVendor('Xiamen Yealink Network Technology Co.,Ltd'), { type: 'voip phone', vendor: 'Yealink' }, 'Yealink');
  expectDev(deviceFromOuiVendor('Grandstream Networks, Inc.'), { type: 'voip phone' }, 'Grandstream');
  expectDev(deviceFromOuiVendor('Axis Communications AB'), { type: 'camera', vendor: 'Axis' }, 'Axis');
  expectDev(deviceFromOuiVendor('Hangzhou Hikvision Digital Technology Co.,Ltd.'), { type: 'camera', vendor: 'Hikvision' }, 'Hikvision');
  expectDev(deviceFromOuiVendor('Sonos, Inc.'), { type: 'media device', vendor: 'Sonos' }, 'Sonos');
  expectDev(deviceFromOuiVendor('Roku, Inc'), { type: 'media device', vendor: 'Roku' }, 'Roku');
  expectDev(deviceFromOuiVendor('Synology Incorporated'), { type: 'storage', vendor: 'Synology' }, 'Synology');
  expectDev(deviceFromOuiVendor('QNAP Systems, Inc.'), { type: 'storage', vendor: 'QNAP' }, 'QNAP');
  expectDev(deviceFromOuiVendor('Brother Industries, Ltd.'), { type: 'printer', vendor: 'Brother' }, 'Brother');
  expectDev(deviceFromOuiVendor('Lexmark International, Inc.'), { type: 'printer', vendor: 'Lexmark' }, 'Lexmark');
  expectDev(deviceFromOuiVendor('Espressif Inc.'), { type: 'iot', vendor: 'Espressif' }, 'Espressif');
  expectDev(deviceFromOuiVendor('Siemens AG'), { type: null, vendor: 'Siemens' }, 'Siemens');
  expectDev(deviceFromOuiVendor('Rockwell Automation'), { type: 'industrial controller', vendor: 'Rockwell Automation', max: 0.3 }, 'Rockwell');
  expectDev(deviceFromOuiVendor('Beckhoff Automation GmbH'), { type: 'industrial controller', vendor: 'Beckhoff', max: 0.3 }, 'Beckhoff');
  expectDev(deviceFromOuiVendor('VMware, Inc.'), { type: 'virtual machine', vendor: 'VMware', min: 0.7 }, 'VMware');
  expectDev(deviceFromOuiVendor('XenSource, Inc.'), { type: 'virtual machine', vendor: 'Xen' }, 'Xen');
  expectDev(deviceFromOuiVendor('Parallels, Inc.'), { type: 'virtual machine', vendor: 'Parallels' }, 'Parallels');
  expectDev(deviceFromOuiVendor('PCS Systemtechnik GmbH'), { type: 'virtual machine', vendor: 'VirtualBox' }, 'VirtualBox');
  expectDev(deviceFromOuiVendor('Microsoft Corporation'), { type: null, vendor: 'Microsoft' }, 'Microsoft');
  expectDev(deviceFromOuiVendor('Microsoft Corporation', '00:15:5d'), { type: 'virtual machine', vendor: 'Microsoft', model: 'Hyper-V' }, 'Hyper-V');
  expectDev(deviceFromOuiVendor('Microsoft Corporation', '00155D1A2B3C'), { type: 'virtual machine' }, 'Hyper-V full MAC');
  assert.is(deviceFromOuiVendor(''), null);
  assert.is(deviceFromOuiVendor('   '), null);
});

test('appleModel', () => {
  expectDev(appleModel('MacBookPro18,3'), { type: 'laptop', vendor: 'Apple', model: 'MacBook Pro (MacBookPro18,3)' }, 'MBP');
  expectDev(appleModel('MacBookAir10,1'), { type: 'laptop', model: 'MacBook Air (MacBookAir10,1)' }, 'MBA');
  expectDev(appleModel('iMac21,1'), { type: 'workstation', model: 'iMac (iMac21,1)' }, 'iMac');
  expectDev(appleModel('Macmini9,1'), { type: 'workstation', model: 'Mac mini (Macmini9,1)' }, 'mini');
  expectDev(appleModel('MacPro7,1'), { type: 'workstation', model: 'Mac Pro (MacPro7,1)' }, 'Mac Pro');
  expectDev(appleModel('Mac14,2'), { type: 'laptop', model: 'MacBook Air (Mac14,2)' }, 'Mac14,2');
  expectDev(appleModel('Mac99,1'), { type: null, vendor: 'Apple', model: 'Mac (Mac99,1)' }, 'unknown MacNN');
  expectDev(appleModel('J314sAP'), { type: 'laptop', model: 'MacBook Pro (J314sAP)' }, 'J314s');
  expectDev(appleModel('J274AP'), { type: 'workstation', model: 'Mac mini (J274AP)' }, 'J274');
  expectDev(appleModel('iPhone14,2'), { type: 'phone' }, 'iPhone');
  expectDev(appleModel('iPad13,1'), { type: 'tablet' }, 'iPad');
  expectDev(appleModel('AppleTV6,2'), { type: 'media device', model: 'Apple TV (AppleTV6,2)' }, 'ATV');
  expectDev(appleModel('AudioAccessory5,1'), { type: 'media device', model: 'HomePod (AudioAccessory5,1)' }, 'HomePod');
  assert.is(appleModel('Chromecast'), null);
  assert.is(appleModel(''), null);
});

test('deviceFromMdnsService: printers and scanners', () => {
  expectDev(
    deviceFromMdnsService('_ipp._tcp.local', { txtvers: '1', ty: 'HP LaserJet Pro M404dn', usb_MFG: 'HP', usb_MDL: 'LaserJet Pro M404dn', product: '(HP LaserJet Pro M404dn)' }),
    { type: 'printer', vendor: 'HP', model: 'HP LaserJet Pro M404dn', min: 0.8 }, 'ipp ty',
  );
  expectDev(
    deviceFromMdnsService('Brother MFC-L2710DW series._ipp._tcp.local.', { product: '(Brother MFC-L2710DW series)' }),
    { type: 'printer', vendor: 'Brother', model: 'Brother MFC-L2710DW series' }, 'ipp product',
  );
  expectDev(
    deviceFromMdnsService('_universal._sub._ipps._tcp', { usb_MFG: 'EPSON', usb_MDL: 'ET-2750 Series' }),
    { type: 'printer', vendor: 'Epson', model: 'EPSON ET-2750 Series' }, 'ipps usb',
  );
  expectDev(deviceFromMdnsService('_pdl-datastream._tcp'), { type: 'printer', vendor: null, model: null }, 'pdl');
  expectDev(deviceFromMdnsService('_printer._tcp.local.'), { type: 'printer' }, 'lpd');
  expectDev(deviceFromMdnsService('_uscan._tcp', { ty: 'Canon MF743C/745C', mfg: 'Canon' }), { type: 'printer', vendor: 'Canon', model: 'Canon MF743C/745C' }, 'uscan');
  expectDev(deviceFromMdnsService('_scanner._tcp'), { type: 'printer', max: 0.75 }, 'scanner');
});

test('deviceFromMdnsService: media, Apple, HomeKit and others', () => {
  expectDev(deviceFromMdnsService('Living Room._airplay._tcp.local', { model: 'AppleTV11,1', features: '0x4A7FDFD5' }), { type: 'media device', vendor: 'Apple', model: 'Apple TV (AppleTV11,1)' }, 'airplay ATV');
  expectDev(deviceFromMdnsService('ABCDEF@Kitchen._raop._tcp', { am: 'AudioAccessory5,1' }), { type: 'media device', model: 'HomePod (AudioAccessory5,1)' }, 'raop HomePod');
  expectDev(deviceFromMdnsService('_airplay._tcp', { model: 'MacBookPro18,3' }), { type: 'laptop', vendor: 'Apple' }, 'airplay on a Mac');
  expectDev(deviceFromMdnsService('_airplay._tcp', { manufacturer: 'Sonos', model: 'One' }), { type: 'media device', vendor: 'Sonos', model: 'One' }, 'airplay Sonos');
  expectDev(deviceFromMdnsService('_airplay._tcp', { manufacturer: 'Samsung', model: 'QN65Q80TAFXZA TV' }), { type: 'smart tv', vendor: 'Samsung' }, 'airplay TV');
  expectDev(deviceFromMdnsService('Chromecast-abc._googlecast._tcp.local', { md: 'Chromecast', fn: 'Living Room TV', id: 'abc' }), { type: 'media device', vendor: 'Google', model: 'Chromecast' }, 'cast');
  expectDev(deviceFromMdnsService('_googlecast._tcp', { md: 'Google Nest Mini' }), { type: 'media device', vendor: 'Google', model: 'Google Nest Mini' }, 'nest mini');
  expectDev(deviceFromMdnsService('_googlecast._tcp', { md: 'BRAVIA 4K GB' }), { type: 'smart tv', vendor: null, model: 'BRAVIA 4K GB' }, 'bravia');
  expectDev(deviceFromMdnsService('_hap._tcp', { md: 'Eve Energy', ci: '7' }), { type: 'iot', model: 'Eve Energy' }, 'hap');
  expectDev(deviceFromMdnsService('_hap._tcp', { md: 'Doorbell', ci: '18' }), { type: 'camera' }, 'hap doorbell');
  expectDev(deviceFromMdnsService('_companion-link._tcp'), { type: null, vendor: 'Apple' }, 'companion');
  expectDev(deviceFromMdnsService('_companion-link._tcp', { rpMd: 'iPhone15,2' }), { type: 'phone', vendor: 'Apple' }, 'companion model');
  expectDev(deviceFromMdnsService('Johns-MBP._device-info._tcp.local', { model: 'MacBookPro18,3', osxvers: '22' }), { type: 'laptop', vendor: 'Apple' }, 'device-info');
  expectDev(deviceFromMdnsService('_device-info._tcp', { model: 'iMac21,1' }), { type: 'workstation' }, 'device-info iMac');
  expectDev(deviceFromMdnsService('_device-info._tcp', { model: 'MacSamba' }), { type: 'server', vendor: null, max: 0.5 }, 'MacSamba');
  assert.is(deviceFromMdnsService('_device-info._tcp'), null, 'device-info without model');
  expectDev(deviceFromMdnsService('_smb._tcp'), { type: 'server', max: 0.3 }, 'smb');
  expectDev(deviceFromMdnsService('_adisk._tcp'), { type: 'storage' }, 'adisk');
  expectDev(deviceFromMdnsService('70-35-60-63\\.1 Living Room._sleep-proxy._udp.local'), { type: 'media device', vendor: 'Apple' }, 'sleep proxy');
  expectDev(deviceFromMdnsService('_spotify-connect._tcp'), { type: 'media device', max: 0.4 }, 'spotify');
  expectDev(deviceFromMdnsService('_amzn-wplay._tcp'), { type: 'media device', vendor: 'Amazon' }, 'amazon');
  expectDev(deviceFromMdnsService('_nvstream._tcp'), { type: 'workstation' }, 'nvstream');
  expectDev(deviceFromMdnsService('_axis-video._tcp'), { type: 'camera', vendor: 'Axis' }, 'axis');
  expectDev(deviceFromMdnsService('_hue._tcp'), { type: 'iot' }, 'hue');
  for (const s of ['_http._tcp', '_ssh._tcp.local', '_workstation._tcp', '_sftp-ssh._tcp', 'no service here', '', '_unknown-thing._udp']) {
    assert.is(deviceFromMdnsService(s), null, s);
  }
});

test('deviceFromSsdp', () => {
  expectDev(
    deviceFromSsdp({ server: 'Linux/3.14.0 UPnP/1.0 Sonos/63.2-88230 (ZPS9)', deviceType: 'urn:schemas-upnp-org:device:ZonePlayer:1' }),
    { type: 'media device', vendor: 'Sonos', model: 'ZPS9', firmware: '63.2-88230', min: 0.8 }, 'Sonos',
  );
  expectDev(deviceFromSsdp({ server: 'Linux UPnP/1.0 Sonos/70.3-35220 (ZPS12)' }), { type: 'media device', vendor: 'Sonos', model: 'ZPS12' }, 'Sonos server only');
  expectDev(
    deviceFromSsdp({ deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', server: 'Linux/2.6.36, UPnP/1.0, Portable SDK for UPnP devices/1.6.19' }),
    { type: 'network device', vendor: null }, 'IGD',
  );
  expectDev(deviceFromSsdp({ deviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1' }), { type: 'network device' }, 'WANIPConnection');
  expectDev(deviceFromSsdp({ deviceType: 'urn:schemas-upnp-org:device:WANDevice:1' }), { type: 'network device' }, 'WANDevice');
  expectDev(deviceFromSsdp({ deviceType: 'urn:schemas-upnp-org:device:MediaRenderer:1' }), { type: 'media device' }, 'renderer');
  expectDev(deviceFromSsdp({ deviceType: 'urn:schemas-upnp-org:device:MediaServer:1', server: 'Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0' }), { type: 'media device', max: 0.5 }, 'media server');
  expectDev(deviceFromSsdp({ deviceType: 'urn:schemas-upnp-org:device:Printer:1' }), { type: 'printer', min: 0.7 }, 'printer');
  expectDev(deviceFromSsdp({ deviceType: 'urn:dial-multiscreen-org:service:dial:1', server: 'Linux/4.9 UPnP/1.0 Cast/1.0' }), { type: 'smart tv' }, 'dial');
  expectDev(deviceFromSsdp({ deviceType: 'roku:ecp', server: 'Roku/9.4.0 UPnP/1.0 Roku/9.4.0', usn: 'uuid:roku:ecp:X00000ABCDEF' }), { type: 'media device', vendor: 'Roku', firmware: '9.4.0' }, 'Roku');
  expectDev(deviceFromSsdp({ userAgent: 'Xbox/2.0.17763.3234 UPnP/1.0 Xbox/2.0.17763.3234' }), { type: 'game console', vendor: 'Microsoft' }, 'Xbox');
  expectDev(deviceFromSsdp({ server: 'PlayStation 4/1.00 UPnP/1.0' }), { type: 'game console', vendor: 'Sony', model: 'PlayStation 4' }, 'PS4');
  expectDev(deviceFromSsdp({ server: 'Hue/1.0 UPnP/1.0 IpBridge/1.56.0', deviceType: 'urn:schemas-upnp-org:device:basic:1' }), { type: 'iot', vendor: 'Philips Hue', firmware: '1.56.0' }, 'Hue');
  expectDev(deviceFromSsdp({ deviceType: 'urn:Belkin:device:controllee:1' }), { type: 'iot', vendor: 'Belkin' }, 'WeMo');
  expectDev(deviceFromSsdp({ deviceType: 'urn:samsung.com:device:RemoteControlReceiver:1' }), { type: 'smart tv', vendor: 'Samsung' }, 'Samsung TV');
  expectDev(deviceFromSsdp({ deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', server: 'Linux/3.4 UPnP/1.0 miniupnpd/2.0' }), { type: 'network device', firmware: null }, 'miniupnpd');
  assert.is(deviceFromSsdp({ deviceType: 'upnp:rootdevice', server: 'Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0' }), null, 'Windows root device');
  assert.is(deviceFromSsdp({}), null);
  assert.is(deviceFromSsdp({ server: null, deviceType: null, usn: null, userAgent: null, location: null }), null);
});

test('deviceFromLldpCapabilities / deviceFromCdpCapabilities', () => {
  expectDev(deviceFromLldpCapabilities(['Bridge', 'Telephone']), { type: 'voip phone' }, 'phone');
  expectDev(deviceFromLldpCapabilities(['Bridge', 'WLAN Access Point']), { type: 'wireless access point' }, 'AP');
  expectDev(deviceFromLldpCapabilities(['Bridge', 'Router']), { type: 'network device' }, 'router');
  expectDev(deviceFromLldpCapabilities(['bridge']), { type: 'network device' }, 'bridge lower-case');
  expectDev(deviceFromLldpCapabilities(['DOCSIS Cable Device']), { type: 'network device' }, 'docsis');
  assert.is(deviceFromLldpCapabilities(['Station Only']), null, 'station');
  assert.is(deviceFromLldpCapabilities([]), null, 'empty');
  assert.is(deviceFromLldpCapabilities(['Other']), null, 'other');
  expectDev(deviceFromLldpCapabilities(0x0014), { type: 'network device' }, '0x14');
  expectDev(deviceFromLldpCapabilities(0x0024), { type: 'voip phone' }, '0x24');
  expectDev(deviceFromLldpCapabilities(0x000c), { type: 'wireless access point' }, '0x0c');
  assert.is(deviceFromLldpCapabilities(0x0080), null, 'station bit');
  assert.is(deviceFromLldpCapabilities(0), null);

  expectDev(deviceFromCdpCapabilities(0x28), { type: 'network device' }, 'switch+igmp');
  expectDev(deviceFromCdpCapabilities(0x01), { type: 'network device' }, 'router');
  expectDev(deviceFromCdpCapabilities(0x490), { type: 'voip phone' }, 'phone host mac-relay');
  expectDev(deviceFromCdpCapabilities(0x80 | 0x10), { type: 'voip phone' }, 'phone');
  assert.is(deviceFromCdpCapabilities(0x10), null, 'host');
  assert.is(deviceFromCdpCapabilities(0x10 | 0x20 | 0x100), null, 'host+igmp+managed');
  assert.is(deviceFromCdpCapabilities(NaN), null);
});

test('deviceFromPlatform', () => {
  expectDev(deviceFromPlatform('cisco WS-C2960-24TT-L'), { type: 'network device', vendor: 'Cisco', model: 'WS-C2960-24TT-L', min: 0.8 }, '2960');
  expectDev(deviceFromPlatform('cisco WS-C3560G-24PS'), { type: 'network device', model: 'WS-C3560G-24PS' }, '3560');
  expectDev(deviceFromPlatform('cisco C9300-48P'), { type: 'network device', model: 'C9300-48P' }, 'C9300');
  expectDev(deviceFromPlatform('N9K-C93180YC-EX'), { type: 'network device', model: 'N9K-C93180YC-EX' }, 'Nexus');
  expectDev(deviceFromPlatform('cisco ISR4331/K9'), { type: 'network device', model: 'ISR4331/K9' }, 'ISR');
  expectDev(deviceFromPlatform('cisco 1601'), { type: 'network device', vendor: 'Cisco', model: '1601' }, '1601');
  expectDev(deviceFromPlatform('Cisco IP Phone 7965'), { type: 'voip phone', vendor: 'Cisco', model: 'CP-7965', min: 0.8 }, 'phone 7965');
  expectDev(deviceFromPlatform('Cisco IP Phone CP-8845'), { type: 'voip phone', model: 'CP-8845' }, 'phone 8845');
  expectDev(deviceFromPlatform('cisco CP-7841'), { type: 'voip phone', model: 'CP-7841' }, 'CP-7841');
  expectDev(deviceFromPlatform('AIR-CAP3702I-E-K9'), { type: 'wireless access point', vendor: 'Cisco', model: 'AIR-CAP3702I-E-K9' }, 'AP');
  expectDev(deviceFromPlatform('cisco AIR-AP1142N-E-K9'), { type: 'wireless access point' }, 'AP 1142');
  expectDev(deviceFromPlatform('cisco C9120AXI-E'), { type: 'wireless access point' }, 'C9120');
  expectDev(deviceFromPlatform('Cisco ASA5510'), { type: 'firewall', model: 'ASA5510' }, 'ASA');
  expectDev(deviceFromPlatform('VMware ESX'), { type: 'server', vendor: 'VMware' }, 'ESX');
  expectDev(deviceFromPlatform('Meraki MR42 Cloud Managed AP'), { type: 'wireless access point', model: 'MR42' }, 'Meraki MR');
  expectDev(deviceFromPlatform('Meraki MS220-8P Cloud Managed Switch'), { type: 'network device', model: 'MS220-8P' }, 'Meraki MS');
  expectDev(deviceFromPlatform('Polycom VVX 411'), { type: 'voip phone', vendor: 'Polycom' }, 'Polycom');
  expectDev(deviceFromPlatform('ProCurve J9019B Switch 2510B-24'), { type: 'network device', vendor: 'HP', model: 'J9019B' }, 'ProCurve');
  assert.is(deviceFromPlatform('Linux'), null);
  assert.is(deviceFromPlatform(''), null);
});

test('vendorFromEnterprise / deviceFromSysObjectId', () => {
  const pens: Array<[number, string]> = [
    [9, 'Cisco'], [11, 'HP'], [2636, 'Juniper'], [311, 'Microsoft'], [8072, 'Net-SNMP'], [674, 'Dell'],
    [2011, 'Huawei'], [12356, 'Fortinet'], [25461, 'Palo Alto Networks'], [14988, 'MikroTik'], [41112, 'Ubiquiti'],
    [4526, 'Netgear'], [1916, 'Extreme Networks'], [30065, 'Arista'], [3375, 'F5'], [2435, 'Brother'], [1602, 'Canon'],
    [1248, 'Epson'], [641, 'Lexmark'], [253, 'Xerox'], [367, 'Ricoh'], [1347, 'Kyocera'], [18334, 'Konica Minolta'],
    [6876, 'VMware'], [14823, 'Aruba'], [6486, 'Alcatel-Lucent'], [5624, 'Enterasys'],
  ];
  for (const [pen, v] of pens) assert.is(vendorFromEnterprise(pen), v, String(pen));
  assert.is(vendorFromEnterprise(999_999_999), null);
  assert.is(vendorFromEnterprise(-1), null);
  assert.is(vendorFromEnterprise(1.5), null);

  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.9.1.1208'), { type: 'network device', vendor: 'Cisco', max: 0.5 }, 'Cisco');
  expectDev(deviceFromSysObjectId('.1.3.6.1.4.1.2636.1.1.1.2.31'), { type: 'network device', vendor: 'Juniper' }, 'Juniper leading dot');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.12356.101.1.3002'), { type: 'firewall', vendor: 'Fortinet' }, 'FortiGate');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.2435.2.3.9.1'), { type: 'printer', vendor: 'Brother', max: 0.6 }, 'Brother');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.1602.4.7'), { type: 'printer', vendor: 'Canon' }, 'Canon');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.11.2.3.9.1'), { type: 'printer', vendor: 'HP', min: 0.6 }, 'JetDirect');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.11.2.3.7.11.87'), { type: 'network device', vendor: 'HP' }, 'ProCurve');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.11.2.3.2.3'), { type: null, vendor: 'HP' }, 'HP other');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.311.1.1.3.1.1'), { type: 'workstation', vendor: null }, 'Windows workstation');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.311.1.1.3.1.2'), { type: 'server' }, 'Windows server');
  expectDev(deviceFromSysObjectId('1.3.6.1.4.1.674.10892.2'), { type: null, vendor: 'Dell' }, 'Dell');
  expectDev(deviceFromSysObjectId('iso.3.6.1.4.1.14988.1'), { type: 'network device', vendor: 'MikroTik' }, 'iso. prefix');
  assert.is(deviceFromSysObjectId('1.3.6.1.4.1.8072.3.2.10'), null, 'Net-SNMP says nothing about hardware');
  assert.is(deviceFromSysObjectId('1.3.6.1.4.1.424242.1'), null, 'unknown PEN');
  assert.is(deviceFromSysObjectId('1.3.6.1.2.1.1'), null, 'not an enterprise OID');
  assert.is(deviceFromSysObjectId('garbage'), null);
});

test('deviceFromDhcpVendorClass', () => {
  expectDev(deviceFromDhcpVendorClass('Cisco Systems, Inc. IP Phone CP-8845'), { type: 'voip phone', vendor: 'Cisco', model: 'CP-8845', min: 0.8 }, 'Cisco phone');
  expectDev(deviceFromDhcpVendorClass('Cisco AP c1140'), { type: 'wireless access point', vendor: 'Cisco', model: 'c1140' }, 'Cisco AP');
  expectDev(deviceFromDhcpVendorClass('ciscopnp'), { type: 'network device', vendor: 'Cisco' }, 'PnP');
  expectDev(deviceFromDhcpVendorClass('Polycom-VVX400'), { type: 'voip phone', vendor: 'Polycom', model: 'VVX400' }, 'Polycom');
  expectDev(deviceFromDhcpVendorClass('AastraIPPhone6867i'), { type: 'voip phone', vendor: 'Mitel', model: '6867i' }, 'Aastra');
  expectDev(deviceFromDhcpVendorClass('yealink'), { type: 'voip phone', vendor: 'Yealink' }, 'Yealink');
  expectDev(deviceFromDhcpVendorClass('ccp.avaya.com'), { type: 'voip phone', vendor: 'Avaya' }, 'Avaya');
  expectDev(deviceFromDhcpVendorClass('Hewlett-Packard JetDirect'), { type: 'printer', vendor: 'HP' }, 'JetDirect');
  expectDev(deviceFromDhcpVendorClass('HP LaserJet M402'), { type: 'printer', vendor: 'HP', model: 'LaserJet M402' }, 'LaserJet');
  expectDev(deviceFromDhcpVendorClass('AXIS,Network Camera,M3004,5.51'), { type: 'camera', vendor: 'Axis', model: 'M3004' }, 'Axis');
  expectDev(deviceFromDhcpVendorClass('AXIS'), { type: 'camera', vendor: 'Axis' }, 'Axis bare');
  expectDev(deviceFromDhcpVendorClass('ubnt'), { type: 'network device', vendor: 'Ubiquiti' }, 'ubnt');
  expectDev(deviceFromDhcpVendorClass('Arista'), { type: 'network device', vendor: 'Arista' }, 'Arista ZTP');
  expectDev(deviceFromDhcpVendorClass('ArubaAP'), { type: 'wireless access point', vendor: 'Aruba' }, 'Aruba');
  for (const s of ['MSFT 5.0', 'android-dhcp-13', 'dhcpcd-9.4.1:Linux-6.1.0:x86_64:GenuineIntel', 'udhcp 1.36.1', 'PXEClient:Arch:00007:UNDI:003016', '']) {
    assert.is(deviceFromDhcpVendorClass(s), null, s);
  }
});

test('deviceFromHttpServer', () => {
  expectDev(
    deviceFromHttpServer('HP HTTP Server; HP LaserJet 400 MFP M425dn - CF288A; Serial Number: CNB8H12345; Built:Thu Mar 21, 2013 12:51:40PM {MAL1FN1321AR}'),
    { type: 'printer', vendor: 'HP', model: 'LaserJet 400 MFP M425dn', min: 0.8 }, 'HP HTTP Server',
  );
  expectDev(deviceFromHttpServer('HP HTTP Server; HP Color LaserJet MFP M477fdw - CF379A; Serial Number: X'), { type: 'printer', model: 'Color LaserJet MFP M477fdw' }, 'HP colour');
  expectDev(deviceFromHttpServer('Virata-EmWeb/R6_2_1'), { type: 'printer', max: 0.4 }, 'EmWeb');
  expectDev(deviceFromHttpServer('Allegro-Software-RomPager/4.07 UPnP/1.0'), { type: 'network device', max: 0.4 }, 'RomPager');
  expectDev(deviceFromHttpServer('RomPager/4.07 UPnP/1.0'), { max: 0.4 }, 'RomPager plain');
  expectDev(deviceFromHttpServer('Boa/0.94.14rc21'), { type: 'camera', max: 0.4 }, 'Boa');
  expectDev(deviceFromHttpServer('GoAhead-Webs'), { max: 0.3 }, 'GoAhead');
  expectDev(deviceFromHttpServer('Hikvision-Webs'), { type: 'camera', vendor: 'Hikvision', min: 0.7 }, 'Hikvision');
  expectDev(deviceFromHttpServer('EWS-NIC5/15.18'), { type: 'printer' }, 'EWS-NIC5');
  expectDev(deviceFromHttpServer('KM-MFP-http/V0.0.1'), { type: 'printer', vendor: 'Konica Minolta' }, 'Konica');
  expectDev(deviceFromHttpServer('Debut/1.30'), { type: 'printer', vendor: 'Brother' }, 'Brother');
  expectDev(deviceFromHttpServer('CUPS/2.4 IPP/2.1'), { max: 0.3 }, 'CUPS');
  expectDev(deviceFromHttpServer('Xerox_MicroServer/Xerox11'), { type: 'printer', vendor: 'Xerox' }, 'Xerox');
  for (const s of ['lighttpd/1.4.35', 'nginx/1.23.3', 'Apache/2.4.41 (Ubuntu)', 'Microsoft-IIS/10.0', 'SimpleHTTP/0.6 Python/3.12.3', '']) {
    assert.is(deviceFromHttpServer(s), null, s);
  }
});

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function randomText(rand: () => number): string {
  const alphabet = 'abcXYZ0123456789 .,;:()[]/-_+#~\\\n\t\u00e9\u4e2d';
  const pieces = ['_ipp', '._tcp', '._udp', 'cisco ', 'AIR-', 'CP-', 'HP HTTP Server;', 'Sonos/', '1.3.6.1.4.1.', 'Polycom-', 'urn:', 'MacBookPro', 'J', 'AP', '&', 'Co.', 'Inc', '(', ')'];
  let s = '';
  const n = Math.floor(rand() * 120);
  for (let i = 0; i < n; i++) s += rand() < 0.2 ? pieces[Math.floor(rand() * pieces.length)] : alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

function checkGuess(g: DeviceGuess | null): void {
  if (g === null) return;
  assert.ok(g.confidence > 0 && g.confidence <= 1);
}

test('never throws on random or hostile input', () => {
  const rand = lcg(777);
  for (let i = 0; i < 3000; i++) {
    const s = randomText(rand);
    const t = randomText(rand);
    assert.type(normaliseVendor(s), 'string');
    checkGuess(deviceFromOuiVendor(s, t));
    checkGuess(deviceFromMdnsService(s, { ty: t, model: t, md: t, usb_MFG: s, product: t }));
    checkGuess(deviceFromSsdp({ server: s, deviceType: t, usn: s, userAgent: t, location: s }));
    checkGuess(deviceFromLldpCapabilities([s, t]));
    checkGuess(deviceFromLldpCapabilities(Math.floor(rand() * 0x20000)));
    checkGuess(deviceFromCdpCapabilities(Math.floor(rand() * 0x2000)));
    checkGuess(deviceFromPlatform(s));
    checkGuess(deviceFromSysObjectId(`1.3.6.1.4.1.${Math.floor(rand() * 50000)}.${s}`));
    checkGuess(deviceFromSysObjectId(s));
    checkGuess(deviceFromDhcpVendorClass(s));
    checkGuess(deviceFromHttpServer(s));
    assert.ok(vendorFromEnterprise(Math.floor(rand() * 50000)) === null || true);
  }
  const hostile: unknown[] = [null, undefined, 42, {}, [], NaN, Infinity, 'x'.repeat(100_000), '('.repeat(100_000)];
  for (const h of hostile) {
    const x = h as never;
    assert.not.throws(() => {
      normaliseVendor(x);
      deviceFromOuiVendor(x, x);
      deviceFromMdnsService(x, x);
      deviceFromSsdp(x);
      deviceFromSsdp({ server: x, deviceType: x });
      deviceFromLldpCapabilities(x);
      deviceFromLldpCapabilities([x]);
      deviceFromCdpCapabilities(x);
      deviceFromPlatform(x);
      vendorFromEnterprise(x);
      deviceFromSysObjectId(x);
      deviceFromDhcpVendorClass(x);
      deviceFromHttpServer(x);
      appleModel(x);
    }, String(h).slice(0, 20));
  }
  const t0 = Date.now();
  const big = 'cisco '.repeat(20_000) + '._tcp'.repeat(20_000);
  deviceFromPlatform(big);
  deviceFromMdnsService(big);
  deviceFromSsdp({ server: big, deviceType: big });
  deviceFromHttpServer(big);
  assert.ok(Date.now() - t0 < 2000, 'long input is cheap');
});

test.run();
