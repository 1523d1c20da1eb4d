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

/** A GIF's background colour (its logical screen's index into the global table), or null without one. */
export function background(bytes: Uint8Array): [number, number, number] | null {
  if (!(bytes[10] & 0x80)) return null;
  const i = bytes[11];
  if (i >= 2 << (bytes[10] & 7)) return null;
  const o = 13 + i * 3;
  return [bytes[o], bytes[o + 1], bytes[o + 2]];
}

/** How our RGBA frame and ffmpeg's differ, pixel by pixel. */
export interface Diff { rgbMismatch: number; oursOnlyTransparent: number; notBackground: number; ffmpegOnlyTransparent: number }

/**
 * RGB where both are opaque; where we are transparent and ffmpeg opaque, whether ffmpeg
 * shows the background colour `bg` (its fill for the canvas and for areas disposal clears);
 * and where ffmpeg is transparent and we are not.
 */
export function compareWithFfmpeg(ours: Uint8Array, ref: Uint8Array, bg: [number, number, number] | null): Diff {
  const d: Diff = { rgbMismatch: 0, oursOnlyTransparent: 0, notBackground: 0, ffmpegOnlyTransparent: 0 };
  for (let p = 0; p < ours.length; p += 4) {
    const a = ours[p + 3];
    const b = ref[p + 3];
    if (a === 255 && b === 255) {
      if (ours[p] !== ref[p] || ours[p + 1] !== ref[p + 1] || ours[p + 2] !== ref[p + 2]) d.rgbMismatch++;
    } else if (a === 0 && b !== 0) {
      d.oursOnlyTransparent++;
      if (bg === null || ref[p] !== bg[0] || ref[p + 1] !== bg[1] || ref[p + 2] !== bg[2]) d.notBackground++;
    } else if (a !== 0 && b === 0) {
      d.ffmpegOnlyTransparent++;
    }
  }
  return d;
}
