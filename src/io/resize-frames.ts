import { binaryAlpha } from '../pixel-words.js';
import type { TimedFrame } from '../types.js';

/**
 * A composited GIF frame resized with sharp (premultiplied alpha, so transparent pixels do
 * not bleed their colour into the edges). GIF transparency is all or nothing, so the blended
 * alpha of edge pixels is cut back to 0 or 255 at half (binaryAlpha).
 */
export async function resizeFrame(frame: TimedFrame, width: number, height: number): Promise<TimedFrame> {
  const { default: sharp } = await import('sharp'); // loaded only when a GIF is resized
  const resized = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const data = new Uint8Array(resized.buffer, resized.byteOffset, resized.length);
  binaryAlpha(data);
  return { width, height, data, delayMs: frame.delayMs };
}
