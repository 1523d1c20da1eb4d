import { binaryAlpha } from '../pixel-words.js';
import { COUNTED_PIXELS } from '../limits.js';
import type { TimedFrame } from '../types.js';

/**
 * A composited frame of a GIF, animated WebP or APNG resized with sharp (premultiplied alpha,
 * so transparent pixels do not bleed their colour into the edges). Every frame this package
 * reads is cut to all-or-nothing transparency, so the blended alpha of edge pixels is cut
 * back to 0 or 255 at half (binaryAlpha).
 */
export async function resizeFrame(frame: TimedFrame, width: number, height: number): Promise<TimedFrame> {
  const { default: sharp } = await import('sharp'); // loaded only when such a frame is resized
  const resized = await sharp(frame.data, { ...COUNTED_PIXELS, raw: { width: frame.width, height: frame.height, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const data = new Uint8Array(resized.buffer, resized.byteOffset, resized.length);
  binaryAlpha(data);
  return { width, height, data, delayMs: frame.delayMs };
}
