/**
 * The capture program behind `nps live`: tcpdump (default) or dumpcap,
 * started as a child writing pcap (pcapng for dumpcap) to a pipe. Arguments
 * are passed as a list, never through a shell. Its stderr is read for the
 * "listening" line, for failures (missing program, no permission, no such
 * interface) and for the packet/drop statistics it prints.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export type CaptureProgramName = 'tcpdump' | 'dumpcap';

export interface CaptureSpec {
  program: CaptureProgramName;
  iface: string;
  snaplen: number;
  promisc: boolean;
  /** Kernel buffer, MiB; undefined leaves the program's default. */
  bufferMiB?: number;
  /** BPF expression words, as given after the options. */
  filter: string[];
}

export type CaptureFailureKind = 'missing' | 'permission' | 'no-interface' | 'bad-filter' | 'failed';

/** The capture could not start (the CLI exits 3). */
export class CaptureProgramError extends Error {
  constructor(
    message: string,
    readonly kind: CaptureFailureKind,
  ) {
    super(message);
    this.name = 'CaptureProgramError';
  }
}

/** Packet counts the capture program reported last. */
export interface CaptureStats {
  captured: number | null;
  /** Dropped by the kernel (buffer full) plus by the interface or driver, when reported. */
  dropped: number | null;
}

/** The argument list for the program (without the program itself). */
export function captureArgs(spec: CaptureSpec): string[] {
  const args: string[] = [];
  if (spec.program === 'tcpdump') {
    // -U: write each packet as it arrives (no stdio buffering); --immediate-mode: no kernel block
    // timeout (TPACKET_V3 holds packets up to a second, and a stop would lose them); -n: no name
    // lookups (nothing is sent).
    args.push('-i', spec.iface, '-U', '--immediate-mode', '-n', '-s', String(spec.snaplen), '-w', '-');
    if (!spec.promisc) args.push('-p');
    if (spec.bufferMiB !== undefined) args.push('-B', String(Math.round(spec.bufferMiB * 1024)));
    // "--" ends the options: a filter word starting with "-" cannot be read as one.
    if (spec.filter.length > 0) args.push('--', ...spec.filter);
  } else {
    args.push('-i', spec.iface, '-s', String(spec.snaplen), '-w', '-', '-q');
    if (!spec.promisc) args.push('-p');
    if (spec.bufferMiB !== undefined) args.push('-B', String(Math.max(1, Math.round(spec.bufferMiB))));
    if (spec.filter.length > 0) args.push('-f', spec.filter.join(' '));
  }
  return args;
}

/** The program's path on PATH, or null. */
export function findExecutable(name: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

/** Interface names of this machine (Linux: every one in /sys/class/net, up or down). */
export function listInterfaces(): string[] {
  try {
    if (existsSync('/sys/class/net')) return readdirSync('/sys/class/net').sort();
  } catch {
    // fall through
  }
  return Object.keys(networkInterfaces()).sort();
}

const INSTALL: Record<CaptureProgramName, string> = {
  tcpdump: 'install it (Debian/Ubuntu: apt-get install tcpdump; Fedora/RHEL: dnf install tcpdump; macOS has it), or choose --capture-program dumpcap',
  dumpcap: 'install it (Debian/Ubuntu: apt-get install tshark, or wireshark-common; Fedora/RHEL: dnf install wireshark-cli), or choose --capture-program tcpdump',
};

export function missingProgram(program: CaptureProgramName): CaptureProgramError {
  return new CaptureProgramError(`the capture program ${program} was not found on PATH: ${INSTALL[program]}`, 'missing');
}

export function noSuchInterface(iface: string, available: string[]): CaptureProgramError {
  const list = available.length > 0 ? available.join(', ') : '(none found)';
  return new CaptureProgramError(`no network interface named "${iface}" on this machine; available: ${list} (or "any")`, 'no-interface');
}

/** Turns what the program printed before it gave up into one clear error. */
export function classifyFailure(spec: CaptureSpec, stderr: string, exitCode: number | null, signal: string | null): CaptureProgramError {
  const said = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Capturing on|tcpdump: listening on)/.test(l))
    .join(' ');
  if (/permission|Operation not permitted|not permitted|Access denied/i.test(stderr)) {
    const how =
      spec.program === 'tcpdump'
        ? 'run nps as root (sudo), or give tcpdump the capabilities: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)"'
        : 'run nps as root (sudo), or add your user to the group allowed to run dumpcap (Debian: sudo usermod -aG wireshark "$USER", then log in again)';
    return new CaptureProgramError(`${spec.program} has no permission to capture on ${spec.iface} (capturing needs CAP_NET_RAW and CAP_NET_ADMIN): ${how}. ${spec.program} said: ${said}`, 'permission');
  }
  if (/No such device|no device named|doesn't exist|not found|no suitable device/i.test(stderr) && !/syntax|filter/i.test(stderr)) {
    return noSuchInterface(spec.iface, listInterfaces());
  }
  if (/syntax error|expression|filter|parse error|unknown (port|host|network|protocol|ether host)|illegal/i.test(stderr)) {
    return new CaptureProgramError(`${spec.program} rejected the capture filter "${spec.filter.join(' ')}": ${said}; check the BPF syntax (man pcap-filter)`, 'bad-filter');
  }
  const how = signal ? `was stopped by ${signal}` : `exited with status ${exitCode}`;
  return new CaptureProgramError(`${spec.program} ${how} before capturing anything${said ? `: ${said}` : ''}`, 'failed');
}

/**
 * The last statistics in what the program printed: tcpdump's "N packets
 * captured ... N packets dropped by kernel [, N packets dropped by interface]"
 * (at exit, and on SIGUSR1), dumpcap's "Packets received/dropped on interface
 * 'x': R/D (pcap:P/dumpcap:U/flushed:F/ps_ifdrop:I)".
 */
export function parseStats(stderr: string): CaptureStats {
  let captured: number | null = null;
  let dropped: number | null = null;
  for (const m of stderr.matchAll(/(\d+) packets? captured/g)) captured = Number(m[1]);
  let kernel: number | null = null;
  let iface = 0;
  for (const m of stderr.matchAll(/(\d+) packets? dropped by kernel(?:,? *(\d+) packets? dropped by interface)?/g)) {
    kernel = Number(m[1]);
    iface = m[2] !== undefined ? Number(m[2]) : 0;
  }
  const ifaceOnly = [...stderr.matchAll(/(\d+) packets? dropped by interface/g)].pop();
  if (ifaceOnly) iface = Number(ifaceOnly[1]);
  if (kernel !== null) dropped = kernel + iface;
  for (const m of stderr.matchAll(/Packets received\/dropped on interface '[^']*': (\d+)\/(\d+)(?: \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)\/ps_ifdrop:(\d+)\))?/g)) {
    captured = Number(m[1]);
    dropped = Number(m[2]) + (m[6] !== undefined ? Number(m[6]) : 0);
  }
  return { captured, dropped };
}

export type CaptureChild = ChildProcessByStdio<Writable | null, Readable, Readable>;

/**
 * Starts the program. On Linux, when setpriv is there, the child gets
 * PR_SET_PDEATHSIG so that it dies with nps even if nps is killed with SIGKILL;
 * nps also kills it on every exit path it sees.
 */
export function startCapture(path: string, spec: CaptureSpec, env: NodeJS.ProcessEnv): CaptureChild {
  const args = captureArgs(spec);
  const setpriv = process.platform === 'linux' ? findExecutable('setpriv', env.PATH ?? process.env.PATH) : null;
  const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', path, ...args]] : [path, args];
  return spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, LC_ALL: 'C' } }) as CaptureChild;
}
