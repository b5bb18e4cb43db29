import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dhcpFingerprintString, inferFromDhcp } from '../../src/inventory/infer/dhcp-fingerprint.js';

const WIN10 = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252];
const WIN7 = [1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43, 252];
const WINXP = [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43];
const MACOS = [1, 121, 3, 6, 15, 119, 252, 95, 44, 46];
const IOS = [1, 121, 3, 6, 15, 119, 252];
const IOS17 = [1, 121, 3, 6, 15, 108, 114, 119, 162];
const ANDROID = [1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 114, 108];
const DHCLIENT_UBUNTU = [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42];
const UDHCPC = [1, 3, 6, 12, 15, 28, 42];
const NETWORKD = [1, 3, 6, 12, 15, 28, 42, 119, 121];

const d = (prl: number[] | null, vendorClass: string | null = null, extra: Record<string, unknown> = {}) =>
  inferFromDhcp({ prl, vendorClass, ...extra });

test('fingerprint string', () => {
  assert.is(dhcpFingerprintString(WIN10), '1,3,6,15,31,33,43,44,46,47,119,121,249,252');
  assert.is(dhcpFingerprintString([]), '');
  assert.is(dhcpFingerprintString(null as unknown as number[]), '');
});

test('Windows: vendor class and list', () => {
  const w10 = d(WIN10, 'MSFT 5.0');
  assert.equal(w10.os, { name: 'Windows 10/11', version: null, family: 'Windows', confidence: 0.85 });
  assert.is(d(null, 'MSFT 5.0').os?.name, 'Windows');
  assert.is(d(null, 'MSFT 5.0').os?.confidence, 0.85);
  assert.is(d(WIN7, 'MSFT 5.0').os?.name, 'Windows Vista/7/8');
  assert.is(d(WINXP, 'MSFT 5.0').os?.name, 'Windows XP');
  assert.is(d([1, 15, 3, 6, 44, 46, 47, 43, 77], 'MSFT 98').os?.name, 'Windows 98/ME');
  const noVc = d(WIN10);
  assert.is(noVc.os?.family, 'Windows');
  assert.ok((noVc.os?.confidence ?? 1) <= 0.6);
  const host = d(WIN10, 'MSFT 5.0', { hostname: 'DESKTOP-4F2K9QX' });
  assert.is(host.os?.name, 'Windows 10/11');
  assert.ok((host.os?.confidence ?? 0) >= 0.85);
  const xbox = d(WIN10, 'MSFT 5.0 XBOX');
  assert.is(xbox.os?.family, 'Game console');
  assert.is(xbox.device?.type, 'game console');
});

test('Apple: macOS vs iOS from the list, hostname settles it', () => {
  const mac = d(MACOS);
  assert.is(mac.os?.family, 'macOS');
  assert.ok((mac.os?.confidence ?? 1) <= 0.6);
  const ios = d(IOS);
  assert.is(ios.os?.family, 'iOS');
  assert.ok((ios.os?.confidence ?? 1) <= 0.6);
  assert.is(d(IOS17).os?.family, 'iOS');
  const phone = d(IOS, null, { hostname: 'Annas-iPhone', maxMessageSize: 1500, clientIdType: 1 });
  assert.is(phone.os?.name, 'iOS');
  assert.is(phone.device?.type, 'phone');
  assert.is(phone.device?.vendor, 'Apple');
  const mbp = d(IOS, null, { hostname: 'Johns-MacBook-Pro' });
  assert.is(mbp.os?.family, 'macOS');
  assert.is(mbp.device?.type, 'laptop');
});

test('Android', () => {
  const a = d(ANDROID, 'android-dhcp-14');
  assert.equal(a.os, { name: 'Android', version: '14', family: 'Android', confidence: 0.9 });
  assert.is(d(ANDROID).os?.family, 'Android');
  assert.is(d([1, 121, 33, 3, 6, 15, 28, 51, 58, 59, 119], 'dhcpcd-5.5.6').os?.family, 'Android');
  const huawei = d(null, 'HUAWEI:android:P30');
  assert.is(huawei.device?.vendor, 'Huawei');
  assert.is(d(ANDROID, null, { hostname: 'Galaxy-S23' }).device?.vendor, 'Samsung');
});

test('Linux clients', () => {
  const dhclient = d(DHCLIENT_UBUNTU);
  assert.is(dhclient.os?.family, 'Linux');
  assert.is(dhclient.os?.confidence, 0.5);
  const nd = d(NETWORKD, null, { clientIdType: 255 });
  assert.is(nd.os?.family, 'Linux');
  assert.is(nd.os?.confidence, 0.45);
  const dhcpcd = d([1, 121, 33, 3, 6, 12, 15, 26, 28, 42, 51, 54, 58, 59, 119], 'dhcpcd-9.4.1:Linux-5.15.0-91-generic:x86_64:GenuineIntel');
  assert.equal(dhcpcd.os, { name: 'Linux', version: '5.15.0-91-generic', family: 'Linux', confidence: 0.8 });
  const pi = d(null, 'dhcpcd-8.1.2:Linux-5.10.103-v7l+:armv7l:BCM2711');
  assert.is(pi.device?.vendor, 'Raspberry Pi');
  assert.is(pi.os?.version, '5.10.103-v7l+');
  const bsd = d(null, 'dhcpcd-9.4.1:NetBSD-9.3:amd64:x86_64');
  assert.is(bsd.os?.family, 'BSD');
  const busy = d(UDHCPC, 'udhcp 1.36.1');
  assert.is(busy.os?.family, 'Embedded');
  assert.is(busy.device?.type, 'iot');
  assert.is(busy.device?.firmware, 'BusyBox udhcp 1.36.1');
  assert.is(d(UDHCPC).os?.name, 'Embedded Linux');
  assert.is(d(null, 'Linux ipconfig').os?.family, 'Linux');
  assert.is(d(null, null, { hostname: 'raspberrypi' }).device?.vendor, 'Raspberry Pi');
});

test('phones, printers, network gear, PXE', () => {
  const cisco = d([1, 66, 6, 3, 15, 150, 35], 'Cisco Systems, Inc. IP Phone CP-8845');
  assert.equal(cisco.device, { type: 'voip phone', vendor: 'Cisco', model: 'CP-8845', firmware: null, confidence: 0.9 });
  assert.is(d(null, 'Polycom-VVX410').device?.model, 'VVX410');
  assert.is(d(null, 'yealink').device?.vendor, 'Yealink');
  assert.is(d(null, 'Mitel IP Phone 6920').device?.type, 'voip phone');
  assert.is(d(null, 'ccp.avaya.com').device?.vendor, 'Avaya');
  for (const [vc, vendor] of [
    ['Hewlett-Packard JetDirect', 'HP'],
    ['HP LaserJet M404dn', 'HP'],
    ['Brother MFC-L2750DW', 'Brother'],
    ['Canon MF743C', 'Canon'],
    ['EPSON ET-4850', 'Epson'],
    ['Xerox VersaLink C405', 'Xerox'],
    ['RICOH IM C3000', 'Ricoh'],
  ]) {
    const r = d([1, 3, 6, 15, 44, 47, 12, 81], vc);
    assert.is(r.device?.type, 'printer', vc);
    assert.is(r.device?.vendor, vendor, vc);
    assert.is(r.os?.family, 'Printer OS', vc);
  }
  assert.is(d(null, null, { hostname: 'BRN3C2AF4A1B2C3' }).device?.vendor, 'Brother');
  assert.is(d(null, null, { hostname: 'SEP0C1167AABBCC' }).device?.type, 'voip phone');
  assert.is(d(null, 'ubnt').device?.vendor, 'Ubiquiti');
  assert.is(d(null, 'MikroTik').os?.name, 'RouterOS');
  const pxe = d([1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135], 'PXEClient:Arch:00007:UNDI:003016');
  assert.is(pxe.os?.name, 'PXE boot firmware');
  assert.is(pxe.os?.version, 'UEFI x64');
  assert.is(pxe.os?.family, 'Other');
  assert.is(d(null, 'PXEClient:Arch:00000:UNDI:002001').os?.version, 'BIOS x86');
  assert.is(d(null, 'iPXE').os?.name, 'iPXE');
  assert.is(d([1, 3, 6], null, { options: [53, 57, 93, 94, 97, 175, 55] }).os?.name, 'iPXE');
});

test('nothing recognisable → null', () => {
  assert.equal(d(null), { os: null, device: null });
  assert.equal(d([]), { os: null, device: null });
  assert.equal(d([7, 9, 200]), { os: null, device: null });
  assert.equal(d([1, 3, 6], 'SomeUnknownVendor 1.0'), { os: null, device: null });
});

test('never throws on junk', () => {
  assert.equal(inferFromDhcp(null as unknown as { prl: null; vendorClass: null }), { os: null, device: null });
  assert.equal(inferFromDhcp({ prl: 'x' as unknown as number[], vendorClass: 5 as unknown as string }), { os: null, device: null });
  let seed = 99;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 3000; i++) {
    const prl = Array.from({ length: Math.floor(rnd() * 40) }, () => (rnd() < 0.05 ? NaN : Math.floor(rnd() * 300) - 20));
    let vc = '';
    const n = Math.floor(rnd() * 60);
    for (let j = 0; j < n; j++) vc += String.fromCharCode(Math.floor(rnd() * 128));
    if (rnd() < 0.3) vc = ['MSFT 5.0', 'dhcpcd-', 'udhcp', 'PXEClient:Arch:', 'Cisco'][Math.floor(rnd() * 5)] + vc;
    const r = inferFromDhcp({ prl, vendorClass: vc, hostname: vc, clientIdType: 255, options: prl });
    assert.ok(r && 'os' in r);
    assert.type(dhcpFingerprintString(prl), 'string');
  }
});

test.run();
