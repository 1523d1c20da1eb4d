// Seeded chromaseed at k = 16 on the animation benchmark's clips, with the steadiness options
// you give, held against the k = 16 targets' bars as the last run in bench/RESULTS.md set
// them: PSNR 0.5 dB over ffmpeg per-frame, flicker at most 1.25 times ffmpeg's one palette
// and 0.2 times unseeded. No timing and no peers run: what a lever does to every clip, in
// well under a minute, where the whole benchmark takes twenty, so a lever can be tried at
// several settings before the benchmark is run on the one kept.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createQualityMeter, openReusable, quantizeClip, resolveInputOptions, resolveSequenceOptions } from '../dist/index.js';
import { animationClips } from './clips.js';
import { ROOT, checkArgs, onlyPattern, refuse, table, tempDir } from './lib.js';

const RESULTS = path.join(ROOT, 'bench/RESULTS.md');

/**
 * Per clip (its file name), the bars of the k = 16 targets, from the first "Animation quality
 * and speed, k = 16" table of RESULTS.md's `text`: its figures as printed, so rounded (a clip
 * within rounding of a bar may be judged otherwise than the benchmark judged it). A bar is
 * null where the table has no figure for it (a still has no flicker).
 */
export function barsFromResults(text) {
  const start = text.indexOf('### Animation quality and speed, k = 16');
  const figures = new Map();
  if (start < 0) return figures;
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const [clip, , tool, psnr, flicker] = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (flicker === undefined || tool === 'tool' || clip.startsWith('-')) continue;
    if (!figures.has(clip)) figures.set(clip, new Map());
    figures.get(clip).set(tool, { psnr: Number(psnr), flicker: flicker === '-' ? null : Number(flicker) });
  }
  const bars = new Map();
  for (const [clip, tools] of figures) {
    const figure = (tool, name) => tools.get(tool)?.[name] ?? null;
    const times = (value, factor) => (value === null ? null : factor * value);
    const perFrame = figure('ffmpeg per-frame', 'psnr');
    bars.set(clip, { psnr: perFrame === null ? null : perFrame + 0.5, onePalette: times(figure('ffmpeg global', 'flicker'), 1.25), unseeded: times(figure('chromaseed none', 'flicker'), 0.2) });
  }
  return bars;
}

/** Runs the sweep and prints its table and how many clips meet each bar; `sequence` is resolveSequenceOptions' answer, at k = 16. */
export async function leverSweep({ only = null, sequence = resolveSequenceOptions({ colors: 16 }) } = {}) {
  const bars = barsFromResults(readFileSync(RESULTS, 'utf8'));
  const wanted = (file) => only === null || only.test(path.basename(file));
  const inputs = await animationClips(tempDir('sweep'), wanted);
  if (inputs.length === 0) refuse(`no clip matches --only ${only.source}`);
  const rows = [['clip', 'psnr dB', 'bar', 'flicker_static', 'bar: one palette', 'bar: unseeded', 'misses']];
  const tally = { psnr: [0, 0], onePalette: [0, 0], unseeded: [0, 0] };
  const shown = (value, digits) => (value === null ? '-' : value.toFixed(digits));
  for (const input of inputs) {
    const { open } = await openReusable(input, resolveInputOptions({}));
    const meter = createQualityMeter();
    for await (const frame of quantizeClip(open, sequence)) {
      meter.add(frame.source, frame.indexed);
      frame.release?.();
    }
    const { psnr, flicker_static: flicker } = meter.result();
    const bar = bars.get(path.basename(input)) ?? { psnr: null, onePalette: null, unseeded: null };
    const misses = [];
    for (const [name, value, limit, met] of [
      ['psnr', psnr, bar.psnr, (v, l) => v >= l],
      ['onePalette', flicker, bar.onePalette, (v, l) => v <= l],
      ['unseeded', flicker, bar.unseeded, (v, l) => v <= l],
    ]) {
      if (value === null || limit === null) continue;
      tally[name][1]++;
      if (met(value, limit)) tally[name][0]++;
      else misses.push(name);
    }
    rows.push([path.basename(input), shown(psnr, 3), shown(bar.psnr, 2), shown(flicker, 4), shown(bar.onePalette, 4), shown(bar.unseeded, 4), misses.join(', ')]);
  }
  console.log(table(rows));
  const count = ([met, of]) => `${met} of ${of}`;
  console.log(`\nPSNR bar met on ${count(tally.psnr)}; flicker within 1.25x ffmpeg's one palette on ${count(tally.onePalette)}, within 0.2x unseeded on ${count(tally.unseeded)} (bars from ${path.relative(ROOT, RESULTS)}'s k = 16 table)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = checkArgs(
    'node bench/lever-sweep.js [--only REGEX] [--options JSON]: seeded k = 16 on the animation benchmark\'s clips against the bars of its last run in bench/RESULTS.md, with the library\'s sequence options given as JSON, e.g. --options \'{"jumpHold": 2}\' (--only: the clips whose file name matches REGEX)',
    ['--only VALUE', '--options VALUE'],
  );
  const only = onlyPattern(args);
  let options = {};
  try {
    options = args.value('--options') === undefined ? {} : JSON.parse(args.value('--options'));
  } catch (err) {
    refuse(`--options ${JSON.stringify(args.value('--options'))} is not JSON (${err.message})`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) refuse('--options needs a JSON object, e.g. \'{"jumpHold": 2}\'');
  let sequence;
  try {
    sequence = resolveSequenceOptions({ ...options, colors: 16 });
  } catch (err) {
    refuse(`--options: ${err.message}`);
  }
  await leverSweep({ only, sequence });
}
