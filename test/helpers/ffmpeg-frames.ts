/**
 * Test helper: decode a file to raw RGBA frames with the ffmpeg bundled by
 * @ffmpeg-installer/ffmpeg, as an independent reference for our own GIF decoder.
 */
import { spawnSync } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';

export interface FfmpegFrames {
  width: number;
  height: number;
  /** All frames, `width * height * 4` bytes each. */
  frames: Uint8Array[];
}

/**
 * Runs `ffmpeg -i file -f rawvideo -pix_fmt rgba -` and splits the output into frames.
 * `-vsync passthrough` keeps one output frame per decoded frame (the default would drop
 * or duplicate frames to reach a constant rate, e.g. for zero-delay GIF frames).
 * Returns null when ffmpeg fails to produce any frame.
 */
export function ffmpegFrames(file: string, width: number, height: number, step = 1): FfmpegFrames | null {
  // With step > 1 only frames 0, step, 2*step... are kept, to bound memory on long clips.
  const select = step > 1 ? ['-vf', `select=not(mod(n\\,${step}))`] : [];
  const r = spawnSync(
    ffmpegInstaller.path,
    ['-v', 'error', '-i', file, ...select, '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'],
    { maxBuffer: 2 ** 31, timeout: 120_000 },
  );
  if (r.error) throw r.error;
  const out = r.stdout as Buffer;
  const size = width * height * 4;
  if (out.length === 0 || out.length % size !== 0) return null;
  const frames: Uint8Array[] = [];
  for (let o = 0; o < out.length; o += size) frames.push(new Uint8Array(out.buffer, out.byteOffset + o, size));
  return { width, height, frames };
}

/** How many frames ffmpeg decodes from `file` (0 when it fails outright). */
export function ffmpegFrameCount(file: string): number {
  const r = spawnSync(ffmpegInstaller.path, ['-nostdin', '-v', 'info', '-i', file, '-vsync', 'passthrough', '-f', 'null', '-'], { timeout: 120_000 });
  const m = [...String(r.stderr).matchAll(/frame=\s*(\d+)/g)];
  return m.length === 0 ? 0 : Number(m[m.length - 1][1]);
}

/** ffmpeg's stderr for a file (for documenting differences). */
export function ffmpegLog(file: string): string {
  const r = spawnSync(ffmpegInstaller.path, ['-v', 'warning', '-i', file, '-vsync', 'passthrough', '-f', 'null', '-'], { timeout: 120_000 });
  return String(r.stderr);
}
