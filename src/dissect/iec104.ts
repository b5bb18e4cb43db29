/**
 * IEC 60870-5-104 (telecontrol over TCP 2404).
 *
 * APCI: start byte 0x68, APDU length (4 to 253, counting the four control
 * octets and the ASDU), four control octets. I-format (bit 0 of octet 1
 * clear): 15-bit send and receive sequence numbers, an ASDU follows.
 * S-format (octet 1 = 0x01): receive sequence number only. U-format (octet 1
 * low bits 11): one function bit, STARTDT act 0x04 / con 0x08, STOPDT act
 * 0x10 / con 0x20, TESTFR act 0x40 / con 0x80.
 *
 * ASDU (104 profile): type identification, variable structure qualifier
 * (SQ bit, number of objects), cause of transmission (6-bit cause, P/N
 * bit, test bit; then the originator address), common address of the ASDU
 * (2 octets, little-endian), then information objects with 3-octet
 * addresses.
 *
 * The controlling station (SCADA master) sends STARTDT act and commands
 * (activation, deactivation); the controlled station (RTU, IED, gateway)
 * confirms them and sends monitoring data.
 */
import type { ErrorCounter } from './snmp.js';
import { Verdict, type Dissector } from './types.js';

export const IEC104_MAX_STREAM = 8192;

/** Type identifications of the standard (IEC 60870-5-101 / -104). */
export const IEC104_TYPES: Readonly<Record<number, string>> = {
  1: 'M_SP_NA_1', 2: 'M_SP_TA_1', 3: 'M_DP_NA_1', 4: 'M_DP_TA_1', 5: 'M_ST_NA_1', 6: 'M_ST_TA_1',
  7: 'M_BO_NA_1', 8: 'M_BO_TA_1', 9: 'M_ME_NA_1', 10: 'M_ME_TA_1', 11: 'M_ME_NB_1', 12: 'M_ME_TB_1',
  13: 'M_ME_NC_1', 14: 'M_ME_TC_1', 15: 'M_IT_NA_1', 16: 'M_IT_TA_1', 17: 'M_EP_TA_1', 18: 'M_EP_TB_1',
  19: 'M_EP_TC_1', 20: 'M_PS_NA_1', 21: 'M_ME_ND_1',
  30: 'M_SP_TB_1', 31: 'M_DP_TB_1', 32: 'M_ST_TB_1', 33: 'M_BO_TB_1', 34: 'M_ME_TD_1', 35: 'M_ME_TE_1',
  36: 'M_ME_TF_1', 37: 'M_IT_TB_1', 38: 'M_EP_TD_1', 39: 'M_EP_TE_1', 40: 'M_EP_TF_1',
  45: 'C_SC_NA_1', 46: 'C_DC_NA_1', 47: 'C_RC_NA_1', 48: 'C_SE_NA_1', 49: 'C_SE_NB_1', 50: 'C_SE_NC_1',
  51: 'C_BO_NA_1',
  58: 'C_SC_TA_1', 59: 'C_DC_TA_1', 60: 'C_RC_TA_1', 61: 'C_SE_TA_1', 62: 'C_SE_TB_1', 63: 'C_SE_TC_1',
  64: 'C_BO_TA_1',
  70: 'M_EI_NA_1',
  100: 'C_IC_NA_1', 101: 'C_CI_NA_1', 102: 'C_RD_NA_1', 103: 'C_CS_NA_1', 104: 'C_TS_NA_1',
  105: 'C_RP_NA_1', 106: 'C_CD_NA_1', 107: 'C_TS_TA_1',
  110: 'P_ME_NA_1', 111: 'P_ME_NB_1', 112: 'P_ME_NC_1', 113: 'P_AC_NA_1',
  120: 'F_FR_NA_1', 121: 'F_SR_NA_1', 122: 'F_SC_NA_1', 123: 'F_LS_NA_1', 124: 'F_AF_NA_1',
  125: 'F_SG_NA_1', 126: 'F_DR_TA_1', 127: 'F_SC_NB_1',
};

/** U-format functions (control octet 1 without its two low bits). */
export const IEC104_U: Readonly<Record<number, string>> = {
  0x04: 'STARTDT act', 0x08: 'STARTDT con', 0x10: 'STOPDT act', 0x20: 'STOPDT con', 0x40: 'TESTFR act', 0x80: 'TESTFR con',
};

export interface Iec104Asdu {
  typeId: number;
  sq: boolean;
  count: number;
  cause: number;
  negative: boolean;
  test: boolean;
  originator: number;
  commonAddress: number;
  /** Address of the first information object, when present. */
  ioa: number | null;
}

export interface Iec104Apdu {
  format: 'I' | 'S' | 'U';
  /** APDU length octet. */
  length: number;
  /** I-format send sequence number. */
  tx?: number;
  /** I- and S-format receive sequence number. */
  rx?: number;
  /** U-format function bit (0x04 STARTDT act ...). */
  u?: number;
  asdu?: Iec104Asdu;
}

export interface Iec104Scan {
  apdus: Iec104Apdu[];
  /** 'more': stopped at a cut APDU; 'bad': at bytes that are not an APDU; 'end': all read. */
  stop: 'more' | 'bad' | 'end';
  /** Bytes skipped to find the next start byte. */
  skipped: number;
}

/** The APDU at `p` (start byte 0x68 checked by the caller): null when its control octets are impossible; 'more' when cut. */
function readApdu(b: Uint8Array, p: number, end: number): Iec104Apdu | 'more' | null {
  if (p + 2 > end) return 'more';
  const l = b[p + 1]!;
  if (l < 4 || l > 253) return null;
  if (p + 6 > end) return 'more';
  const c1 = b[p + 2]!;
  const c2 = b[p + 3]!;
  const c3 = b[p + 4]!;
  const c4 = b[p + 5]!;
  if ((c1 & 1) === 0) {
    if (l < 4 + 6 || (c3 & 1) !== 0) return null;
    if (p + 2 + l > end) return 'more';
    const a = p + 6;
    const asdu: Iec104Asdu = {
      typeId: b[a]!,
      sq: (b[a + 1]! & 0x80) !== 0,
      count: b[a + 1]! & 0x7f,
      cause: b[a + 2]! & 0x3f,
      negative: (b[a + 2]! & 0x40) !== 0,
      test: (b[a + 2]! & 0x80) !== 0,
      originator: b[a + 3]!,
      commonAddress: b[a + 4]! | (b[a + 5]! << 8),
      ioa: l >= 4 + 6 + 3 ? b[a + 6]! | (b[a + 7]! << 8) | (b[a + 8]! << 16) : null,
    };
    return { format: 'I', length: l, tx: (c1 >> 1) | (c2 << 7), rx: (c3 >> 1) | (c4 << 7), asdu };
  }
  if (l !== 4) return null;
  if ((c1 & 3) === 1) {
    if (c1 !== 1 || c2 !== 0 || (c3 & 1) !== 0) return null;
    return { format: 'S', length: l, rx: (c3 >> 1) | (c4 << 7) };
  }
  const f = c1 & 0xfc;
  if (IEC104_U[f] === undefined || c2 !== 0 || c3 !== 0 || c4 !== 0) return null;
  return { format: 'U', length: l, u: f };
}

/**
 * Reads the APDUs of one direction's bytes `buf[off, off + len)` from the
 * start. After a first good APDU, stray bytes before the next start byte are
 * skipped (counted); the first APDU must be at `off`. Never throws.
 */
export function scanIec104(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): Iec104Scan {
  const out: Iec104Scan = { apdus: [], stop: 'end', skipped: 0 };
  if (off < 0 || len < 0 || off + len > buf.length) {
    out.stop = 'bad';
    return out;
  }
  const end = off + len;
  let p = off;
  while (p < end) {
    if (buf[p] !== 0x68) {
      if (out.apdus.length === 0) {
        out.stop = 'bad';
        break;
      }
      const q = buf.indexOf(0x68, p);
      const next = q < 0 || q >= end ? end : q;
      out.skipped += next - p;
      p = next;
      continue;
    }
    const a = readApdu(buf, p, end);
    if (a === 'more') {
      out.stop = 'more';
      break;
    }
    if (a === null) {
      if (out.apdus.length === 0) {
        out.stop = 'bad';
        break;
      }
      // A stray 0x68: look for the next one.
      out.skipped++;
      p++;
      continue;
    }
    out.apdus.push(a);
    p += 2 + a.length;
  }
  if (out.skipped) errs?.count('iec104.stray_bytes');
  return out;
}

/** Monitoring direction types: sent by the controlled station. */
export function isMonitorType(t: number): boolean {
  return (t >= 1 && t <= 44) || t === 70;
}

/** Control direction types (commands, system commands, parameters). */
export function isControlType(t: number): boolean {
  return (t >= 45 && t <= 69) || (t >= 100 && t <= 113);
}

/**
 * Which station sent an APDU: 'controlling', 'controlled', or null when it
 * does not say (TESTFR, S-format, file transfer).
 */
export function iec104Sender(a: Iec104Apdu): 'controlling' | 'controlled' | null {
  if (a.format === 'U') {
    if (a.u === 0x04 || a.u === 0x10) return 'controlling';
    if (a.u === 0x08 || a.u === 0x20) return 'controlled';
    return null;
  }
  const s = a.asdu;
  if (!s) return null;
  if (isMonitorType(s.typeId)) return 'controlled';
  if (isControlType(s.typeId)) {
    // Activation / deactivation come from the controlling station; their
    // confirmations, terminations and the "unknown ..." answers (44-47) from the controlled one.
    if (s.cause === 6 || s.cause === 8) return 'controlling';
    if (s.cause === 7 || s.cause === 9 || s.cause === 10 || (s.cause >= 44 && s.cause <= 47)) return 'controlled';
  }
  return null;
}

export function iec104TypeBanner(typeId: number): string {
  return `type ${typeId} ${IEC104_TYPES[typeId] ?? 'unknown'}`;
}

// ---------------------------------------------------------------------------
// Dissector.

/** Distinct type-id banners kept per call. */
const MAX_TYPES = 16;

export const iec104Dissector: Dissector = {
  id: 'iec104',
  app: { application: 'IEC-104', family: 'Industrial' },
  tcpPorts: [2404],
  maxStream: IEC104_MAX_STREAM,
  dissect(buf, off, len, ctx) {
    const scan = scanIec104(buf, off, len, ctx);
    if (scan.apdus.length === 0) return scan.stop === 'more' ? Verdict.More : Verdict.NotMine;
    let controlling = false;
    let controlled = false;
    let monitoring = false;
    const types = new Set<number>();
    const addresses = new Set<number>();
    for (const a of scan.apdus) {
      const who = iec104Sender(a);
      if (who === 'controlling') controlling = true;
      else if (who === 'controlled') controlled = true;
      const s = a.asdu;
      if (!s) continue;
      if (types.size < MAX_TYPES) types.add(s.typeId);
      if (who !== null && addresses.size < MAX_TYPES) addresses.add(s.commonAddress);
      if (isMonitorType(s.typeId)) monitoring = true;
    }
    // A direction that both commands and answers is odd; say nothing about roles then.
    const side = controlling && !controlled ? 'controlling' : controlled && !controlling ? 'controlled' : null;
    if (side === 'controlling') {
      ctx.src('role', 'iec104-controlling');
      ctx.dst('role', 'iec104-controlled');
    } else if (side === 'controlled') {
      ctx.src('role', 'iec104-controlled');
      ctx.dst('role', 'iec104-controlling');
    }
    for (const t of [...types].sort((x, y) => x - y)) ctx.src('banner', iec104TypeBanner(t), { type_id: t });
    if (side !== null) {
      // The common address names the controlled station.
      const about = side === 'controlled' ? ctx.src.bind(ctx) : ctx.dst.bind(ctx);
      for (const ca of [...addresses].sort((x, y) => x - y)) about('banner', `common address ${ca}`, { common_address: ca });
      if (side === 'controlled' && monitoring) {
        ctx.src('device_type', 'field device', { iec104: 'controlled station', common_address: [...addresses].sort((x, y) => x - y) });
      }
    }
    if (scan.stop === 'bad') {
      ctx.count('iec104.bad_apci');
      return Verdict.Done;
    }
    return len >= IEC104_MAX_STREAM ? Verdict.Done : Verdict.More;
  },
};
