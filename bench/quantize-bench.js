// The animation benchmark: chromaseed quantize (seeded, unseeded, global) against ffmpeg's
// per-frame and whole-clip palettes, and on GIF inputs against gifsicle and ImageMagick, on
// the real clips of the corpus and on 320x240 test clips, at k = 16 without dithering (`--k N`: another k, with no targets). Figures are those of
// ../shared/METRICS.md, measured on the composited frames of each output GIF against the
// composited source frames. Each output's size is reported too, beside the source's (no
// target: issue 3 asks for small output, and GIF makers compare sizes).
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeGif } from '../dist/decode/gif-decode.js';
import { openInput } from '../dist/io/open-input.js';
import { createQualityMeter } from '../dist/metrics/quality.js';
import { writeQuantizeChart } from './chart.js';
import { animationClips } from './clips.js';
import { bestIfShort, bestOfPair, checkArgs, extraCaCertsNote, findPeer, median, onlyPattern, refuse, table, tempDir, timeCli, timeCommand } from './lib.js';

/** The k of the issues' targets; `--k N` measures another one (what GIF makers often use: 256). */
const TARGET_K = 16;
let K = TARGET_K;
const INPUT_OPTIONS = { maxPixels: 1e8, maxFrames: 1e5 };

/**
 * METRICS.md figures of an output GIF against its source, streaming both, and whether its
 * timing is the source's: `startErrorMs`, the most any frame's start (or the clip's end)
 * lies from the source's, and the loop counts of both; and the output's size in bytes.
 */
async function measure(sourcePath, outputGif) {
  const meter = createQualityMeter();
  const opened = await openInput(sourcePath, INPUT_OPTIONS);
  const source = opened.frames[Symbol.asyncIterator]();
  const decoded = decodeGif(new Uint8Array(readFileSync(outputGif)), path.basename(outputGif));
  const output = decoded.frames();
  let sourceFrames = 0;
  let outputFrames = 0;
  let sourceStart = 0;
  let outputStart = 0;
  let startErrorMs = 0;
  for (let o = output.next(); !o.done; o = output.next()) {
    outputFrames++;
    const s = await source.next();
    if (s.done) continue;
    sourceFrames++;
    meter.add(s.value, o.value);
    startErrorMs = Math.max(startErrorMs, Math.abs(outputStart - sourceStart));
    sourceStart += s.value.delayMs;
    outputStart += o.value.delayMs;
  }
  while (!(await source.next()).done) sourceFrames++;
  startErrorMs = Math.max(startErrorMs, Math.abs(outputStart - sourceStart));
  const r = meter.result();
  return { ...r, sourceFrames, outputFrames, startErrorMs, sourceLoops: opened.info.loopCount, outputLoops: decoded.info.loopCount, bytes: statSync(outputGif).size };
}

/**
 * Issue 3's "timing kept": a GIF's delays to the centisecond and its loop count exactly; a
 * video's frames each starting within half a centisecond of the source's (the GIF writer
 * rounds each start to the nearest centisecond), looping forever.
 */
function timingKept(input, r) {
  return isGif(input) ? r.startErrorMs === 0 && r.outputLoops === r.sourceLoops : r.startErrorMs <= 5 && r.outputLoops === 0;
}

/** ffmpeg reserves one entry for transparency: ask for k + 1 (at most its 256, so 255 colours at k = 256). */
const ffmpegColors = () => Math.min(K + 1, 256);

function ffmpegPerFrame(ffmpeg, input, out) {
  return ['-v', 'error', '-y', '-i', input, '-lavfi', `split[a][b];[a]palettegen=max_colors=${ffmpegColors()}:stats_mode=single[p];[b][p]paletteuse=new=1:dither=none`, out];
}
function ffmpegGlobal(ffmpeg, input, out) {
  return ['-v', 'error', '-y', '-i', input, '-lavfi', `split[a][b];[a]palettegen=max_colors=${ffmpegColors()}[p];[b][p]paletteuse=dither=none`, out];
}
/** METRICS.md's gifsicle and ImageMagick commands, exactly; both take a GIF. */
function gifsicleArgs(gifsicle, input, out) {
  return ['--colors', String(K), '--color-method', 'blend-diversity', input, '-o', out];
}
function imageMagickArgs(convert, input, out) {
  return [input, '-coalesce', '+dither', '-colors', String(K), out];
}
const isGif = (f) => /\.gif$/i.test(f);

/** The tools whose output sizes are tabled, seeded chromaseed first: the one the others are held against. */
const SIZE_TOOLS = ['chromaseed seeded', 'ffmpeg per-frame', 'ffmpeg global', 'gifsicle', 'ImageMagick'];
const kib = (bytes) => (bytes / 1024).toFixed(1);

/** One line: seeded chromaseed's output size over `tool`'s, median and range over the clips both wrote. */
export function sizeSummary(verdicts, tool) {
  const ratios = verdicts.filter((v) => v.bytes[tool] !== undefined).map((v) => v.bytes['chromaseed seeded'] / v.bytes[tool]);
  if (ratios.length === 0) return null;
  ratios.sort((a, b) => a - b);
  const smaller = ratios.filter((r) => r < 1).length;
  return `chromaseed seeded's size over ${tool}'s, ${ratios.length} clip${ratios.length > 1 ? 's' : ''}: ${median(ratios).toFixed(2)} median (${ratios[0].toFixed(2)} to ${ratios.at(-1).toFixed(2)}); smaller on ${smaller}`;
}

export async function quantizeBench({ quick = false, only = null, chart = path.join(os.tmpdir(), `chromaseed-quantize-bench-k${K}.png`) } = {}) {
  const dir = tempDir('quantize');
  const wanted = (f) => (!quick || /muybridge\.gif|chi\.gif|cars\.gif|realshort|320x240/.test(f)) && (only === null || only.test(path.basename(f)));
  const inputs = await animationClips(dir, wanted);
  if (inputs.length === 0) refuse(`no clip${quick ? ' of --quick' : ''} matches --only ${only.source}`);
  const ffmpeg = findPeer('ffmpeg');
  if (!ffmpeg) console.log('ffmpeg not found (apt-get install ffmpeg): ffmpeg rows skipped');
  const certs = extraCaCertsNote();
  if (certs) console.log(certs);
  // The GIF-only peers. Their outputs are decoded like ffmpeg's, composited frame by frame
  // (gifsicle keeps the source's sub-rectangles, disposal and transparency).
  const gifPeers = [];
  for (const [label, command, args, pkg, says] of [
    ['gifsicle', 'gifsicle', gifsicleArgs, 'gifsicle', null],
    ['ImageMagick', 'convert', imageMagickArgs, 'imagemagick', /ImageMagick/],
  ]) {
    const bin = findPeer(command, undefined, says);
    if (bin) gifPeers.push([label, bin, args]);
    else console.log(`${command}${says ? ` (${label}'s)` : ''} not found (apt-get install ${pkg}): ${label} rows skipped`);
  }
  if (gifPeers.length && inputs.some((f) => !isGif(f))) {
    console.log(`${gifPeers.map(([label]) => label).join(' and ')}: GIF inputs only (METRICS.md's commands read IN.gif); no rows for the videos and 320x240 clips`);
  }

  const rows = [['clip', 'frames', 'tool', 'psnr dB', 'flicker_static', 'flip_static', 'excess_change', 'colors', 'KiB', 'seconds']];
  const verdicts = [];
  for (const input of inputs) {
    const name = path.basename(input);
    const results = {};
    const cli = (seeding) => {
      const out = path.join(dir, `${name}.${seeding}.gif`);
      return { out, run: () => timeCli(['quantize', input, '-k', String(K), '--seeding', seeding, '-o', out, '--quiet']) };
    };
    const peer = (label, args, bin = ffmpeg) => {
      const out = path.join(dir, `${name}.${label.replace(/\W+/g, '-')}.gif`);
      return { out, run: () => timeCommand(bin, args(bin, input, out)) };
    };
    // The speed target compares seeded chromaseed with ffmpeg's per-frame command: those two
    // are timed alternately, the other modes on their own.
    const seededMode = cli('seeded');
    let perFrameRun = null;
    if (ffmpeg) {
      const perFrame = peer('ffmpeg per-frame', ffmpegPerFrame);
      const [s, p] = bestOfPair(seededMode.run, perFrame.run);
      results['chromaseed seeded'] = { ...(await measure(input, seededMode.out)), seconds: s.seconds };
      perFrameRun = { ...(await measure(input, perFrame.out)), seconds: p.seconds };
    } else {
      const run = bestIfShort(seededMode.run);
      results['chromaseed seeded'] = { ...(await measure(input, seededMode.out)), seconds: run.seconds };
    }
    for (const seeding of ['none', 'global']) {
      const mode = cli(seeding);
      const run = bestIfShort(mode.run);
      results[`chromaseed ${seeding}`] = { ...(await measure(input, mode.out)), seconds: run.seconds };
    }
    if (ffmpeg) {
      results['ffmpeg per-frame'] = perFrameRun;
      const global = peer('ffmpeg global', ffmpegGlobal);
      const run = bestIfShort(global.run);
      results['ffmpeg global'] = { ...(await measure(input, global.out)), seconds: run.seconds };
    }
    // Timed as ffmpeg's one-palette command is: best of 3 under 5 s, of 5 under a second.
    if (isGif(input)) {
      for (const [label, bin, args] of gifPeers) {
        const p = peer(label, args, bin);
        // A peer that fails on a clip is said and left out of that clip's rows: Debian's
        // ImageMagick policy (256 MiB of pixel cache) stops it on move-resize.gif's 355
        // frames, and that ended the whole benchmark.
        // (Only the peer's run: a failure to measure its output is the benchmark's own bug.)
        let run;
        try {
          run = bestIfShort(p.run);
        } catch (err) {
          const lines = err.message.split('\n').filter((line) => line.trim() !== '');
          console.log(`${label} failed on ${name}: ${lines.at(-1).replace(/^\S+: /, '')}`);
          continue;
        }
        results[label] = { ...(await measure(input, p.out)), seconds: run.seconds };
      }
    }
    for (const [tool, r] of Object.entries(results)) {
      const fmt = (x, d) => (x === null || x === undefined ? '-' : x.toFixed(d));
      const frames = r.outputFrames === r.sourceFrames ? String(r.sourceFrames) : `${r.outputFrames}/${r.sourceFrames}`;
      rows.push([name, frames, tool, fmt(r.psnr, 2), fmt(r.flicker_static, 3), fmt(r.flip_static, 4), fmt(r.excess_change, 3), r.colors, kib(r.bytes), r.seconds.toFixed(2)]);
    }
    const seeded = results['chromaseed seeded'];
    const v = { clip: name, sourceBytes: statSync(input).size, bytes: Object.fromEntries(Object.entries(results).map(([tool, r]) => [tool, r.bytes])), colorsOk: seeded.colors <= K, framesOk: seeded.outputFrames === seeded.sourceFrames, timingOk: timingKept(input, seeded) };
    if (ffmpeg) {
      const perFrame = results['ffmpeg per-frame'];
      const global = results['ffmpeg global'];
      const none = results['chromaseed none'];
      v.psnrGain = seeded.psnr - perFrame.psnr;
      v.speedup = perFrame.seconds / seeded.seconds;
      v.flickerVsGlobal = global.flicker_static ? seeded.flicker_static / global.flicker_static : seeded.flicker_static === 0 ? 0 : Infinity;
      v.flickerVsNone = none.flicker_static ? seeded.flicker_static / none.flicker_static : seeded.flicker_static === 0 ? 0 : Infinity;
      if (seeded.flicker_static === null) v.flickerVsGlobal = v.flickerVsNone = null;
      v.flicker = { seeded: seeded.flicker_static, none: none.flicker_static, global: global.flicker_static };
    }
    for (const [label] of gifPeers) {
      const r = results[label];
      if (r) v[label] = { psnrGain: seeded.psnr - r.psnr, speedup: r.seconds / seeded.seconds, colorsOk: r.colors <= K };
    }
    verdicts.push(v);
    console.error(`  measured ${name}`);
  }
  console.log(`\n### Animation quality and speed, k = ${K}, no dithering\n`);
  console.log(table(rows));
  if (ffmpeg) {
    const vr = [['clip', 'PSNR gain vs ffmpeg per-frame (≥ 0.5 dB)', 'speed-up vs ffmpeg per-frame (≥ 1)', 'flicker vs ffmpeg global (≤ 1.25)', 'flicker vs unseeded (≤ 0.2)', '≤ k colours', 'frames kept', 'timing kept']];
    const f = (x, d, ok) => (x === null ? 'n/a' : `${x.toFixed(d)} ${ok ? 'ok' : 'MISS'}`);
    for (const v of verdicts) {
      vr.push([v.clip, f(v.psnrGain, 2, v.psnrGain >= 0.5), f(v.speedup, 2, v.speedup >= 1), f(v.flickerVsGlobal, 2, v.flickerVsGlobal <= 1.25), f(v.flickerVsNone, 3, v.flickerVsNone <= 0.2), v.colorsOk ? 'ok' : 'MISS', v.framesOk ? 'ok' : 'MISS', v.timingOk ? 'ok' : 'MISS']);
    }
    console.log(K === TARGET_K ? `\n### Targets (issues 3 and 4)\n` : `\n### Against the k = ${TARGET_K} targets, at k = ${K} (for comparison only)\n`);
    console.log(table(vr));
    try {
      await writeQuantizeChart(verdicts, K, chart);
      console.log(`\nThe figures as a picture: ${chart}`);
    } catch (err) {
      console.log(`\nThe picture of the figures could not be written to ${chart}: ${err.message}`);
    }
  }
  // Not targets (those are against ffmpeg): how seeded chromaseed stands beside the GIF-only peers.
  const sign = (x) => (x >= 0 ? '+' : '') + x.toFixed(2);
  const lines = [];
  for (const [label] of gifPeers) {
    const vs = verdicts.filter((v) => v[label]);
    if (!vs.length) continue;
    const gains = vs.map((v) => v[label].psnrGain).sort((a, b) => a - b);
    const speedups = vs.map((v) => v[label].speedup).sort((a, b) => a - b);
    const over = vs.filter((v) => !v[label].colorsOk).map((v) => v.clip);
    lines.push(
      `chromaseed seeded vs ${label}, ${vs.length} GIF clip${vs.length > 1 ? 's' : ''}: PSNR ${sign(median(gains))} dB median (${sign(gains[0])} to ${sign(gains.at(-1))}), ` +
        `speed-up ${median(speedups).toFixed(2)}× median (${speedups[0].toFixed(2)}× to ${speedups.at(-1).toFixed(2)}×); ${label} at most k colours: ${over.length ? `MISS on ${over.join(', ')}` : 'on every clip'}`,
    );
  }
  if (lines.length) console.log(`\n### Beside gifsicle and ImageMagick (GIF inputs; no targets)\n\n${lines.join('\n')}`);
  console.log(`\n### Output size, KiB (no target)\n`);
  // Output sizes in KiB, a row per clip: the source's, then each tool's.
  const sizeRows = verdicts.map((v) => [v.clip, kib(v.sourceBytes), ...SIZE_TOOLS.map((tool) => (v.bytes[tool] === undefined ? '-' : kib(v.bytes[tool])))]);
  console.log(table([['clip', 'source', ...SIZE_TOOLS], ...sizeRows]));
  const sizeLines = SIZE_TOOLS.slice(1).map((tool) => sizeSummary(verdicts, tool)).filter((line) => line !== null);
  if (sizeLines.length) console.log(`\n${sizeLines.join('\n')}`);
  return verdicts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = checkArgs('node bench/quantize-bench.js [--quick] [--only REGEX] [--k N] [--chart FILE.png]: quality, flicker, speed and output size against ffmpeg, and on GIFs against gifsicle and ImageMagick (--quick: a few clips; --only: the clips whose file name matches REGEX; --k: colours, 16 by default; --chart: where the figures are drawn, by default chromaseed-quantize-bench-kN.png in the system\'s temporary directory)', ['--quick', '--only VALUE', '--k VALUE', '--chart VALUE']);
  const k = options.value('--k');
  if (k !== undefined) {
    K = /^\d+$/.test(k) ? Number(k) : NaN;
    if (!(K >= 2 && K <= 256)) refuse('--k needs a whole number from 2 to 256');
  }
  // --only REGEX: just the clips whose file name matches.
  const only = onlyPattern(options);
  // Checked now, not after a run of 20 minutes.
  const chart = options.value('--chart');
  if (chart !== undefined && !(/\.png$/i.test(chart) && existsSync(path.dirname(path.resolve(chart))))) refuse(`--chart ${JSON.stringify(chart)}: give a .png file in a directory that exists`);
  await quantizeBench({ quick: options.has('--quick'), only, chart });
}
