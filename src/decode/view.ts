/**
 * PacketView: one object reused for every packet. Decoders write the offsets
 * of each layer and the scalar fields into it; nothing here refers to memory
 * beyond the current frame's buffer, so anything kept after the packet is
 * processed must be copied out (addresses are numbers or copied words).
 */
export const enum L3 {
  None = 0,
  IPv4 = 4,
  IPv6 = 6,
  ARP = 1,
}

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Tunnels opened within one frame at most (decode/tunnel.ts refuses more). */
export const MAX_TUNNELS = 4;

export class PacketView {
  buf: Buffer = Buffer.alloc(0);
  /** First byte of the frame and one past the last captured byte. */
  frameOff = 0;
  capEnd = 0;
  origLen = 0;
  capLen = 0;
  tsUs = 0;
  linkType = 1;

  // ---- link layer (innermost Ethernet header when tunnelled) ----
  /** MAC addresses as 48-bit integers; -1 when the frame has none. */
  macSrc = -1;
  macDst = -1;
  /** Innermost and outermost 802.1Q/802.1ad VLAN id; -1 when untagged. */
  vlan = -1;
  vlanOuter = -1;
  etherType = 0;
  /** Where the EtherType's payload starts (for link-layer protocols such as LLDP and CDP). */
  l2PayloadOff = 0;
  /** Number of tunnel layers removed (GRE, ERSPAN, VXLAN, IP-in-IP...). */
  tunnelDepth = 0;

  // ---- the IP headers of the tunnels opened, outermost first (tunnelDepth of them) ----
  // Their endpoints (VTEPs, a switch sending ERSPAN, tunnel routers) sent and
  // received the frame too. Each comes with the source MAC and VLAN of its own
  // layer, before a tunnel's inner Ethernet header replaced them.
  readonly outerL3 = new Uint8Array(MAX_TUNNELS);
  readonly outerSrc4 = new Uint32Array(MAX_TUNNELS);
  readonly outerDst4 = new Uint32Array(MAX_TUNNELS);
  /** Four words per tunnel. */
  readonly outerSrc6 = new Uint32Array(MAX_TUNNELS * 4);
  readonly outerDst6 = new Uint32Array(MAX_TUNNELS * 4);
  readonly outerMacSrc = new Float64Array(MAX_TUNNELS);
  readonly outerVlan = new Int32Array(MAX_TUNNELS);

  // ---- network layer ----
  l3 = L3.None;
  l3Off = 0;
  /** One past the last byte of the network packet (IP total length, clipped to the capture). */
  l3End = 0;
  ttl = 0;
  ipId = 0;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  src4 = 0;
  dst4 = 0;
  /** IPv6 addresses as four big-endian 32-bit words each. */
  readonly src6 = new Uint32Array(4);
  readonly dst6 = new Uint32Array(4);
  /** Fragment state: isFragment when MF is set or the offset is not zero. */
  isFragment = false;
  fragOffset = 0;
  moreFragments = false;
  /** IPv6 fragment identification or IPv4 id, for reassembly. */
  fragId = 0;
  /** Set when this view holds a datagram rebuilt from fragments. */
  reassembled = false;
  dontFragment = false;
  ipOptionsLen = 0;

  // ---- transport ----
  proto = -1;
  l4Off = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  /** TCP options area (offset, length) for fingerprinting; MSS from a SYN, -1 otherwise. */
  tcpOptOff = 0;
  tcpOptLen = 0;
  tcpMss = -1;
  tcpWscale = -1;
  icmpType = -1;
  icmpCode = -1;
  /** Application payload within the captured bytes. */
  payloadOff = 0;
  payloadLen = 0;
  /** L4 payload length claimed by the headers (may exceed what was captured). */
  payloadWireLen = 0;

  // ---- ARP ----
  arpOp = 0;
  arpSenderMac = -1;
  arpSenderIp = 0;
  arpTargetMac = -1;
  arpTargetIp = 0;

  // ---- ICMPv6 neighbour discovery (link-layer address learnt, -1 when none) ----
  ndTargetMac = -1;
  readonly ndTarget6 = new Uint32Array(4);
  ndHasTarget = false;

  /** The headers ran past the captured bytes (snap length or damage). */
  truncated = false;
  /** Decoding stopped on a malformed header; the reason was counted. */
  malformed = false;

  reset(buf: Buffer, off: number, capLen: number, origLen: number, tsUs: number, linkType: number): void {
    this.buf = buf;
    this.frameOff = off;
    this.capEnd = off + capLen;
    this.capLen = capLen;
    this.origLen = origLen;
    this.tsUs = tsUs;
    this.linkType = linkType;
    this.macSrc = -1;
    this.macDst = -1;
    this.vlan = -1;
    this.vlanOuter = -1;
    this.etherType = 0;
    this.tunnelDepth = 0;
    this.resetNetwork();
    this.truncated = false;
    this.malformed = false;
  }

  /** Keeps the current IP header (L3.None if it is not IP) as the one of tunnel `depth`, about to be opened. */
  saveOuter(depth: number): void {
    const ip = this.l3 === L3.IPv4 || this.l3 === L3.IPv6;
    this.outerL3[depth] = ip ? this.l3 : L3.None;
    this.outerSrc4[depth] = this.src4;
    this.outerDst4[depth] = this.dst4;
    this.outerSrc6.set(this.src6, depth * 4);
    this.outerDst6.set(this.dst6, depth * 4);
    this.outerMacSrc[depth] = this.macSrc;
    this.outerVlan[depth] = this.vlan;
  }

  /** Forget network and transport state (used when a tunnel yields an inner packet). */
  resetNetwork(): void {
    this.l3 = L3.None;
    this.l3Off = 0;
    this.l3End = 0;
    this.ttl = 0;
    this.ipId = 0;
    this.src4 = 0;
    this.dst4 = 0;
    this.isFragment = false;
    this.fragOffset = 0;
    this.moreFragments = false;
    this.fragId = 0;
    this.reassembled = false;
    this.dontFragment = false;
    this.ipOptionsLen = 0;
    this.proto = -1;
    this.l4Off = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpWindow = 0;
    this.tcpOptOff = 0;
    this.tcpOptLen = 0;
    this.tcpMss = -1;
    this.tcpWscale = -1;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.payloadOff = 0;
    this.payloadLen = 0;
    this.payloadWireLen = 0;
    this.arpOp = 0;
    this.ndHasTarget = false;
    this.ndTargetMac = -1;
  }
}
