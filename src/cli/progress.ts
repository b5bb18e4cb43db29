/** A progress bar on stderr (only when stderr is a terminal): bytes read of the total, packets/s. */
import type CliProgress from 'cli-progress';
import { lazyModule } from '../util/lazy-module.js';

export interface Progress {
  update(bytesRead: number, packets: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

export function createProgress(stderr: NodeJS.WritableStream & { isTTY?: boolean }, enabled: boolean, totalBytes: number | undefined, label: string): Progress {
  if (!enabled || !stderr.isTTY) return NONE;
  const total = totalBytes && totalBytes > 0 ? totalBytes : 0;
  const cliProgress = lazyModule<typeof CliProgress>('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WriteStream,
      format: total
        ? `${label} {bar} {percentage}% | {mb}/{totalmb} MB | {pps} pkt/s`
        : `${label} {mb} MB | {packets} packets | {pps} pkt/s`,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = process.hrtime.bigint();
  bar.start(total || 1, 0, { mb: '0.0', totalmb: (total / 1e6).toFixed(1), pps: 0, packets: 0 });
  return {
    update(bytesRead, packets) {
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      bar.update(total ? Math.min(bytesRead, total) : 0, {
        mb: (bytesRead / 1e6).toFixed(1),
        pps: secs > 0 ? Math.round(packets / secs) : 0,
        packets,
      });
    },
    stop() {
      bar.stop();
    },
  };
}
