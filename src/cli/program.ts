/**
 * The commander program: commands, options and help. Knows nothing of exit
 * codes. Commands other than analyze and config are loaded when run, so that
 * `nps analyze` does not start by loading HTTP, schema and terminal-UI code.
 */
import { Command, Option } from 'commander';
import { FORMATS, runAnalyze } from './analyze.js';
import { runConfigExplain, runConfigInit, runConfigValidate } from './config-cmd.js';
import type { CliIO } from './io.js';
import { VERSION } from './version.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The options of `replay` and `live --push` that say where and how pushes go. */
function pushOptions(cmd: Command, giveUpDefault: string): Command {
  return cmd
    .option('--token-env <name>', 'environment variable holding the bearer token (never given on the command line)')
    .option('--token-file <path>', 'file holding the bearer token')
    .option('--ca <file>', "PEM certificate of a private CA that signed the endpoint's certificate (verification stays on)")
    .option('--proxy <url>', 'HTTP(S) proxy, http://[user:password@]host:port (default: HTTPS_PROXY / HTTP_PROXY, honouring NO_PROXY)')
    .option('--timeout <duration>', 'per-attempt timeout for connecting and answering (default 30s)')
    .option('--spool <dir>', 'directory where pushes wait until acknowledged (default ./nps-spool); left-overs are sent first')
    .option('--spool-max <MiB>', 'spool size bound; over it the oldest pushes are dropped, with a warning (default 512)')
    .option('--give-up-after <duration>', `stop retrying one push after this long; it stays in the spool (default ${giveUpDefault}; 0: never)`);
}

export interface ProgramResult {
  code: number;
}

export function buildProgram(io: CliIO, result: ProgramResult): Command {
  const program = new Command();
  program
    .name('nps')
    .description('Passive network sensor: turns packet captures into an asset inventory, traffic summaries and merge decisions.\nIt only reads traffic; it never sends a packet.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  program
    .command('analyze')
    .description('analyse pcap/pcapng captures (optionally gzip-compressed; - reads stdin) and report assets, flows and warnings')
    .argument('[capture...]', 'capture files (pcap, pcapng, .gz), directories of them, quoted patterns such as "logs/*.pcap", - for stdin')
    .option('-r, --read <file>', 'capture file to read (repeatable; same as the positional argument)', collect)
    .option('-j, --jobs <n>', 'worker threads for several files (default: one per core, one fewer under 512 MiB of capture per core); the report is the same for any n')
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')} (default: table on a terminal, else json)`))
    .option('-o, --output <path>', 'write the report to this file instead of stdout (csv: a directory gets assets.csv, flows.csv, traffic.csv)')
    .option('--view <view>', 'table and csv: only this view, in full: assets, flows, traffic or merge (csv default: assets)')
    .option('-c, --count <n>', 'stop after reading n packets (over all captures; files are then read one at a time)')
    .option('--config <file>', 'configuration file (default: ./nps.yaml when present, else built-in defaults)')
    .option('--internal <ranges>', 'internal, inventoried ranges replacing the defaults: CIDRs separated by commas (repeatable), or "all"', collect)
    .option('--managed <file>', 'managed inventory (CSV, JSON or NDJSON: id, macs, ips, hostnames, network, last_scan): add merge decisions for every asset')
    .addOption(new Option('--hostname-match <mode>', 'with --managed: exact (whole names, case-insensitive) or short (first labels)').choices(['exact', 'short']))
    .option('--ip-inactivity <duration>', 'with --managed: how long an IP-only match stays valid without a DHCP lease (default: merge.ip_inactivity, 24h)')
    .option('--deterministic', 'omit generated_at so identical input gives byte-identical JSON')
    .option('--tui', 'open the interactive view on the result (with -o, the report is also written there)')
    .option('--baseline <report>', 'also compare with this report as nps diff does (the comparison on stderr; exit 1 when they differ)')
    .option('--tolerance <percent>', 'with --baseline: traffic changes up to this percentage are not differences')
    .option('--strict', 'exit 1 when a capture is damaged part-way (default: warn and exit 0)')
    .option('--no-progress', 'no progress bar on stderr')
    .option('-q, --quiet', 'print nothing but the results (no progress, no warnings)')
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 --strict and a capture was damaged, 2 usage error,
3 a capture could not be read at all.

Examples:
  nps analyze capture.pcap
  nps analyze -f json -o report.json --deterministic day1.pcapng day2.pcapng.gz
  tcpdump -i eth0 -w - | nps analyze -f ndjson -
  nps analyze --internal 0.0.0.0/0,::/0 -f json public-trace.pcap
  nps analyze --managed scanner-export.csv --view merge capture.pcap`,
    )
    .action(async (captures: string[], opts) => {
      result.code = await runAnalyze(captures, opts, io);
    });

  program
    .command('live')
    .description('capture on a network interface through tcpdump (or dumpcap) and report as analyze does; Ctrl-C stops and writes the report')
    .argument('[filter...]', 'BPF capture filter, as for tcpdump (e.g. not port 22)')
    .option('-i, --iface <name>', 'interface to capture on (any: all interfaces, without MACs)')
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')} (default: table on a terminal, else json)`))
    .option('-o, --output <path>', 'write the final report to this file; with --snapshot-interval, the directory for snapshots and the final report')
    .option('--view <view>', 'table and csv: only this view, in full: assets, flows or traffic')
    .option('--snapshot-interval <duration>', 'write a report of everything so far every interval (e.g. 5m) into --output DIR, each file renamed into place')
    .option('--duration <duration>', 'stop after this long (e.g. 30s, 2h) and write the report')
    .option('-c, --count <n>', 'stop after n packets and write the report')
    .option('-w, --write <file>', 'also save the captured packets to this file, exactly as the capture program wrote them')
    .option('-s, --snaplen <bytes>', 'bytes kept of each packet (default 262144)')
    .option('--no-promisc', 'do not put the interface into promiscuous mode')
    .option('--buffer-size <MiB>', "capture program's kernel buffer, MiB (raise it when packets are dropped)")
    .addOption(new Option('--capture-program <name>', 'program that captures: tcpdump (default) or dumpcap').choices(['tcpdump', 'dumpcap']))
    .option('--config <file>', 'configuration file (default: ./nps.yaml when present, else built-in defaults)')
    .option('--internal <ranges>', 'internal, inventoried ranges replacing the defaults: CIDRs separated by commas (repeatable), or "all"', collect)
    .option('--deterministic', 'omit generated_at from the reports')
    .option('--tui', 'show the inventory in the interactive view, refreshed every second (less often when a refresh takes long); quitting it stops the capture')
    .option('--push <url>', 'also push reports to this endpoint on the reporting schedule, on the wall clock (as nps replay does)')
    .option('-q, --quiet', 'print nothing but the results (no status line, no warnings)')
    .addHelpText(
      'after',
      `
nps never sends a packet: the capture program only listens. Capturing needs
root, or CAP_NET_RAW and CAP_NET_ADMIN for the capture program. When stderr is
a terminal, a status line shows packets, drops the program reports, addresses
and connections. SIGINT or SIGTERM stops the capture, drains the pipe and
writes the final report (exit 0); the capture program never outlives nps.

Exit codes: 0 success, 2 usage or configuration error, 3 the capture could
not start (program missing, no permission, no such interface, bad filter).

Examples:
  sudo nps live -i eth1
  sudo nps live -i eth1 -f json -o report.json --duration 1h not port 22
  sudo nps live -i eth1 -f json -o /var/lib/nps --snapshot-interval 5m -w day.pcap`,
    )
    .action(async (filter: string[], opts) => {
      result.code = await (await import('./live.js')).runLive(filter, opts, io);
    });
  pushOptions(program.commands.find((c) => c.name() === 'live')!, 'never');

  pushOptions(
    program
      .command('replay')
      .description('replay captures on their own clock as a sensor would, pushing reports to an endpoint on the reporting schedule (SPEC §8)')
      .argument('[capture...]', 'capture files (pcap, pcapng, .gz), - for stdin')
      .option('--endpoint <url>', 'where pushes are POSTed: https://HOST[:PORT]/PATH (required)')
      .option('-r, --read <file>', 'capture file to read (repeatable)', collect)
      .option('--speed <speed>', '1: real time; N: N times faster; max: as fast as possible (default max)')
      .option('-c, --count <n>', 'stop after n packets')
      .option('--config <file>', 'configuration: sensor name and network, ranges, reporting intervals (default ./nps.yaml when present)')
      .option('--internal <ranges>', 'internal, inventoried ranges replacing the defaults (repeatable), or "all"', collect)
      .option('--no-progress', 'no progress bar on stderr')
      .option('-q, --quiet', 'print nothing but the summary line (no progress, no retry notes)'),
    '15m',
  )
    .addHelpText(
      'after',
      `
Schedule (capture time, from reporting: in the configuration): assets new in a
new_asset_interval (default 5m) are pushed at its end; changed assets and the
growth of every flow row each update_interval (default 30m); a final push at
the end. Each push (nps.push/v1, docs/push.schema.json) is written to the
spool (fsync, rename) before it is sent, gzip-compressed, with an
Idempotency-Key, and removed only after a 2xx; failures are retried with
exponential backoff and jitter. 4xx answers other than 408 and 429 stop the
replay with the push kept in the spool.

Exit codes: 0 every push acknowledged, 1 the endpoint refused a push or was
unreachable for --give-up-after (the spool keeps them), 2 usage error,
3 a capture, the token file or the CA file could not be read.

Examples:
  NPS_TOKEN=... nps replay --endpoint https://cloud.example/push --token-env NPS_TOKEN day.pcapng
  nps replay --endpoint https://10.0.0.5:8443/push --token-file token --ca ca.pem --speed 10 day.pcapng`,
    )
    .action(async (captures: string[], opts) => {
      result.code = await (await import('./replay.js')).runReplay(captures, opts, io);
    });

  program
    .command('diff')
    .description('compare two reports by asset identity for CI regression: exit 1 when they differ beyond the tolerance')
    .argument('[baseline]', 'the reference report (nps analyze -f json or -f ndjson)')
    .argument('[current]', 'the report to check')
    .addOption(new Option('-f, --format <format>', 'table (default) or json (nps.diff/v1, docs/diff.schema.json)').choices(['table', 'json']))
    .option('--tolerance <percent>', 'traffic changes up to this percentage are not differences (default 0)')
    .option('-o, --output <file>', 'write the comparison to this file instead of stdout')
    .option('-q, --quiet', 'no notes on stderr')
    .addHelpText(
      'after',
      `
Compared: assets added and removed (by id), changed attributes (addresses,
MAC, hostnames, domain, OS, device, open ports, applications, IP assignment,
VLAN, NAT suspicion), flows added and removed by (client, server, port,
protocol), traffic of assets and flows beyond --tolerance, warning codes.
Paths, generated_at and versions are ignored.

Exit codes: 0 equal, 1 different, 2 usage error, 3 a report could not be read.

Examples:
  nps diff samples/expected/office.json current.json
  nps analyze -f json --baseline samples/expected/office.json samples/office.pcapng`,
    )
    .action(async (baseline: string | undefined, current: string | undefined, opts) => {
      result.code = await (await import('./diff.js')).runDiff(baseline, current, opts, io);
    });

  program
    .command('tui')
    .description('browse an inventory interactively: a report written by nps analyze -f json, or a capture (analysed first)')
    .argument('[input]', 'report.json, or a capture file (pcap, pcapng, .gz)')
    .option('-r, --read <file>', 'capture file to read (repeatable)', collect)
    .option('-c, --count <n>', 'stop after reading n packets')
    .option('--config <file>', 'configuration file (default: ./nps.yaml when present, else built-in defaults)')
    .option('--internal <ranges>', 'internal, inventoried ranges replacing the defaults (repeatable), or "all"', collect)
    .addHelpText(
      'after',
      `
Keys: tab / shift-tab switch Assets, Flows, Traffic; arrows, PgUp/PgDn,
Home/End (or j/k, g/G) move; s cycles the sort column, S reverses it;
/ filters (any column; Enter keeps, Esc clears); Enter opens an asset
(attributes with confidence and evidence, open ports, traffic by family and
peer, its flows); q or Esc goes back, or quits; ? lists the keys.
Without a terminal on stdin and stdout it prints the table instead.
NO_COLOR turns colours off.

Examples:
  nps tui capture.pcapng
  nps analyze -f json -o report.json capture.pcapng && nps tui report.json`,
    )
    .action(async (input: string | undefined, opts) => {
      result.code = await (await import('./tui.js')).runTuiCommand(input, opts, io);
    });

  program
    .command('receive')
    .description('a reference cloud endpoint: accepts, validates, stores and acknowledges pushes from nps replay and nps live --push (SPEC §8)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default 8443; 0: any free port, printed on stderr)')
    .option('--token-file <path>', 'file holding the bearer token pushes must carry (required to serve)')
    .option('--data-dir <dir>', 'where pushes are stored (default ./nps-received)')
    .option('--max-body <bytes>', 'largest request body, as sent (default 16MiB; K, M, G suffixes); decompressed at most 8 times that')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--print', 'print the merged inventory of --data-dir and exit (no server)')
    .addOption(new Option('-f, --format <format>', 'with --print: table or json (default: table on a terminal, else json)').choices(['table', 'json']))
    .option('-q, --quiet', 'no line per request on stderr')
    .addHelpText(
      'after',
      `
POST /push takes an nps.push/v1 document (gzip or plain JSON) with
Authorization: Bearer TOKEN: 401 without the right token, 413 when too large,
400 when not valid against docs/push.schema.json (the answer says what is
wrong); each push is appended to DATA_DIR/pushes.ndjson and fsynced before
the 2xx, once per idempotency key (a retry answers "duplicate").
GET /inventory (with the token): the merged assets and summed flows of every
sensor. GET /health: up, with counts. SIGINT/SIGTERM finish the requests in
flight and stop.

Exit codes: 0 stopped cleanly, 2 usage error, 3 a file could not be read, the
port is taken, or another receiver holds the data directory.

Examples:
  nps receive --token-file token --data-dir received
  nps receive --host 0.0.0.0 --port 443 --tls-cert cert.pem --tls-key key.pem --token-file token
  nps receive --print --data-dir received -f json`,
    )
    .action(async (opts) => {
      result.code = await (await import('./receive.js')).runReceive(opts, io);
    });

  program
    .command('merge')
    .description('decide which passively seen assets are managed assets (SPEC §7): MAC, then hostname, then IP in the same network')
    .argument('[report...]', 'sensor reports written by nps analyze -f json (or -f ndjson); several sensors are de-duplicated first')
    .option('--managed <file>', 'managed inventory: CSV, JSON or NDJSON with id, macs, ips, hostnames, network, last_scan (required)')
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')} (default: table on a terminal, else json)`))
    .option('-o, --output <path>', 'write to this file instead of stdout (csv: a directory gets merge.csv, managed.csv, unmanaged.csv)')
    .option('--view <view>', 'table and csv: merge (decisions; default), managed (managed assets and what merged in) or unmanaged')
    .addOption(new Option('--hostname-match <mode>', 'exact: whole names, case-insensitive (default); short: first labels (johndoe = johndoe.example.org)').choices(['exact', 'short']))
    .option('--ip-inactivity <duration>', 'how long an IP-only match stays valid without a DHCP lease (default: merge.ip_inactivity of --config, 24h)')
    .option('--config <file>', 'configuration whose merge section applies: hostname_exclusions, ip_inactivity (default ./nps.yaml when present)')
    .option('--sensor-config <file>', "a sensor's configuration, to warn about inventoried ranges that overlap between sensors (repeatable; reports carry their own)", collect)
    .option('--deterministic', 'omit generated_at so identical input gives byte-identical JSON')
    .option('-q, --quiet', 'print nothing but the results (no warnings or notes)')
    .addHelpText(
      'after',
      `
Rules, in order: a shared MAC; an equal hostname (not one of
merge.hostname_exclusions); an IP in the same network: static at once, dynamic
when last_scan falls inside the DHCP lease the sensor saw, else within
ip_inactivity of when the sensor saw the asset on it. Assets seen by several
sensors are first grouped by the same rules (IP only within one sensor).
The result does not depend on the order of the reports.

Exit codes: 0 success, 2 usage error or invalid managed inventory (every
problem listed as file:line:column), 3 a report or the inventory could not be read.

Examples:
  nps merge --managed assets.csv branch-a.json branch-b.json
  nps merge --managed assets.json -f csv -o merge/ reports/*.json
  nps merge --managed assets.csv --hostname-match short --view unmanaged day.json`,
    )
    .action(async (reports: string[], opts) => {
      result.code = await (await import('./merge.js')).runMerge(reports, opts, io);
    });

  const config = program
    .command('config')
    .description('write, check or query the YAML configuration (ranges, exclusions, monitored groups)');
  config
    .command('init')
    .description('write a commented starter configuration (default ./nps.yaml; - prints it)')
    .argument('[file]', 'where to write it')
    .option('--force', 'overwrite an existing file')
    .action((file: string | undefined, opts) => {
      result.code = runConfigInit(file, opts, io);
    });
  config
    .command('validate')
    .description('check configurations: every error with file:line:column, exit 2 when invalid; with several sensors\' files, also warn about inventoried ranges that overlap between them')
    .argument('[file...]', 'configuration files (default ./nps.yaml)')
    .action((files: string[]) => {
      result.code = runConfigValidate(files, io);
    });
  config
    .command('explain')
    .description('say how an IP or MAC address is classified, by which rule and range')
    .argument('<address>', 'IPv4, IPv6 or MAC address')
    .option('--config <file>', 'configuration file (default ./nps.yaml, else built-in defaults)')
    .action((address: string, opts) => {
      result.code = runConfigExplain(address, opts, io);
    });

  return program;
}
