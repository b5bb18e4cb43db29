/**
 * Shapes shared by the merge module (SPEC §7): managed assets as read from a
 * scanner or agent inventory, passive assets as read from sensor reports, and
 * the settings that tune the rules.
 */

/** One asset of the managed inventory (CSV, JSON or NDJSON input). */
export interface ManagedAsset {
  /** The inventory's own identifier, as written (trimmed). Unique in the file. */
  id: string;
  /** Lower case, colon-separated ("00:11:22:33:44:55"), sorted, no duplicates. */
  macs: string[];
  /** Canonical text (IPv4 dotted, IPv6 RFC 5952 lower case), sorted, no duplicates. */
  ips: string[];
  /** Lower case, without a trailing dot, sorted, no duplicates. */
  hostnames: string[];
  /** The network (address space) its IPs belong to; "default" when the input leaves it empty. */
  network: string;
  /** When the scanner or agent last saw it, microseconds since the epoch; null when unknown. */
  lastScanUs: number | null;
  /** Where it was written: 1-based line of the CSV row, JSON object or NDJSON line. */
  line: number;
}

/** One address a passive asset was seen on, with when. */
export interface PassiveIp {
  ip: string;
  firstUs: number;
  lastUs: number;
}

/** The DHCP lease a sensor saw for a passive asset. */
export interface PassiveLease {
  ip: string | null;
  startUs: number;
  /** Lease length in seconds; null when the ACK did not say; 4294967295 is infinite. */
  seconds: number | null;
}

/** One asset of one sensor report, reduced to what the merge rules use. */
export interface PassiveAsset {
  /** The report's asset id ("mac:…" or "ip:…"). */
  id: string;
  sensor: string;
  network: string;
  /** Index of the report in the (sorted) input, for messages. */
  report: number;
  mac: string | null;
  ips: PassiveIp[];
  hostnames: string[];
  assignment: 'dhcp' | 'static' | 'unknown';
  /** Why the assignment is static: the configured range that says so, when the report names it. */
  staticRange: string | null;
  lease: PassiveLease | null;
  firstUs: number;
  lastUs: number;
}

export type MergeRule = 'mac' | 'hostname' | 'ip-static' | 'ip-dhcp-lease' | 'ip-inactivity';

export interface MergeSettings {
  /** exact: whole names compared (case-insensitive); short: first labels compared. */
  hostnameMatch: 'exact' | 'short';
  /** Lower case; a name equal to one, or whose first label equals one, never matches. */
  hostnameExclusions: string[];
  ipInactivityUs: number;
}

/** A problem in the managed inventory file, with its position. */
export interface ManagedIssue {
  file: string;
  line: number;
  column: number;
  /** The field concerned (column or key name), when there is one. */
  field?: string;
  message: string;
}

/** The managed inventory cannot be used (the CLI exits 2); `issues` lists every problem found. */
export class ManagedInventoryError extends Error {
  constructor(
    readonly issues: ManagedIssue[],
    message = issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.field ? `${i.field}: ` : ''}${i.message}`).join('\n'),
  ) {
    super(message);
    this.name = 'ManagedInventoryError';
  }
}
