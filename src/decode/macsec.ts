/**
 * MACsec (IEEE 802.1AE, EtherType 0x88e5). After the EtherType, the SecTAG:
 * TCI/AN (version bit, ES, SC, SCB, E, C, association number), the short
 * length (bits 0-5: the secure data's length when under 48 bytes, 0
 * otherwise), the 4-byte packet number, and the 8-byte SCI when SC is set.
 * Then the secure data and a 16-byte ICV.
 *
 * MACsec protects one link: the frame's MAC addresses are the hosts' own,
 * so this is no tunnel. With integrity only (neither E nor C) the secure
 * data is in clear and starts with the protected frame's EtherType; it is
 * decoded as if the SecTAG were not there. Encrypted or modified data (E or
 * C) cannot be read: decoding stops, and that is no decode error.
 */
import { u16 } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeEtherType } from './link.js';
import type { PacketView } from './view.js';

const TCI_VERSION = 0x80;
const TCI_SC = 0x20;
const TCI_E = 0x08;
const TCI_C = 0x04;
const ICV_LEN = 16;

/** The SecTAG at `off` (just past the 0x88e5), then the clear frame's EtherType and payload. */
export function decodeMacsec(v: PacketView, errs: DecodeErrors, off: number, end: number, depth: number): void {
  const b = v.buf;
  if (end - off < 6) return countTruncated(v, errs, 'macsec.truncated');
  const tci = b[off]!;
  if (tci & TCI_VERSION) {
    countMalformed(v, errs, 'macsec.bad_version');
    return;
  }
  const tag = tci & TCI_SC ? 14 : 6;
  if (end - off < tag) return countTruncated(v, errs, 'macsec.truncated');
  if (tci & (TCI_E | TCI_C)) return; // encrypted or changed: nothing readable
  const p = off + tag;
  const sl = b[off + 1]! & 0x3f;
  // The secure data ends where the short length says (a short frame may be padded),
  // else before the ICV; a frame cut by the snap length has lost the ICV already.
  let dataEnd: number;
  if (sl !== 0) dataEnd = p + sl < end ? p + sl : end;
  else dataEnd = v.capLen < v.origLen ? end : end - ICV_LEN;
  if (dataEnd - p < 2) return countTruncated(v, errs, 'macsec.truncated');
  decodeEtherType(v, errs, u16(b, p), p + 2, dataEnd, depth);
}

