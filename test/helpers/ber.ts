/** BER / DER pieces for building messages in tests (Kerberos, SNMP, SPNEGO, LDAP). */

/** A definite length: short form below 128, else 0x80 | count, then the bytes big-endian. */
export function berLen(n: number): number[] {
  if (n < 128) return [n];
  const b: number[] = [];
  while (n > 0) {
    b.unshift(n & 255);
    n = Math.floor(n / 256);
  }
  return [0x80 | b.length, ...b];
}
