import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { darwinToIos, darwinToMacos, inferFromUserAgent } from '../../src/inventory/infer/user-agent.js';

const ua = inferFromUserAgent;

test('Chrome / Edge / Firefox on Windows 10/11', () => {
  const chrome = ua('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36');
  assert.equal(chrome.os, { name: 'Windows 10/11', version: '10.0', family: 'Windows', confidence: 0.8 });
  assert.equal(chrome.browser, { name: 'Chrome', version: '120.0.0.0' });
  assert.is(chrome.client, 'browser');
  const edge = ua('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91');
  assert.equal(edge.browser, { name: 'Edge', version: '120.0.2210.91' });
  const ff = ua('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0');
  assert.equal(ff.browser, { name: 'Firefox', version: '121.0' });
  assert.is(ff.os?.name, 'Windows 10/11');
});

test('older Windows versions', () => {
  assert.is(ua('Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko').os?.name, 'Windows 7');
  assert.equal(ua('Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko').browser, { name: 'Internet Explorer', version: '11.0' });
  assert.is(ua('Mozilla/5.0 (Windows NT 6.3; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36').os?.name, 'Windows 8.1');
  assert.is(ua('Mozilla/5.0 (Windows NT 6.2; WOW64) AppleWebKit/537.36').os?.name, 'Windows 8');
  assert.is(ua('Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.0; Trident/4.0)').os?.name, 'Windows Vista');
  assert.is(ua('Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)').os?.name, 'Windows XP');
  assert.is(ua('Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.2)').os?.name, 'Windows XP');
});

test('macOS Safari / Chrome / Firefox', () => {
  const safari = ua('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15');
  assert.is(safari.os?.name, 'macOS');
  assert.is(safari.os?.family, 'macOS');
  assert.is(safari.os?.version, '10.15.7');
  assert.is(safari.os?.confidence, 0.6); // frozen string
  assert.equal(safari.browser, { name: 'Safari', version: '17.1' });
  assert.is(safari.device?.vendor, 'Apple');
  const old = ua('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Safari/605.1.15');
  assert.is(old.os?.version, '10.13.6');
  assert.is(old.os?.confidence, 0.8);
  const ff = ua('Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0');
  assert.is(ff.os?.family, 'macOS');
  assert.is(ff.browser?.name, 'Firefox');
});

test('iPhone and iPad', () => {
  const iphone = ua('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1');
  assert.equal(iphone.os, { name: 'iOS', version: '17.1', family: 'iOS', confidence: 0.8 });
  assert.equal(iphone.device, { type: 'phone', vendor: 'Apple', model: 'iPhone', firmware: null, confidence: 0.8 });
  assert.equal(iphone.browser, { name: 'Safari', version: '17.1' });
  const crios = ua('Mozilla/5.0 (iPhone; CPU iPhone OS 16_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1');
  assert.is(crios.os?.version, '16.6.1');
  assert.is(crios.browser?.name, 'Chrome');
  const ipad = ua('Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1');
  assert.is(ipad.os?.name, 'iPadOS');
  assert.is(ipad.os?.family, 'iOS');
  assert.is(ipad.device?.type, 'tablet');
});

test('Android phones, tablets, reduced UA, Firefox', () => {
  const s23 = ua('Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36');
  assert.equal(s23.os, { name: 'Android', version: '14', family: 'Android', confidence: 0.8 });
  assert.is(s23.device?.type, 'phone');
  assert.is(s23.device?.vendor, 'Samsung');
  assert.is(s23.device?.model, 'SM-S911B');
  const pixel = ua('Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36');
  assert.is(pixel.device?.vendor, 'Google');
  assert.is(pixel.device?.model, 'Pixel 7');
  const tab = ua('Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36');
  assert.is(tab.device?.type, 'tablet');
  const reduced = ua('Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36');
  assert.is(reduced.os?.family, 'Android');
  assert.is(reduced.os?.version, null);
  assert.is(reduced.device?.model, null);
  const ff = ua('Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0');
  assert.is(ff.os?.version, '14');
  assert.is(ff.device?.model, null);
  const sam = ua('Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36');
  assert.is(sam.browser?.name, 'Samsung Internet');
  assert.is(sam.device?.vendor, 'Samsung');
  const old = ua('Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebkit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30');
  assert.is(old.device?.model, 'LG-L160L');
  assert.is(old.device?.vendor, 'LG');
  const wv = ua('Mozilla/5.0 (Linux; Android 12; moto g(60); wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36');
  assert.is(wv.browser?.name, 'Android WebView');
  assert.is(wv.device?.vendor, 'Motorola');
});

test('Linux desktops, ChromeOS, BSD', () => {
  const ubuntu = ua('Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0');
  assert.is(ubuntu.os?.name, 'Ubuntu');
  assert.is(ubuntu.os?.family, 'Linux');
  const fedora = ua('Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0');
  assert.is(fedora.os?.name, 'Fedora');
  const linux = ua('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36');
  assert.equal(linux.os, { name: 'Linux', version: null, family: 'Linux', confidence: 0.6 });
  const cros = ua('Mozilla/5.0 (X11; CrOS x86_64 15633.69.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.212 Safari/537.36');
  assert.is(cros.os?.family, 'ChromeOS');
  assert.is(cros.os?.version, '15633.69.0');
  const bsd = ua('Mozilla/5.0 (X11; FreeBSD amd64; rv:120.0) Gecko/20100101 Firefox/120.0');
  assert.is(bsd.os?.family, 'BSD');
  assert.is(bsd.os?.name, 'FreeBSD');
  assert.is(ua('Mozilla/5.0 (X11; OpenBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0').os?.name, 'OpenBSD');
});

test('consoles and TVs', () => {
  const ps5 = ua('Mozilla/5.0 (PlayStation 5 3.00) AppleWebKit/605.1.15 (KHTML, like Gecko)');
  assert.is(ps5.device?.type, 'game console');
  assert.is(ps5.device?.vendor, 'Sony');
  assert.is(ps5.os?.family, 'Game console');
  const xbox = ua('Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edge/44.18363.8131');
  assert.is(xbox.device?.vendor, 'Microsoft');
  assert.is(xbox.os?.family, 'Game console');
  const sw = ua('Mozilla/5.0 (Nintendo Switch; WifiWebAuthApplet) AppleWebKit/606.4 (KHTML, like Gecko) NF/6.0.1.15.4 NintendoBrowser/5.1.0.20393');
  assert.is(sw.device?.vendor, 'Nintendo');
  const tizen = ua('Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.5) AppleWebKit/537.36 (KHTML, like Gecko) 85.0.4183.93/6.5 TV Safari/537.36');
  assert.is(tizen.os?.name, 'Tizen');
  assert.is(tizen.os?.version, '6.5');
  assert.is(tizen.device?.type, 'smart tv');
  assert.is(tizen.device?.vendor, 'Samsung');
  const webos = ua('Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager');
  assert.is(webos.os?.name, 'webOS');
  assert.is(webos.device?.vendor, 'LG');
  const hbb = ua('Mozilla/5.0 (Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/56.0 Safari/537.36 HbbTV/1.5.1 (+DRM; Panasonic; SmartTV2019; 3.010; 1.0;) ');
  assert.is(hbb.device?.vendor, 'Panasonic');
  assert.is(hbb.device?.type, 'smart tv');
  const cc = ua('Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.225 Safari/537.36 CrKey/1.56.500000');
  assert.is(cc.device?.model, 'Chromecast');
  assert.is(cc.device?.type, 'media device');
  const roku = ua('Roku/DVP-9.10 (519.10E04111A)');
  assert.is(roku.os?.name, 'Roku OS');
  assert.is(roku.device?.vendor, 'Roku');
  const atv = ua('AppleCoreMedia/1.0.0.18J386 (Apple TV; U; CPU OS 14_0 like Mac OS X; en_us)');
  assert.is(atv.os?.name, 'tvOS');
  assert.is(atv.os?.version, '14.0');
  const fire = ua('Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.210 Mobile Safari/537.36');
  assert.is(fire.device?.vendor, 'Amazon');
  assert.is(fire.device?.type, 'media device');
  const bravia = ua('Mozilla/5.0 (Linux; Android 9; BRAVIA 4K GB Build/PTT1.190515.001.S52) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.104 Safari/537.36');
  assert.is(bravia.device?.type, 'smart tv');
  assert.is(bravia.device?.vendor, 'Sony');
});

test('Windows services', () => {
  const crypto = ua('Microsoft-CryptoAPI/10.0');
  assert.equal(crypto.os, { name: 'Windows 10/11', version: '10.0', family: 'Windows', confidence: 0.8 });
  assert.is(crypto.client, 'os-service');
  assert.is(ua('Microsoft-CryptoAPI/6.1').os?.name, 'Windows 7');
  assert.is(ua('Microsoft-Delivery-Optimization/10.0').os?.name, 'Windows 10/11');
  assert.is(ua('Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50').os?.name, 'Windows 10/11');
  assert.is(ua('Windows-Update-Agent/7.6.7600.320').os?.name, 'Windows');
  assert.is(ua('Microsoft NCSI').os?.family, 'Windows');
  assert.is(ua('Microsoft NCSI').os?.confidence, 0.6);
  assert.is(ua('MSDW').os?.family, 'Windows');
  assert.is(ua('WinHttp-Autoproxy-Service/5.1').os?.family, 'Windows');
  assert.is(ua('Microsoft-WebDAV-MiniRedir/10.0.19045').os?.name, 'Windows 10');
  assert.is(ua('Microsoft-WebDAV-MiniRedir/10.0.22631').os?.name, 'Windows 11');
  const ssdp = ua('Microsoft-Windows/10.0 UPnP/1.0');
  assert.is(ssdp.os?.name, 'Windows 10/11');
  const ps = ua('Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3803');
  assert.is(ps.client, 'library');
  assert.is(ps.os?.name, 'Windows 10/11');
  const office = ua('Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)');
  assert.is(office.os?.name, 'Windows 10/11');
  const macOffice = ua('Microsoft Office/16.0 (Macintosh; Mac OS X 10.15.7; Microsoft Outlook 16.78.23111203)');
  assert.is.not(macOffice.os?.family, 'Windows');
});

test('Apple services and CFNetwork', () => {
  const cns = ua('CaptiveNetworkSupport-443.0.4 wispr');
  assert.is(cns.client, 'os-service');
  assert.is(cns.os?.name, 'macOS/iOS');
  assert.ok((cns.os?.confidence ?? 1) <= 0.4);
  const mac = ua('Safari/18617.1.17.11.12 CFNetwork/1474 Darwin/23.0.0 (x86_64)');
  assert.is(mac.client, 'library');
  assert.equal(mac.os, { name: 'macOS', version: '14', family: 'macOS', confidence: 0.6 });
  const amb = ua('MyApp/1.2 CFNetwork/1410.0.3 Darwin/22.6.0');
  assert.is(amb.os?.name, 'macOS/iOS');
  assert.is(amb.os?.version, 'Darwin 22.6.0');
  const iphoneApp = ua('Spotify/8.8.80 iOS/17.1 (iPhone15,2)');
  assert.is(iphoneApp.os?.name, 'iOS');
  assert.is(iphoneApp.os?.version, '17.1');
  assert.is(iphoneApp.device?.model, 'iPhone15,2');
  assert.is(iphoneApp.device?.type, 'phone');
  const trustd = ua('com.apple.trustd/2.2');
  assert.is(trustd.client, 'os-service');
  assert.is(trustd.os?.family, 'macOS');
  const ios = ua('com.apple.mobileassetd/1 CFNetwork/1485 Darwin/23.1.0 iOS/17.1');
  assert.is(ios.os?.name, 'iOS');
  assert.is(darwinToMacos(19), '10.15');
  assert.is(darwinToMacos(23), '14');
  assert.is(darwinToIos(22), '16');
  assert.is(darwinToIos(24), '18');
});

test('libraries, Dalvik, package managers', () => {
  const curl = ua('curl/7.81.0');
  assert.is(curl.client, 'library');
  assert.is(curl.os, null);
  assert.is(ua('python-requests/2.31.0').client, 'library');
  assert.is(ua('Go-http-client/1.1').client, 'library');
  assert.is(ua('Java/1.8.0_392').client, 'library');
  const wget = ua('Wget/1.21.2 (linux-gnu)');
  assert.is(wget.os?.family, 'Linux');
  assert.ok((wget.os?.confidence ?? 1) <= 0.4);
  const oldCurl = ua('curl/7.16.3 (powerpc-apple-darwin9.0) libcurl/7.16.3 OpenSSL/0.9.7l zlib/1.2.3');
  assert.is(oldCurl.os?.family, 'macOS');
  assert.is(oldCurl.os?.confidence, 0.4);
  assert.is(ua('curl/7.34.0 (i386-unknown-openbsd5.5) libcurl/7.34.0').os?.family, 'BSD');
  const updater = ua('Google Chrome/63.0.3239.84 Windows');
  assert.is(updater.client, 'other');
  assert.is(updater.os?.family, 'Windows');
  assert.is(ua('Mozilla/5.0 zgrab/0.x').client, 'bot');
  const dalvik = ua('Dalvik/2.1.0 (Linux; U; Android 11; Pixel 5 Build/RQ3A.211001.001)');
  assert.is(dalvik.os?.family, 'Android');
  assert.is(dalvik.os?.version, '11');
  assert.is(dalvik.device?.model, 'Pixel 5');
  assert.is(dalvik.device?.vendor, 'Google');
  const apt = ua('Debian APT-HTTP/1.3 (2.2.4)');
  assert.equal(apt.os, { name: 'Debian', version: '11', family: 'Linux', confidence: 0.6 });
  assert.is(apt.client, 'os-service');
  assert.is(ua('Debian APT-HTTP/1.3 (2.4.11)').os?.name, 'Ubuntu');
  assert.is(ua('Debian APT-HTTP/1.3 (3.1.0)').os?.name, 'Debian/Ubuntu');
  const dnf = ua('libdnf (Fedora Linux 39; workstation; Linux.x86_64)');
  assert.is(dnf.os?.name, 'Fedora');
  assert.is(dnf.os?.version, '39');
  const snap = ua('snapd/2.61.1 (series 16; classic) ubuntu/22.04 (amd64) linux/5.15.0-91-generic');
  assert.is(snap.os?.name, 'Ubuntu');
  assert.is(snap.os?.version, '22.04');
  const cups = ua('CUPS/2.4.2 (Linux 6.1.0-13-amd64; x86_64) IPP/2.0');
  assert.is(cups.os?.family, 'Linux');
  assert.is(cups.os?.version, '6.1.0');
  const upnp = ua('Linux/3.10.0 UPnP/1.0 Sonos/76.2-49170 (ZPS33)');
  assert.is(upnp.device?.vendor, 'Sonos');
  assert.is(upnp.os?.version, '3.10.0');
});

test('bots have no OS', () => {
  for (const s of [
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.216 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  ]) {
    const r = ua(s);
    assert.is(r.client, 'bot', s);
    assert.is(r.os, null, s);
  }
  // a phone brand that ends in 'bot' is not a crawler
  assert.is(ua('Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36').client, 'browser');
});

test('never throws on junk', () => {
  assert.equal(ua(''), { os: null, device: null, browser: null, client: 'other' });
  assert.is(ua(undefined as unknown as string).os, null);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = 'Mozilla/5.0 (Windows NT; Android iPhone OS Darwin CFNetwork Linux) ;/_.,0123456789 abcXYZ\u0000\uffff';
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(rnd() * 200);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    const r = ua(s);
    assert.ok(r && typeof r.client === 'string');
  }
  const t0 = Date.now();
  ua('Mozilla/5.0 ('.padEnd(200000, 'a;b ') + ')');
  ua('(Linux; Android 1' + '; x'.repeat(50000));
  assert.ok(Date.now() - t0 < 500);
});

test.run();
