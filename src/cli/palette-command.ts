import { ChromaseedError, throwIfAborted } from '../errors.js';
import path from 'node:path';
import { checkInput, inputKind, openInput, refuseTimeForStill } from '../io/open-input.js';
import { checkExtraOutputPath, stageFiles } from '../io/output-file.js';
import { markRunComplete } from '../io/leftovers.js';
import { loadStill } from '../io/still.js';
import { clusterInThread, kmeansPixelsInThread } from '../io/kmeans-thread.js';
import { inputOptionsOf, paletteOptionsOf, refuseNowhereToPrint } from './pick-options.js';
import { formatPalette } from '../palette/format.js';
import type { InputOptions } from '../options.js';
import { paletteFromKMeans, type KMeansPaletteSource } from '../palette/palette.js';
import { clipPalette } from '../sequence/global-palette.js';
import { sortPalette } from '../palette/sort.js';
import { boostSaturation } from '../palette/vivid.js';
import { MIN_SQUARE, overlayLayout, renderOverlay } from '../render/overlay.js';
import { renderSwatch } from '../render/swatch.js';
import type { Frame, FrameSource } from '../types.js';
import { isStdin, type InputSession } from '../io/spool-input.js';
import type { Args, CliStreams } from './main.js';
import { clearProgressLine, noteWhileSlow, showingFirstPass } from './progress.js';
import { countOf, oneLine, printOut, reportWarnings } from './report.js';
import { leftoverWarnings } from './run-output.js';

/**
 * Ctrl-C stops the command before it prints or writes anything. A large image is clustered
 * on a worker thread, which the signal stops at once; a small one in this thread, where the
 * signal takes effect when its run (under a second) ends.
 */
export async function paletteCommand(args: Args, streams: CliStreams, signal: AbortSignal | undefined, inputs: InputSession): Promise<void> {
  const options = paletteOptionsOf(args);
  const swatch = typeof args.swatch === 'string' ? args.swatch : undefined;
  const overlay = typeof args.overlay === 'string' ? args.overlay : undefined;
  if (swatch === undefined && overlay === undefined) refuseNowhereToPrint(streams.stdout, 'the palette', 'palette.txt', 'draw it with --swatch FILE.png');
  const given = String(args.image);
  if (isStdin(given)) {
    // Piped in, `-` is copied before it is read: what can be checked without it is checked first.
    if (swatch !== undefined) await checkExtraOutputPath(swatch, '--swatch', undefined);
    if (overlay !== undefined) await checkExtraOutputPath(overlay, '--overlay', undefined, [[swatch, '--swatch picture']]);
  }
  const file = await inputs.readable(given, signal);
  const quiet = args.quiet === true;
  /** The file as the terminal's notes name it. */
  const label = path.basename(inputs.shownName(file));
  const head = await checkInput(file);
  if (swatch !== undefined) await checkExtraOutputPath(swatch, '--swatch', file);
  if (overlay !== undefined) await checkExtraOutputPath(overlay, '--overlay', file, [[swatch, '--swatch picture']]);
  const { colors: k, init, restarts, metric, space, seed, maxIterations } = options;
  const engineOptions = { k, init, restarts, metric, space, seed, maxIterations };
  // An animation's or a video's part, as the other commands take it; a still has none.
  const part = inputOptionsOf(args);
  const opened = await openClip(file, head, part, signal);
  // A picture only ffmpeg reads (BMP, PPM, TGA...), or an animation of one frame, comes as a one-frame still.
  const clip = opened === null || opened.still ? null : opened.source;
  // An animation (GIF, animated PNG or WebP) is a clip whatever it holds: a part of one of
  // one frame is its frame, as quantize takes it, so one command line serves every file of a
  // batch (it was refused as a still's).
  if (opened === null || (opened.still && !opened.animation)) refuseTimeForStill(file, 'still', part);
  let image: Frame | null = null;
  let result: KMeansPaletteSource & { distinctColors: number };
  if (clip !== null) {
    // Every pixel of every frame, counted exactly (as --seeding global does).
    const stillOnly = options.vivid ? '--vivid' : overlay !== undefined ? '--overlay' : undefined;
    if (stillOnly !== undefined) {
      // The count is of the frames as read: "an animation (1 frame)" of a 10-frame GIF read for 0.5 s read as a contradiction.
      const asRead = part.start !== undefined || part.duration !== undefined || part.fps !== undefined;
      const frames = clip.info.frameCount ? ` (${countOf(clip.info.frameCount, 'frame')}${asRead ? ' as read' : ''})` : '';
      throw new ChromaseedError('ERR_USAGE', `${stillOnly} works on a still image, and ${file} is an animation or a video${frames}; drop ${stillOnly}`);
    }
    // The clustering's options alone: clipPalette refuses the palette's own (sort, format...), which it does not read.
    const clusterOptions = { colors: k, init, restarts, metric, space, seed, maxIterations };
    const counted = await clipPalette(showingFirstPass(async () => clip, streams.stderr, label, 'counting colours', !quiet), clusterOptions, signal, clusterInThread(signal));
    // The pass's last note ("choosing the palette…") is not left for the palette to be printed after.
    if (!quiet) clearProgressLine(streams.stderr);
    const { centroids, size, inertia, iterations } = counted.palette;
    // k-means gives fewer than k colours only when the clip has no more, so then that is its count.
    result = { k: size, centroids, counts: counted.counts, inertia, iterations, distinctColors: size };
  } else {
    let loaded: Frame | null = opened !== null ? await onlyFrame(opened.source, file) : await loadStill(file, { maxPixels: options.maxPixels });
    throwIfAborted(signal);
    // Said on the terminal if it takes a while (the clip's pass above says it too): before
    // the clustering starts, which runs on this thread for an image too small to pay for
    // another's (its heartbeats then let the note be drawn).
    const slow = noteWhileSlow(streams.stderr, label, 'choosing the palette…', !quiet);
    try {
      const clustering = kmeansPixelsInThread({ rgba: loaded.data, vivid: options.vivid, options: engineOptions }, signal);
      // The image is kept past the clustering only for --overlay: otherwise its pixels can go
      // while a worker thread clusters its own copy of them.
      image = overlay !== undefined ? loaded : null;
      loaded = null;
      result = await clustering;
    } finally {
      slow();
    }
  }
  if (result.k === 0) throw new ChromaseedError('ERR_INPUT', `${file}: the ${clip !== null ? 'clip' : 'image'} has no opaque pixels`);
  if (result.k < k && !quiet) {
    // With --vivid the count is of what its filter kept, not of the image's colours.
    const what = options.vivid ? `${countOf(result.distinctColors, 'distinct colour')} left after --vivid's filter` : `only ${countOf(result.distinctColors, 'distinct colour')}`;
    streams.stderr.write(`chromaseed: note: ${oneLine(inputs.shownName(file))} has ${what}, so the palette has ${result.k} instead of ${k}\n`);
  }
  // Damage the reader tolerated (a GIF cut short), found as the frames were read: on stderr,
  // and in --json (a script reads it there, as from the other commands' --json).
  const warnings = (opened?.source.warnings ?? []).map(inputs.shownText);
  const built = options.vivid ? boostSaturation(paletteFromKMeans(result)) : paletteFromKMeans(result);
  const palette = { ...built, colors: sortPalette(built.colors, options.sort) };

  // The pictures are written under temporary names, and named only once the palette is
  // printed: a failure anywhere (a full disk) leaves none of them behind.
  const pictures: [string, Uint8Array][] = [];
  if (swatch !== undefined) pictures.push([swatch, await renderSwatch(palette.colors)]);
  if (overlay !== undefined && image !== null) {
    // Seconds for a large photo (2 s at 24 megapixels), said as the clustering is.
    const drawing = noteWhileSlow(streams.stderr, label, 'drawing the overlay…', !quiet);
    try {
      pictures.push([overlay, await renderOverlay(image, palette.colors)]);
    } finally {
      drawing();
    }
    // An icon's squares are specks (1 px on an 8x8 image, none to see on 1x1): said, not left to be found.
    const { size } = overlayLayout(image.width, image.height, palette.colors.length);
    if (size < MIN_SQUARE) warnings.push(`--overlay ${inputs.shownName(overlay)}: its squares are ${size} px on an image of ${image.width}x${image.height} pixels, too small to see; --swatch draws the palette on its own`);
  }
  // Looked for before this run's own temporary names are made, and said first (see leftoverWarnings).
  warnings.unshift(...leftoverWarnings([swatch, overlay]).map(inputs.shownText));
  const staged = await stageFiles(pictures, file);
  try {
    // A signal that came during clustering is handled in the next poll phase of the event
    // loop: one setImmediate can still run before it (when clustering was itself resumed in
    // a poll phase, by sharp's decode finishing), two cannot.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(signal);
    await printOut(streams.stdout, formatPalette(palette, options.format, warnings));
  } catch (err) {
    await staged.abort();
    throw err;
  }
  await staged.commit(markRunComplete);
  if (!quiet) reportWarnings(streams, warnings);
}

/**
 * An input of more than one frame (an animated GIF, WebP or PNG, a video), opened; or one
 * that is a still (`still`): a picture that only ffmpeg reads, or an animation of one frame
 * (a GIF, read by the GIF decoder, which reports damage as for any GIF; an APNG whose
 * animation control says one frame). Null for a still that sharp reads. One frame chosen
 * from an animation by the time options is a clip's part, as in the other commands.
 */
async function openClip(file: string, head: Uint8Array, part: InputOptions, signal: AbortSignal | undefined): Promise<{ source: FrameSource; still: boolean; animation: boolean } | null> {
  const { kind } = await inputKind(file, head);
  if (kind === 'still') return null;
  const source = await openInput(file, part, signal);
  const animation = kind === 'gif' || kind === 'apng' || kind === 'webp';
  if (!animation || source.info.frameCount !== 1) return { source, still: source.kind === 'still', animation };
  const timed = part.fps !== undefined || part.start !== undefined || part.duration !== undefined;
  const whole = timed ? await openInput(file, { ...part, fps: undefined, start: undefined, duration: undefined }, signal) : source;
  return { source: whole.info.frameCount === 1 ? whole : source, still: whole.info.frameCount === 1, animation };
}

async function onlyFrame(source: FrameSource, file: string): Promise<Frame> {
  let only: Frame | null = null;
  // Read to its end: a GIF of one frame whose pixel data does not decode is then said to be
  // damaged, and why, as the other commands say it (it was "the image has no opaque pixels").
  for await (const frame of source.frames) only ??= frame;
  if (only === null) throw new ChromaseedError('ERR_INPUT', `${file}: ffmpeg decoded no picture from it`);
  return only;
}
