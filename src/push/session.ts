/**
 * A sensor's push session: the reporting schedule on its clock (capture time
 * for replay, wall time for live), the pushes built from snapshots of the
 * engine, paced to the replay speed, spooled durably and sent in order.
 */
import { readFileSync, statSync } from 'node:fs';
import type { LazyReport } from '../report/build.js';
import { PushBuilder, PushSchedule } from './builder.js';
import { Sender, type PushTarget, type SendEvent } from './sender.js';
import { Spool, type SpoolEntry } from './spool.js';
import type { PushDocument } from './types.js';

export interface PushSessionOptions {
  target: PushTarget;
  spoolDir: string;
  spoolMaxBytes: number;
  sensor: { name: string; network: string };
  generator: { name: string; version: string };
  newAssetUs: number;
  updateUs: number;
  /** Replay speed: pushes are released at (clock time since start) / speed of wall time; null releases them at once. */
  speed: number | null;
  giveUpAfterMs: number;
  onEvent?: (e: SendEvent) => void;
  onDrop?: (e: SpoolEntry) => void;
}

export class PushSession {
  readonly builder: PushBuilder;
  private schedule: PushSchedule | null = null;
  private clockStartUs = 0;
  private readonly wallStartMs = Date.now();
  private readonly spool: Spool;
  private readonly sender: Sender;
  /** Pushes built but not yet due (paced replay), oldest first. */
  private readonly waiting: { doc: PushDocument; dueMs: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastSize = -1;
  built = 0;

  constructor(private readonly opts: PushSessionOptions) {
    this.builder = new PushBuilder(opts.sensor, opts.generator);
    this.spool = new Spool(opts.spoolDir, { maxBytes: opts.spoolMaxBytes, onDrop: opts.onDrop });
    this.sender = new Sender(this.spool, opts.target, { giveUpAfterMs: opts.giveUpAfterMs, onEvent: opts.onEvent });
    // Whatever an earlier run left in the spool goes first, in order.
    this.sender.start();
  }

  /** Documents left by an earlier run when the session started. */
  get spooled(): number {
    return this.spool.list().length;
  }

  get queued(): number {
    return this.waiting.length + this.spool.list().length;
  }

  /**
   * The clock reached `nowUs` (before the packet at that time is counted):
   * builds the pushes of every boundary passed. `size` is a cheap measure of
   * the engine's asset tables; a new-asset boundary with no change in it needs
   * no snapshot.
   */
  tick(nowUs: number, snapshot: () => LazyReport, size: number): void {
    if (this.schedule === null) {
      this.schedule = new PushSchedule(nowUs, this.opts.newAssetUs, this.opts.updateUs);
      this.clockStartUs = nowUs;
      return;
    }
    let lazy: LazyReport | null = null;
    for (const due of this.schedule.due(nowUs)) {
      if (!due.content.updates && size === this.lastSize) continue;
      lazy ??= snapshot();
      this.lastSize = size;
      const doc = this.builder.build(lazy, due.startUs, due.endUs, due.content, false);
      if (doc !== null) this.release(doc, due.endUs);
    }
  }

  /** The last push: everything not yet said, from the final report. */
  finish(report: LazyReport, endUs: number): void {
    const start = this.schedule?.finalInterval(endUs) ?? { startUs: endUs, endUs };
    const doc = this.builder.build(report, start.startUs, start.endUs, { assets: true, updates: true }, true)!;
    this.release(doc, endUs);
  }

  private release(doc: PushDocument, clockUs: number): void {
    this.built++;
    const speed = this.opts.speed;
    const dueMs = speed === null ? 0 : this.wallStartMs + (clockUs - this.clockStartUs) / 1000 / speed;
    if (this.waiting.length === 0 && dueMs <= Date.now()) this.spoolNow(doc);
    else {
      this.waiting.push({ doc, dueMs });
      this.arm();
    }
  }

  private spoolNow(doc: PushDocument): void {
    this.spool.add(doc);
    this.sender.notify();
  }

  private arm(): void {
    if (this.timer !== null || this.waiting.length === 0) return;
    const wait = Math.max(0, this.waiting[0]!.dueMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      while (this.waiting.length > 0 && this.waiting[0]!.dueMs <= Date.now()) this.spoolNow(this.waiting.shift()!.doc);
      this.arm();
    }, Math.min(wait, 2 ** 31 - 1));
  }

  /** Resolves when every push is due, spooled and acknowledged; rejects on a push the endpoint refuses. */
  async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      await new Promise((r) => setTimeout(r, Math.max(10, Math.min(1000, this.waiting[0]!.dueMs - Date.now()))));
      while (this.waiting.length > 0 && this.waiting[0]!.dueMs <= Date.now()) this.spoolNow(this.waiting.shift()!.doc);
    }
    await this.sender.drain();
  }

  /** Stops at once: what is not sent stays in the spool (or, not yet due, is dropped with the replay). */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.sender.close();
  }
}

/**
 * The bearer token, from an environment variable or a file, never from the
 * command line. Messages name where it was looked for, never its value.
 */
export function readToken(opts: { tokenEnv?: string; tokenFile?: string }, env: NodeJS.ProcessEnv): { token: string } | { error: string; code: 2 | 3 } {
  if (opts.tokenEnv !== undefined && opts.tokenFile !== undefined) return { error: 'give the token one way: --token-env NAME or --token-file PATH, not both', code: 2 };
  if (opts.tokenEnv !== undefined) {
    const v = env[opts.tokenEnv];
    if (v === undefined || v.trim() === '') return { error: `the environment variable ${opts.tokenEnv} (--token-env) is not set or empty; export it with the endpoint's bearer token`, code: 2 };
    return { token: v.trim() };
  }
  if (opts.tokenFile !== undefined) {
    let text: string;
    try {
      if (statSync(opts.tokenFile).isDirectory()) return { error: `--token-file ${opts.tokenFile} is a directory; give the file that holds the token`, code: 3 };
      text = readFileSync(opts.tokenFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { error: `cannot read the token file ${opts.tokenFile} (--token-file): ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'error'}`, code: 3 };
    }
    if (text.trim() === '') return { error: `the token file ${opts.tokenFile} is empty; write the endpoint's bearer token into it`, code: 2 };
    return { token: text.trim() };
  }
  return { error: 'the endpoint needs a bearer token: --token-env NAME (an environment variable holding it) or --token-file PATH; it is never taken from the command line', code: 2 };
}
