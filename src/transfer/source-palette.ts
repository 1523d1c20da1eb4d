import { ChromaseedError } from '../errors.js';
import { createMapper } from '../map/map-pixels.js';
import type { ClusterOptions } from '../options.js';
import { createColorAccumulator } from '../sequence/global-palette.js';
import type { FrameSource } from '../types.js';
import { sourcePaletteFromCounts, type SourcePalette } from './transfer.js';

/**
 * SOURCE's palette for a transfer: k colours over every frame (one k-means over the whole
 * clip's colour counts, as `--seeding global` does), then a second pass counting the pixels
 * nearest each colour, which gives the shares `rank` and `optimal` weigh. Ordered most
 * common first. `open` is called twice, so no frame is held longer than its own pass.
 *
 * @param name used in the error message when the source has no opaque pixel.
 */
export async function extractSourcePalette(
  open: () => Promise<FrameSource>,
  options: ClusterOptions,
  name: string,
  signal?: AbortSignal,
): Promise<SourcePalette> {
  const accumulator = createColorAccumulator();
  for await (const frame of (await open()).frames) {
    signal?.throwIfAborted();
    accumulator.add(frame);
  }
  const palette = accumulator.finish(options);
  if (palette.size === 0) throw new ChromaseedError('ERR_INPUT', `${name}: no opaque pixels to take colours from`);
  const mapper = createMapper();
  const counts = new Float64Array(palette.size);
  const mapOptions = { metric: options.metric, space: options.space, dither: 'none' } as const;
  let indices: Uint8Array | undefined;
  for await (const frame of (await open()).frames) {
    signal?.throwIfAborted();
    // Reuse one index buffer across frames of the same size.
    const mapped = mapper.map(frame, palette.palette, palette.size, mapOptions, indices?.length === frame.width * frame.height ? indices : undefined);
    indices = mapped.indices;
    const t = mapped.transparent;
    for (let i = 0; i < indices.length; i++) if (t === null || t[i] === 0) counts[indices[i]]++;
  }
  return sourcePaletteFromCounts(palette.palette, counts, palette.size);
}
