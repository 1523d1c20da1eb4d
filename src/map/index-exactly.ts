import type { IndexedFrame, TimedFrame } from '../types.js';

/** Slots of the colour table: four times the most colours a frame of one palette holds, so probes stay short. */
const SLOTS = 1024;

/** Reused from frame to frame by indexExactly: the colour table, and the indices and mask it writes. */
export interface ExactScratch {
  readonly keys: Int32Array;
  readonly entries: Uint8Array;
  indices: Uint8Array;
  transparent: Uint8Array;
}

export function createExactScratch(): ExactScratch {
  return { keys: new Int32Array(SLOTS), entries: new Uint8Array(SLOTS), indices: new Uint8Array(0), transparent: new Uint8Array(0) };
}

/**
 * The frame in its own colours, unquantized, when its opaque pixels show at most `most`
 * distinct colours (`most` ≤ 256), in the order they first appear; null as soon as one more
 * turns up, so a photographic frame costs only the pixels read until then. Alpha 0 is
 * transparent and any other alpha opaque, as the quantizer reads it. The returned frame's
 * indices and mask are the scratch's, valid until its next call.
 */
export function indexExactly(frame: TimedFrame, most: number, scratch: ExactScratch): IndexedFrame | null {
  const { width, height, data } = frame;
  const n = width * height;
  if (scratch.indices.length !== n) {
    scratch.indices = new Uint8Array(n);
    scratch.transparent = new Uint8Array(n);
  }
  const { keys, entries, indices, transparent } = scratch;
  keys.fill(-1);
  const palette = new Uint8Array(most * 3);
  let size = 0;
  let anyClear = false;
  // Runs of one colour are the rule in a GIF frame: the last colour's entry is kept at hand.
  let lastKey = -1;
  let lastEntry = 0;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    if (data[o + 3] === 0) {
      transparent[i] = 1;
      anyClear = true;
      continue;
    }
    transparent[i] = 0;
    const key = (data[o] << 16) | (data[o + 1] << 8) | data[o + 2];
    if (key !== lastKey) {
      let slot = Math.imul(key, 0x9e3779b1) >>> 22;
      while (keys[slot] !== -1 && keys[slot] !== key) slot = (slot + 1) & (SLOTS - 1);
      if (keys[slot] === -1) {
        if (size === most) return null;
        keys[slot] = key;
        entries[slot] = size;
        palette[size * 3] = data[o];
        palette[size * 3 + 1] = data[o + 1];
        palette[size * 3 + 2] = data[o + 2];
        size++;
      }
      lastKey = key;
      lastEntry = entries[slot];
    }
    indices[i] = lastEntry;
  }
  return { width, height, indices, palette, size, transparent: anyClear ? transparent : null, delayMs: frame.delayMs };
}
