/**
 * Running the interactive view: full screen on a terminal (the alternate
 * screen, restored on exit), and the sources it reads reports from.
 */
import React from 'react';
import { render } from 'ink';
import type { Report } from '../report/build.js';
import { App, type TuiProgress, type TuiSource } from './app.js';

export type { TuiProgress, TuiSource } from './app.js';

const ALT_SCREEN_ON = '\u001B[?1049h\u001B[H';
const ALT_SCREEN_OFF = '\u001B[?1049l';

/** Renders the App full-screen on a TTY (ink render, exitOnCtrlC true), resolves when the user quits. */
export async function runTui(
  source: TuiSource,
  opts: { color: boolean; stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream },
): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const alt = stdout.isTTY === true;
  if (alt) stdout.write(ALT_SCREEN_ON);
  let instance: ReturnType<typeof render> | null = null;
  let quit = false;
  const onExit = () => {
    quit = true;
    instance?.unmount();
  };
  try {
    instance = render(<App source={source} color={opts.color} onExit={onExit} />, {
      stdout,
      stdin,
      exitOnCtrlC: true,
      patchConsole: false,
    });
    if (quit) instance.unmount();
    await instance.waitUntilExit();
  } finally {
    instance?.cleanup();
    if (alt) stdout.write(ALT_SCREEN_OFF);
  }
}

/** A TuiSource over a fixed report (for `nps tui report.json`). */
export function staticSource(report: Report, title?: string): TuiSource {
  return {
    report: () => report,
    progress: () => null,
    subscribe: () => () => {},
    ...(title !== undefined ? { title } : {}),
  };
}

/** Least time between two notifications of a mutableSource. */
export const NOTIFY_INTERVAL_MS = 250;

/**
 * A TuiSource whose report and progress are set from outside; subscribers are
 * told at most 4 times a second, and always of the last value.
 */
export function mutableSource(
  title?: string,
  live?: boolean,
): TuiSource & { setReport(r: Report): void; setProgress(p: TuiProgress | null): void } {
  let report: Report | null = null;
  let progress: TuiProgress | null = null;
  const listeners = new Set<() => void>();
  let lastNotify = -Infinity;
  let timer: NodeJS.Timeout | null = null;

  const notify = () => {
    timer = null;
    lastNotify = Date.now();
    for (const fn of [...listeners]) fn();
  };
  const changed = () => {
    if (timer !== null) return; // a notification is already due: it reads the latest values
    const wait = lastNotify + NOTIFY_INTERVAL_MS - Date.now();
    if (wait <= 0) notify();
    else timer = setTimeout(notify, wait);
  };

  return {
    report: () => report,
    progress: () => progress,
    subscribe(fn) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    setReport(r) {
      report = r;
      changed();
    },
    setProgress(p) {
      progress = p;
      changed();
    },
    ...(title !== undefined ? { title } : {}),
    ...(live !== undefined ? { live } : {}),
  };
}
