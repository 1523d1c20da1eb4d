import path from 'node:path';
import { noFrameRead } from '../errors.js';
import { clipWriterOptions, createFrameWriter, inputOptionsFor, outputKind } from '../io/frame-writer.js';
import { clusterInThread } from '../io/kmeans-thread.js';
import { openReusable, refuseTimeForStill } from '../io/open-input.js';
import type { InputSession } from '../io/spool-input.js';
import { inputOptionsOf, keepsSound, loopCountOf, outputNameOf, sequenceOptionsOf } from './pick-options.js';
import { quantizeClip } from '../pipeline/quantize-clip.js';
import { indexedColors } from '../metrics/quality.js';
import type { Args, CliStreams } from './main.js';
import { createProgress, showingFirstPass } from './progress.js';
import { commitRun, failedRun, leftoverWarnings, readableInput } from './run-output.js';
import { oneLine, playbackClock, playsOf, printOut, reportWarnings, round, timelineLine, writtenReport } from './report.js';
import { MODE_LABELS } from './mode-labels.js';
import { startStopwatch } from './stopwatch.js';

export async function quantizeCommand(args: Args, streams: CliStreams, signal: AbortSignal | undefined, inputs: InputSession): Promise<void> {
  const given = String(args.input);
  const output = String(args.output);
  // Refuses an output we cannot write before reading anything.
  const inputOptions = inputOptionsFor(output, inputOptionsOf(args));
  const options = sequenceOptionsOf(args);
  const loop = loopCountOf(args, output);
  const sound = keepsSound(args, output);
  const outputName = outputNameOf(args, output, streams.stdout);
  const quiet = args.quiet === true;
  const timelineFile = typeof args.timeline === 'string' ? args.timeline : undefined;
  const input = await readableInput(inputs, given, output, [[timelineFile, '--timeline']], signal);
  const elapsed = startStopwatch();

  const { info, kind, warnings, open } = await openReusable(input, inputOptions, signal);
  refuseTimeForStill(input, kind, inputOptions);
  const writerOptions = { ...clipWriterOptions(info, input, sound), ...loop, stdout: streams.stdout };
  const writer = await createFrameWriter(output, writerOptions);
  const name = path.basename(inputs.shownName(input));
  const progress = createProgress(streams.stderr, name, info.frameCount, !quiet);
  // The first pass counts the frames of a clip that states no length to count them from (some WebM files): a bar for the second.
  const read = options.seeding === 'global' ? showingFirstPass(open, streams.stderr, name, 'counting colours', !quiet, progress.setTotal) : open;
  const perFrame: { inertia: number; iterations: number; colors: number }[] = [];
  const timeline: Uint8Array[] = [];
  // The summary's inertia is METRICS.md's, of the colours written: the k-means objective
  // of the run is in its own metric and space, and of unrounded, unheld centroids.
  const json = args.json === true;
  const playback = playbackClock(outputKind(output) === 'gif', info.gifDelays);
  try {
    for await (const frame of quantizeClip(read, options, signal, clusterInThread(signal))) {
      perFrame.push({ inertia: json ? frame.inertia() : 0, iterations: frame.palette.iterations, colors: json ? indexedColors(frame.indexed) : 0 });
      const { delayMs } = frame.indexed;
      // The writer hands the frame's arrays back for a later frame once it has read them.
      await writer.write(frame.indexed, frame.release);
      playback.add(delayMs);
      if (timelineFile !== undefined) timeline.push(frame.palette.palette);
      progress.tick(frame.index + 1);
    }
    if (perFrame.length === 0) throw noFrameRead(input);
  } catch (err) {
    await failedRun(err, progress, writer, signal);
  }
  const picture = timelineFile !== undefined ? async () => [[timelineFile, await (await import('./timeline.js')).renderTimelines([{ label: MODE_LABELS[options.seeding], rows: timeline }], options.colors)] as const] : null;
  const written = (await commitRun(writer, picture, input, progress, signal))!;
  const seconds = elapsed();
  const plays = playsOf(outputKind(output) === 'gif', writerOptions.loopCount);
  const allWarnings = [...leftoverWarnings([output, timelineFile]), ...warnings, ...(written.warnings ?? [])].map(inputs.shownText);

  const report = writtenReport(perFrame.length, info, written, playback, plays, seconds);
  if (json) {
    const summary = {
      input: inputs.shownName(input),
      output,
      timeline: timelineFile ?? null,
      ...report.fields,
      seeding: options.seeding,
      k: options.colors,
      perFrame: perFrame.map((f) => ({ inertia: round(f.inertia, 1), iterations: f.iterations, colors: f.colors })),
      warnings: allWarnings,
    };
    await printOut(streams.stdout, JSON.stringify(summary) + '\n');
  } else if (!quiet) {
    streams.stderr.write(`${oneLine(outputName)}: ${report.line} (made in ${seconds.toFixed(2)} s)\n`);
    // As compare names its timeline: a second file written should be seen written.
    if (timelineFile !== undefined) streams.stderr.write(timelineLine(timelineFile, [MODE_LABELS[options.seeding]]));
  }
  if (!quiet) reportWarnings(streams, allWarnings);
}
