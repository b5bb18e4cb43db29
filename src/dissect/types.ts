/**
 * The contract between the engine and the application dissectors
 * (ARCHITECTURE: "Dissector"). A dissector reads one message (UDP) or the
 * start of one direction of a TCP stream, and reports what it learned as
 * observations through the context. It never throws and never touches the
 * inventory; the inventory alone turns observations into attributes.
 */
import type { PacketView } from '../decode/view.js';
import type { Application } from '../flows/applications.js';

/** What a dissector says about the bytes it was given. */
export const enum Verdict {
  /** Not this protocol: try the next candidate (only matters before the flow is tied). */
  NotMine = 0,
  /** This protocol, but the message is cut: call again with more of the stream (TCP only). */
  More = 1,
  /** This protocol; nothing more is wanted from this direction of the connection. */
  Done = 2,
  /** This protocol; keep handing over the next messages (UDP), or more bytes (TCP). */
  Continue = 3,
  /** Looked like this protocol but the message is broken (counted; repeated, the dissector is dropped). */
  Malformed = 4,
}

/** Observation kinds: the raw facts protocols carry (see inventory/observations.ts). */
export type ObservationKind =
  | 'hostname'
  | 'domain'
  | 'workgroup'
  | 'user'
  | 'user_agent'
  | 'server'
  | 'banner'
  | 'ssh_banner'
  | 'os_version'
  | 'native_os'
  | 'sys_descr'
  | 'sys_object_id'
  | 'platform'
  | 'capabilities'
  | 'vendor'
  | 'model'
  | 'firmware'
  | 'serial'
  | 'device_type'
  | 'service'
  | 'txt'
  | 'location'
  | 'sni'
  | 'ja3'
  | 'ja4'
  | 'cert_subject'
  | 'cert_san'
  | 'dhcp_fingerprint'
  | 'vendor_class'
  | 'client_id'
  | 'duid'
  | 'dhcp_lease'
  | 'dhcp_server'
  | 'ntp_mode'
  | 'mgmt_address'
  | 'tcp_stack'
  | 'role';

export type ObservationData = { [k: string]: string | number | boolean | null | (string | number)[] };

export interface DissectContext {
  /** The packet being dissected (addresses, MACs, VLAN, time). Valid during the call only. */
  readonly view: PacketView;
  /** The payload was sent by the connection's client (its initiator). */
  readonly fromClient: boolean;
  /** Counter for malformations, by name (`dhcp.bad_option_length`). */
  count(reason: string, n?: number): void;
  /** An observation about the packet's sender. `source` defaults to the dissector's id. */
  src(kind: ObservationKind, value: string, data?: ObservationData, source?: string): void;
  /** An observation about the packet's receiver. */
  dst(kind: ObservationKind, value: string, data?: ObservationData, source?: string): void;
  /**
   * An observation about a third party named in the message: an address (text,
   * or null when only the MAC is known) and/or a MAC (-1 when unknown).
   * `macBound`: the fact belongs to the device with that MAC (DHCP client id, LLDP).
   */
  about(ip: string | null, mac: number, kind: ObservationKind, value: string, data?: ObservationData, source?: string, macBound?: boolean): void;
  /** Whether a fact about this IPv4 address would be kept (it is inventoried): lets a dissector skip work. */
  wants4(ip: number): boolean;
  /** `about` for an IPv4 address given as a number (no text is made when the fact is dropped or already known). */
  about4(ip: number, mac: number, kind: ObservationKind, value: string, data?: ObservationData, source?: string, macBound?: boolean): void;
  /**
   * `about` for an IPv6 address given as four big-endian words: the same as
   * `about(ip6ToString(w), ...)` without making and parsing the text. Optional
   * (contexts without it get the text form).
   */
  about6?(w: ArrayLike<number>, mac: number, kind: ObservationKind, value: string, data?: ObservationData, source?: string, macBound?: boolean): void;
  /**
   * TCP: the other direction of this connection, when it is finished (Done),
   * is read again from its next segment on, as the start of a new stream: a
   * server's answer that calls for another message from the client (an HTTP
   * 401 offering NTLM). Does nothing while that direction is still being read,
   * for UDP, or before the connection is tied to the dissector. Constant
   * time, nothing kept. Optional (contexts without it: a no-op).
   */
  reopenPeer?(): void;
}

export interface Dissector {
  /** Short lower-case name, used as the observation source and in counters. */
  readonly id: string;
  /** Application and family a recognised flow is reported under (SPEC §5.2). */
  readonly app: Application;
  readonly tcpPorts?: readonly number[];
  readonly udpPorts?: readonly number[];
  /** Cheap test of a payload whose ports did not choose a dissector. */
  probe?(buf: Buffer, off: number, len: number, proto: number): boolean;
  /**
   * UDP: one datagram. TCP: the bytes of one direction from the start of the
   * stream that were seen so far, in order (at most `maxStream`).
   */
  dissect(buf: Buffer, off: number, len: number, ctx: DissectContext): Verdict;
  /** Bytes of a TCP direction worth collecting (default 8 KiB). */
  readonly maxStream?: number;
  /**
   * A layer that protects other applications (TLS): found on the port of an
   * application the port table names, it leaves that application's name on
   * the flow unless the application's own dissector found none of its messages.
   */
  readonly protectsOthers?: boolean;
}

/** A dissector for a protocol carried directly over the link layer (LLDP, CDP): no connection, one frame at a time. */
export interface LinkDissector {
  readonly id: string;
  /** EtherType (or SNAP protocol id) of its frames. */
  readonly etherType: number;
  /** `off`: where the EtherType's payload starts. Observations go to the frame's source MAC. */
  dissect(buf: Buffer, off: number, len: number, ctx: DissectContext): Verdict;
}
