/**
 * The validated configuration (SPEC §2), as the engine uses it. Produced by
 * load.ts from YAML (or the built-in defaults); consumed by the classifier.
 */

/** An inclusive address range; bounds are four big-endian 32-bit words (IPv4: word 0 only, others 0). */
export interface AddressRange {
  version: 4 | 6;
  first: [number, number, number, number];
  last: [number, number, number, number];
  /** The text as written in the configuration ("10.0.0.0/8", "10.1.1.5-10.1.1.99", "fd00::1"). */
  text: string;
  /** Where it was written (1-based), when it came from a file. */
  line?: number;
  column?: number;
}

export interface InternalGroup {
  name: string;
  ranges: AddressRange[];
  /** true: inventoried assets; false: tracked by IP only. */
  inventory: boolean;
  assignment: 'dhcp' | 'static';
}

export interface ExcludedGroup {
  name: string;
  ranges: AddressRange[];
  /** MAC addresses as 48-bit integers. */
  macs: number[];
  /** The MACs as written, lower case with colons. */
  macTexts: string[];
}

export interface ExternalGroup {
  name: string;
  /** Lower case, without a trailing dot; "*.example.com" matches any subdomain (not example.com itself). */
  fqdns: string[];
  ranges: AddressRange[];
}

export interface NpsConfig {
  sensor: { name: string; network: string };
  internal: InternalGroup[];
  excluded: ExcludedGroup[];
  external: ExternalGroup[];
  merge: { hostnameExclusions: string[]; ipInactivityUs: number };
  reporting: { newAssetIntervalUs: number; updateIntervalUs: number };
  limits: TableLimits;
}

/**
 * Bounds of the tables that traffic can grow (`limits:`; SPEC §10). Hitting
 * one evicts the oldest entries, counts them and reports a `table-limit`
 * warning (flow_rows: the rows of the oldest intervals, spilled instead when
 * a spill file is kept; duplicate_slots overwrites).
 */
export interface TableLimits {
  /** Simultaneous connections in the flow table. */
  flows: number;
  /** Addresses tracked (asset candidates, IPv4 and IPv6 together). */
  assets: number;
  /** MAC addresses tracked. */
  macs: number;
  /** Aggregated flow rows in the report (new rows are dropped when full). */
  flowRows: number;
  /** IP datagrams being reassembled from fragments. */
  fragments: number;
  /** Bytes of fragments buffered for reassembly. */
  fragmentBytes: number;
  /** TCP connections whose payload is being reassembled for the dissectors. */
  tcpStreams: number;
  /** Distinct observations (facts about devices) kept for the inventory. */
  observations: number;
  /** Addresses learned from DNS answers for monitored names, per address family. */
  dnsNames: number;
  /** Slots of the duplicate-packet detector (a power of two). */
  duplicateSlots: number;
}

export interface ConfigWarning {
  code: 'overlapping-inventory-ranges';
  message: string;
  file: string | null;
  line?: number;
  column?: number;
}

export interface LoadedConfig {
  config: NpsConfig;
  /** The file read, or null for the built-in defaults. */
  path: string | null;
  /** SHA-256 (hex) of the file's bytes, or null. */
  sha256: string | null;
  warnings: ConfigWarning[];
}

/** One problem in a configuration file, with its position. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The configuration cannot be used (the CLI exits 2). `issues` lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    message = issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n'),
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
