/**
 * Differential test against tshark on the real captures (Ethernet, Linux
 * cooked, raw IP, PPP and 802.11 link types) in ../shared/captures/zeek and tcpdump, or
 * in the folders of ../shared/captures named in NPS_TSHARK_DIRS,
 * comma-separated (`NPS_TSHARK_DIRS=zeek,tcpdump,ics`), and of those only
 * the files whose path (below ../shared/captures) matches the regular
 * expression NPS_TSHARK_FILES when it is set (`NPS_TSHARK_FILES='radiotap|wlan'`):
 * packet counts, the set of IPv4/IPv6 source addresses, frames and bytes
 * per conversation from `tshark -q -z conv,tcp -z conv,udp`, and packets and
 * bytes each address sent and received (`-z endpoints,ip -z endpoints,ipv6`)
 * against the engine's per-address counters (the asset traffic totals).
 *
 * tshark does not drop duplicate frames, so the engine runs with duplicate
 * detection off here; every address is made internal so that flows keep IPs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AllInternalClassifier, special4, special6 } from '../../src/config/classify.js';
import { parseRange } from '../../src/config/load.js';
import { ip4ToString, ip6ToString } from '../../src/inventory/addr-format.js';
import { analyzeIfCapture } from '../helpers/analyze.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { captureFiles } from '../helpers/real-captures.js';

/** 802.11 alone (105) and behind a radiotap (127), PPI (192), Prism (119) or AVS (163) header among them; PKTAP (258, and USER2 149 as tshark reads it), FDDI (10), Token Ring (6), Solaris ipnet (226), Frame Relay (107), ARCNET (7, 129), ATM with RFC 1483 LLC (100). SLIP (8) is not here: tshark 4.0 shows its packets as data (test/decode/slip.test.ts compares them with tcpdump). */
const DIRECT_LINK_TYPES = new Set([1, 113, 276, 101, 12, 14, 228, 229, 0, 108, 9, 50, 204, 104, 105, 127, 192, 119, 163, 258, 149, 10, 6, 226, 107, 7, 129, 100]);
/**
 * Layers that carry an IP packet the engine deliberately does not look into
 * ('lisp' is LISP's control plane, whose encapsulated control messages hold
 * one; its data plane, 'lisp-data', is opened; 'gtpprime' is GTP' on port
 * 3386, for charging records, where tshark reads a G-PDU as GTP-U's;
 * 'capwap' is CAPWAP's control channel, port 5246: its data channel,
 * 'capwap.data', is opened).
 */
const OPAQUE = new Set(['icmp', 'icmpv6', 'udpencap', 'esp', 'lisp', 'gtpprime', 'capwap', 'ayiya', 'cflow', 'sflow', 'wlan']);
const isOpaque = (layer: string) => OPAQUE.has(layer);
/**
 * Radio headers before an 802.11 frame that is the capture's own link layer,
 * and the tunnels that bring a station's 802.11 frame from its access point
 * to the controller (CAPWAP data, LWAPP, Aruba's GRE protocols 0x8200 to
 * 0x8370): that 'wlan' is read. A 'wlan' anywhere else (a vendor's remote
 * capture over UDP, such as 'peekremote' or 'aruba_erm') stays opaque.
 */
const RADIO_HEADERS = new Set(['radiotap', 'wlan_radio', 'ppi', 'prism', 'wlancap']);
const WLAN_TUNNELS = new Set(['capwap.data', 'lwapp', 'gre']);
const isReadWlan = (layers: string[], i: number) =>
  layers[i] === 'wlan' && (layers.slice(0, i).every((x) => RADIO_HEADERS.has(x)) || WLAN_TUNNELS.has(layers[i - 1]!));
/**
 * tshark reads LWAPP's Frame Control as 802.11 writes it unless told to swap
 * it (lwapp.swap_fc), and CAPWAP's swapped unless told not to
 * (capwap.swap_fc); the engine recognises either order (wifi.ts,
 * decodeTunnelledIeee80211). The LWAPP capture here (tcpdump's
 * lwapp-data.pcap, from a Cisco controller) holds the swapped order.
 */
const TSHARK_PREFS = ['-o', 'lwapp.swap_fc:TRUE'];
/**
 * UDP ports of tunnels the engine opens: tshark lists the carrier conversation, the engine only the inner one
 * (L2TP 1701, GTP-U 2152, Teredo 3544, LISP data 4341, VXLAN 4789, VXLAN-GPE 4790, Geneve 6081, MPLS 6635,
 * CAPWAP data 5247, LWAPP 12222 and 12223).
 */
const TUNNEL_PORTS = new Set([1701, 2152, 3544, 4341, 4789, 4790, 6081, 6635, 5247, 12222, 12223]);
const MAX_SIZE = 20 * 1024 * 1024;
/** Folders under ../shared/captures to compare, comma-separated in NPS_TSHARK_DIRS (default: zeek and tcpdump, about 2 minutes each). */
const TSHARK_DIRS = (process.env.NPS_TSHARK_DIRS ?? 'zeek,tcpdump').split(',').map((d) => d.trim()).filter((d) => d !== '');
/** Only the captures whose path below ../shared/captures matches this, when set (NPS_TSHARK_FILES). */
const TSHARK_FILES = process.env.NPS_TSHARK_FILES ? new RegExp(process.env.NPS_TSHARK_FILES) : null;
/**
 * Captures whose conversations differ by design, with the reason. Mobile IPv6:
 * tshark's conversation uses the Home Address option, the engine (like the
 * ipv6.src field) the care-of address in the header.
 */
const CONVERSATIONS_DIFFER: [RegExp, string][] = [[/ip6-hoa-|ipv6-mobile-hoa|ipv6-mobility-dst-opts/, 'Mobile IPv6 home address']];
/**
 * Captures whose per-address totals differ by design; in each, the engine
 * counts what tcpdump shows and what tshark's own conversation tables count.
 */
const ENDPOINTS_DIFFER: [RegExp, string][] = [
  // tshark 4.0 does not read Arista's timestamp header version 0x11 (HwInfo R3): the IPv4 packets behind it are missing.
  [/arista_ether\.pcap$/, 'Arista timestamp version 0x11'],
  // A Routing Header with segments left (type 0, SRv6 inserted, Mobile IPv6 type 2): tshark's endpoints
  // table counts the packet for its final destination, its conversations for the address in the header.
  [/ip6-route0-|ipv6-srh-insert|ipv6-mobile-routing/, 'routing header: final destination'],
  // Packets that end in a Mobility Header, or whose extension headers tshark finds cut or inconsistent
  // (an SRH TLV cut short, a zero payload length without a Jumbo option), are left out of its endpoints table.
  [/mip6|ipv6_mobility|ipv6-srh-tlv-pad1-padn-5-trunc|ipv6_missing_jumbo/, 'no endpoints for Mobility Header or malformed extension headers'],
];
/**
 * Captures whose source addresses differ by design, with exactly the
 * addresses that differ (checked, so that an entry that no longer applies
 * fails and is removed) and the reason.
 */
const ADDRESSES_DIFFER: { file: RegExp; missing: string[]; extra: string[]; why: string }[] = [
  // tshark 4.0 stops at a tunnelled IPv4 header whose total length is 0 (BIG TCP, RFC 2675's jumbo idea for IPv4); the engine reads it.
  { file: /bigtcp-ipv4-(geneve|vxlan)-ipv4\.pcap$/, missing: [], extra: ['192.168.1.2'], why: 'BIG TCP inside a tunnel' },
  { file: /bigtcp-ipv4-(geneve|vxlan)-ipv6\.pcap$/, missing: [], extra: ['fd00::2'], why: 'BIG TCP inside a tunnel' },
  // Packets quoted inside a protocol's message, not carried: like ICMP quotes, not traffic of their hosts.
  { file: /nhrp-trace\.pcap$/, missing: ['10.255.255.3'], extra: [], why: 'an NHRP error indication quotes a packet' },
  { file: /of13_ericsson\.pcapng$/, missing: ['192.168.1.1'], extra: [], why: 'an OpenFlow packet-in carries a frame as TCP payload' },
];

const execFileP = promisify(execFile);

/** One tshark run per capture: per-frame fields, then the TCP and UDP conversation tables. */
async function tshark(file: string): Promise<string> {
  const args = ['-r', file, ...TSHARK_PREFS, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'frame.protocols', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'pim.register_flag.null_register', '-z', 'conv,tcp', '-z', 'conv,udp', '-z', 'endpoints,ip', '-z', 'endpoints,ipv6'];
  try {
    const { stdout } = await execFileP('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    return (e as { stdout?: string }).stdout ?? '';
  }
}

function normalise(ip: string): string | null {
  const r = parseRange(ip);
  if (r === null || r.first.some((w, i) => w !== r.last[i])) return null;
  if (r.version === 4) return special4(r.first[0]) ? null : ip4ToString(r.first[0]);
  return special6(r.first) ? null : ip6ToString(r.first);
}

/**
 * Source addresses of the IP layers the engine reads: every one outside ICMP
 * quotes and opaque tunnels (the outer headers of the tunnels it opens count:
 * their endpoints sent the frame too). A PIM Null-Register holds a dummy IP
 * header, not a packet: tshark shows it, the engine does not open it.
 */
function tsharkSources(out: string): { sources: Set<string>; packets: number; opaqueTunnel: boolean } {
  const set = new Set<string>();
  let packets = 0;
  let opaqueTunnel = false;
  for (const line of out.split('\n')) {
    if (line.startsWith('====')) break; // the statistics follow the frames
    if (!line) continue;
    packets++;
    const [protos = '', v4s = '', v6s = '', nullRegister = ''] = line.split('\t');
    let n4 = 0, n6 = 0;
    const picks: [4 | 6, number][] = [];
    const layers = protos.split(':');
    for (let i = 0; i < layers.length; i++) {
      const p = layers[i]!;
      if (isOpaque(p) && !isReadWlan(layers, i)) {
        // An IP packet inside a tunnel the engine does not open: tshark's conversations see it, ours cannot.
        if (!p.startsWith('icmp') && layers.slice(i + 1).some((x) => x === 'ip' || x === 'ipv6')) opaqueTunnel = true;
        break;
      }
      if (p === 'pim' && nullRegister.split(',')[0] === '1') break;
      if (p === 'ip') picks.push([4, n4++]);
      else if (p === 'ipv6') picks.push([6, n6++]);
    }
    for (const [ver, k] of picks) {
      const ip = (ver === 4 ? v4s : v6s).split(',')[k];
      if (!ip) continue;
      const norm = normalise(ip);
      if (norm) set.add(norm);
    }
  }
  return { sources: set, packets, opaqueTunnel };
}

interface Conv { proto: string; a: string; pa: number; b: string; pb: number; frames: number; bytes: number; unit: number; }

/** tshark 4.0 prints large byte counts rounded to whole kB/MB/GB. */
function parseBytes(n: string, unit: string): [number, number] {
  const v = Number(n.replace(/,/g, ''));
  if (unit === 'bytes') return [v, 0];
  const mult = unit === 'kB' ? 1e3 : unit === 'MB' ? 1e6 : unit === 'GB' ? 1e9 : 1;
  return [v * mult, mult];
}

interface Endpoint { txPackets: number; txBytes: number; rxPackets: number; rxBytes: number; rounded: boolean; }

/** Per-address totals from the endpoints tables (special-purpose addresses left out). */
function tsharkEndpoints(out: string): Map<string, Endpoint> {
  const map = new Map<string, Endpoint>();
  let inTable = false;
  for (const line of out.split('\n')) {
    if (/^IPv[46] Endpoints/.test(line)) inTable = true;
    else if (/Conversations/.test(line)) inTable = false;
    if (!inTable) continue;
    // Address, Packets, Bytes, Tx Packets, Tx Bytes, Rx Packets, Rx Bytes (a byte count may carry a unit).
    const m = /^(\S+)\s+\d+\s+[\d,.]+(?:\s+[kMG]?B|\s+bytes)?\s+(\d+)\s+([\d,.]+)(\s+[kMG]?B|\s+bytes)?\s+(\d+)\s+([\d,.]+)(\s+[kMG]?B|\s+bytes)?\s*$/.exec(line.trim());
    if (!m) continue;
    const ip = normalise(m[1]!);
    if (ip === null) continue;
    const rounded = [m[4], m[7]].some((u) => u !== undefined && u.trim() !== 'bytes');
    map.set(ip, { txPackets: Number(m[2]), txBytes: Number(m[3]!.replace(/,/g, '')), rxPackets: Number(m[5]), rxBytes: Number(m[6]!.replace(/,/g, '')), rounded });
  }
  return map;
}

function tsharkConversations(out: string): Conv[] {
  const convs: Conv[] = [];
  let proto = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('TCP Conversations')) proto = 'tcp';
    else if (line.startsWith('UDP Conversations')) proto = 'udp';
    const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+\d+\s+[\d,.]+\s+\S+\s+\d+\s+[\d,.]+\s+\S+\s+(\d+)\s+([\d,.]+)\s+(\S+)/.exec(line);
    if (!m || !proto) continue;
    const [bytes, unit] = parseBytes(m[6]!, m[7]!);
    convs.push({ proto, a: m[1]!, pa: Number(m[2]), b: m[3]!, pb: Number(m[4]), frames: Number(m[5]), bytes, unit });
  }
  return convs;
}

if (!haveShared()) {
  skip('../shared/captures is absent: tshark differential test not run');
} else if (!haveTool('tshark')) {
  skip('tshark is not installed (apt-get install tshark): differential test not run');
} else {
  const files = TSHARK_DIRS.flatMap((d) => captureFiles(join(sharedCaptures, d), MAX_SIZE)).filter((f) => TSHARK_FILES === null || TSHARK_FILES.test(relative(sharedCaptures, f)));
  let compared = 0;
  const outputs = new Map<string, Promise<string>>();
  // tshark is the slow part: run it on two files at a time ahead of the tests.
  test.before(() => {
    const queue = files.slice();
    const next = (): Promise<void> | undefined => {
      const f = queue.shift();
      if (!f) return;
      const p = tshark(f);
      outputs.set(f, p);
      return p.then(() => next());
    };
    for (let i = 0; i < 2; i++) void next();
  });
  const outputOf = async (f: string): Promise<string> => {
    while (!outputs.has(f)) await new Promise((r) => setTimeout(r, 5));
    return outputs.get(f)!;
  };
  for (const file of files) {
    const name = relative(sharedCaptures, file);
    test(`tshark agrees on ${name}`, async () => {
      const a = await analyzeIfCapture(file, { classifier: new AllInternalClassifier(), duplicateWindowUs: -1 });
      if (a === null) return; // not a capture: the walk test checks the exit code
      const info = a.files[0]!.info;
      if (!info.linkTypes.every((t) => DIRECT_LINK_TYPES.has(t))) return;
      if (info.problems.some((p) => p.code !== 'bad-interface')) return; // damaged: tshark reads differently past the damage
      compared++;
      const out = await outputOf(file);
      const { sources: theirs, packets: tsharkPackets, opaqueTunnel } = tsharkSources(out);
      assert.is(a.engine.packets, tsharkPackets, 'packet count');

      const ours = new Set<string>();
      for (const h of a.engine.hosts.hosts()) if (h.pktsOut > 0) ours.add(h.ver === 4 ? ip4ToString(h.v4) : ip6ToString(h.v6!));
      const missing = [...theirs].filter((x) => !ours.has(x)).sort();
      const extra = [...ours].filter((x) => !theirs.has(x)).sort();
      // tshark also shows addresses from IP headers it could read only in part; the engine counts
      // such a header as a decode error and takes nothing from it. Then ours must be a subset.
      const partial = Object.keys(a.engine.errors.toObject()).some((r) => /^(ipv4|ipv6|mpls|geneve|gre|erspan|nsh|gtp|l2tp|ppp|pptp|macsec|pim|tunnel|capwap|lwapp)\./.test(r));
      const known = ADDRESSES_DIFFER.find((k) => k.file.test(name));
      const expected = known === undefined ? { missing: [], extra: [] } : { missing: known.missing, extra: known.extra };
      assert.equal({ missing: partial ? expected.missing : missing, extra }, expected, `IPv4/IPv6 source addresses${known ? ` (known: ${known.why})` : ''}`);

      // tshark counts a reassembled datagram once, in the frame that completed it; the engine
      // counts every fragment's frame (the traffic really sent). Conversations with fragments differ by design.
      if (a.engine.fragmentPackets > 0) return;
      if (CONVERSATIONS_DIFFER.some(([re]) => re.test(name))) return;
      if (known !== undefined) return; // the same packets make tshark's conversations differ too
      if (opaqueTunnel) return;

      // What each address sent and received. Not with tunnels: tshark counts an address of every IP
      // layer of a frame; the engine an inner host's packets, and the carrier's endpoints once per frame.
      if (a.engine.tunnelPackets === 0 && !partial && !ENDPOINTS_DIFFER.some(([re]) => re.test(name))) {
        const theirEnds = tsharkEndpoints(out);
        const ourEnds = new Map<string, Endpoint>();
        for (const h of a.engine.hosts.hosts()) {
          if (h.pktsOut + h.pktsIn === 0) continue;
          ourEnds.set(h.ver === 4 ? ip4ToString(h.v4) : ip6ToString(h.v6!), { txPackets: h.pktsOut, txBytes: h.bytesOut, rxPackets: h.pktsIn, rxBytes: h.bytesIn, rounded: false });
        }
        const differ: string[] = [];
        for (const ip of new Set([...theirEnds.keys(), ...ourEnds.keys()])) {
          const t = theirEnds.get(ip);
          const o = ourEnds.get(ip);
          const show = (e: Endpoint | undefined) => (e === undefined ? 'none' : `tx ${e.txPackets}/${e.txBytes} B rx ${e.rxPackets}/${e.rxBytes} B`);
          const same =
            t !== undefined && o !== undefined && t.txPackets === o.txPackets && t.rxPackets === o.rxPackets &&
            (t.rounded || (t.txBytes === o.txBytes && t.rxBytes === o.rxBytes));
          if (!same) differ.push(`${ip}: ours ${show(o)}, tshark ${show(t)}`);
        }
        assert.equal(differ.slice(0, 5), [], 'packets and bytes per address');
      }
      // Our rows are (client, server, server port, protocol); tshark's are 5-tuples. Sum tshark's onto ours.
      const rows = new Map<string, { frames: number; bytes: number }>();
      for (const f of a.report.flows) {
        const key = `${f.protocol}|${f.client}|${f.server}|${f.server_port}`;
        const r = rows.get(key) ?? { frames: 0, bytes: 0 };
        r.frames += (f.client_packets as number) + (f.server_packets as number);
        r.bytes += (f.client_bytes as number) + (f.server_bytes as number);
        rows.set(key, r);
      }
      const sums = new Map<string, { frames: number; bytes: number; slack: number }>();
      const unmatched: string[] = [];
      for (const c of tsharkConversations(out)) {
        if (a.engine.tunnelPackets > 0 && c.proto === 'udp' && (TUNNEL_PORTS.has(c.pa) || TUNNEL_PORTS.has(c.pb))) continue;
        const a1 = normalise(c.a) ?? c.a;
        const b1 = normalise(c.b) ?? c.b;
        const k1 = `${c.proto}|${a1}|${b1}|${c.pb}`;
        const k2 = `${c.proto}|${b1}|${a1}|${c.pa}`;
        const key = rows.has(k1) ? k1 : rows.has(k2) ? k2 : null;
        if (key === null) {
          unmatched.push(`${c.proto} ${c.a}:${c.pa} <-> ${c.b}:${c.pb}`);
          continue;
        }
        const s = sums.get(key) ?? { frames: 0, bytes: 0, slack: 0 };
        s.frames += c.frames;
        s.bytes += c.bytes;
        s.slack += c.unit;
        sums.set(key, s);
      }
      assert.equal(unmatched.slice(0, 5), [], 'tshark conversations with no matching flow row');
      for (const [key, s] of sums) {
        const r = rows.get(key)!;
        assert.is(r.frames, s.frames, `frames of ${key}`);
        if (s.slack === 0) assert.is(r.bytes, s.bytes, `bytes of ${key}`);
        else assert.ok(Math.abs(r.bytes - s.bytes) <= s.slack, `bytes of ${key}: ${r.bytes} vs ${s.bytes} ± ${s.slack} (rounded by tshark)`);
      }
    });
  }
  test.after(() => {
    process.stdout.write(`# compared ${compared} captures with tshark\n`);
  });
}
test.run();
