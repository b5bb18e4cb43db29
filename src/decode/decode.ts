/** Entry point: decode one frame into the reused PacketView. */
import type { DecodeErrors } from './errors.js';
import { decodeLink } from './link.js';
import type { PacketView } from './view.js';

export function decodeFrame(v: PacketView, errs: DecodeErrors, buf: Buffer, off: number, capLen: number, origLen: number, tsUs: number, linkType: number): void {
  v.reset(buf, off, capLen, origLen, tsUs, linkType);
  decodeLink(v, errs);
}
