// Builds the 320x240 test clips the benchmarks use, from real corpus photos:
// a still background with a moving sprite, a pan across a painting, and a scene cut.
// Lossless (FFV1 in Matroska) so every tool reads exactly the same frames; the long
// clips for the memory test are H.264, since only their length matters there.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { CORPUS } from './lib.js';

const W = 320;
const H = 240;
const FPS = 25;

async function rgba(file, width, height) {
  const { data } = await sharp(file).resize(width, height, { fit: 'cover' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return data;
}

function crop(src, srcW, x0, y0, out = Buffer.alloc(W * H * 4)) {
  for (let y = 0; y < H; y++) src.copy(out, y * W * 4, ((y0 + y) * srcW + x0) * 4, ((y0 + y) * srcW + x0 + W) * 4);
  return out;
}

function paste(dst, sprite, sw, sh, x0, y0) {
  for (let y = 0; y < sh; y++) sprite.copy(dst, ((y0 + y) * W + x0) * 4, y * sw * 4, (y + 1) * sw * 4);
}

/** Frame generators, each `(t) => Buffer` of W*H*4 RGBA. */
async function scenes() {
  const bg = await rgba(path.join(CORPUS, 'stills/skimage__coffee.png'), W, H);
  const sprite = await rgba(path.join(CORPUS, 'stills/wuffs__hibiscus.regular.jpeg'), 72, 96);
  const panSrcW = 900;
  const pan = await rgba(path.join(CORPUS, 'stills/wuffs__harvesters.jpeg'), panSrcW, 664);
  const stillBg = (t) => {
    const f = Buffer.from(bg);
    paste(f, sprite, 72, 96, (t * 5) % (W - 72), 40 + Math.round(30 * Math.sin(t / 6)));
    return f;
  };
  const panning = (t) => {
    const span = panSrcW - W;
    const x = t % (2 * span) < span ? t % span : span - (t % span); // back and forth, never jumps
    return crop(pan, panSrcW, x, 120 + (t % 200 < 100 ? t % 100 : 100 - (t % 100)));
  };
  return { stillBg, panning, cut: (t) => (t < 30 ? panning(t * 4) : stillBg(t - 30)) };
}

function encode(file, frames, gen, codecArgs) {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${W}x${H}`, '-r', String(FPS), '-i', '-', ...codecArgs, file];
    const child = spawn(ffmpegInstaller.path, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(file) : reject(new Error(`ffmpeg: ${err}`))));
    (async () => {
      for (let t = 0; t < frames; t++) {
        if (!child.stdin.write(gen(t))) await new Promise((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    })().catch(reject);
  });
}

const LOSSLESS = ['-c:v', 'ffv1', '-pix_fmt', 'bgr0'];
const COMPACT = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '20', '-preset', 'veryfast'];

/** Writes the test clips `wanted` keeps (by path) into `dir` (once) and returns `{ name: path }` of those. */
export async function makeClips(dir, wanted = () => true) {
  const names = ['still-background', 'pan', 'scene-cut'].filter((name) => wanted(path.join(dir, `${name}-320x240.mkv`)));
  if (names.length === 0) return {};
  const s = await scenes();
  const scene = { 'still-background': s.stillBg, pan: s.panning, 'scene-cut': s.cut };
  const out = {};
  for (const name of names) {
    const file = path.join(dir, `${name}-320x240.mkv`);
    if (!existsSync(file)) await encode(file, 60, scene[name], LOSSLESS);
    out[name] = file;
  }
  return out;
}

/**
 * The animation benchmark's clips that `wanted` keeps (by path): the corpus's GIFs and videos,
 * then the 320x240 clips, made in `dir` (with ffmpeg) only when wanted.
 */
export async function animationClips(dir, wanted) {
  const corpus = ['gifs', 'videos'].flatMap((folder) => readdirSync(path.join(CORPUS, folder)).map((f) => path.join(CORPUS, folder, f)));
  return [...corpus.filter(wanted), ...Object.values(await makeClips(dir, wanted))];
}

/** A panning clip of `frames` frames for the streaming-memory test. */
export async function makeLongClip(dir, frames) {
  const s = await scenes();
  const file = path.join(dir, `pan-${frames}-320x240.mp4`);
  if (!existsSync(file)) await encode(file, frames, s.panning, COMPACT);
  return file;
}
