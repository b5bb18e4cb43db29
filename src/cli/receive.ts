/**
 * `nps receive`: the reference cloud endpoint (SPEC §8). Checks the token,
 * validates each push against docs/push.schema.json, stores it durably
 * (DATA_DIR/pushes.ndjson, fsynced before the 2xx, deduplicated by
 * idempotency key) and serves the merged inventory. `--print` prints the
 * inventory of a data directory and exits.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Inventory, type InventoryDocument } from '../receive/inventory.js';
import { decompressedLimit, DEFAULT_MAX_BODY, startReceiveServer, urlHost, type RunningServer } from '../receive/server.js';
import { PushStore, StoreError } from '../receive/store.js';
import { preparePushValidator } from '../receive/validate.js';
import { shortTime, layout } from '../report/table.js';
import { InputError, UsageError } from './errors.js';
import { colorFor, type CliIO } from './io.js';

export interface ReceiveOptions {
  /** --host (default 127.0.0.1) */
  host?: string;
  /** --port (default 8443; 0 picks a free port) */
  port?: string | number;
  /** --token-file PATH (required unless --print) */
  tokenFile?: string;
  /** --data-dir DIR (default ./nps-received) */
  dataDir?: string;
  /** --max-body BYTES (default 16 MiB; accepts 1048576, 512K, 16M, 1G) */
  maxBody?: string | number;
  /** --tls-cert FILE and --tls-key FILE (both or neither) */
  tlsCert?: string;
  tlsKey?: string;
  /** --print: print the inventory of --data-dir and exit */
  print?: boolean;
  /** -f, --format table|json (with --print) */
  format?: string;
  /** -q, --quiet: no per-push log lines on stderr */
  quiet?: boolean;
}

type Sig = 'SIGINT' | 'SIGTERM';
export interface ReceiveSignals {
  on(signal: Sig, handler: () => void): void;
  off(signal: Sig, handler: () => void): void;
}

export const DEFAULT_DATA_DIR = './nps-received';
export const DEFAULT_PORT = 8443;

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

export function parsePort(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a port number 0-65535 (0 picks a free one), not "${value}"`);
  return n;
}

/** "16M", "512K", "1G", "16MiB", "1048576": a size in bytes. */
export function parseByteSize(value: string | number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d+)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(String(value).trim());
  if (!m) throw new UsageError(`${flag} takes a size in bytes such as 16777216, 512K or 16M, not "${value}"`);
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const n = Number(m[1]) * mult;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be at least 1 byte, not "${value}"`);
  return n;
}

/** The token: the file's content with surrounding whitespace trimmed. Never echoed. */
function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the token file ${path} (--token-file): ${errCode(e)}; give a readable file holding the bearer token`);
  }
  const token = text.trim();
  if (token === '') throw new UsageError(`the token file ${path} (--token-file) is empty; put the bearer token the sensors send in it`);
  if (/\s/.test(token)) throw new UsageError(`the token file ${path} (--token-file) holds more than one word; a bearer token has no spaces or line breaks`);
  return token;
}

function readPem(path: string, flag: string, what: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read the ${what} ${path} (${flag}): ${errCode(e)}; give a readable PEM file`);
  }
  if (!data.toString('latin1').includes('-----BEGIN ')) throw new InputError(`${path} (${flag}) is not a PEM file (no "-----BEGIN" line); give the ${what} in PEM format`);
  return data;
}

function storeError(e: unknown): never {
  if (e instanceof StoreError) throw new InputError(e.message);
  throw e;
}

function parsePrintFormat(value: string | undefined, io: CliIO): 'table' | 'json' {
  if (value === undefined) return io.stdout.isTTY ? 'table' : 'json';
  if (value !== 'table' && value !== 'json') throw new UsageError(`-f/--format must be table or json with --print, not "${value}"`);
  return value;
}

/** The inventory as tables: per sensor a heading, its assets and its flow totals. */
export function renderInventoryTable(doc: InventoryDocument, width: number, color: ReturnType<typeof colorFor>): string {
  if (doc.sensors.length === 0) return 'No pushes received yet.\n';
  const out: string[] = [];
  for (const s of doc.sensors) {
    if (out.length) out.push('');
    out.push(
      color.bold(`Sensor ${s.name} (network ${s.network})`) +
        `: ${s.pushes} push${s.pushes === 1 ? '' : 'es'}, last #${s.last_sequence} up to ${shortTime(s.last_interval_end)}${s.final_seen ? ', final' : ''}`,
    );
    if (s.assets.length === 0) out.push('  (no assets)');
    else {
      const rows = s.assets.map((a) => {
        const ips = Array.isArray(a.ips) ? (a.ips as string[]).join(', ') : '';
        const hostnames = Array.isArray(a.hostnames) ? (a.hostnames as string[]) : [];
        const os = a.os && typeof a.os === 'object' && !Array.isArray(a.os) ? (a.os as Record<string, unknown>) : null;
        return [
          String(a.id),
          ips || '-',
          typeof a.mac === 'string' ? a.mac : '-',
          (hostnames[0] ?? '') + (hostnames.length > 1 ? ` +${hostnames.length - 1}` : ''),
          os && typeof os.name === 'string' ? os.name : '',
        ];
      });
      const lines = layout(['ID', 'IPS', 'MAC', 'HOSTNAME', 'OS'], rows, width - 2, [4, 3], [1, 3, 4]);
      out.push(`  ${color.dim(lines[0]!)}`, ...lines.slice(1).map((l) => `  ${l}`));
    }
    const total = (k: string) => s.flows.reduce((a, f) => a + (typeof f[k] === 'number' ? (f[k] as number) : 0), 0);
    out.push(
      `  flows: ${s.flows.length} rows, ${total('connections')} connections, ` +
        `${total('client_packets') + total('server_packets')} packets, ${total('client_bytes') + total('server_bytes')} bytes`,
    );
  }
  return `${out.join('\n')}\n`;
}

function runPrint(opts: ReceiveOptions, io: CliIO): number {
  const format = parsePrintFormat(opts.format, io);
  const dir = opts.dataDir ?? DEFAULT_DATA_DIR;
  const inventory = new Inventory();
  let store: PushStore;
  try {
    store = PushStore.open(dir, {
      readOnly: true,
      warn: (m) => io.stderr.write(`nps: warning: ${m}\n`),
      onRecord: (r) => inventory.apply(r.document),
    });
  } catch (e) {
    storeError(e);
  }
  store.close();
  const doc = inventory.toDocument();
  if (format === 'json') io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else io.stdout.write(renderInventoryTable(doc, io.stdout.columns ?? 100, colorFor(io.stdout, io.env)));
  return 0;
}

export async function runReceive(opts: ReceiveOptions, io: CliIO, signals: ReceiveSignals = process): Promise<number> {
  if (opts.print) return runPrint(opts, io);
  if (opts.format !== undefined) throw new UsageError('-f/--format applies to --print only');
  // Usage first, then files, then the store, then the socket.
  const host = opts.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  const port = parsePort(opts.port);
  const maxBody = parseByteSize(opts.maxBody, '--max-body', DEFAULT_MAX_BODY);
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new UsageError(`--tls-cert and --tls-key go together: give both for HTTPS (or neither for plain HTTP); ${opts.tlsCert === undefined ? '--tls-cert' : '--tls-key'} is missing`);
  }
  if (opts.tokenFile === undefined) throw new UsageError('--token-file PATH is required: the file holding the bearer token sensors must send (the token is never taken from the command line)');
  const token = readTokenFile(opts.tokenFile);
  const tls = opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { cert: readPem(opts.tlsCert, '--tls-cert', 'certificate'), key: readPem(opts.tlsKey, '--tls-key', 'private key') } : undefined;
  const dir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  const quiet = opts.quiet === true;
  const log = (line: string) => {
    if (!quiet) io.stderr.write(`nps: ${line}\n`);
  };

  preparePushValidator();
  const inventory = new Inventory();
  let store: PushStore;
  try {
    store = PushStore.open(dir, {
      warn: (m) => io.stderr.write(`nps: warning: ${m}\n`),
      onRecord: (r) => inventory.apply(r.document),
    });
  } catch (e) {
    storeError(e);
  }

  let running: RunningServer;
  try {
    running = await startReceiveServer({ host, port, token, maxBody, maxDecompressed: decompressedLimit(maxBody), tls, store, inventory, log });
  } catch (e) {
    store.close();
    const code = errCode(e);
    if (code === 'EADDRINUSE') throw new InputError(`port ${port} on ${host} is already in use; stop what listens there or give another --port (0 picks a free one)`);
    if (code === 'EACCES') throw new InputError(`not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges); give another --port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new InputError(`cannot listen on ${host}: no such local address (--host); give an address of this machine, 0.0.0.0 or ::`);
    if (tls && /key|cert|pem|asn1|decoder/i.test((e as Error).message)) {
      throw new InputError(`cannot use the TLS certificate ${opts.tlsCert} with the key ${opts.tlsKey}: ${(e as Error).message}; give a matching PEM certificate and private key`);
    }
    throw new InputError(`cannot listen on ${urlHost(host)}:${port}: ${(e as Error).message}`);
  }

  io.stderr.write(`nps: receiving on ${running.url}, data in ${dir}\n`);
  if (store.count > 0 && !quiet) io.stderr.write(`nps: ${store.count} push${store.count === 1 ? '' : 'es'} already stored from ${inventory.sensorCount} sensor${inventory.sensorCount === 1 ? '' : 's'}\n`);

  await new Promise<void>((resolveStop) => {
    const stop = () => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) signals.off(s, stop);
      resolveStop();
    };
    for (const s of ['SIGINT', 'SIGTERM'] as const) signals.on(s, stop);
  });
  if (!quiet) io.stderr.write('nps: stopping: finishing requests in flight\n');
  try {
    await running.close();
  } finally {
    store.close();
  }
  if (!quiet) io.stderr.write(`nps: stopped; ${store.count} push${store.count === 1 ? '' : 'es'} stored in ${dir}\n`);
  return 0;
}
