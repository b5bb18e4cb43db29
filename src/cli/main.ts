/**
 * The one place that decides the exit code and prints errors in use. Commands
 * throw typed errors (errors.ts); anything else is a bug and says so.
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../config/types.js';
import { ManagedInventoryError } from '../merge/types.js';
import { CliError, EXIT_USAGE } from './errors.js';
import { processIO, type CliIO } from './io.js';
import { buildProgram, type ProgramResult } from './program.js';

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const result: ProgramResult = { code: 0 };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were printed by commander.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (e instanceof ConfigError) {
      for (const line of e.message.split('\n')) io.stderr.write(`nps: ${line}\n`);
      io.stderr.write('nps: the configuration is not valid (nps config validate FILE lists every problem)\n');
      return EXIT_USAGE;
    }
    if (e instanceof ManagedInventoryError) {
      for (const line of e.message.split('\n')) io.stderr.write(`nps: ${line}\n`);
      io.stderr.write('nps: the managed inventory is not valid; fix the lines above (columns: id, macs, ips, hostnames, network, last_scan)\n');
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      io.stderr.write(`nps: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.stderr.write(`nps: internal error: ${err?.stack ?? String(e)}\nPlease report this with the command line and, if you can, the capture.\n`);
    return 70;
  }
}
