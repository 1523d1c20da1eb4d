import { abortable } from '../abortable.js';
import { checkClipFrame, checkFrameSource, checkRunArguments, refuseUnknownKeys, requireOpen, throwIfAborted } from '../errors.js';
import { createHistogramMapper, type KeptMapping } from '../map/map-histogram.js';
import { createMapper, type DitherHold, type Mapper } from '../map/map-pixels.js';
import { createPaletteSearch, type PaletteSearch } from '../map/nearest.js';
import { histogramInertia, inertia } from '../metrics/quality.js';
import { requireResolvedClustering, RESOLVED_SEQUENCE_NAMES, type SequenceOptions } from '../options.js';
import { clipPalette, type PointClusterer } from '../sequence/global-palette.js';
import { checkChangedWithin, createSequentialQuantizer, type FramePalette } from '../sequence/sequential.js';
import { changedBox } from '../sequence/frame-change.js';
import { holdPixels } from '../map/pixel-hold.js';
import { sameColors } from '../pixel-words.js';
import { createFramePool, type FramePool } from '../frame-pool.js';
import type { ChangedBox, FrameSource, IndexedFrame, TimedFrame } from '../types.js';

/** One frame through the pipeline: the source, its palette, and the mapped result. */
export interface QuantizedFrame {
  readonly index: number;
  /**
   * The frame as read. Its source may draw a later frame into its buffer (see
   * FrameSource.release) once the frame two after it is asked for: copy it to keep it.
   */
  readonly source: TimedFrame;
  readonly palette: FramePalette;
  /**
   * Read it, do not change it: the next frame starts from its indices and transparency.
   * After `release()`, its arrays take a later frame once the frame two after it is asked for.
   */
  readonly indexed: IndexedFrame;
  /**
   * METRICS.md's inertia of the colours written (the source against `indexed.palette`).
   * Called before the next frame is asked for, it sums the colours k-means counted; later
   * (no later than `source` lasts), it maps the frame's pixels again.
   */
  inertia(): number;
  /**
   * Hands `indexed`'s indices and mask back, for a later frame, once nothing reads them any
   * more: a writer says when (FrameWriter.write's second argument). Optional: without it,
   * each frame's are new memory. A second call does nothing.
   */
  release(): void;
}

/** A frame as the pipeline wrote it: what the next frame's levers and mapping look back at. */
interface WrittenFrame {
  readonly source: TimedFrame;
  readonly indices: Uint8Array;
  readonly transparent: Uint8Array | null;
  readonly palette: FramePalette;
  /** Drops this loop's hold on `indices` and `transparent` (see holdBuffers). */
  readonly done: () => void;
}

/**
 * decode → k-means (seeded from the previous frame) → map, one frame at a time.
 * `open` is called once, or twice for `global` seeding: the first pass counts the colours
 * of every frame, the second maps them, so no mode holds the clip in memory.
 */
export async function* quantizeClip(
  open: () => Promise<FrameSource>,
  options: SequenceOptions,
  signal?: AbortSignal,
  /** Where `global` seeding clusters the clip's colours (see clipPalette). */
  cluster?: PointClusterer,
): AsyncGenerator<QuantizedFrame> {
  requireResolvedClustering(options, 'quantizeClip', 'resolveSequenceOptions', ['seeding', 'dither', 'stability']);
  refuseUnknownKeys('quantizeClip', options, RESOLVED_SEQUENCE_NAMES);
  requireOpen(open, 'quantizeClip');
  checkRunArguments('quantizeClip', signal, cluster);
  const global = options.seeding === 'global' ? (await clipPalette(open, options, signal, cluster)).palette : null;
  const seeded = options.seeding === 'seeded';
  /**
   * Whether the pixel hold may keep a pixel's entry in some frame: then a frame it does not
   * hold (a fresh palette) cannot copy the frame before's mapping, held entries and all.
   */
  const everHeld = options.seeding !== 'none' && options.stability.pixelHold >= 0;
  const sequence = options.seeding === 'global' ? null : createSequentialQuantizer({ ...options, stability: seeded ? options.stability : undefined });
  let previous: WrittenFrame | null = null;
  // Made when first needed: undithered seeded and unseeded frames are mapped through their
  // colour histogram, and the mapper's cache (a 1 MiB table filled at creation) cost every
  // such run about 5 ms of fresh memory for nothing.
  let mapper: Mapper | null = null;
  // What inertia() measures with, made when first asked for: its own search and mapper
  // (Euclidean RGB, as METRICS.md measures), so the frames' mapper keeps its cache for their
  // metric and space.
  let search: PaletteSearch | null = null;
  let inertiaMapper: Mapper | null = null;
  const mapOptions = { metric: options.metric, space: options.space, dither: options.dither };
  let index = 0;
  // The frame whose colours sequence.histogram holds.
  let counted = -1;
  const clip = await open();
  checkFrameSource(clip, 'quantizeClip');
  const { info } = clip;
  // Each frame's indices and mask, on shared memory, so that a GIF encoder's worker thread
  // (gif-thread.ts) reads them as they are: posted as plain buffers, each frame's were
  // copied, and the copy allocated again on the other side (hand_anim.gif: 80-90 ms of this
  // thread's CPU). Reused once the caller releases them: a new buffer is faulted in a page at
  // a time as it is first written (1.4 ms for 800x600 on this project's machine, two of them
  // a frame). Every frame has the clip's size (checkClipFrame).
  const buffers = createFramePool(info.width * info.height, 64, sharedBytes);
  const histogramMapper = createHistogramMapper(() => buffers.take());
  // An abort ends the source at once, whether the caller holds a frame or one is awaited.
  for await (const source of abortable(clip.frames, signal)) {
    // An abort between the frame's arrival and this line came too late to fail the wait.
    throwIfAborted(signal);
    checkClipFrame(source, index, info.width, info.height);
    // The frame before: what the still-pixel levers compare with.
    const before = previous;
    const palette: FramePalette = global ?? sequence!.next(source, before !== null ? { source: before.source.data, indices: before.indices, changedWithin: source.changedWithin } : undefined);
    counted = index;
    // The pixel hold: after mapping where every pixel is its nearest entry, inside the
    // dithering otherwise (a dithered pixel's entry hangs on its neighbours or its pattern).
    // With one palette for the clip too: undithered, a bit-identical pixel keeps its entry
    // there anyway, but video's noise moves still pixels across the borders between entries.
    const pixelHold = before !== null && options.stability.pixelHold >= 0 && (seeded ? !palette.fresh : global !== null);
    const holdAfterMapping = pixelHold && options.dither === 'none';
    const ditherHold: DitherHold | undefined =
      pixelHold && options.dither !== 'none' ? { before: before.source.data, beforeIndices: before.indices, beforePalette: before.palette.palette.subarray(0, before.palette.size * 3), pixelHold: options.stability.pixelHold, pixelMargin: options.stability.pixelMargin } : undefined;
    // Where the frame is the frame before outside a box and its palette is the same, the
    // pixels outside map as they did, held ones included (the hold decides alike on the
    // same colours, unless this frame is not held: a fresh palette), so only the box is
    // mapped, undithered: most of a GIF that redraws a small part of its canvas
    // (animated_gif.gif: 4% of it per frame). Per-frame k-means finds the box as it counts
    // the frame; with one palette, it is looked for inside the source's changedWithin.
    const changed =
      options.dither !== 'none' || before === null ? undefined
      : sequence !== null ? sequence.changed
      : source.changedWithin !== undefined ? changedBoxOf(source, source.changedWithin, before.source.data) : undefined;
    const samePalette = before !== null && palette.size === before.palette.size && sameColors(palette.palette, before.palette.palette, palette.size);
    const kept: KeptMapping | undefined =
      before !== null && changed !== undefined && samePalette && (holdAfterMapping || !everHeld) ? { changed, width: source.width, indices: before.indices, transparent: before.transparent } : undefined;
    // Per-frame k-means has just counted this frame's colours: map each once, not each pixel.
    const viaHistogram = sequence !== null && options.dither === 'none';
    const { indices, transparent } = viaHistogram
      ? histogramMapper.map(sequence.histogram, source.width * source.height, palette.palette, palette.size, options.metric, options.space, sequence.colourLabels, kept)
      : (mapper ??= createMapper()).map(source, palette.palette, palette.size, mapOptions, buffers.take(), ditherHold, kept);
    // (Outside a kept box the entries are the frame before's already: the hold skips them.)
    if (holdAfterMapping) holdPixels(source.data, before.source.data, indices, before.indices, palette.palette, palette.size, options.stability, options.metric, options.space);
    // The mapper's mask is its own (made for a frame with a transparent pixel): only its indices go back.
    const [done, release] = holdBuffers(buffers, indices, viaHistogram ? transparent : null);
    // Typed apart: assigned in place, TypeScript's loop analysis finds `indices` circular.
    const thisFrame: WrittenFrame = { source, indices, transparent, palette, done };
    previous = thisFrame;
    // A 256-colour frame with transparency needs a slot for it in a GIF: the GIF encoder
    // borrows an unused index (or merges the least-used colour), so other outputs lose nothing.
    const indexed: IndexedFrame = {
      width: source.width,
      height: source.height,
      indices,
      palette: palette.palette,
      size: palette.size,
      transparent,
      delayMs: source.delayMs,
    };
    // Per-frame k-means counted this frame's colours, until it counts the next frame's; one
    // palette for the clip did not count them per frame. Otherwise the frame is mapped again.
    const frameIndex = index;
    const written = (): number =>
      sequence !== null && counted === frameIndex
        ? histogramInertia(sequence.histogram, palette.palette, palette.size, (search ??= createPaletteSearch()))
        : inertia(source, palette.palette, palette.size, (inertiaMapper ??= createMapper()));
    yield { index: index++, source, palette, indexed, inertia: written, release };
    // The caller has asked for the next frame: nothing looks at the frame before this one
    // any more, so its buffer may take a later frame (unless a retimed clip repeats it).
    if (before !== null && before.source.data !== source.data) clip.release?.(before.source);
    before?.done();
  }
  // An abort that came as the source ended stops the run all the same.
  throwIfAborted(signal);
}

const sharedBytes = (bytes: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(bytes));

/** Where `source` differs from the frame before (`before`, its RGBA), searched inside its changedWithin (`within`); null: nowhere. */
function changedBoxOf(source: TimedFrame, within: ChangedBox, before: Uint8Array): ChangedBox | null {
  checkChangedWithin(within, source.width, source.height);
  return changedBox(source.data, before, source.width, within);
}

/**
 * A frame's index and mask buffers have two readers: this loop, which maps and holds the
 * next frame from them, and the caller (a writer, perhaps on another thread). They go back
 * to `pool` when both are done: [this loop's done, the caller's release].
 */
function holdBuffers(pool: FramePool, indices: Uint8Array, transparent: Uint8Array | null): [() => void, () => void] {
  let holders = 2;
  const drop = (): void => {
    if (--holders > 0) return;
    pool.give(indices);
    if (transparent !== null) pool.give(transparent);
  };
  let released = false;
  return [
    drop,
    () => {
      if (released) return;
      released = true;
      drop();
    },
  ];
}
