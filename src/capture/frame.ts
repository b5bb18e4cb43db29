/**
 * One captured frame as handed out by a capture reader.
 *
 * A reader owns a single Frame object and refills it for every record: the
 * bytes are a view (`buf`, `off`, `capLen`) into the reader's chunk buffer and
 * are only valid until the callback returns. Anything kept after that must be
 * copied out explicitly.
 */
export class Frame {
  /** Buffer holding the frame bytes (shared chunk buffer, not a copy). */
  buf: Buffer = Buffer.alloc(0);
  /** Offset of the first frame byte in `buf`. */
  off = 0;
  /** Bytes captured (present in `buf`). */
  capLen = 0;
  /** Length of the frame on the wire (may exceed capLen with a snap length). */
  origLen = 0;
  /** Timestamp in whole microseconds since the Unix epoch. */
  tsUs = 0;
  /** LINKTYPE_* value of the interface the frame arrived on. */
  linkType = 1;
  /** pcapng interface id (global across sections: see reader), 0 for classic pcap. */
  ifIndex = 0;
  /** 1-based packet number in the capture (counts every packet record). */
  index = 0;
  /** Byte offset of the record (block) in the (decompressed) capture stream. */
  fileOffset = 0;
}

/** A problem found in the capture file structure (not in packet content). */
export interface CaptureProblem {
  /** Stable code: 'truncated-capture', 'bad-block', 'unknown-link-type', ... */
  code: string;
  /** Human readable: what was wrong. */
  message: string;
  /** Byte offset in the (decompressed) capture stream where it was found. */
  byteOffset: number;
  /** Number of the packet being read (1-based), or of the last good one + 1. */
  packetNumber: number;
}

/** What a reader learned about the capture as a whole. */
export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  gzip: boolean;
  /** Distinct link types seen (LINKTYPE_* numbers) in order of first appearance. */
  linkTypes: number[];
  /** Packet records delivered. */
  packets: number;
  /** Bytes of the (decompressed) capture stream consumed. */
  bytesRead: number;
  /** Structural problems; reading stopped at the first fatal one. */
  problems: CaptureProblem[];
}
