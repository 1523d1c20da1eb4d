// The animation benchmark's figures as a picture: one row per clip, three panels, each with
// its target drawn in, so that where seeded k-means stands (and where it misses) is seen at
// a glance rather than read off 30 rows of numbers.
//   1. flicker_static on a log scale: unseeded, ffmpeg's one palette and seeded, with the
//      two bars (1.25 × ffmpeg's one palette, 0.2 × unseeded) as ticks: seeded meets a bar
//      where its dot lies left of the tick;
//   2. PSNR gain over ffmpeg's per-frame palettes, with the +0.5 dB bar;
//   3. speed-up over ffmpeg's per-frame command (log scale), with the 1× bar.
import sharp from 'sharp';
import { escapeXml } from '../dist/render/text.js';

const LABEL_W = 250;
const ROW_H = 20;
const HEAD_H = 92;
const FOOT_H = 34;
const GAP = 24;
const FLICKER = { w: 430, min: 0.001, max: 20 };
const GAIN = { w: 250, min: -0.5, max: 3.5 };
const SPEED = { w: 230, min: 0.5, max: 4 };
const COLOURS = { seeded: '#1565c0', unseeded: '#c62828', global: '#616161', ok: '#2e7d32', miss: '#ef6c00', grid: '#e0e0e0', bar: '#212121' };

const logX = (axis, v) => (Math.log10(Math.min(Math.max(v, axis.min), axis.max)) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min)) * axis.w;
const linX = (axis, v) => ((Math.min(Math.max(v, axis.min), axis.max) - axis.min) / (axis.max - axis.min)) * axis.w;
const n = (x) => x.toFixed(1);

/**
 * An SVG of `rows`, the benchmark's verdicts: each { clip, psnrGain, speedup, flicker: {
 * seeded, none, global } } (the flickers null for a one-frame clip), at colour count `k`.
 * A value past an axis' end is drawn at that end: a flicker below 0.001 (0 included) at
 * the left, where the axis says "≤0.001", one above 20 at the right, marked "›"; a bar's
 * value is written beside it all the same.
 */
export function quantizeChartSvg(rows, k) {
  const x1 = LABEL_W;
  const x2 = x1 + FLICKER.w + GAP;
  const x3 = x2 + GAIN.w + GAP;
  const width = x3 + SPEED.w + 56; // room for a value past the axis' end
  const height = HEAD_H + rows.length * ROW_H + FOOT_H;
  const out = [];
  const text = (x, y, s, attrs = '') => out.push(`<text x="${n(x)}" y="${n(y)}" ${attrs}>${escapeXml(s)}</text>`);
  const line = (xa, ya, xb, yb, colour, extra = '') => out.push(`<line x1="${n(xa)}" y1="${n(ya)}" x2="${n(xb)}" y2="${n(yb)}" stroke="${colour}" ${extra}/>`);
  /** A bar from `from` to `to` on row `y`, green where it meets its target, its value written past its end (inside it, when the end is the axis' own). */
  const bar = (from, to, y, ok, label, clamped) => {
    out.push(`<rect x="${n(Math.min(from, to))}" y="${n(y - 6)}" width="${n(Math.max(1, Math.abs(to - from)))}" height="12" fill="${ok ? COLOURS.ok : COLOURS.miss}"/>`);
    if (clamped) text(to - 4, y + 4, label, 'font-size="11" fill="#fff" text-anchor="end"');
    else text(Math.max(from, to) + 4, y + 4, label, 'font-size="11"');
  };
  const top = HEAD_H;
  const bottom = HEAD_H + rows.length * ROW_H;

  text(8, 20, `chromaseed quantize -k ${k} (seeded) against ffmpeg, one row per clip`, 'font-size="15" font-weight="bold"');
  text(x1, 44, 'flicker_static (log scale; lower is steadier)', 'font-weight="bold"');
  text(x2, 44, 'PSNR gain over ffmpeg per-frame, dB', 'font-weight="bold"');
  text(x3, 44, 'speed-up over ffmpeg per-frame', 'font-weight="bold"');
  // Legend of the flicker panel: the markers, then the bars' ticks.
  const legend = [
    [['seeded', COLOURS.seeded, 'dot'], ['unseeded', COLOURS.unseeded, 'cross'], ["ffmpeg's one palette", COLOURS.global, 'diamond']],
    [['bar: 1.25 × one palette', COLOURS.bar, 'tick'], ['bar: 0.2 × unseeded', COLOURS.unseeded, 'tick']],
  ];
  legend.forEach((entries, row) => {
    let lx = x1;
    for (const [label, colour, shape] of entries) {
      marker(out, shape, lx + 5, 62 + row * 16, colour);
      text(lx + 14, 66 + row * 16, label, 'font-size="11"');
      lx += 14 + label.length * 6 + 16;
    }
  });
  text(x2, 66, 'bar: +0.5 dB', 'font-size="11"');
  text(x3, 66, 'bar: 1×', 'font-size="11"');

  // Grid lines and axes.
  for (const v of [0.001, 0.01, 0.1, 1, 10]) {
    const x = x1 + logX(FLICKER, v);
    line(x, top, x, bottom, COLOURS.grid);
    text(x, bottom + 16, v === 0.001 ? '≤0.001' : String(v), 'font-size="11" text-anchor="middle"');
  }
  for (const v of [-0.5, 0, 0.5, 1, 2, 3]) {
    // (The bar's line is named in the panel's heading: its label would crowd 0's.)
    const x = x2 + linX(GAIN, v);
    line(x, top, x, bottom, v === 0.5 ? COLOURS.bar : COLOURS.grid, v === 0.5 ? 'stroke-dasharray="4 3"' : '');
    if (v !== 0.5) text(x, bottom + 16, (v > 0 ? '+' : '') + v, 'font-size="11" text-anchor="middle"');
  }
  for (const v of [0.5, 1, 2, 4]) {
    const x = x3 + logX(SPEED, v);
    line(x, top, x, bottom, v === 1 ? COLOURS.bar : COLOURS.grid, v === 1 ? 'stroke-dasharray="4 3"' : '');
    text(x, bottom + 16, `${v}×`, 'font-size="11" text-anchor="middle"');
  }

  rows.forEach((r, i) => {
    const y = top + i * ROW_H + ROW_H / 2;
    if (i % 2 === 1) out.push(`<rect x="0" y="${n(y - ROW_H / 2)}" width="${width}" height="${ROW_H}" fill="#000" fill-opacity="0.035"/>`);
    text(x1 - 8, y + 4, r.clip, 'font-size="12" text-anchor="end"');
    // Flicker: the range from seeded to unseeded as a thin line, then the markers.
    const { seeded, none, global } = r.flicker;
    if (seeded === null) text(x1 + 4, y + 4, 'one frame: no flicker to measure', 'font-size="11" fill="#757575"');
    else {
      const at = (v) => x1 + logX(FLICKER, v);
      line(at(seeded), y, at(none), y, '#bdbdbd', 'stroke-width="2"');
      marker(out, 'tick', at(1.25 * global), y, COLOURS.bar);
      marker(out, 'tick', at(0.2 * none), y, COLOURS.unseeded);
      marker(out, 'diamond', at(global), y, COLOURS.global);
      marker(out, 'cross', at(none), y, COLOURS.unseeded);
      marker(out, 'dot', at(seeded), y, COLOURS.seeded);
      if (Math.max(seeded, none, global) > FLICKER.max) text(x1 + FLICKER.w + 6, y + 4, '›', 'font-size="13" font-weight="bold"');
    }
    // PSNR gain, a bar from 0; past the axis' end (a 100 dB copy at k = 256) its value is
    // written inside it, clear of the next panel. Speed-up, a bar from 1×.
    bar(x2 + linX(GAIN, 0), x2 + linX(GAIN, r.psnrGain), y, r.psnrGain >= 0.5, `${r.psnrGain >= 0 ? '+' : ''}${r.psnrGain.toFixed(2)}`, r.psnrGain > GAIN.max);
    bar(x3 + logX(SPEED, 1), x3 + logX(SPEED, r.speedup), y, r.speedup >= 1, `${r.speedup.toFixed(2)}×`, false);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Verdana, sans-serif"><rect width="100%" height="100%" fill="#fff"/>${out.join('')}</svg>`;
}

function marker(out, shape, x, y, colour) {
  if (shape === 'dot') out.push(`<circle cx="${n(x)}" cy="${n(y)}" r="5" fill="${colour}"/>`);
  else if (shape === 'cross') out.push(`<path d="M${n(x - 4)} ${n(y - 4)}L${n(x + 4)} ${n(y + 4)}M${n(x - 4)} ${n(y + 4)}L${n(x + 4)} ${n(y - 4)}" stroke="${colour}" stroke-width="2"/>`);
  else if (shape === 'diamond') out.push(`<path d="M${n(x)} ${n(y - 5)}L${n(x + 5)} ${n(y)}L${n(x)} ${n(y + 5)}L${n(x - 5)} ${n(y)}Z" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
  else out.push(`<line x1="${n(x)}" y1="${n(y - 7)}" x2="${n(x)}" y2="${n(y + 7)}" stroke="${colour}" stroke-width="2"/>`);
}

/** Writes the chart of `rows` (see quantizeChartSvg) as a PNG at `file`. */
export async function writeQuantizeChart(rows, k, file) {
  await sharp(Buffer.from(quantizeChartSvg(rows, k))).png().toFile(file);
}
