import type { CliStreams } from './main.js';

// What the commands print: numbers, counts and warnings, worded the same everywhere.

/** Damage the reader tolerated, on stderr: the output was made, but from a damaged input. */
export function reportWarnings(streams: CliStreams, warnings: readonly string[]): void {
  const shown = 3;
  for (const w of warnings.slice(0, shown)) streams.stderr.write(`chromaseed: warning: ${w}\n`);
  if (warnings.length > shown) streams.stderr.write(`chromaseed: warning: and ${warnings.length - shown} more like these\n`);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `1 frame`, `2 frames`. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** "4 frames", or "4 frames (10 in the video)" when a video repeats frames to keep their delays. */
/** "240 frames", "24 frames (80 in the video)", "240 frames with sound": what a writer's finish reports. */
export function framesWritten(frames: number, written: { videoFrames?: number; sound?: boolean }): string {
  const { videoFrames, sound } = written;
  const counted = videoFrames === undefined || videoFrames === frames ? countOf(frames, 'frame') : `${countOf(frames, 'frame')} (${videoFrames} in the video)`;
  return sound === true ? `${counted} with sound` : counted;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
