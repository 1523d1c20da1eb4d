import { expandToRgba } from '../../src/pipeline/expand-frame.js';
import type { Frame, IndexedFrame } from '../../src/types.js';

/** An indexed frame as the RGBA it shows (transparent pixels: all zeros), as a viewer sees it. */
export function expandFrame(frame: IndexedFrame): Frame {
  const data = new Uint8Array(frame.width * frame.height * 4);
  expandToRgba(frame, data, 0);
  return { width: frame.width, height: frame.height, data };
}
