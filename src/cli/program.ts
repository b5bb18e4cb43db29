/** The commander program: commands, options and help. Knows nothing of exit codes. */
import { Command, Option } from 'commander';
import { FORMATS, runAnalyze } from './analyze.js';
import { runConfigExplain, runConfigInit, runConfigValidate } from './config-cmd.js';
import type { CliIO } from './io.js';
import { VERSION } from './version.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
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
    .argument('[capture...]', 'capture files (pcap, pcapng, .gz), - for stdin')
    .option('-r, --read <file>', 'capture file to read (repeatable; same as the positional argument)', collect)
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')} (default: table on a terminal, else json)`))
    .option('-o, --output <path>', 'write the report to this file instead of stdout (csv: a directory gets assets.csv, flows.csv, traffic.csv)')
    .option('--view <view>', 'table and csv: only this view, in full: assets, flows or traffic (csv default: assets)')
    .option('-c, --count <n>', 'stop after reading n packets (over all captures)')
    .option('--config <file>', 'configuration file (default: ./nps.yaml when present, else built-in defaults)')
    .option('--internal <ranges>', 'internal, inventoried ranges replacing the defaults: CIDRs separated by commas (repeatable), or "all"', collect)
    .option('--deterministic', 'omit generated_at so identical input gives byte-identical JSON')
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
  nps analyze --internal 0.0.0.0/0,::/0 -f json public-trace.pcap`,
    )
    .action(async (captures: string[], opts) => {
      result.code = await runAnalyze(captures, opts, io);
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
    .description('check a configuration: every error with file:line:column, exit 2 when invalid')
    .argument('[file]', 'configuration file (default ./nps.yaml)')
    .action((file: string | undefined) => {
      result.code = runConfigValidate(file, io);
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
