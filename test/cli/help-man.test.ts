/**
 * `nps --help`, `nps <command> --help` and `man nps` agree (SPEC §1): every
 * command and every option the program accepts is in man/nps.1, and every
 * option the man page names is one the program accepts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { fakeIO } from '../helpers/cli-run.js';
import { projectRoot } from '../helpers/skip.js';

const man = readFileSync(join(projectRoot, 'man', 'nps.1'), 'utf8');
/** The man page as text: roff escapes for "-" undone. */
const manText = man.replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '');

function commands(cmd: Command, prefix = ''): { name: string; cmd: Command }[] {
  const out: { name: string; cmd: Command }[] = [];
  for (const c of cmd.commands) {
    const name = `${prefix}${c.name()}`;
    if (c.commands.length > 0) out.push(...commands(c, `${name} `));
    else out.push({ name, cmd: c });
  }
  return out;
}

const program = buildProgram(fakeIO(), { code: 0 });
const all = commands(program);

test('every command is in the man page synopsis and commands', () => {
  const synopsis = manText.slice(manText.indexOf('.SH SYNOPSIS'), manText.indexOf('.SH DESCRIPTION'));
  const section = manText.slice(manText.indexOf('.SH COMMANDS'), manText.indexOf('.SH OPTIONS'));
  for (const { name } of all) {
    assert.ok(synopsis.includes(`.B nps ${name}`), `SYNOPSIS lacks "nps ${name}"`);
    assert.ok(section.includes(`.B ${name}`), `COMMANDS lacks "${name}"`);
  }
});

test('every option of every command is in the man page', () => {
  const missing: string[] = [];
  for (const { name, cmd } of all) {
    for (const opt of cmd.options) {
      const long = opt.long ?? opt.short!;
      if (!manText.includes(long)) missing.push(`${name} ${long}`);
      if (opt.short && !manText.includes(`${opt.short},`) && !manText.includes(`${opt.short} `)) missing.push(`${name} ${opt.short}`);
    }
  }
  assert.equal(missing, []);
});

test('every option the man page names is accepted by some command', () => {
  const known = new Set<string>(['--help', '--version', '-h', '-V']);
  for (const { cmd } of all) for (const opt of cmd.options) for (const f of [opt.long, opt.short]) if (f) known.add(f);
  const named = new Set(manText.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? []);
  // Options of the capture programs and of other tools that the page quotes.
  const quoted = new Set(['--immediate-mode', '--pdeathsig']);
  const unknown = [...named].filter((o) => !known.has(o) && !quoted.has(o));
  assert.equal(unknown, [], 'options in man/nps.1 that no command accepts');
});

test('--help of each command lists what the man page lists for it', () => {
  for (const { name, cmd } of all) {
    const help = cmd.helpInformation();
    for (const opt of cmd.options) assert.ok(help.includes(opt.long ?? opt.short!), `${name} --help lacks ${opt.long}`);
  }
  const top = program.helpInformation();
  for (const c of program.commands) assert.ok(top.includes(c.name()), `nps --help lacks ${c.name()}`);
});

test.run();
