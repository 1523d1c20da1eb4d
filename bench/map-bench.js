// Mapping throughput: megapixels per second of createMapper().map on real media.
// Run after building: `npx tsc -p tsconfig.json && node bench/map-bench.js`
// Not part of `npm test`. Prints one table; numbers depend on the machine.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { createMapper } from '../dist/map/map-pixels.js';
import { createRng } from '../dist/kmeans/random.js';
import { checkArgs } from './lib.js';

checkArgs('node bench/map-bench.js: pixel mapping speed (run.js passes --quick, which it ignores)', ['--quick']);
const corpus = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));

const prng = createRng;

/** k colours sampled from the frame's own pixels: a stand-in for a k-means palette. */
function samplePalette(frame, k, rand) {
  const pal = new Uint8Array(k * 3);
  const n = frame.width * frame.height;
  for (let i = 0; i < k; i++) {
    const p = Math.floor(rand() * n) * 4;
    pal[i * 3] = frame.data[p];
    pal[i * 3 + 1] = frame.data[p + 1];
    pal[i * 3 + 2] = frame.data[p + 2];
  }
  return pal;
}

async function loadPhoto(name) {
  const { data, info } = await sharp(corpus + 'stills/' + name).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Decode a 320x240 video to RGBA frames with the ffmpeg binary the project ships. */
function loadVideo(name, width, height) {
  const r = spawnSync(ffmpegInstaller.path, ['-v', 'error', '-i', corpus + 'videos/' + name, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], {
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  const size = width * height * 4;
  const frames = [];
  for (let o = 0; o + size <= r.stdout.length; o += size) {
    frames.push({ width, height, data: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset + o, size) });
  }
  return frames;
}

// CPU time of this process, not wall time: the machines are shared (2 cores, other jobs), and
// CPU time is far less disturbed by them. The mapping is single-threaded, so the two agree on
// an idle machine.
const now = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Best-of-`reps` MP/s mapping `frames` with `palettes[i]` (a new palette per frame = no cache reuse). */
function measure(frames, palettes, k, options, reps) {
  const mapper = createMapper();
  const out = new Uint8Array(frames[0].width * frames[0].height);
  mapper.map(frames[0], palettes[0], k, options, out); // allocate the table outside the timing
  let pixels = 0;
  for (const f of frames) pixels += f.width * f.height;
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    // A throwaway palette first, so the first timed frame cannot reuse the warm-up's cache.
    mapper.map(frames[0], palettes[palettes.length - 1 - (r % palettes.length)].map((v) => v ^ 1), k, options, out);
    const t0 = now();
    for (let i = 0; i < frames.length; i++) mapper.map(frames[i], palettes[i % palettes.length], k, options, out);
    best = Math.min(best, now() - t0);
  }
  return pixels / 1e6 / (best / 1000);
}

const photo = await loadPhoto('wuffs__harvesters.jpeg'); // 1165x859 = 1.0 MP
const video = loadVideo('imageio__realshort.mp4', 320, 240); // 36 real frames
const rows = [];
for (const k of [16, 256]) {
  for (const space of ['rgb', 'lab', 'oklab']) {
    const rand = prng(k * 31 + space.length);
    const options = { metric: 'euclidean', space, dither: 'none' };
    const photoPalettes = [0, 1, 2].map(() => samplePalette(photo, k, rand));
    const perFrame = video.map((f) => samplePalette(f, k, rand));
    const global = [samplePalette(video[0], k, rand)];
    rows.push({
      k,
      space,
      'photo 1MP': measure([photo], photoPalettes, k, options, 5),
      '320x240 per-frame palette': measure(video, perFrame, k, options, 3),
      '320x240 one palette': measure(video, global, k, options, 3),
      'photo manhattan': measure([photo], photoPalettes, k, { ...options, metric: 'manhattan' }, 3),
      'photo FS dither': measure([photo], photoPalettes, k, { ...options, dither: 'floyd-steinberg' }, 3),
      'photo bayer': measure([photo], photoPalettes, k, { ...options, dither: 'bayer' }, 3),
    });
  }
}

const cols = Object.keys(rows[0]);
const fmt = (v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v));
const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c]).length)));
console.log('megapixels per CPU second (best of several runs; a new palette every frame unless "one palette")');
console.log(cols.map((c, i) => c.padStart(widths[i])).join('  '));
for (const r of rows) console.log(cols.map((c, i) => fmt(r[c]).padStart(widths[i])).join('  '));
