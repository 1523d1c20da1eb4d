import { defaultMaxListeners, setMaxListeners } from 'node:events';
import path from 'node:path';
import { ChromaseedError, noFrameRead } from '../errors.js';
import { createFrameWriter, inputOptionsFor, outputKind, type FrameWriter } from '../io/frame-writer.js';
import { clusterInThread } from '../io/kmeans-thread.js';
import { openInput, refuseTimeForStill } from '../io/open-input.js';
import type { InputSession } from '../io/spool-input.js';
import { checkOutputPath } from '../io/output-checks.js';
import { STDOUT } from '../io/output-names.js';
import { createExactScratch, indexExactly } from '../map/index-exactly.js';
import { createMapper, PLAIN_MAP } from '../map/map-pixels.js';
import { createQualityMeter, type QualityResult } from '../metrics/quality.js';
import { MAX_COLORS, type Seeding, type SequenceOptions } from '../options.js';
import { inputOptionsOf, refuseNowhereToPrint, sequenceOptionsOf } from './pick-options.js';
import { quantizeClip, type QuantizedFrame } from '../pipeline/quantize-clip.js';
import { shareReading } from '../pipeline/shared-reading.js';
import { captionLayout, renderCaption } from '../render/caption.js';
import { fillUnseen, renderFlickerMaps, type FlickerMapPanel } from '../render/flicker-map.js';
import { composeSideBySide, composeSideBySideRgba, mergePanelPalettes, type Caption, type MergedPalette } from '../render/side-by-side.js';
import { createSequentialQuantizer } from '../sequence/sequential.js';
import { resolveStability, STABILITY_PRESETS, type StabilityOptions } from '../sequence/stability.js';
import type { ClipInfo, Frame, IndexedFrame, TimedFrame } from '../types.js';
import type { Args, CliStreams } from './main.js';
import { createProgress, showingFirstPass } from './progress.js';
import { commitRun, failedRun, leftoverWarnings, readableInput } from './run-output.js';
import { codedOf, countOf, formatBytes, framesWritten, oneLine, printOut, reportWarnings, round, timelineLine } from './report.js';
import { MODE_LABELS } from './mode-labels.js';
import { startStopwatch } from './stopwatch.js';
import { defaultRestarts } from '../limits.js';

const MODES: readonly Seeding[] = ['seeded', 'none', 'global'];

interface ModeRun {
  /** Row name: a seeding mode, or `seeded, no <lever>` with `--levers`. */
  label: string;
  frames: AsyncGenerator<QuantizedFrame>;
  meter: ReturnType<typeof createQualityMeter>;
  /** Time spent in the run's own frames' next(), the shared reading's waits included (see waitedMs). */
  seconds: number;
  /** Milliseconds of `seconds` the run spent waiting for the shared reading's frames. */
  waitedMs: () => number;
}

/**
 * Runs the three seeding modes on one input in lockstep, frame by frame, measuring each
 * with the METRICS.md figures; optionally writes them side by side (original | unseeded |
 * seeded [| global]) so the flicker can be seen as well as read.
 */
export async function compareCommand(args: Args, streams: CliStreams, signal: AbortSignal | undefined, inputs: InputSession): Promise<void> {
  const given = String(args.input);
  if (args.seeding !== undefined) throw new ChromaseedError('ERR_USAGE', 'compare runs all three seeding modes; drop --seeding');
  const output = typeof args.output === 'string' ? args.output : undefined;
  const timelineFile = typeof args.timeline === 'string' ? args.timeline : undefined;
  const mapFile = typeof args.flickerMap === 'string' ? args.flickerMap : undefined;
  if (output === STDOUT) throw new ChromaseedError('ERR_USAGE', '-o -: compare prints its figures on standard output; give -o a file name');
  if (args.all === true && output === undefined && timelineFile === undefined && mapFile === undefined) {
    throw new ChromaseedError('ERR_USAGE', '--all adds the global mode to the side-by-side animation, the palette timeline and the flicker map, and none is asked for; give -o FILE.gif, --timeline FILE.png or --flicker-map FILE.png, or drop --all');
  }
  if (output === undefined && timelineFile === undefined && mapFile === undefined) refuseNowhereToPrint(streams.stdout, 'the figures', 'figures.txt', 'show the modes side by side with -o FILE.gif');
  // Refuses an output we cannot write before reading anything; a GIF's rate limit applies to
  // the clip every mode reads.
  const read = inputOptionsOf(args);
  if (output !== undefined) outputKind(output, false);
  const inputOptions = output ? inputOptionsFor(output, read) : read;
  const options = sequenceOptionsOf(args);
  const input = await readableInput(inputs, given, output, [[timelineFile, '--timeline'], [mapFile, '--flicker-map']], signal);
  const quiet = args.quiet === true;

  const opening = startStopwatch();
  const probe = await openInput(input, inputOptions, signal);
  // The modes share this opening of the clip (see shareReading): each is charged with it, as with its reading.
  const openSeconds = opening();
  refuseTimeForStill(input, probe.kind, inputOptions);
  const variants: [string, SequenceOptions][] = MODES.map((mode) => [mode, mode === 'global' ? globalVariant(options, args) : { ...options, seeding: mode }]);
  // Every lever acts from the second frame on: on one frame its rows only repeated seeded's, each run again.
  const oneFrame = probe.info.frameCount === 1 && probe.info.frameCountUncertain !== true;
  const levers = args.levers === true && !oneFrame ? leverVariants(options) : [];
  variants.push(...levers);
  const notes =
    args.levers !== true ? []
    : oneFrame ? ['--levers: one frame, on which no steadiness lever acts (they act from the second frame on): no lever rows']
    : levers.length === 0 ? ['--levers: every steadiness lever is off in this run already (the seeded row is plain seeded k-means): no lever rows']
    : [];
  const name = path.basename(inputs.shownName(input));
  // Every mode runs at once and listens for Ctrl-C (its frames, its clustering thread): 11
  // modes with --levers passed Node's default of 10 listeners, which warned of a leak.
  if (signal !== undefined) setMaxListeners(defaultMaxListeners + 2 * variants.length, signal);
  // The modes go through the clip in step, so they share one reading of it (see shareReading).
  const reading = shareReading(probe);
  // The modes the side-by-side, the timeline and the flicker map show, in the same order: the flicker first, then what stops it.
  const shown: Seeding[] = args.all === true ? ['none', 'seeded', 'global'] : ['none', 'seeded'];
  const runs: ModeRun[] = variants.map(([label, variant]) => {
    const seat = reading.seat();
    // The one-palette run counts the clip's colours before its first frame, in a reading of
    // its own, then maps the frames with the others. That pass also counts the frames of a
    // clip that states no length to count them from (some WebM files): a bar for the modes' pass.
    let opened = 0;
    const read = variant.seeding === 'global'
      ? showingFirstPass(() => (opened++ === 0 ? openInput(input, inputOptions, signal) : seat.open()), streams.stderr, name, 'counting colours (global)', !quiet, (frames) => progress.setTotal(frames))
      : seat.open;
    // The flicker map's modes count, pixel by pixel, what flip_static averages.
    const perPixel = mapFile !== undefined && (shown as readonly string[]).includes(label);
    return { label, frames: quantizeClip(read, variant, signal, clusterInThread(signal)), meter: createQualityMeter({ perPixel }), seconds: 0, waitedMs: seat.waitedMs };
  });
  // A map too large to draw is refused now, not after the run: its labels at their longest (flicker_static is at most 441.67).
  if (mapFile !== undefined) captionLayout([MODE_LABELS.original, ...shown.map((m) => mapLabel(m, 441.67))], probe.info.width, probe.info.height);
  const side = output ? await createSideBySide(output, input, probe.info, options, shown) : null;
  const progress = createProgress(streams.stderr, name, probe.info.frameCount, !quiet);
  // Each shown mode's palettes, frame by frame, for the timeline.
  const timeline = shown.map((): Uint8Array[] => []);
  // What the flicker map draws its heat over: each pixel as the first frame that shows it has
  // it (copied: the reading's buffers are reused).
  let base: Frame | null = null;
  let unseen = 0;
  let frames = 0;
  try {
    for (;;) {
      const results = new Map<string, QuantizedFrame>();
      for (const run of runs) {
        const elapsed = startStopwatch();
        const next = await run.frames.next();
        run.seconds += elapsed();
        if (next.done) continue;
        results.set(run.label, next.value);
        run.meter.add(next.value.source, next.value.indexed);
      }
      if (results.size === 0) break;
      if (timelineFile !== undefined) shown.forEach((m, i) => timeline[i].push(results.get(m)!.palette.palette));
      if (mapFile !== undefined) {
        const { width, height, data } = results.get('seeded')!.source;
        if (base === null) {
          base = { width, height, data: new Uint8Array(data.length) };
          unseen = width * height;
        }
        unseen = fillUnseen(base.data, data, unseen);
      }
      if (side) await side.write(results.get('seeded')!.source, shown.map((m) => results.get(m)!.indexed));
      // The side-by-side is composed from the panels in its own frame: their arrays may take later frames.
      for (const q of results.values()) q.release();
      progress.tick(++frames);
    }
    if (frames === 0) throw noFrameRead(input);
  } catch (err) {
    await failedRun(err, progress, side, signal);
  } finally {
    // Runs stopped early (an error, Ctrl-C) must still end their generators, which kill
    // their ffmpeg readers; a completed run's return() does nothing.
    await Promise.allSettled(runs.map((r) => r.frames.return(undefined)));
    await reading.close();
  }
  const mapPanel = (m: Seeding): FlickerMapPanel => {
    const { meter } = runs.find((r) => r.label === m)!;
    return { label: mapLabel(m, meter.result().flicker_static), counts: meter.stillFlips()! };
  };
  const pictures = async (): Promise<(readonly [string, Uint8Array])[]> => [
    ...(timelineFile === undefined ? [] : [[timelineFile, await (await import('./timeline.js')).renderTimelines(shown.map((m, i) => ({ label: MODE_LABELS[m], rows: timeline[i] })), options.colors)] as const]),
    ...(mapFile === undefined ? [] : [[mapFile, await renderFlickerMaps(base!, shown.map(mapPanel), MODE_LABELS.original)] as const]),
  ];
  const written = await commitRun(side, timelineFile === undefined && mapFile === undefined ? null : pictures, input, progress, signal);

  // A mode's seconds: its own work, and the opening and reading of the clip it shares, as if it had read the clip alone.
  const seconds = (r: ModeRun): number => r.seconds + openSeconds + (reading.readMs() - r.waitedMs()) / 1000;
  const figures = Object.fromEntries(runs.map((r) => [r.label, { ...rounded(r.meter.result()), seconds: round(seconds(r), 3) }]));
  // The damage the shared reading found (the one-palette run's own pass finds the same).
  const mapNote = mapFile !== undefined && frames === 1 ? ['--flicker-map: one frame, so no frame pairs to find flicker in: the map shows the picture alone'] : [];
  const allWarnings = [...leftoverWarnings([output, timelineFile, mapFile]), ...(probe.warnings ?? []), ...(written?.warnings ?? []), ...notes, ...mapNote].map(inputs.shownText);
  const advice = onePaletteAdvice(figures);
  if (args.json === true) {
    await printOut(streams.stdout, JSON.stringify({ input: inputs.shownName(input), output: output ?? null, timeline: timelineFile ?? null, flickerMap: mapFile ?? null, originalQuantized: side?.originalQuantized ?? null, k: options.colors, frames, modes: figures, advice, warnings: allWarnings }) + '\n');
  } else {
    await printOut(streams.stdout, formatTable(inputs.shownName(input), options.colors, frames, figures));
    // Named as quantize and transfer name theirs: the table alone left the user to find them.
    if (!quiet && side !== null && written !== undefined) streams.stderr.write(`${oneLine(String(output))}: ${side.captions.join(' | ')} side by side, ${framesWritten(frames, written)}, ${side.size.width}x${side.size.height}${codedOf(written)}, ${formatBytes(written.bytes)}\n`);
    if (!quiet && timelineFile !== undefined) streams.stderr.write(timelineLine(timelineFile, shown.map((m) => MODE_LABELS[m])));
    if (!quiet && mapFile !== undefined) streams.stderr.write(`${oneLine(mapFile)}: where each mode's output changed colour on pixels the source left still, ${[MODE_LABELS.original, ...shown.map((m) => MODE_LABELS[m])].join(' | ')}\n`);
    if (!quiet && advice !== null) streams.stderr.write(`chromaseed: ${advice}\n`);
  }
  if (!quiet) reportWarnings(streams, allWarnings);
}

/** A flicker map panel's label: the mode, and its flicker_static as the table prints it. */
function mapLabel(mode: Seeding, flicker: number | null): string {
  return flicker === null ? `${MODE_LABELS[mode]}, no still pixels` : `${MODE_LABELS[mode]}, flicker ${flicker.toFixed(DECIMALS.flicker_static)}`;
}

/** How much closer seeded output may be (PSNR, dB) for one palette still to count as fitting the clip as well. */
const AS_CLOSE_DB = 0.25;
/** How much of seeded output's flicker_static one palette must take away to count as steadier, and the least flicker worth taking away (below it, none shows). */
const STEADIER = 0.8;
const VISIBLE_FLICKER = 0.01;

/**
 * Which mode to quantize this clip with, when the table shows it is not the default: the
 * seeded mode cannot know, frame by frame, that one palette for the whole clip would fit as
 * well (a screen recording, a clip of few colours), but this run has measured both.
 */
function onePaletteAdvice(figures: Record<string, Record<string, number | null>>): string | null {
  const seeded = figures.seeded;
  const global = figures.global;
  if (seeded === undefined || global === undefined) return null;
  const [sp, gp, sf, gf] = [seeded.psnr, global.psnr, seeded.flicker_static, global.flicker_static];
  if (sp === null || gp === null || sf === null || gf === null || !(gp >= sp - AS_CLOSE_DB) || !(sf >= VISIBLE_FLICKER && gf <= STEADIER * sf)) return null;
  const closeness = gp >= sp ? 'closer to the source' : `within ${AS_CLOSE_DB} dB of seeded`;
  return `one palette for the whole clip is ${closeness} and flickers ${Math.floor((1 - gf / sf) * 100)}% less than seeded with these settings: quantize it with --seeding global`;
}

/**
 * The seeded mode with each steadiness lever of the chosen preset switched off in turn,
 * plus plain seeded k-means (every lever off): the rows that show what each lever buys.
 */
export function leverVariants(options: SequenceOptions): [string, SequenceOptions][] {
  const s = options.stability;
  const off: [string, Partial<StabilityOptions>][] = [
    ['palette hold', { paletteHold: 0 }],
    ['pixel hold', { pixelHold: -1 }],
    ['scene cut', { sceneCut: 0 }],
    ['refresh', { refresh: 0 }],
    ['anchor', { anchor: 0 }],
    ['still weight', { stillWeight: 0 }],
    ['jump hold', { jumpHold: 0 }],
    // Every seeded frame gets the full run, --max-iterations (the preset none's 300 was a
    // tighter cap than a --frame-iterations 500 it was to lift).
    ['iteration cap', { frameIterations: options.maxIterations }],
  ];
  // A row only where it changes something the seeded row runs (not --still-weight with
  // --refresh 0, nor plain seeded k-means after every lever was turned off by hand).
  const now = inEffect(s, options.maxIterations);
  const changes = (levers: Partial<StabilityOptions>): boolean => {
    const then = inEffect({ ...s, ...levers }, options.maxIterations);
    return (Object.keys(now) as (keyof StabilityOptions)[]).some((key) => now[key] !== then[key]);
  };
  const rows: [string, SequenceOptions][] = off
    .filter(([, change]) => changes(change))
    .map(([name, change]) => [`seeded, no ${name}`, { ...options, seeding: 'seeded', stability: { ...s, ...change } }]);
  // Plain seeded k-means, unless that is what the seeded row already runs (--stability none).
  if (changes(STABILITY_PRESETS.none)) {
    rows.push(['seeded, stability none', { ...options, seeding: 'seeded', stability: STABILITY_PRESETS.none }]);
  }
  return rows;
}

/**
 * What a seeded run does with `s`: the settings of a lever that is off change nothing
 * (the pixel margin without the pixel hold; the refresh gain and the still weight, which
 * weigh refreshes, without refreshes), and --max-iterations caps a frame's iterations.
 */
function inEffect(s: StabilityOptions, maxIterations: number): StabilityOptions {
  const refreshes = s.refresh > 0;
  return {
    ...s,
    frameIterations: Math.min(s.frameIterations, maxIterations),
    pixelMargin: s.pixelHold < 0 ? 0 : s.pixelMargin,
    refreshGain: refreshes ? s.refreshGain : 0,
    stillWeight: refreshes ? s.stillWeight : 0,
  };
}

/** The decimals each figure is given, in --json and in the table (where every row shows them all, so a column lines up on its point). */
const DECIMALS = { psnr: 3, flicker_static: 4, flip_static: 5, excess_change: 4, colors: 0, seconds: 3 } as const;

function rounded(r: QualityResult): Record<string, number | null> {
  const fix = (x: number | null, d: number) => (x === null || !Number.isFinite(x) ? x : round(x, d));
  return {
    psnr: fix(r.psnr, DECIMALS.psnr),
    flicker_static: fix(r.flicker_static, DECIMALS.flicker_static),
    flip_static: fix(r.flip_static, DECIMALS.flip_static),
    excess_change: fix(r.excess_change, DECIMALS.excess_change),
    colors: r.colors,
  };
}

function formatTable(input: string, k: number, frames: number, figures: Record<string, Record<string, number | null>>): string {
  const cols = Object.keys(DECIMALS) as (keyof typeof DECIMALS)[];
  const cell = (x: number | null, c: keyof typeof DECIMALS): string => (x === null ? '-' : x.toFixed(DECIMALS[c]));
  const rows = [['mode', ...cols], ...Object.entries(figures).map(([mode, f]) => [mode, ...cols.map((c) => cell(f[c], c))])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  const legend = 'psnr: dB, higher is closer to the source; flicker_static, flip_static, excess_change: lower is steadier';
  return `${oneLine(input)}: k=${k}, ${countOf(frames, 'frame')}\n${lines.join('\n')}\n${legend}\n`;
}

/** The fewest colours a GIF side-by-side's original panel is drawn in. */
const ORIGINAL_MIN_COLORS = 16;

type SideBySide = {
  write(source: TimedFrame, panels: IndexedFrame[]): Promise<void>;
  finish: FrameWriter['finish'];
  abort(): Promise<void>;
  captions: readonly string[];
  size: { width: number; height: number };
  /** A GIF side-by-side's original panel, quantized from a frame on to fit the palette; null where it is the source's own colours throughout. */
  originalQuantized: { colors: number; fromFrame: number } | null;
};
type SideBySideInfo = Pick<ClipInfo, 'width' | 'height' | 'fps' | 'loopCount' | 'mayTurnTransparent' | 'gifDelays'>;

/**
 * The side-by-side writer. Every panel keeps its exact palette. A video or PNG output is
 * written in full colour, with the original as it is; a GIF frame holds 256 colours at most,
 * so there the original panel is itself quantized with the palette entries left over.
 */
async function createSideBySide(output: string, input: string, info: SideBySideInfo, options: SequenceOptions, shown: readonly Seeding[]): Promise<SideBySide> {
  if (outputKind(output) === 'gif') return createGifSideBySide(output, input, info, options, shown);
  const captions = [MODE_LABELS.original, ...shown.map((m) => MODE_LABELS[m])];
  const caption = await renderCaption(captions, info.width, info.height);
  const writer = await openSideBySideWriter(output, input, info, caption);
  // Every writer but the GIF one takes full-colour frames.
  const writeRgba = writer.writeRgba!.bind(writer);
  let out: Uint8Array | undefined;
  return {
    async write(source, panels) {
      const frame = composeSideBySideRgba(source, panels, caption, out);
      // Reused: the writer has copied the frame once its write resolves.
      out = frame.data;
      await writeRgba(frame);
    },
    finish: (options) => writer.finish(options),
    abort: () => writer.abort(),
    captions,
    size: sideBySideSize(info, caption),
    originalQuantized: null,
  };
}

/**
 * The GIF side-by-side: one indexed frame of at most 256 colours. The original panel is the
 * source's own colours while they fit beside the panels' (a GIF's frame often does); from the
 * first frame that does not fit on, it is quantized (seeded, so it does not flicker) into the
 * entries the panels leave. It does not go back: a panel switching between exact and
 * quantized from frame to frame would flicker itself.
 */
async function createGifSideBySide(output: string, input: string, info: SideBySideInfo, options: SequenceOptions, shown: readonly Seeding[]): Promise<SideBySide> {
  // Caption background and text take two entries, and one more stays free for a transparent
  // source's see-through pixels, which a frame of 256 colours has no slot for.
  const room = MAX_COLORS - 3;
  const spare = room - shown.length * options.colors;
  if (spare < ORIGINAL_MIN_COLORS) {
    const most = Math.floor((room - ORIGINAL_MIN_COLORS) / shown.length);
    throw new ChromaseedError('ERR_USAGE', `a GIF side-by-side frame holds 256 colours, and ${shown.length} quantized panels of k=${options.colors} leave the original panel fewer than ${ORIGINAL_MIN_COLORS}; use -k ${most} or less, or write a video or PNG frames (full colour)`);
  }
  const originalColors = Math.min(spare, 240);
  const modeLabels = shown.map((m) => MODE_LABELS[m]);
  const exactLabels = [MODE_LABELS.original, ...modeLabels];
  // An original panel in fewer colours than the others would look the worst of them: its
  // caption says so, in the longest of these words its column holds (below).
  const quantizedNames = originalColors < options.colors ? [`original, ${originalColors} colours`, `${originalColors} colours`] : [];
  // Seeded frames get 2 Lloyd iterations (STABILITY_PRESETS.none allows 300; maxIterations
  // bounds only a fresh start): on 1080p at 240 colours, 115 ms a frame instead of 382, and
  // 45.3 dB against the source instead of 45.5, a difference no one sees. And the medium
  // preset's palette hold: without it, the reference panel flickered more than the source
  // and than seeded (iss634.gif in 17 colours: 0.243 against the source's 0.13; 0.074 with
  // it, the same 28.91 dB).
  // Its own k's default restarts, not the run's (the panel is no run the user set up).
  const stability = { ...STABILITY_PRESETS.none, frameIterations: 2, paletteHold: STABILITY_PRESETS.medium.paletteHold };
  const original = createSequentialQuantizer({ ...options, colors: originalColors, restarts: defaultRestarts(originalColors), seeding: 'seeded', maxIterations: 10, stability });
  const mapper = createMapper();
  const scratch = createExactScratch();
  /** The exact original panel and the palette it shares with the panels, or null if they do not fit. */
  const exactPanel = (source: TimedFrame, panels: IndexedFrame[]): { exact: IndexedFrame; merged: MergedPalette } | null => {
    const exact = indexExactly(source, MAX_COLORS - 1, scratch);
    if (exact === null) return null;
    // Entries shared with the caption or the panels count once; one stays free, as above.
    const merged = mergePanelPalettes([exact, ...panels]);
    return merged.size < MAX_COLORS ? { exact, merged } : null;
  };
  // The layout waits for the first frame, and so does the writer: laid out for "original,
  // 83 colours" while the panel stayed exact, a 120-pixel clip was drawn twice its size from
  // k = 85 on. What the writer would refuse is refused now, before the run: an output it
  // cannot write, and a side-by-side too large for either layout (the longest caption's is the larger).
  await checkOutputPath(output, input);
  captionLayout(quantizedNames.length > 0 ? [quantizedNames[0], ...modeLabels] : exactLabels, info.width, info.height);
  let writer: FrameWriter | undefined;
  let exactCaption: Caption;
  /** The quantized original's caption's labels, chosen with the layout; both captions are sized for them (one size of text). */
  let quantizedLabels: readonly string[];
  let quantizedCaption: Caption | undefined;
  let frame = 0;
  /** The first frame whose original panel was quantized, or undefined while none has been. */
  let quantizedFrom: number | undefined;
  const plainLayout = captionLayout(exactLabels, info.width, info.height);
  /** Whether `labels` are laid out as the plain ones are: no larger enlargement, no wider column. */
  const keepsLayout = (labels: readonly string[]): boolean => {
    const layout = captionLayout(labels, info.width, info.height);
    return layout.scale === plainLayout.scale && layout.panelWidth === plainLayout.panelWidth;
  };
  return {
    async write(source, panels) {
      const at = frame++;
      const fit = quantizedFrom === undefined ? exactPanel(source, panels) : null;
      if (writer === undefined) {
        // A clip quantized from its first frame is laid out for the longest caption, which it
        // shows throughout; one whose first frame is exact, for the plain one, its quantized
        // caption then the longest name that keeps that layout (or none).
        const name = fit === null ? quantizedNames[0] : quantizedNames.find((n) => keepsLayout([n, ...modeLabels]));
        quantizedLabels = name === undefined ? exactLabels : [name, ...modeLabels];
        exactCaption = await renderCaption(exactLabels, info.width, info.height, quantizedLabels);
        writer = await openSideBySideWriter(output, input, info, exactCaption);
      }
      if (fit !== null) return writer.write(composeSideBySide([fit.exact, ...panels], exactCaption, fit.merged));
      quantizedFrom ??= at;
      quantizedCaption ??= quantizedLabels === exactLabels ? exactCaption : await renderCaption(quantizedLabels, info.width, info.height);
      const p = original.next(source);
      const mapped = mapper.map(source, p.palette, p.size, PLAIN_MAP);
      const originalPanel: IndexedFrame = { ...mapped, width: source.width, height: source.height, palette: p.palette, size: p.size, delayMs: source.delayMs };
      await writer.write(composeSideBySide([originalPanel, ...panels], quantizedCaption));
    },
    finish: (options) => writer!.finish(options),
    abort: async () => writer?.abort(),
    /** The panels as the line on stderr names them: the original's colours whenever it was quantized, whatever its caption says. */
    get captions() {
      if (quantizedFrom === undefined) return exactLabels;
      return [`original, ${originalColors} colours${quantizedFrom > 0 ? ` from frame ${quantizedFrom}` : ''}`, ...modeLabels];
    },
    get size() {
      return sideBySideSize(info, exactCaption);
    },
    get originalQuantized() {
      return quantizedFrom === undefined ? null : { colors: originalColors, fromFrame: quantizedFrom };
    },
  };
}

/** A side-by-side frame's size: as wide as the caption bar, as tall as it and the enlarged panels. */
function sideBySideSize(info: SideBySideInfo, caption: Caption): { width: number; height: number } {
  return { width: caption.width, height: info.height * caption.scale + caption.height };
}

function openSideBySideWriter(output: string, input: string, info: SideBySideInfo, caption: Caption): Promise<FrameWriter> {
  return createFrameWriter(output, { ...sideBySideSize(info, caption), fps: info.fps, loopCount: info.loopCount, inputPath: input, mayTurnTransparent: info.mayTurnTransparent, gifDelays: info.gifDelays });
}

/**
 * The one-palette row as `quantize --seeding global` makes it, the command the advice
 * names: its pixel hold as given, medium's otherwise, whatever --stability says (which that
 * command refuses; `--stability high` measured the row with a hold twice as wide).
 */
function globalVariant(options: SequenceOptions, args: Args): SequenceOptions {
  const stability = resolveStability('medium', { pixelHold: args.pixelHold as number | undefined, pixelMargin: args.pixelMargin as number | undefined });
  return { ...options, seeding: 'global', stability };
}
