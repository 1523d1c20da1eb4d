import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ChromaseedError, noFrameRead } from '../errors.js';
import { clipWriterOptions, createFrameWriter, inputOptionsFor, outputKind } from '../io/frame-writer.js';
import { clusterInThread } from '../io/kmeans-thread.js';
import { checkInput, inputKind, openInput, openReusable, refuseTimeForStill, sniffKind } from '../io/open-input.js';
import { checkOutputPath } from '../io/output-checks.js';
import { checkExtraOutputPath } from '../io/output-file.js';
import { createQualityMeter } from '../metrics/quality.js';
import { choice, leverGiven, TRANSFER_METHODS, type InputOptions, type TransferMethod } from '../options.js';
import { asSourcePartError, inputOptionsOf, keepsSound, loopCountOf, outputNameOf, sequenceOptionsOf, sourceInputOptionsOf } from './pick-options.js';
import { toHex } from '../palette/palette.js';
import { MAX_PALETTE_FILE_BYTES, mayBePaletteFile, parsePaletteBytes, type PaletteFile } from '../palette/read-palette.js';
import { isStdin, type InputSession } from '../io/spool-input.js';
import { quantizeClip } from '../pipeline/quantize-clip.js';
import { renderTransferSwatch } from '../render/transfer-swatch.js';
import { extractSourcePalette } from '../transfer/source-palette.js';
import { createPaletteTransfer, resolveTransferHold, sourcePaletteFromCounts, type PaletteTransfer, type SourcePalette, type TransferDecision } from '../transfer/transfer.js';
import { mergeRepeatedColours } from '../transfer/merge-colours.js';
import { refuseFileList } from '../text-sniff.js';
import type { Args, CliStreams } from './main.js';
import { createProgress, showingFirstPass } from './progress.js';
import { commitRun, failedRun, leftoverWarnings } from './run-output.js';
import { countOf, formatBytes, oneLine, playbackClock, playsOf, printOut, reportWarnings, round, writtenReport } from './report.js';
import { startStopwatch } from './stopwatch.js';

/** k when neither -k nor a palette file says. */
const DEFAULT_TRANSFER_COLORS = 8;

async function readPaletteFile(file: string): Promise<PaletteFile> {
  const { size } = await stat(file);
  if (size > MAX_PALETTE_FILE_BYTES) throw new ChromaseedError('ERR_INPUT', `${file}: a text file of ${formatBytes(size)}, neither an image, a video nor a palette file`);
  const bytes = await readFile(file);
  refuseFileList(file, bytes);
  const parsed = parsePaletteBytes(bytes);
  if (typeof parsed === 'string') throw new ChromaseedError('ERR_INPUT', `${file}: text, so read as a palette file: ${parsed}`);
  return parsed;
}

/** A palette file's colours as SOURCE's palette: with the shares the file gives, else equal ones. */
function paletteFromFile(file: PaletteFile): SourcePalette {
  // A colour written as 0.00% (a speck) still counts: sourcePaletteFromCounts drops empty clusters.
  const counts = Array.from({ length: file.size }, (_, i) => (file.shares === null ? 1 : Math.max(file.shares[i], 1e-9)));
  return sourcePaletteFromCounts(file.rgb, counts, file.size);
}

/** SOURCE and TARGET, where they are read from, and what was learnt checking them. */
interface CheckedInputs {
  readonly sourcePath: string;
  readonly targetPath: string;
  /** SOURCE is a saved palette (text), not a picture or a clip. */
  readonly sourceIsPalette: boolean;
  /** What the target is read with: the output's limits (a GIF's rate) bind a clip's frames. */
  readonly targetOptions: InputOptions;
  /** The inputs, which no output may replace. */
  readonly guarded: string[];
}

/**
 * The checks before any frame is read that need the files themselves: an input that
 * cannot be read, a time option for a still or a palette file, an output (or swatch) that
 * cannot be written or would replace an input.
 */
async function checkInputs(args: Args, method: TransferMethod, output: string, inputOptions: InputOptions, sourceOptions: InputOptions, inputs: InputSession, signal: AbortSignal | undefined): Promise<CheckedInputs> {
  const [sourceName, targetName] = [String(args.source), String(args.target)];
  if (isStdin(sourceName) || isStdin(targetName)) {
    // Piped in, `-` is copied before it is read: what can be checked without it is checked first.
    if (isStdin(sourceName) && isStdin(targetName)) throw new ChromaseedError('ERR_USAGE', 'standard input (-) can be only one of the inputs');
    await checkInput(isStdin(sourceName) ? targetName : sourceName);
    await checkOutputPath(output);
    if (typeof args.swatch === 'string') await checkExtraOutputPath(args.swatch, '--swatch', undefined, [[output, 'main output']]);
  }
  const sourcePath = await inputs.readable(sourceName, signal);
  const targetPath = await inputs.readable(targetName, signal);
  const sourceHead = await checkInput(sourcePath);
  // A text file as SOURCE is a saved palette (`palette --format ...`, GIMP .gpl, hex codes).
  const sourceIsPalette = sniffKind(sourceHead) === 'video' && mayBePaletteFile(sourceHead);
  const sourceKind = sourceIsPalette ? 'still' : (await inputKind(sourcePath, sourceHead)).kind;
  const targetKind = (await inputKind(targetPath, await checkInput(targetPath))).kind;
  if (sourceIsPalette) {
    const part = args.sourceStart !== undefined ? '--source-start' : args.sourceDuration !== undefined ? '--source-duration' : undefined;
    if (part !== undefined) throw new ChromaseedError('ERR_USAGE', `${part}: ${sourcePath} is a palette file, which has no time; drop ${part}`);
    // k is the number of source colours taken, or of target clusters: nearest has neither to choose here.
    if (method === 'nearest' && args.colors !== undefined) throw new ChromaseedError('ERR_USAGE', `-k has no effect with --method nearest and a palette file (${sourcePath}), whose every colour is used as it is; drop -k`);
  }
  // --start and --duration are the target's part, --source-start and --source-duration the
  // source's; --fps applies to whichever input is a clip, so only two stills refuse it.
  refuseTimeForStill(targetPath, targetKind, { ...inputOptions, fps: undefined });
  refuseTimeForStill(sourcePath, sourceKind, { ...sourceOptions, fps: undefined }, '--source-');
  if (sourceKind === 'still') refuseTimeForStill(targetPath, targetKind, inputOptions);
  // The output's limits (a GIF's rate) bind the target's frames; a still target has no rate.
  const targetOptions = targetKind === 'still' ? inputOptions : inputOptionsFor(output, inputOptions);
  // Neither input may be replaced, by the output, the swatch or a numbered frame (the frame writer checks each).
  const guarded = [targetPath, sourcePath];
  await checkOutputPath(output, guarded);
  if (typeof args.swatch === 'string') {
    await checkExtraOutputPath(args.swatch, '--swatch', guarded, [[output, 'main output']]);
  }
  return { sourcePath, targetPath, sourceIsPalette, targetOptions, guarded };
}

/**
 * `chromaseed transfer SOURCE TARGET -o OUT`: SOURCE's k colours (one palette over the
 * whole clip) repaint TARGET, which is clustered with seeded k-means exactly as `quantize`
 * does; each target entry is then painted with the source colour `--method` gives it.
 */
export async function transferCommand(args: Args, streams: CliStreams, signal: AbortSignal | undefined, inputs: InputSession): Promise<void> {
  const output = String(args.output);
  const method = choice(args, 'method', TRANSFER_METHODS, 'optimal');
  // `nearest` maps each pixel straight to the source colours: how the target's clusters
  // are held from frame to frame changes nothing. The pixel hold acts on its own mapping
  // instead, as it does with one palette for the clip (--seeding global).
  const nearest = method === 'nearest';
  // With nearest, the hold's levers are the mapping's, not the target clustering's.
  const clusterArgs: Args = nearest ? { ...args, pixelHold: undefined, pixelMargin: undefined } : args;
  const lever = nearest ? (args.seeding !== undefined ? '--seeding' : leverGiven(clusterArgs)) : undefined;
  if (lever !== undefined) throw new ChromaseedError('ERR_USAGE', `${lever} has no effect with --method nearest, which maps every pixel to its nearest source colour; drop it`);
  const hold = nearest ? { pixelHold: args.pixelHold as number | undefined, pixelMargin: args.pixelMargin as number | undefined } : {};
  // Checked now, not after the source's pass.
  resolveTransferHold({ method, ...hold });
  const inputOptions = inputOptionsOf(args);
  const sourceOptions = sourceInputOptionsOf(args);
  const quiet = args.quiet === true;
  const gif = outputKind(output) === 'gif'; // refuses an output we cannot write before reading anything
  const loop = loopCountOf(args, output);
  const sound = keepsSound(args, output);
  const outputName = outputNameOf(args, output, streams.stdout);
  // Checked now; k is settled once SOURCE is known (a palette file gives its own), and with
  // it whether a --restarts given to --seeding none is its default (defaultRestarts), which
  // waits for it: checked against k = 8, a palette file of 128 colours or more refused both.
  const kLater = args.colors === undefined && args.seeding === 'none';
  sequenceOptionsOf({ ...clusterArgs, colors: args.colors ?? DEFAULT_TRANSFER_COLORS, ...(kLater ? { restarts: undefined } : {}) });
  const { sourcePath, targetPath, sourceIsPalette, targetOptions, guarded } = await checkInputs(args, method, output, inputOptions, sourceOptions, inputs, signal);
  const elapsed = startStopwatch();

  // The target is opened first: its limits and its part (--start past its end) fail now, not
  // after the source's pass, which can be long. Its frames are read only later.
  const { info, kind: openedKind, warnings: targetWarnings, open } = await openReusable(targetPath, targetOptions, signal);
  // What only opening tells: a picture only ffmpeg reads (BMP), an animated PNG with no frame.
  refuseTimeForStill(targetPath, openedKind, { ...inputOptions, fps: undefined });
  const paletteFile = sourceIsPalette ? await readPaletteFile(sourcePath) : null;
  // k defaults to a palette file's own size: each of its colours gets a cluster of the target.
  const options = sequenceOptionsOf({ ...clusterArgs, colors: args.colors ?? paletteFile?.size ?? DEFAULT_TRANSFER_COLORS });
  let sourceWarnings: readonly string[] = paletteFile?.sharesLeftOut !== undefined ? [`${sourcePath}: ${paletteFile.sharesLeftOut}`] : [];
  const openSource = async () => {
    const opened = await openInput(sourcePath, sourceOptions, signal).catch((err: unknown) => {
      throw asSourcePartError(err);
    });
    refuseTimeForStill(sourcePath, opened.kind, { ...sourceOptions, fps: undefined }, '--source-');
    sourceWarnings = opened.warnings ?? [];
    // Some errors about the part come only as its frames are read (no frame in the part asked for).
    const frames = opened.frames;
    return {
      ...opened,
      frames: (async function* () {
        try {
          yield* frames;
        } catch (err) {
          throw asSourcePartError(err);
        }
      })(),
    };
  };
  // Both inputs guarded: -o 'f-%d.png' would otherwise write frame 1 over a SOURCE f-1.png.
  // Opened before the source's pass, which can be long: what the output cannot take (frames
  // too large, standard output that is an input) is said first.
  const writerOptions = { ...clipWriterOptions(info, targetPath, sound), inputPath: guarded, ...loop, stdout: streams.stdout };
  const writer = await createFrameWriter(output, writerOptions);
  let source: SourcePalette;
  let transfer: PaletteTransfer;
  try {
    source =
      paletteFile !== null
        ? paletteFromFile(paletteFile)
        : await extractSourcePalette(showingFirstPass(openSource, streams.stderr, path.basename(inputs.shownName(sourcePath)), 'counting colours', !quiet), options, sourcePath, signal, clusterInThread(signal));
    transfer = createPaletteTransfer(source, { method, map: { metric: options.metric, space: options.space, dither: options.dither }, ...hold });
  } catch (err) {
    await writer.abort();
    throw err;
  }
  // The figures are printed only with --json, so only then measured: a pass over every
  // pixel, a third of the run on chaplin.mp4 (3.38 s with it, 2.26 s without).
  const json = args.json === true;
  const meter = json ? createQualityMeter() : null;
  const progress = createProgress(streams.stderr, path.basename(inputs.shownName(targetPath)), info.frameCount, !quiet);
  let frames = 0;
  const playback = playbackClock(gif, info.gifDelays);
  // With nearest, the target's own mapping only shows where its clusters' centres go and
  // their shares: dithering it too took as long again (chaplin.mp4, Floyd–Steinberg).
  const targetClustering = nearest ? { ...options, dither: 'none' as const } : options;
  try {
    for await (const q of quantizeClip(open, targetClustering, signal, clusterInThread(signal))) {
      const out = mergeRepeatedColours(transfer.next({ source: q.source, indexed: q.indexed, inertia: q.palette.inertia, fresh: q.palette.fresh }));
      meter?.add(q.source, out);
      // `out` may hold the target frame's arrays: the writer hands them back once it has read them.
      await writer.write(out, q.release);
      playback.add(out.delayMs);
      progress.tick(++frames);
    }
    if (frames === 0) throw noFrameRead(targetPath);
  } catch (err) {
    await failedRun(err, progress, writer, signal);
  }
  const decisions = transfer.decisions();
  const shownDecision = longestDecision(decisions, frames);
  const swatchFile = typeof args.swatch === 'string' ? args.swatch : undefined;
  const picture = swatchFile !== undefined ? async () => [[swatchFile, await renderTransferSwatch(source, shownDecision, frames > 1)] as const] : null;
  const written = (await commitRun(writer, picture, targetPath, progress, signal))!;
  const seconds = elapsed();
  const plays = playsOf(gif, writerOptions.loopCount);
  const warnings = [...leftoverWarnings([output, swatchFile]), ...sourceWarnings, ...targetWarnings, ...(written.warnings ?? [])].map(inputs.shownText);

  const report = writtenReport(frames, info, written, playback, plays, seconds);
  if (json) {
    const quality = meter!.result();
    const summary = {
      source: inputs.shownName(sourcePath),
      target: inputs.shownName(targetPath),
      output,
      swatch: swatchFile ?? null,
      k: options.colors,
      method,
      palette: describeSource(source),
      mapping: describeMapping(source, shownDecision),
      decisions: decisions.map((d) => d.frame),
      ...report.fields,
      flicker_static: quality.flicker_static === null ? null : round(quality.flicker_static, 4),
      flip_static: quality.flip_static === null ? null : round(quality.flip_static, 5),
      psnr: quality.psnr === null ? null : round(quality.psnr, 3),
      warnings,
    };
    await printOut(streams.stdout, JSON.stringify(summary) + '\n');
  } else if (!quiet) {
    // `nearest` maps pixels, not clusters: it has no matching to re-decide. Seeded, a new
    // decision follows a scene cut, a palette clustered afresh (a GIF of fewer colours than
    // k) or one drifted far (a fade); without seeding every frame is clustered afresh.
    const redone = decisions.length - 1;
    const why = options.seeding === 'seeded' ? `on ${countOf(redone, 'later frame')} (scene cuts, palettes clustered afresh or drifted far)` : `on ${countOf(redone, 'frame')} (--seeding ${options.seeding} clusters each frame afresh)`;
    const cuts = method !== 'nearest' && redone > 0 ? `, mapping re-decided ${why}` : '';
    streams.stderr.write(`${oneLine(outputName)}: ${report.line}, ${countOf(source.size, 'source colour')}, method ${method}${cuts} (made in ${seconds.toFixed(2)} s)\n`);
  }
  if (!quiet) reportWarnings(streams, warnings);
}

function describeSource(source: SourcePalette): { hex: string; rgb: number[]; proportion: number }[] {
  const out = [];
  for (let j = 0; j < source.size; j++) {
    const rgb = [source.rgb[j * 3], source.rgb[j * 3 + 1], source.rgb[j * 3 + 2]];
    out.push({ hex: toHex(rgb[0], rgb[1], rgb[2]), rgb, proportion: source.proportions[j] });
  }
  return out;
}

/** The first decision, one row per target entry in entry order. */
function describeMapping(source: SourcePalette, decision: TransferDecision): { entry: number; hex: string; proportion: number; source: number; sourceHex: string }[] {
  const { target, mapping } = decision;
  const rows = [];
  for (let e = 0; e < target.size; e++) {
    const j = mapping[e];
    rows.push({
      entry: e,
      hex: toHex(target.rgb[e * 3], target.rgb[e * 3 + 1], target.rgb[e * 3 + 2]),
      proportion: target.proportions[e],
      source: j,
      sourceHex: toHex(source.rgb[j * 3], source.rgb[j * 3 + 1], source.rgb[j * 3 + 2]),
    });
  }
  return rows;
}

/**
 * What the swatch and --json show: the decision in effect for the most frames (the first of
 * those), among those made on a frame with colours (a clip that fades in starts with a clear
 * frame). The first such decision was shown before: a film opening on black showed its black
 * frame's one colour, mapped to one source colour, where 20 decisions followed.
 */
function longestDecision(decisions: readonly TransferDecision[], frames: number): TransferDecision {
  let shown = decisions[0];
  let longest = -1;
  decisions.forEach((d, i) => {
    const lasts = (decisions[i + 1]?.frame ?? frames) - d.frame;
    if (d.target.size > 0 && lasts > longest) {
      shown = d;
      longest = lasts;
    }
  });
  return shown;
}
