import type { Frame, TimedFrame } from '../../src/types.js';

/**
 * Reads `frames` handing each one back to `release` as quantizeClip does (the frame before,
 * once the next has come), and returns a copy of every frame's pixels as read and how many
 * frames came in a buffer handed back before.
 */
export async function readReleasing(frames: Iterable<TimedFrame> | AsyncIterable<TimedFrame>, release: (frame: Frame) => void): Promise<{ pixels: Buffer[]; reused: number }> {
  const given = new Set<Uint8Array>();
  const pixels: Buffer[] = [];
  let reused = 0;
  let before: TimedFrame | null = null;
  for await (const frame of frames) {
    if (given.has(frame.data)) reused++;
    pixels.push(Buffer.from(frame.data));
    if (before !== null) {
      given.add(before.data);
      release(before);
    }
    before = frame;
  }
  return { pixels, reused };
}
