/**
 * OS inference from Windows version numbers and free-form texts (SNMP
 * sysDescr, LLDP/CDP descriptions, SMB NativeOS, SSH versions, HTTP Server
 * headers, banners).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { osFromText, osFromWindowsVersion, type OsTextSource } from '../../src/inventory/infer/os-text.js';
import type { OsGuess } from '../../src/inventory/infer/types.js';

function expectOs(g: OsGuess | null, name: string, version: string | null | undefined, family: OsGuess['family'], label: string): void {
  assert.ok(g, `${label}: expected a guess`);
  assert.is(g!.name, name, `${label}: name`);
  if (version !== undefined) assert.is(g!.version, version, `${label}: version`);
  assert.is(g!.family, family, `${label}: family`);
  assert.ok(g!.confidence > 0 && g!.confidence <= 1, `${label}: confidence in (0,1]`);
}

test('osFromWindowsVersion: NT versions', () => {
  expectOs(osFromWindowsVersion(10, 0, 19045), 'Windows 10', '10.0.19045', 'Windows', '10.0.19045');
  expectOs(osFromWindowsVersion(10, 0, 22000), 'Windows 11', '10.0.22000', 'Windows', '10.0.22000');
  expectOs(osFromWindowsVersion(10, 0, 26100), 'Windows 11', '10.0.26100', 'Windows', '10.0.26100');
  expectOs(osFromWindowsVersion(10, 0, 17763), 'Windows 10', '10.0.17763', 'Windows', '17763 stays Windows 10');
  expectOs(osFromWindowsVersion(10, 0, 20348), 'Windows Server 2022', '10.0.20348', 'Windows', '20348');
  expectOs(osFromWindowsVersion(10, 0, null), 'Windows 10', '10.0', 'Windows', '10.0 no build');
  expectOs(osFromWindowsVersion(6, 3, 9600), 'Windows 8.1 / Server 2012 R2', '6.3.9600', 'Windows', '6.3');
  expectOs(osFromWindowsVersion(6, 2, 9200), 'Windows 8 / Server 2012', '6.2.9200', 'Windows', '6.2');
  expectOs(osFromWindowsVersion(6, 1, 7601), 'Windows 7 / Server 2008 R2', '6.1.7601', 'Windows', '6.1');
  expectOs(osFromWindowsVersion(6, 0, 6002), 'Windows Vista / Server 2008', '6.0.6002', 'Windows', '6.0');
  expectOs(osFromWindowsVersion(5, 1, 2600), 'Windows XP', '5.1.2600', 'Windows', '5.1');
  expectOs(osFromWindowsVersion(5, 2, 3790), 'Windows XP x64 / Server 2003', '5.2.3790', 'Windows', '5.2');
  expectOs(osFromWindowsVersion(5, 0, 2195), 'Windows 2000', '5.0.2195', 'Windows', '5.0');
  expectOs(osFromWindowsVersion(6, 1, null), 'Windows 7 / Server 2008 R2', '6.1', 'Windows', 'browser 6.1');
  assert.is(osFromWindowsVersion(6, 1, 7601).confidence, 0.9);
});

test('osFromWindowsVersion: the SNMP agent of Windows 10+ says 6.3 with the real build', () => {
  expectOs(osFromWindowsVersion(6, 3, 17763), 'Windows 10', '10.0.17763', 'Windows', '6.3.17763');
  expectOs(osFromWindowsVersion(6, 3, 22631), 'Windows 11', '10.0.22631', 'Windows', '6.3.22631');
});

test('osFromWindowsVersion: odd input still gives a Windows guess', () => {
  expectOs(osFromWindowsVersion(NaN, 0, null), 'Windows', null, 'Windows', 'NaN');
  expectOs(osFromWindowsVersion(-1, 2, 3), 'Windows', null, 'Windows', 'negative');
  expectOs(osFromWindowsVersion(7, 7, 1), 'Windows', '7.7.1', 'Windows', 'unknown');
  assert.ok(osFromWindowsVersion(7, 7, 1).confidence < 0.9);
  expectOs(osFromWindowsVersion(10, 0, 1.5), 'Windows 10', '10.0', 'Windows', 'non-integer build');
});

test('osFromText: Cisco descriptions', () => {
  expectOs(
    osFromText('cdp', 'Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE, RELEASE SOFTWARE (fc1)'),
    'Cisco IOS', '15.0(2)SE', 'Network OS', 'IOS 15',
  );
  expectOs(
    osFromText('snmp', 'Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version 12.2(44)SE, RELEASE SOFTWARE (fc1)\nCopyright (c) 1986-2008 by Cisco Systems, Inc.\nCompiled Sat 05-Jan-08 00:15 by weiliu'),
    'Cisco IOS', '12.2(44)SE', 'Network OS', 'IOS multi-line',
  );
  expectOs(
    osFromText('cdp', 'Cisco Internetwork Operating System Software ,IOS (tm) 1600 Software (C1600-NY-L), Version 11.2(12)P, RELEASE SOFTWARE (fc1),Copyright (c) 1986-1998 by cisco Systems, Inc.'),
    'Cisco IOS', '11.2(12)P', 'Network OS', 'IOS 11',
  );
  expectOs(
    osFromText('snmp', 'Cisco IOS Software [Denali], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.3.2, RELEASE SOFTWARE (fc4)'),
    'Cisco IOS XE', '16.3.2', 'Network OS', 'IOS XE Denali',
  );
  expectOs(
    osFromText('snmp', 'Cisco IOS Software, IOS-XE Software, Catalyst 4500 L3 Switch Software (cat4500e-UNIVERSALK9-M), Version 03.03.00.SG RELEASE SOFTWARE (fc3)'),
    'Cisco IOS XE', '03.03.00.SG', 'Network OS', 'IOS-XE 3',
  );
  expectOs(
    osFromText('snmp', 'Cisco NX-OS(tm) n5000, Software (n5000-uk9), Version 5.2(1)N1(1b), RELEASE SOFTWARE Copyright (c) 2002-2012 by Cisco Systems, Inc.'),
    'Cisco NX-OS', '5.2(1)N1(1b)', 'Network OS', 'NX-OS',
  );
  expectOs(osFromText('snmp', 'Cisco Adaptive Security Appliance Version 9.8(2)'), 'Cisco ASA', '9.8(2)', 'Network OS', 'ASA');
  expectOs(osFromText('snmp', 'Cisco IOS XR Software (Cisco ASR9K Series), Version 6.1.2[Default]'), 'Cisco IOS XR', '6.1.2', 'Network OS', 'XR');
});

test('osFromText: other network operating systems', () => {
  expectOs(
    osFromText('snmp', 'Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R6.6, Build date: 2014-03-13 08:38:30 UTC Copyright (c) 1996-2014 Juniper Networks, Inc.'),
    'Junos', '12.3R6.6', 'Network OS', 'Junos',
  );
  expectOs(osFromText('snmp', 'Juniper Networks, Inc. srx210h internet router, kernel JUNOS 12.1X44-D40.2'), 'Junos', '12.1X44-D40.2', 'Network OS', 'SRX');
  expectOs(osFromText('snmp', 'Arista Networks EOS version 4.20.1F running on an Arista Networks DCS-7050SX-64'), 'Arista EOS', '4.20.1F', 'Network OS', 'EOS');
  expectOs(osFromText('snmp', 'HP J9019B Switch 2510B-24, revision Q.11.17, ROM Q.10.02 (/sw/code/build/harp(bh2))'), 'HP ProCurve', 'Q.11.17', 'Network OS', 'ProCurve');
  expectOs(osFromText('snmp', 'ProCurve J4903A Switch 2824, revision I.10.43, ROM I.08.07 (/sw/code/build/mako(mkfs))'), 'HP ProCurve', 'I.10.43', 'Network OS', 'ProCurve 2824');
  expectOs(
    osFromText('snmp', 'Aruba JL253A 2930F-24G-4SFP+ Switch, revision WC.16.08.0001, ROM WC.16.01.0008 (/ws/swbuildm/rel_ukiah_qaoff/code/build/bom(swbuildm_rel_ukiah_qaoff_rel_ukiah))'),
    'ArubaOS-Switch', 'WC.16.08.0001', 'Network OS', 'Aruba 2930F',
  );
  expectOs(osFromText('snmp', 'ArubaOS (MODEL: Aruba7010), Version 6.4.4.6 (55183)'), 'ArubaOS', '6.4.4.6', 'Network OS', 'ArubaOS');
  expectOs(
    osFromText('lldp', 'H3C Comware Platform Software, Software Version 5.20, Release 1808P08\r\nH3C S5800-56C-PWR\r\nCopyright (c) 2004-2013 Hangzhou H3C Tech. Co., Ltd. All rights reserved.'),
    'Comware', '5.20 1808P08', 'Network OS', 'Comware',
  );
  expectOs(osFromText('lldp', 'MikroTik RouterOS 6.45.9 (long-term) RB750Gr3'), 'MikroTik RouterOS', '6.45.9', 'Network OS', 'RouterOS lldp');
  expectOs(osFromText('snmp', 'RouterOS RB951Ui-2HnD'), 'MikroTik RouterOS', null, 'Network OS', 'RouterOS sysDescr');
  expectOs(osFromText('lldp', 'FortiGate-100F v7.0.5,build0304,220208 (GA)'), 'FortiOS', '7.0.5', 'Network OS', 'FortiGate');
  expectOs(osFromText('snmp', 'Palo Alto Networks PA-220 series firewall'), 'PAN-OS', null, 'Network OS', 'PAN-OS');
  expectOs(osFromText('lldp', 'Palo Alto Networks PA-3220 PAN-OS 10.1.6'), 'PAN-OS', '10.1.6', 'Network OS', 'PAN-OS version');
  expectOs(osFromText('lldp', 'EdgeOS v1.10.9.5166958.190206.1641'), 'EdgeOS', '1.10.9.5166958.190206.1641', 'Network OS', 'EdgeOS');
  expectOs(osFromText('lldp', 'USW-24-POE, 6.5.59.14777, Linux 4.4.153'), 'UniFi', '6.5.59.14777', 'Network OS', 'UniFi switch');
  expectOs(osFromText('snmp', 'SonicWALL TZ 400 (SonicOS Enhanced 6.5.4.4-44n)'), 'SonicOS', '6.5.4.4-44n', 'Network OS', 'SonicOS');
});

test('osFromText: Linux, BSD, macOS, Windows, ESXi system descriptions', () => {
  expectOs(
    osFromText('snmp', 'Linux myhost 5.15.0-91-generic #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023 x86_64'),
    'Linux (Ubuntu)', '5.15.0-91-generic', 'Linux', 'uname Ubuntu',
  );
  expectOs(
    osFromText('lldp', 'Ubuntu 14.04.5 LTS Linux 3.13.0-106-generic #153-Ubuntu SMP Tue Dec 6 15:45:13 UTC 2016 i686'),
    'Ubuntu', '14.04.5 LTS', 'Linux', 'lldpd Ubuntu',
  );
  expectOs(
    osFromText('lldp', 'Debian GNU/Linux 12 (bookworm) Linux 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) x86_64'),
    'Debian', '12', 'Linux', 'lldpd Debian',
  );
  expectOs(osFromText('snmp', 'Linux srv 3.10.0-1160.el7.x86_64 #1 SMP Mon Oct 19 16:18:59 UTC 2020 x86_64'), 'Linux (RHEL/CentOS)', '3.10.0-1160.el7.x86_64', 'Linux', 'el7');
  expectOs(
    osFromText('snmp', 'Linux host 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) x86_64'),
    'Linux (Debian)', '6.1.0-13-amd64', 'Linux', 'uname Debian (kernel package version is not a Debian release)',
  );
  expectOs(osFromText('snmp', 'Linux raspberrypi 6.1.21-v8+ #1642 SMP PREEMPT Mon Apr  3 17:24:16 BST 2023 aarch64'), 'Linux (Raspberry Pi OS)', '6.1.21-v8+', 'Linux', 'rpi');
  expectOs(osFromText('snmp', 'Linux ubnt 2.6.32.54 #1 Wed Jun 4 18:26:24 EEST 2014 mips XW.ar934x.v5.6.15'), 'airOS', null, 'Embedded', 'airOS');
  expectOs(osFromText('snmp', 'Linux nas 4.4.302+ #72806 SMP Thu Sep 5 13:44:21 CST 2024 x86_64'), 'Linux', '4.4.302+', 'Linux', 'plain Linux');
  expectOs(
    osFromText('snmp', 'Hardware: Intel64 Family 6 Model 85 Stepping 4 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 9600 Multiprocessor Free)'),
    'Windows 8.1 / Server 2012 R2', '6.3.9600', 'Windows', 'sysDescr 6.3',
  );
  expectOs(
    osFromText('snmp', 'Hardware: Intel64 Family 6 Model 158 Stepping 10 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 19045 Multiprocessor Free)'),
    'Windows 10', '10.0.19045', 'Windows', 'sysDescr win10',
  );
  expectOs(
    osFromText('snmp', 'Hardware: x86 Family 15 Model 4 Stepping 1 AT/AT COMPATIBLE - Software: Windows 2000 Version 5.0 (Build 2195 Uniprocessor Free)'),
    'Windows 2000', '5.0.2195', 'Windows', 'sysDescr 2000',
  );
  expectOs(osFromText('snmp', 'FreeBSD fw.example 12.2-RELEASE-p4 FreeBSD 12.2-RELEASE-p4 GENERIC amd64'), 'FreeBSD', '12.2-RELEASE-p4', 'BSD', 'FreeBSD');
  expectOs(osFromText('snmp', 'pfSense fw.local 2.5.2-RELEASE pfSense FreeBSD 12.2-STABLE amd64'), 'pfSense', '2.5.2-RELEASE', 'BSD', 'pfSense');
  expectOs(osFromText('snmp', 'OpenBSD gw.example 7.2 GENERIC.MP#758 amd64'), 'OpenBSD', '7.2', 'BSD', 'OpenBSD');
  expectOs(
    osFromText('snmp', 'Darwin mymac.local 21.6.0 Darwin Kernel Version 21.6.0: Mon Aug 22 20:17:10 PDT 2022; root:xnu-8020.140.49~2/RELEASE_X86_64 x86_64'),
    'macOS', '12', 'macOS', 'Darwin 21',
  );
  expectOs(osFromText('snmp', 'Darwin mini.local 19.6.0 Darwin Kernel Version 19.6.0'), 'macOS', '10.15', 'macOS', 'Darwin 19');
  expectOs(osFromText('snmp', 'VMware ESXi 7.0.3 build-19193900 VMware, Inc. x86_64'), 'VMware ESXi', '7.0.3 build-19193900', 'Other', 'ESXi');
  expectOs(osFromText('snmp', 'NetApp Release 9.8P5: Thu Jun 03 19:23:51 UTC 2021'), 'NetApp ONTAP', '9.8P5', 'Other', 'ONTAP');
  expectOs(osFromText('snmp', 'Integrated Lights-Out 5 2.72 Sep 04 2022'), 'HPE iLO', '2.72', 'Embedded', 'iLO');
  expectOs(
    osFromText('snmp', 'APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.8.2 PN:apc_hw05_aos_682.bin AF1:v6.8.2 AN1:apc_hw05_sumx_682.bin MN:AP9630 HR:05 SN: ZA1234 MD:01/01/2019)'),
    'APC Network Management Card', '6.8.2', 'Embedded', 'APC',
  );
  for (const t of ['Dell Inc. OptiPlex 990,01,G22XB2S + HMI', 'Siemens, SIMATIC NET, SCALANCE X212-2', 'SG300-28 28-Port Gigabit Managed Switch', 'Version 1.0', 'Linux', 'Windows Server']) {
    assert.is(osFromText('lldp', t), null, t);
  }
  expectOs(osFromText('snmp', 'SunOS sol11 5.11 11.4.0.15.0 i86pc'), 'Solaris', '11', 'Unix', 'Solaris');
});

test('osFromText: printers', () => {
  expectOs(osFromText('snmp', 'HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900,CIDATE 09/09/2021'), 'HP JetDirect', 'JSI23900', 'Printer OS', 'JetDirect');
  expectOs(osFromText('snmp', 'Brother NC-8300h, Firmware Ver.1.01  (15.07.14),MID 8C5-F19,FID 2'), 'Brother printer firmware', '1.01', 'Printer OS', 'Brother');
  expectOs(osFromText('snmp', 'KONICA MINOLTA bizhub C364e'), 'Konica Minolta printer firmware', null, 'Printer OS', 'Konica');
  expectOs(
    osFromText('snmp', 'RICOH Aficio MP C3003 1.19 / RICOH Network Printer C model / RICOH Network Scanner C model / RICOH Network Facsimile C model'),
    'Ricoh printer firmware', null, 'Printer OS', 'Ricoh',
  );
  expectOs(
    osFromText('snmp', 'Xerox WorkCentre 7845 v1 Multifunction System; System Software 073.040.075.34540, ESS 073.045.34540.1, IOT 74.14.0'),
    'Xerox printer firmware', '073.040.075.34540', 'Printer OS', 'Xerox',
  );
  expectOs(osFromText('snmp', 'KYOCERA Document Solutions Printing System'), 'Kyocera printer firmware', null, 'Printer OS', 'Kyocera');
  expectOs(osFromText('snmp', 'Canon iR-ADV C5235 /P'), 'Canon printer firmware', null, 'Printer OS', 'Canon');
  expectOs(osFromText('snmp', 'EPSON Built-in 11b/g/n Print Server'), 'Epson printer firmware', null, 'Printer OS', 'Epson');
  expectOs(osFromText('snmp', 'Lexmark MS610dn version PP.054.042 kernel 3.0.0 All-N-1'), 'Lexmark printer firmware', 'PP.054.042', 'Printer OS', 'Lexmark');
});

test('osFromText: SMB NativeOS / NativeLanMan', () => {
  expectOs(osFromText('smb', 'Windows 5.1'), 'Windows XP', '5.1', 'Windows', 'Windows 5.1');
  expectOs(osFromText('smb', 'Windows Server 2003 3790 Service Pack 2'), 'Windows Server 2003', '5.2.3790', 'Windows', '2003');
  expectOs(osFromText('smb', 'Windows 7 Professional 7601 Service Pack 1'), 'Windows 7', '6.1.7601', 'Windows', 'Win7');
  expectOs(osFromText('smb', 'Windows Server 2008 R2 Standard 7601 Service Pack 1'), 'Windows Server 2008 R2', '6.1.7601', 'Windows', '2008 R2');
  expectOs(osFromText('smb', 'Windows Server 2016 Standard 14393'), 'Windows Server 2016', '10.0.14393', 'Windows', '2016');
  expectOs(osFromText('smb', 'Windows 10 Pro 19045'), 'Windows 10', '10.0.19045', 'Windows', 'Win10');
  expectOs(osFromText('smb', 'Windows 2000 2195'), 'Windows 2000', '5.0.2195', 'Windows', 'Win2000');
  expectOs(osFromText('smb', 'Windows 2002 Service Pack 2 2600'), 'Windows XP', '5.1.2600', 'Windows', 'XP NativeOS');
  expectOs(osFromText('smb', 'Windows 2002 5.1'), 'Windows XP', undefined, 'Windows', 'XP NativeLanMan');
  expectOs(osFromText('smb', 'Windows 2000 LAN Manager'), 'Windows 2000', '5.0', 'Windows', '2000 LanMan');
  expectOs(osFromText('smb', 'Windows 4.0'), 'Windows NT 4.0', '4.0', 'Windows', 'NT4');
  expectOs(osFromText('smb', 'Windows Server (R) 2008 Standard 6002 Service Pack 2'), 'Windows Server 2008', '6.0.6002', 'Windows', '2008 (R)');
  expectOs(osFromText('smb', 'Windows Server 2003 R2 3790 Service Pack 2'), 'Windows Server 2003 R2', '5.2.3790', 'Windows', '2003 R2');
  expectOs(osFromText('smb', 'Mac OS X 10.10'), 'macOS', '10.10', 'macOS', 'Mac OS X');
  expectOs(osFromText('smb', 'SMBFS 3.0.0'), 'macOS', null, 'macOS', 'SMBFS');
  expectOs(osFromText('smb', 'Samba 4.15.13'), 'Samba', '4.15.13', 'Linux', 'Samba');
  expectOs(osFromText('smb', 'Samba 4.7.6-Ubuntu'), 'Linux (Ubuntu)', null, 'Linux', 'Samba Ubuntu');
  const unix = osFromText('smb', 'Unix');
  expectOs(unix, 'Unix', null, 'Unix', 'Unix');
  assert.ok(unix!.confidence <= 0.5);
  assert.is(osFromText('smb', 'Windows Server'), null);
});

test('osFromText: SSH software versions', () => {
  expectOs(osFromText('ssh', 'SSH-2.0-OpenSSH_for_Windows_8.1'), 'Windows', null, 'Windows', 'OpenSSH for Windows');
  expectOs(osFromText('ssh', 'SSH-2.0-Cisco-1.25'), 'Cisco IOS', null, 'Network OS', 'Cisco');
  expectOs(osFromText('ssh', 'SSH-1.99-Cisco-1.25'), 'Cisco IOS', null, 'Network OS', 'Cisco 1.99');
  expectOs(osFromText('ssh', 'SSH-2.0-ROSSSH'), 'MikroTik RouterOS', null, 'Network OS', 'ROSSSH');
  expectOs(osFromText('ssh', 'SSH-2.0-dropbear_2019.78'), 'Embedded Linux', null, 'Embedded', 'dropbear');
  expectOs(osFromText('ssh', 'SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1'), 'Debian', '11', 'Linux', 'Debian 11');
  expectOs(osFromText('ssh', 'SSH-2.0-OpenSSH_6.7p1 Debian-3'), 'Debian', null, 'Linux', 'Debian');
  expectOs(osFromText('ssh', 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.4'), 'Ubuntu', null, 'Linux', 'Ubuntu');
  expectOs(osFromText('ssh', 'SSH-2.0-OpenSSH_5.9p1 Debian-5ubuntu1'), 'Ubuntu', null, 'Linux', 'old Ubuntu');
  expectOs(osFromText('ssh', 'SSH-2.0-OpenSSH_7.4p1 Raspbian-10+deb9u7'), 'Raspbian', null, 'Linux', 'Raspbian');
  expectOs(osFromText('ssh', 'SSH-2.0-OpenSSH_8.8 FreeBSD-20211221'), 'FreeBSD', null, 'BSD', 'FreeBSD');
  expectOs(osFromText('ssh', 'SSH-2.0-Comware-7.1.064'), 'Comware', '7.1.064', 'Network OS', 'Comware');
  expectOs(osFromText('ssh', 'SSH-2.0-HUAWEI-1.5'), 'Huawei VRP', null, 'Network OS', 'Huawei');
  assert.is(osFromText('ssh', 'SSH-2.0-OpenSSH_9.0'), null, 'plain OpenSSH');
  assert.is(osFromText('ssh', 'SSH-2.0-OpenSSH_6.6p1-hpn14v4'), null, 'hpn');
  assert.is(osFromText('ssh', 'SSH-2.0-PuTTY_Release_0.72'), null, 'PuTTY');
  const w = osFromText('ssh', 'SSH-2.0-OpenSSH_for_Windows_8.1')!;
  assert.ok(w.confidence >= 0.6 && w.confidence <= 0.8);
});

test('osFromText: HTTP Server headers', () => {
  expectOs(osFromText('http-server', 'Microsoft-IIS/10.0'), 'Windows 10 / Server 2016+', '10.0', 'Windows', 'IIS 10');
  expectOs(osFromText('http-server', 'Microsoft-IIS/7.5'), 'Windows 7 / Server 2008 R2', '6.1', 'Windows', 'IIS 7.5');
  expectOs(osFromText('http-server', 'Microsoft-IIS/6.0'), 'Windows Server 2003', '5.2', 'Windows', 'IIS 6');
  expectOs(osFromText('http-server', 'Microsoft-HTTPAPI/2.0'), 'Windows', null, 'Windows', 'HTTPAPI');
  expectOs(osFromText('http-server', 'Apache/2.4.41 (Ubuntu)'), 'Ubuntu', null, 'Linux', 'Apache Ubuntu');
  expectOs(osFromText('http-server', 'Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips'), 'CentOS', null, 'Linux', 'Apache CentOS');
  expectOs(osFromText('http-server', 'Apache/2.4.38 (Debian)'), 'Debian', null, 'Linux', 'Apache Debian');
  expectOs(osFromText('http-server', 'Apache/2.2.3 (Red Hat)'), 'Red Hat Enterprise Linux', null, 'Linux', 'Apache Red Hat');
  expectOs(osFromText('http-server', 'Apache/2.4.3 (Fedora)'), 'Fedora', null, 'Linux', 'Apache Fedora');
  expectOs(osFromText('http-server', 'Apache/2.4.54 (Win64) OpenSSL/1.1.1p PHP/8.1.10'), 'Windows', null, 'Windows', 'Apache Win64');
  expectOs(osFromText('http-server', 'nginx/1.18.0 (Ubuntu)'), 'Ubuntu', null, 'Linux', 'nginx Ubuntu');
  const iis = osFromText('http-server', 'Microsoft-IIS/10.0')!;
  assert.ok(iis.confidence >= 0.6 && iis.confidence <= 0.7);
  const unix = osFromText('http-server', 'Apache/1.3.33 (Unix)');
  assert.ok(unix && unix.family === 'Unix' && unix.confidence <= 0.5);
  for (const s of ['nginx/1.23.3', 'Apache', 'SimpleHTTP/0.6 Python/3.12.3', 'gunicorn/19.9.0', 'gws', 'ECS (iad/182A)', 'lighttpd/1.4.35']) {
    assert.is(osFromText('http-server', s), null, s);
  }
});

test('osFromText: SMTP/FTP banners', () => {
  expectOs(osFromText('banner', '220 mail.example.com Microsoft ESMTP MAIL Service ready at Mon, 1 Jan 2024 10:00:00 +0000'), 'Windows', null, 'Windows', 'MS SMTP');
  expectOs(osFromText('banner', '220 Microsoft FTP Service'), 'Windows', null, 'Windows', 'MS FTP');
  expectOs(osFromText('banner', '220 mx.example.org ESMTP Postfix (Debian/GNU)'), 'Debian', null, 'Linux', 'Postfix Debian');
  expectOs(osFromText('banner', '220 mx.example.org ESMTP Postfix (Ubuntu)'), 'Ubuntu', null, 'Linux', 'Postfix Ubuntu');
  assert.is(osFromText('banner', '220 (vsFTPd 3.0.3)'), null);
  assert.is(osFromText('banner', '220 mx.google.com ESMTP'), null);
});

test('osFromText: nothing to say → null', () => {
  for (const [src, s] of [
    ['snmp', ''],
    ['snmp', '   '],
    ['snmp', 'Some appliance'],
    ['lldp', 'Gigabit Ethernet switch'],
    ['cdp', '12345'],
    ['smb', ''],
  ] as Array<[OsTextSource, string]>) {
    assert.is(osFromText(src, s), null, `${src}: ${JSON.stringify(s)}`);
  }
});

function randomText(rand: () => number): string {
  const alphabet = 'abcXYZ0123456789 .,;:()[]/-_+#~\\\n\t\u00e9\u4e2dLinuxWindowsVersionBuildCiscoIOSJUNOSDarwinSamba';
  const pieces = ['Cisco IOS Software, ', 'Version ', '(Build ', 'Linux ', 'Darwin ', 'revision ', 'JUNOS ', 'SSH-2.0-', 'Microsoft-IIS/', 'Windows ', 'Samba ', 'FreeBSD ', '(((', ')))', '\u0000'];
  let s = '';
  const n = Math.floor(rand() * 200);
  for (let i = 0; i < n; i++) {
    s += rand() < 0.15 ? pieces[Math.floor(rand() * pieces.length)] : alphabet[Math.floor(rand() * alphabet.length)];
  }
  return s;
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

test('never throws on random or hostile input', () => {
  const rand = lcg(12345);
  const sources: OsTextSource[] = ['snmp', 'lldp', 'cdp', 'smb', 'ssh', 'http-server', 'banner'];
  for (let i = 0; i < 3000; i++) {
    const s = randomText(rand);
    for (const src of sources) {
      const g = osFromText(src, s);
      if (g !== null) assert.ok(g.confidence > 0 && g.confidence <= 1 && typeof g.name === 'string');
    }
  }
  const big = 'Version '.repeat(50_000) + '('.repeat(50_000);
  const t0 = Date.now();
  for (const src of sources) osFromText(src, big);
  assert.ok(Date.now() - t0 < 2000, 'long input is cheap');
  for (const bad of [null, undefined, 42, {}, []] as unknown[]) {
    for (const src of sources) assert.is(osFromText(src, bad as string), null);
  }
  assert.not.throws(() => osFromText('nonsense' as OsTextSource, 'Linux a 5.10.0 #1'));
  for (let i = 0; i < 500; i++) {
    const g = osFromWindowsVersion(Math.floor(rand() * 20) - 2, Math.floor(rand() * 5), rand() < 0.3 ? null : Math.floor(rand() * 40000));
    assert.is(g.family, 'Windows');
  }
});

test.run();
