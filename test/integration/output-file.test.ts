import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, copyFileSync, lchownSync, linkSync, lstatSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import fs from 'node:fs';
import { open } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { GifReader } from 'omggif';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ChromaseedError } from '../../src/errors.js';
import { clipWriterOptions, createFrameWriter, inputOptionsFor, outputKind } from '../../src/io/frame-writer.js';
import { resolveInputOptions } from '../../src/options.js';
import { expandToRgba } from '../../src/pipeline/expand-frame.js';
import { isFrameOf } from '../../src/io/frame-names.js';
import { checkExtraOutputPath, createAtomicFile, openExclusive, writeFileAtomic } from '../../src/io/output-file.js';
import { openInput, openReusable } from '../../src/io/open-input.js';
import type { IndexedFrame } from '../../src/types.js';
import { BIN } from '../helpers/cli.js';

const corpus = path.resolve(__dirname, '../../../shared/corpus');
const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Frames of a real GIF (sharp animated-loop-3, 370x285), composited and given exact per-frame palettes. */
function corpusFrames(): IndexedFrame[] {
  const reader = new GifReader(readFileSync(path.join(corpus, 'gifs/sharp__animated-loop-3.gif')));
  const { width, height } = reader;
  const canvas = new Uint8Array(width * height * 4);
  const frames: IndexedFrame[] = [];
  for (let i = 0; i < reader.numFrames(); i++) {
    reader.decodeAndBlitFrameRGBA(i, canvas); // this file uses disposal 0/1 only
    const indices = new Uint8Array(width * height);
    const palette = new Uint8Array(768);
    const seen = new Map<number, number>();
    for (let p = 0; p < width * height; p++) {
      const key = (canvas[p * 4] << 16) | (canvas[p * 4 + 1] << 8) | canvas[p * 4 + 2];
      let ix = seen.get(key);
      if (ix === undefined) {
        ix = seen.size;
        seen.set(key, ix);
        palette.set(canvas.subarray(p * 4, p * 4 + 3), ix * 3);
      }
      indices[p] = ix;
    }
    frames.push({ width, height, indices, palette, size: seen.size, transparent: null, delayMs: reader.frameInfo(i).delay * 10 });
  }
  return frames;
}

const frames = corpusFrames();
const W = frames[0].width;
const H = frames[0].height;

function freshDir(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  return dir;
}

async function errorOf(p: Promise<unknown>): Promise<ChromaseedError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChromaseedError);
  return e as ChromaseedError;
}

describe('replacing an existing output', () => {
  it("keeps the replaced file's permissions and group (a private 600 file came out 644, in the runner's group)", async () => {
    const dir = freshDir('keep-mode');
    const file = path.join(dir, 'private.gif');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    // Another group the runner may give a file to: as root, any; otherwise its own.
    const gid = process.getuid?.() === 0 ? 1 : process.getgid!();
    chownSync(file, -1, gid);
    const writer = await createFrameWriter(file, { width: W, height: H, loopCount: 0 });
    await writer.write(frames[0]);
    await writer.finish();
    const after = statSync(file);
    expect([after.mode & 0o777, after.gid]).toEqual([0o600, gid]);
    expect(after.size).toBeGreaterThan(3);
  });

  it('refuses a name over 255 bytes before any work (it failed at the rename, after the work, once the temporary name was shortened)', async () => {
    const dir = freshDir('too-long');
    const name = path.join(dir, '中'.repeat(84) + '.png'); // 256 bytes
    const e = await errorOf(createFrameWriter(name, { width: W, height: H }));
    expect(e.message).toBe(`${name}: the file name is 256 bytes long, more than the 255 a file name may have`);
  });

  it('writes names of up to 255 bytes (its temporary name, 14 bytes longer, failed from 242)', async () => {
    const dir = freshDir('long-name');
    for (const ext of ['.gif', '.png']) {
      const file = path.join(dir, 'a'.repeat(255 - ext.length) + ext);
      const writer = await createFrameWriter(file, { width: W, height: H, loopCount: 0 });
      await writer.write(frames[0]);
      await writer.finish();
      expect(existsSync(file)).toBe(true);
    }
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)("refuses up front, as another user, a file in a sticky directory that it could not replace (it failed at the rename, after all the work)", async () => {
    const dir = freshDir('sticky');
    chmodSync(dir, 0o1777);
    chmodSync(work, 0o755); // mkdtemp's 700 would keep the other user out before the question arises
    const file = path.join(dir, 'theirs.gif');
    writeFileSync(file, 'old');
    chmodSync(file, 0o666);
    const r = spawnSync(process.execPath, [BIN, 'quantize', path.join(corpus, 'gifs/wuffs__muybridge.gif'), '-o', file], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([1, `chromaseed: ${file}: cannot replace it: it belongs to another user, in a directory where only owners may replace files (sticky, like /tmp); choose another name\n`]);
    expect(readFileSync(file, 'utf8')).toBe('old');
    // Whose name it is, is the symlink's own owner, not its target's: the rename replaces the link.
    const ownLink = path.join(dir, 'mine.gif');
    symlinkSync(file, ownLink);
    lchownSync(ownLink, 65534, 65534);
    const viaOwnLink = spawnSync(process.execPath, [BIN, 'quantize', path.join(corpus, 'gifs/wuffs__muybridge.gif'), '-o', ownLink, '-q'], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect([viaOwnLink.status, viaOwnLink.stderr]).toEqual([0, '']);
    // A numbered frame's file is found only as the frames are put in place: refused then, with
    // every frame file as it was and no second name left behind (a link to another user's
    // file, which this user could not remove either, stayed after each try).
    const frame = path.join(dir, 'f-2.png');
    writeFileSync(frame, 'old');
    chmodSync(frame, 0o666);
    const frames = spawnSync(process.execPath, [BIN, 'quantize', path.join(corpus, 'gifs/wuffs__muybridge.gif'), '-o', path.join(dir, 'f-%d.png'), '-q'], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect([frames.status, frames.stderr]).toEqual([1, `chromaseed: ${frame}: cannot replace it: it belongs to another user, in a directory where only owners may replace files (sticky, like /tmp); choose another name\n`]);
    expect(readFileSync(frame, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['f-2.png', 'mine.gif', 'theirs.gif']);
    // A directory the user may not enter is said to be that, not missing ("the directory ... does not exist").
    const closed = freshDir('closed');
    chmodSync(closed, 0o700);
    const shut = spawnSync(process.execPath, [BIN, 'quantize', path.join(corpus, 'gifs/wuffs__muybridge.gif'), '-o', path.join(closed, 'sub/x.gif')], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect([shut.status, shut.stderr]).toEqual([1, `chromaseed: ${path.join(closed, 'sub/x.gif')}: cannot reach the directory ${path.join(closed, 'sub')}: permission denied (EACCES)\n`]);
  });
});

describe('extra pictures beside the main output', () => {
  it('isFrameOf knows the names a %d pattern gives its frames, padding included', () => {
    expect(isFrameOf('out/f-%d.png', 'out/f-1.png')).toBe(true);
    expect(isFrameOf('out/f-%d.png', 'out/f-120.png')).toBe(true);
    expect(isFrameOf('out/f-%d.png', 'out/f-0.png')).toBe(false); // numbering starts at 1
    expect(isFrameOf('out/f-%d.png', 'out/f-01.png')).toBe(false);
    expect(isFrameOf('out/f-%d.png', 'f-1.png')).toBe(false); // another directory
    expect(isFrameOf('f-%04d.png', 'f-0007.png')).toBe(true);
    expect(isFrameOf('f-%04d.png', 'f-7.png')).toBe(false);
    expect(isFrameOf('f-%04d.png', 'f-12345.png')).toBe(true);
    expect(isFrameOf('f-%04d.png', 'g-0007.png')).toBe(false);
    expect(isFrameOf('f-%04d.png', 'f-.png')).toBe(false);
  });

  it('refuses a picture that is not .png, or that is the main output, one of its frames, or the same file through a link', async () => {
    const dir = mkdtempSync(path.join(work, 'extra-'));
    const input = path.join(dir, 'in.gif');
    writeFileSync(input, 'GIF89a');
    const code = async (promise: Promise<void>) => promise.then(() => 'ok', (e: ChromaseedError) => `${e.code}: ${e.message}`);
    expect(await code(checkExtraOutputPath(path.join(dir, 't.gif'), '--timeline', input))).toMatch(/^ERR_USAGE: --timeline .*t\.gif: this picture is written as PNG/);
    expect(await code(checkExtraOutputPath(path.join(dir, 'T.PNG'), '--timeline', input))).toBe('ok');
    expect(await code(checkExtraOutputPath(path.join(dir, 'f-3.png'), '--timeline', input, [[path.join(dir, 'f-%d.png'), 'main output']]))).toMatch(/^ERR_USAGE: --timeline \S*f-3\.png: is a file name of the main output's numbered frames; choose another file name$/);
    mkdirSync(path.join(dir, 'real'));
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    const viaLink = checkExtraOutputPath(path.join(dir, 'link', 'p.png'), '--overlay', input, [[path.join(dir, 'real', 'p.png'), '--swatch picture']]);
    expect(await code(viaLink)).toMatch(/is also the --swatch picture/);
    expect(readdirSync(dir).sort()).toEqual(['in.gif', 'link', 'real']);
  });
});

describe('outputKind', () => {
  it('chooses by extension and refuses what it cannot write', () => {
    expect(outputKind('a/b.GIF')).toBe('gif');
    expect(outputKind('x.mp4')).toBe('video');
    expect(outputKind('x.webm')).toBe('video');
    expect(outputKind('x.mkv')).toBe('video');
    expect(outputKind('x.mov')).toBe('video');
    expect(outputKind('x.M4V')).toBe('video'); // MP4 under the name iTunes gives it
    expect(outputKind('out/frame-%04d.png')).toBe('png-sequence');
    expect(outputKind('frame-%d.png')).toBe('png-sequence');
    expect(outputKind('50%.gif')).toBe('gif'); // a % that is no frame number is part of the name
    expect(outputKind('a-%5d.gif')).toBe('gif'); // printf's forms mean nothing in a GIF's name
    // printf's other integer forms in a PNG name were a plain name: a still was written as "a-%5d.png".
    const lookalikes = [['a-%5d.png', /^ERR_USAGE: a-%5d\.png: %5d is no frame number chromaseed writes; number frames with %d or %0Nd/], ['f-%.3d.png', /%\.3d is no frame number/], ['y-%d%5d.png', /%5d is no/], ['f-%03i.png', /%03i is no/], ['f-%-4d.png', /%-4d is no/], ['f-%ld.png', /%ld is no/]] as const;
    // Names with a % in them are still names.
    for (const name of ['50% done.png', '10%-done.png', '90%ile.png', '100%up.png']) expect(outputKind(name)).toBe('png');
    for (const [name, why] of [['x-%%d.png', /one %d/], ['x-%d-%d.png', /one %d/], ['x-%d.gif', /give a \.png name/], ...lookalikes] as const) {
      let message = '';
      try {
        outputKind(name);
      } catch (err) {
        message = `${(err as ChromaseedError).code}: ${(err as Error).message}`;
      }
      expect(message).toMatch(/^ERR_USAGE: /);
      expect(message).toMatch(why);
    }
    expect(outputKind('still.png')).toBe('png');
    for (const bad of ['x.bmp', 'x', 'x.avi.txt']) {
      expect(() => outputKind(bad)).toThrow(ChromaseedError);
      try {
        outputKind(bad);
      } catch (e) {
        expect((e as ChromaseedError).code).toBe('ERR_USAGE');
        expect((e as ChromaseedError).message).not.toContain('\n');
      }
    }
  });
});

/** Every frame of `file`, as chromaseed reads it. */
async function readAll(file: string): Promise<{ frames: { data: Uint8Array }[] }> {
  const frames: { data: Uint8Array }[] = [];
  for await (const f of (await openInput(file)).frames) frames.push(f);
  return { frames };
}

/** The first frame of a real GIF with a transparent background (pigs in a polka), as an indexed frame. */
function pigsFrame(): IndexedFrame {
  const reader = new GifReader(readFileSync(path.join(corpus, 'gifs/moviepy__pigs_in_a_polka.gif')));
  const { width, height } = reader;
  const rgba = new Uint8Array(width * height * 4);
  reader.decodeAndBlitFrameRGBA(0, rgba);
  const n = width * height;
  const indices = new Uint8Array(n);
  const transparent = new Uint8Array(n);
  const palette = new Uint8Array(768);
  const seen = new Map<number, number>();
  for (let p = 0; p < n; p++) {
    if (rgba[p * 4 + 3] === 0) {
      transparent[p] = 1;
      continue;
    }
    const key = (rgba[p * 4] << 16) | (rgba[p * 4 + 1] << 8) | rgba[p * 4 + 2];
    if (!seen.has(key)) {
      palette.set(rgba.subarray(p * 4, p * 4 + 3), seen.size * 3);
      seen.set(key, seen.size);
    }
    indices[p] = seen.get(key) as number;
  }
  const clear = transparent.reduce((a, b) => a + b, 0);
  expect(clear).toBeGreaterThan(n / 10);
  return { width, height, indices, palette, size: seen.size, transparent, delayMs: 50 };
}

describe('createFrameWriter: atomic output', () => {
  it('GIF: nothing under the final name until finish, then a decodable file; no temp left', async () => {
    const dir = freshDir('gif-atomic');
    const out = path.join(dir, 'out.gif');
    const writer = await createFrameWriter(out, { width: W, height: H, loopCount: 2 });
    for (const f of frames) {
      await writer.write(f);
      expect(existsSync(out)).toBe(false);
    }
    const { bytes } = await writer.finish();
    expect(readdirSync(dir)).toEqual(['out.gif']);
    const data = readFileSync(out);
    expect(data.length).toBe(bytes);
    const r = new GifReader(data);
    expect(r.numFrames()).toBe(frames.length);
    expect(r.loopCount()).toBe(2);
  });

  it('replaces an existing output only when complete, and abort keeps the old one intact', async () => {
    const dir = freshDir('replace');
    const out = path.join(dir, 'out.gif');
    writeFileSync(out, 'previous output');
    const writer = await createFrameWriter(out, { width: W, height: H });
    await writer.write(frames[0]);
    await writer.write(frames[1]);
    await writer.abort();
    await writer.abort(); // twice is fine
    expect(readdirSync(dir)).toEqual(['out.gif']);
    expect(readFileSync(out, 'utf8')).toBe('previous output');
  });

  it('a GIF write under way when abort() is called fails as aborted (ERR_ABORTED), and a loop count no GIF holds is refused before any file exists', async () => {
    const dir = freshDir('abort-queued');
    const writer = await createFrameWriter(path.join(dir, 'out.gif'), { width: W, height: H });
    // Not awaited, as a caller that quantizes ahead may leave them: the later ones are still
    // waiting for the file when abort() comes (they failed with "write after aborted").
    const pending = Array.from({ length: 40 }, (_, i) => writer.write(frames[i % frames.length]));
    pending.forEach((p) => p.catch(() => undefined));
    await writer.abort();
    const failed = (await Promise.allSettled(pending)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.reason).toMatchObject({ code: 'ERR_ABORTED', message: `${path.join(dir, 'out.gif')}: aborted during a write` });
    await expect(createFrameWriter(path.join(dir, 'loops.gif'), { width: W, height: H, loopCount: 70_000 })).rejects.toMatchObject({ code: 'ERR_USAGE' });
    expect(readdirSync(dir)).toEqual([]); // its temporary file was left behind
  });

  it('abort removes everything for video (ffmpeg killed) and PNG sequences', async () => {
    const dir = freshDir('abort');
    const video = await createFrameWriter(path.join(dir, 'clip.mp4'), { width: W, height: H, fps: 10 });
    for (const f of frames.slice(0, 4)) await video.write(f);
    expect(readdirSync(dir).length).toBe(1); // ffmpeg is writing the hidden temp file
    expect(readdirSync(dir)[0]).toMatch(/^\.clip\.tmp-[0-9a-f]+\.mp4$/);
    await video.abort();
    expect(readdirSync(dir)).toEqual([]);

    const seq = await createFrameWriter(path.join(dir, 'f-%03d.png'), { width: W, height: H });
    for (const f of frames.slice(0, 3)) await seq.write(f);
    expect(readdirSync(dir).every((f) => /^\.f-00[123]\.tmp-[0-9a-f]+\.png$/.test(f))).toBe(true); // hidden until finished
    await seq.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to write over the input, also through a symlink or a path with ..', async () => {
    const dir = freshDir('same');
    const input = path.join(dir, 'in.gif');
    copyFileSync(path.join(corpus, 'gifs/sharp__animated-loop-3.gif'), input);
    const original = readFileSync(input);
    symlinkSync(input, path.join(dir, 'link.gif'));
    for (const out of [input, path.join(dir, 'link.gif'), path.join(dir, '..', 'same', 'in.gif')]) {
      const e = await errorOf(createFrameWriter(out, { width: W, height: H, inputPath: input }));
      expect(e.code).toBe('ERR_USAGE');
      expect(e.message).toMatch(/input/);
    }
    const e = await errorOf(createFrameWriter(path.join(dir, 'in.mp4'), { width: W, height: H, inputPath: path.join(dir, 'in.mp4') }));
    expect(e.code).toBe('ERR_USAGE');
    // The input as a file: URL, as readers take it (it failed: "inputList(...).map is not a function").
    for (const inputPath of [pathToFileURL(input), [pathToFileURL(input)]]) {
      const byUrl = await errorOf(createFrameWriter(input, { width: W, height: H, inputPath }));
      expect([byUrl.code, byUrl.message]).toEqual(['ERR_USAGE', expect.stringMatching(/input/)]);
    }
    // Anything else is refused as such.
    const notPath = await errorOf(createFrameWriter(path.join(dir, 'x.gif'), { width: W, height: H, inputPath: 5 as never }));
    expect([notPath.code, notPath.message]).toEqual(['ERR_USAGE', "a writer's inputPath takes a file name (a string) or a file: URL, not 5"]);
    // A stdout that is no stream was taken, and failed at the first frame ("stream.once is not a function").
    for (const [stdout, shown] of [[5, '5'], [{}, 'an Object']] as const) {
      const notStream = await errorOf(createFrameWriter('-', { width: W, height: H, stdout: stdout as never }));
      expect([notStream.code, notStream.message]).toEqual(['ERR_USAGE', `expected a writable stream (process.stdout, say) for stdout but received ${shown}`]);
    }
    // A hard link to the input is the input under another name (it was replaced, silently).
    linkSync(input, path.join(dir, 'hard.gif'));
    const hard = await errorOf(createFrameWriter(path.join(dir, 'hard.gif'), { width: W, height: H, inputPath: input }));
    expect([hard.code, hard.message]).toEqual(['ERR_USAGE', `${path.join(dir, 'hard.gif')}: is another name (a hard link) of the input file ${input}; refusing to replace it; choose another output path`]);
    expect(readdirSync(dir).sort()).toEqual(['hard.gif', 'in.gif', 'link.gif']);
    expect(readFileSync(input).equals(original)).toBe(true);
  });

  it("a stream that fails rejects the write or finish with ERR_OUTPUT, and the process lives (its 'error' came after the write's callback, unheard: the process died, as under `node app.js | head`)", async () => {
    const failing = new Writable({ write: (_chunk, _encoding, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    const writer = await createFrameWriter('-', { width: 4, height: 4, stdout: failing });
    const frame: IndexedFrame = { width: 4, height: 4, indices: new Uint8Array(16), palette: new Uint8Array(6), size: 2, transparent: null, delayMs: 100 };
    const e = await errorOf((async () => {
      await writer.write(frame);
      await writer.finish();
    })());
    expect([e.code, e.message]).toEqual(['ERR_OUTPUT', 'standard output: the reader closed it before the GIF was complete']);
    // The 'error' emitted after the callback was heard; the listener is gone a turn later.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(failing.listenerCount('error')).toBe(0);
    // A stream that takes every write: its listener goes a turn after finish, also from a
    // stand-in with only write and once (taking it off failed there, after finish).
    const chunks: Buffer[] = [];
    const taking = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done()) });
    const standIn = { write: (_chunk: Uint8Array, done: () => void) => (done(), true), once: () => standIn };
    for (const stream of [taking, standIn as unknown as NodeJS.WritableStream]) {
      const ok = await createFrameWriter('-', { width: 4, height: 4, stdout: stream });
      await ok.write(frame);
      await ok.finish();
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([taking.listenerCount('error'), Buffer.concat(chunks).subarray(0, 6).toString('latin1')]).toEqual([0, 'GIF89a']);
  });

  it('refuses standard output when it is the input file (-o - >> in.gif appended a GIF to its input, 1<> in.gif wrote over it)', () => {
    const dir = freshDir('stdout-input');
    const input = path.join(dir, 'in.gif');
    copyFileSync(path.join(corpus, 'gifs/sharp__animated-loop-3.gif'), input);
    const original = readFileSync(input);
    for (const flags of ['a', 'r+'] as const) {
      const fd = openSync(input, flags);
      try {
        const r = spawnSync(process.execPath, [BIN, 'quantize', input, '-o', '-', '-k', '4', '-q'], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
        expect([r.status, r.stderr], flags).toEqual([2, `chromaseed: standard output is the input file (${input}): refusing to write the GIF (-o -) into it; redirect it to another file\n`]);
      } finally {
        closeSync(fd);
      }
    }
    expect(readFileSync(input).equals(original)).toBe(true);
    // Another file there is written as before.
    const other = path.join(dir, 'out.gif');
    const fd = openSync(other, 'w');
    try {
      expect(spawnSync(process.execPath, [BIN, 'quantize', input, '-o', '-', '-k', '4', '-q'], { stdio: ['ignore', fd, 'pipe'] }).status).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(new GifReader(readFileSync(other)).numFrames()).toBe(new GifReader(original).numFrames());
  });

  it('refuses standard output when it is an input file and text would go there (palette, compare, --json >> in.gif appended to the input)', () => {
    const dir = freshDir('stdout-input-text');
    const input = path.join(dir, 'in.gif');
    copyFileSync(path.join(corpus, 'gifs/wuffs__muybridge.gif'), input);
    const original = readFileSync(input);
    const cases: [string[], string][] = [
      [['palette', input, '-k', '4'], 'the palette'],
      [['compare', input, '-k', '4'], 'the figures'],
      [['quantize', input, '-k', '4', '-o', path.join(dir, 'q.gif'), '--json'], 'the JSON summary'],
      [['transfer', input, input, '-k', '4', '-o', path.join(dir, 't.gif'), '--json'], 'the JSON summary'],
    ];
    for (const [argv, what] of cases) {
      for (const flags of ['a', 'r+'] as const) {
        const fd = openSync(input, flags);
        try {
          const r = spawnSync(process.execPath, [BIN, ...argv], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
          expect([r.status, r.stderr], `${argv[0]} ${flags}`).toEqual([2, `chromaseed: standard output is the input file (${input}): refusing to write ${what} into it; redirect it to another file\n`]);
        } finally {
          closeSync(fd);
        }
      }
    }
    expect(readFileSync(input).equals(original)).toBe(true);
    expect(readdirSync(dir)).toEqual(['in.gif']);
    // Without --json, quantize writes nothing there, so the same redirection is no harm.
    const fd = openSync(input, 'a');
    try {
      expect(spawnSync(process.execPath, [BIN, 'quantize', input, '-k', '4', '-q', '-o', path.join(dir, 'q.gif')], { stdio: ['ignore', fd, 'pipe'] }).status).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(input).equals(original)).toBe(true);
  });

  it('refuses standard output when it is a file the run writes as well (> t.png with --timeline t.png: the GIF of -o - was replaced by the timeline, exit 0)', () => {
    const dir = freshDir('stdout-output');
    const input = path.join(dir, 'in.gif');
    copyFileSync(path.join(corpus, 'gifs/wuffs__muybridge.gif'), input);
    const at = (name: string) => path.join(dir, name);
    const cases: [string[], string, string][] = [
      [['quantize', input, '-k', '4', '-o', '-', '--timeline', at('t.png')], 't.png', `${at('t.png')}, a file this run writes as well: the GIF (-o -)`],
      [['quantize', input, '-k', '4', '-o', at('q.gif'), '--json'], 'q.gif', `${at('q.gif')}, a file this run writes as well: the JSON summary`],
      [['palette', input, '-k', '4', '--swatch', at('s.png')], 's.png', `${at('s.png')}, a file this run writes as well: the palette`],
      [['compare', input, '-k', '4', '-o', at('f-%02d.png')], 'f-03.png', `${at('f-03.png')}, a name this run's frames take (${at('f-%02d.png')}): the figures`],
    ];
    for (const [argv, name, said] of cases) {
      // The shell's `> NAME`: the file made, empty, before the run starts.
      const fd = openSync(at(name), 'w');
      try {
        const r = spawnSync(process.execPath, [BIN, ...argv], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
        expect([r.status, r.stderr], argv.join(' ')).toEqual([2, `chromaseed: standard output is ${said} would be lost when that file is put in place; redirect standard output to another file\n`]);
      } finally {
        closeSync(fd);
      }
      rmSync(at(name));
    }
    expect(readdirSync(dir)).toEqual(['in.gif']);
  });

  it('refuses a name that ends in "/", which names a directory (out.gif/ was written as the file out.gif)', async () => {
    const dir = freshDir('slash');
    for (const name of ['out.gif/', 'out.mp4/', 'f-%d.png/', 'one.png/']) {
      const e = await errorOf(createFrameWriter(path.join(dir, name), { width: W, height: H }));
      expect([e.code, e.message]).toEqual(['ERR_USAGE', `${path.join(dir, name)}: ends in "/", which names a directory; give a file name`]);
    }
    await expect(checkExtraOutputPath(path.join(dir, 'swatch.png/'), '--swatch', undefined)).rejects.toThrow(/ends in "\/"/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses, before any work, an output name a directory holds, whatever its extension (out.gif/ made by mkdir: the run did the work, then failed at the rename, exit 1)', async () => {
    const dir = freshDir('directory-named-like-a-file');
    for (const name of ['out.gif', 'one.png', 'out.mp4']) {
      const out = path.join(dir, name);
      mkdirSync(out);
      const err = await errorOf(createFrameWriter(out, { width: W, height: H }));
      expect([err.code, err.message], name).toEqual(['ERR_USAGE', `${out}: is a directory; give a file name`]);
      expect(readdirSync(out), name).toEqual([]);
    }
    expect(readdirSync(dir).sort()).toEqual(['one.png', 'out.gif', 'out.mp4']);
  });

  it('frames larger than a writer takes are said to be so, naming the output and --width (it read as a bad width option, exit 2)', async () => {
    const dir = freshDir('huge');
    for (const name of ['x.gif', 'x.png', 'x.webm']) {
      const e = await errorOf(createFrameWriter(path.join(dir, name), { width: 70_000, height: 2 }));
      expect([e.code, e.message]).toEqual(['ERR_LIMIT', `${path.join(dir, name)}: frames of 70000x2 pixels are larger than can be written (at most 65535 a side); scale them down with --width`]);
    }
    // H.264 pads an odd side by one: 65535 would become 65536, which MP4 and MOV refuse (Matroska takes it).
    for (const name of ['x.mp4', 'x.mov']) {
      const odd = await errorOf(createFrameWriter(path.join(dir, name), { width: 2, height: 65_535 }));
      expect(odd.message, name).toMatch(/frames of 2x65535 pixels are larger than can be written \(at most 65534 a side\)/);
    }
    const mkv = await createFrameWriter(path.join(dir, 'x.mkv'), { width: 2, height: 65_535 });
    await mkv.abort();
    // ffmpeg allocates no picture of (width + 128) x (height + 128) >= 2^28 pixels, said
    // before any frame is made (the bundled ffmpeg failed after the first frame, at 16256x16256:
    // "pipe:0: Invalid argument"). H.264's padding counts: 16255 becomes 16256.
    for (const [name, width, height, coded, square] of [['x.mkv', 16_256, 16_256, '', 16_254], ['x.mp4', 16_255, 16_255, ', coded at 16256x16256', 16_254], ['x.webm', 16_256, 16_256, '', 16_255]] as const) {
      const e = await errorOf(createFrameWriter(path.join(dir, name), { width, height }));
      expect([e.code, e.message]).toEqual(['ERR_LIMIT', `${path.join(dir, name)}: frames of ${width}x${height} pixels${coded} are larger than ffmpeg can encode ((width + 128) x (height + 128) must stay under 2^28: at most ${square}x${square} for a square); scale them down with --width`]);
    }
    for (const [name, width, height] of [['x.mp4', 16_254, 16_254], ['x.webm', 16_255, 16_255], ['x.webm', 16_256, 16_255]] as const) {
      await (await createFrameWriter(path.join(dir, name), { width, height })).abort();
    }
    // Wrong types from plain JavaScript are still told as such.
    expect((await errorOf(createFrameWriter(path.join(dir, 'x.gif'), { width: 2.5, height: 2 }))).message).toMatch(/^expected an integer from 1 to 65535 for width but received 2.5$/);
    expect((await errorOf(createFrameWriter(path.join(dir, 'x.gif'), undefined as never))).message).toMatch(/for width but received undefined$/);
    const writer = await createFrameWriter(path.join(dir, 'x.gif'), { width: W, height: H });
    await expect(writer.write(null as never)).rejects.toThrow(/^a frame is \{ width, height, indices, palette, size, transparent, delayMs \}, not null$/);
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('resolves a symlinked directory before the .. after it, as the system does', async () => {
    // dir/link -> dir/real/deep, so dir/link/../in.gif is dir/real/in.gif, not dir/in.gif.
    const dir = freshDir('link-dotdot');
    mkdirSync(path.join(dir, 'real', 'deep'), { recursive: true });
    symlinkSync(path.join(dir, 'real', 'deep'), path.join(dir, 'link'));
    const input = path.join(dir, 'real', 'in.gif');
    copyFileSync(path.join(corpus, 'gifs/sharp__animated-loop-3.gif'), input);
    const original = readFileSync(input);
    const through = path.join(dir, 'link') + '/../in.gif'; // path.join would collapse the ..
    const e = await errorOf(createFrameWriter(input, { width: W, height: H, inputPath: through }));
    expect(e.code).toBe('ERR_USAGE');
    expect(readFileSync(input).equals(original)).toBe(true);
    const out = await createFrameWriter(path.join(dir, 'link') + '/../out.gif', { width: W, height: H, inputPath: through });
    await out.write(frames[0]);
    await out.finish();
    expect(existsSync(path.join(dir, 'real', 'out.gif'))).toBe(true);
    expect(existsSync(path.join(dir, 'out.gif'))).toBe(false);
    // Numbered frames too.
    const seq = await createFrameWriter(path.join(dir, 'link') + '/../f-%d.png', { width: W, height: H });
    await seq.write(frames[0]);
    await seq.finish();
    expect(existsSync(path.join(dir, 'real', 'f-1.png'))).toBe(true);
    expect(existsSync(path.join(dir, 'f-1.png'))).toBe(false);
    // A directory missing where the system looks is missing, even if one of that name is
    // where the path would lead read as text.
    mkdirSync(path.join(dir, 'elsewhere'));
    const missing = await errorOf(createFrameWriter(path.join(dir, 'link') + '/../elsewhere/x.gif', { width: W, height: H }));
    expect(missing.code).toBe('ERR_OUTPUT');
    expect(missing.message).toMatch(/the directory \S*link\/\.\.\/elsewhere does not exist/);
  });

  it('a PNG frame that would land on the input is refused and the frames before it removed', async () => {
    const dir = freshDir('png-same');
    const input = path.join(dir, 'f-2.png');
    writeFileSync(input, 'the input');
    const seq = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H, inputPath: input });
    await seq.write(frames[0]);
    const e = await errorOf(seq.write(frames[1]));
    expect(e.code).toBe('ERR_USAGE');
    expect(readdirSync(dir)).toEqual(['f-2.png']);
    expect(readFileSync(input, 'utf8')).toBe('the input');
  });

  it('PNG frames appear only when the clip is finished; an aborted run leaves existing frame files as they were', async () => {
    const dir = freshDir('png-abort');
    writeFileSync(path.join(dir, 'f-1.png'), 'older frame 1');
    writeFileSync(path.join(dir, 'f-9.png'), 'older frame 9');
    const aborted = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H });
    await aborted.write(frames[0]);
    await aborted.write(frames[1]);
    expect(readFileSync(path.join(dir, 'f-1.png'), 'utf8')).toBe('older frame 1');
    await aborted.abort();
    expect(readdirSync(dir).sort()).toEqual(['f-1.png', 'f-9.png']);
    expect(readFileSync(path.join(dir, 'f-1.png'), 'utf8')).toBe('older frame 1');

    // A directory under a frame's name is found when that frame is written, before any file is replaced.
    mkdirSync(path.join(dir, 'f-2.png'));
    const blocked = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H });
    await blocked.write(frames[0]);
    expect((await errorOf(blocked.write(frames[1]))).message).toMatch(/f-2\.png: is a directory/);
    expect(readdirSync(dir).sort()).toEqual(['f-1.png', 'f-2.png', 'f-9.png']);
    expect(readFileSync(path.join(dir, 'f-1.png'), 'utf8')).toBe('older frame 1');
    rmSync(path.join(dir, 'f-2.png'), { recursive: true });

    const finished = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H });
    await finished.write(frames[0]);
    await finished.write(frames[1]);
    await finished.finish();
    expect(readdirSync(dir).sort()).toEqual(['f-1.png', 'f-2.png', 'f-9.png']);
    expect((await sharp(path.join(dir, 'f-2.png')).metadata()).width).toBe(W);
  });

  it('finish({ beforePlace }): called once the output is complete, before it has its name; an abort() there removes it, for every kind (a video was put in place anyway)', async () => {
    for (const name of ['out.gif', 'out.mp4', 'out-%d.png', 'one.png']) {
      const dir = freshDir(`before-place-${name.replace(/\W/g, '')}`);
      const file = path.join(dir, name);
      const count = name === 'one.png' ? 1 : 3;
      // Called back when the output is complete (no final name yet), then when it has its name.
      const seen: string[] = [];
      const writer = await createFrameWriter(file, { width: W, height: H, fps: 10 });
      for (const f of frames.slice(0, count)) await writer.write(f);
      await writer.finish({ beforePlace: async () => void seen.push(`before: ${readdirSync(dir).filter((f) => !f.startsWith('.')).length}`), afterPlace: () => void seen.push(`after: ${readdirSync(dir).filter((f) => !f.startsWith('.')).length}`) });
      expect([name, seen]).toEqual([name, ['before: 0', `after: ${name.includes('%d') ? count : 1}`]]);
      rmSync(dir, { recursive: true });
      mkdirSync(dir);
      const aborted = await createFrameWriter(file, { width: W, height: H, fps: 10 });
      for (const f of frames.slice(0, count)) await aborted.write(f);
      expect([name, (await errorOf(aborted.finish({ beforePlace: () => aborted.abort() }))).code]).toEqual([name, 'ERR_ABORTED']);
      expect([name, readdirSync(dir)]).toEqual([name, []]);
    }
  });

  it('PNG frames moved into place are put back when the renaming fails part-way or abort() comes during it', async () => {
    const dir = freshDir('png-rollback');
    const names = ['f-1.png', 'f-2.png', 'f-3.png', 'f-4.png'];
    names.forEach((n) => writeFileSync(path.join(dir, n), `older ${n}`));
    const older = () => names.every((n) => readFileSync(path.join(dir, n), 'utf8') === `older ${n}`);
    // A directory that appears under frame 3's name after it was written: its rename fails,
    // after frames 1 and 2 have replaced the older ones (they stayed replaced).
    const failing = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H });
    for (const f of frames.slice(0, 4)) await failing.write(f);
    rmSync(path.join(dir, 'f-3.png'));
    mkdirSync(path.join(dir, 'f-3.png', 'inside'), { recursive: true });
    expect((await errorOf(failing.finish())).message).toMatch(/f-3\.png: cannot move the finished file into place/);
    rmSync(path.join(dir, 'f-3.png'), { recursive: true });
    writeFileSync(path.join(dir, 'f-3.png'), 'older f-3.png');
    expect(older()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(names);
    // Ctrl-C while the frames are moved into place: the command aborts the writer then.
    const interrupted = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H });
    for (const f of frames.slice(0, 4)) await interrupted.write(f);
    const finishing = errorOf(interrupted.finish());
    await interrupted.abort();
    expect((await finishing).code).toBe('ERR_ABORTED');
    expect(older()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(names);
    // A dangling symlink under a frame's name is put back too (it was taken for nothing there, and removed).
    rmSync(path.join(dir, 'f-1.png'));
    symlinkSync('/nonexistent/frame.png', path.join(dir, 'f-1.png'));
    const again = await createFrameWriter(path.join(dir, 'f-%d.png'), { width: W, height: H });
    for (const f of frames.slice(0, 4)) await again.write(f);
    rmSync(path.join(dir, 'f-3.png'));
    mkdirSync(path.join(dir, 'f-3.png', 'inside'), { recursive: true });
    await errorOf(again.finish());
    expect(lstatSync(path.join(dir, 'f-1.png')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, 'f-2.png'), 'utf8')).toBe('older f-2.png');
  });

  it('a numbered frame name longer than a file name may be is refused before any frame is written, when the frame count is known', async () => {
    const dir = freshDir('png-long');
    const pattern = path.join(dir, `${'a'.repeat(249)}%d.png`); // frames 1 to 99 fit, 100 does not
    const e = await errorOf(createFrameWriter(pattern, { width: W, height: H, frameCount: 120 }));
    expect(e.message).toMatch(/a120\.png: the file name is 256 bytes long, more than the 255/);
    // A count not known: refused at the frame whose name does not fit, not after the last.
    const unknown = await createFrameWriter(pattern, { width: W, height: H });
    let refusedAt = 0;
    for (let i = 1; i <= 101 && refusedAt === 0; i++) await unknown.write(frames[i % frames.length]).catch(() => (refusedAt = i));
    expect(refusedAt).toBe(100);
    expect(readdirSync(dir)).toEqual([]);
    // The pattern's own text is no name: 248 a's and %03d make 256 bytes, each frame's name 255 (it was refused).
    const padded = await createFrameWriter(path.join(dir, `${'a'.repeat(248)}%03d.png`), { width: W, height: H, frameCount: 2 });
    for (const f of frames.slice(0, 2)) await padded.write(f);
    await padded.finish();
    expect(readdirSync(dir).map((n) => n.length).sort()).toEqual([255, 255]);
  });

  it('missing or unwritable directories and unknown extensions fail with one line and leave nothing', async () => {
    const dir = freshDir('bad');
    const missing = await errorOf(createFrameWriter(path.join(dir, 'no-such-dir', 'out.gif'), { width: W, height: H }));
    expect(missing.code).toBe('ERR_OUTPUT');
    expect(missing.message).toMatch(/does not exist/);
    // /proc refuses new files even for root, where chmod would not stop us.
    const unwritable = await errorOf(createFrameWriter('/proc/chromaseed-test.gif', { width: W, height: H }));
    expect(unwritable.code).toBe('ERR_OUTPUT');
    expect(unwritable.message).not.toContain('\n');
    writeFileSync(path.join(dir, 'file'), 'x');
    const notDir = await errorOf(createFrameWriter(path.join(dir, 'file', 'out.mp4'), { width: W, height: H }));
    expect(notDir.code).toBe('ERR_OUTPUT');
    const ext = await errorOf(createFrameWriter(path.join(dir, 'out.bmp'), { width: W, height: H }));
    expect(ext.code).toBe('ERR_USAGE');
    expect(ext.message).toContain('.gif');
    expect(readdirSync(dir)).toEqual(['file']);
    expect(existsSync('/proc/chromaseed-test.gif')).toBe(false);
  });

  it("a disk full at the flush before the rename (NFS, quotas, thin volumes) fails the run and keeps the old file (the error was ignored: the old file was replaced by an unreadable one, exit 0); a file system that does not flush is no failure", async () => {
    const probe = await open(path.join(work, 'probe'), 'w');
    const handles = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    // Both ways a file is flushed: a handle opened by name (a video ffmpeg wrote), and the
    // descriptor that made the file (fs.fdatasync, seen by our imports once synced).
    const failing = (code: string) => {
      const error = () => Object.assign(new Error(`${code}: flush failed, fdatasync`), { code });
      const onHandle = vi.spyOn(handles, 'datasync').mockRejectedValue(error());
      const onDescriptor = vi.spyOn(fs, 'fdatasync').mockImplementation(((_fd: number, done: (err: Error) => void) => process.nextTick(done, error())) as unknown as typeof fs.fdatasync);
      syncBuiltinESMExports();
      return {
        mockRestore() {
          onHandle.mockRestore();
          onDescriptor.mockRestore();
          syncBuiltinESMExports();
        },
      };
    };
    for (const name of ['out.gif', 'out.mp4', 'one.png']) {
      const dir = freshDir(`flush-${name}`);
      const out = path.join(dir, name);
      writeFileSync(out, 'previous output');
      const write = async () => {
        const writer = await createFrameWriter(out, { width: W, height: H });
        await writer.write(frames[0]);
        return writer.finish();
      };
      const spy = failing('ENOSPC');
      try {
        const err = await errorOf(write());
        expect([err.code, err.message]).toEqual(['ERR_OUTPUT', `${out}: write failed: flush failed (ENOSPC)`]);
        expect(readdirSync(dir)).toEqual([name]);
        expect(readFileSync(out, 'utf8')).toBe('previous output');
      } finally {
        spy.mockRestore();
      }
      const unsupported = failing('EINVAL');
      try {
        await write();
        expect(readFileSync(out).subarray(0, 15).toString()).not.toBe('previous output');
        expect(readdirSync(dir)).toEqual([name]);
      } finally {
        unsupported.mockRestore();
      }
    }
  });

  it('a finished output that cannot take its name (a directory made there during the run) fails with ERR_OUTPUT and leaves no temporary file beside it, for every kind', async () => {
    for (const name of ['out.gif', 'one.png', 'out.mp4']) {
      const dir = freshDir(`rename-fails-${name}`);
      const out = path.join(dir, name);
      const writer = await createFrameWriter(out, { width: W, height: H });
      await writer.write(frames[0]);
      // The name is free when the writer starts and taken by a directory when the file is done:
      // the rename fails (EISDIR), after every byte was written.
      mkdirSync(out);
      writeFileSync(path.join(out, 'inside'), 'kept');
      const err = await errorOf(writer.finish());
      expect(err.code, name).toBe('ERR_OUTPUT');
      expect(err.message, name).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot move the finished file into place: `));
      expect(readdirSync(dir), name).toEqual([name]);
      expect(readFileSync(path.join(out, 'inside'), 'utf8')).toBe('kept');
    }
  });

  it('a writer finished with no frame written refuses, for every kind, and leaves nothing (a GIF could be written with no image in it)', async () => {
    for (const name of ['out.gif', 'one.png', 'f-%d.png', 'out.mp4']) {
      const dir = freshDir(`no-frames-${name.replace('%', '')}`);
      const writer = await createFrameWriter(path.join(dir, name), { width: W, height: H });
      const err = await errorOf(writer.finish());
      expect([err.code, err.message], name).toEqual(['ERR_INPUT', `${path.join(dir, name)}: no frames to write`]);
      expect(readdirSync(dir), name).toEqual([]);
    }
  });

  it('openExclusive: close waits for the writes under way, and none starts after it (a write on a closed descriptor could reach another file)', async () => {
    const dir = freshDir('exclusive-close');
    const file = path.join(dir, '.x.tmp-1');
    const handle = openExclusive(file);
    const big = new Uint8Array(64 << 20).fill(7);
    // The write under way when close was called has ended by the time close has (in one
    // call, all of it; a write the kernel cut short would end the rest as closed).
    let ended = false;
    const writing = handle.write(big, 0, big.length).finally(() => (ended = true));
    await handle.close();
    expect(ended).toBe(true);
    expect(statSync(file).size).toBe((await writing).bytesWritten);
    await expect(handle.write(big, 0, 1)).rejects.toMatchObject({ code: 'EBADF' });
    await handle.close(); // again: nothing
  });

  it('createAtomicFile: bytes appear under the final name only on commit', async () => {
    const dir = freshDir('atomic');
    const out = path.join(dir, 'bytes.bin');
    const file = await createAtomicFile(out);
    await file.write(new Uint8Array([1, 2, 3]));
    await file.write(new Uint8Array([4]));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([path.basename(file.tempPath)]);
    expect(await file.commit()).toBe(4);
    expect([...readFileSync(out)]).toEqual([1, 2, 3, 4]);
    expect(readdirSync(dir)).toEqual(['bytes.bin']);
  });

  it('abort() during a pending write ends that write as ERR_ABORTED and leaves nothing (video said "stopped by SIGKILL (out of memory?)"; a PNG frame stayed)', async () => {
    const dir = freshDir('abort-pending');
    for (const name of ['clip.mp4', 'clip.webm', 'f-%02d.png', 'clip.gif']) {
      const writer = await createFrameWriter(path.join(dir, name), { width: W, height: H, fps: 10 });
      const pending = writer.write(frames[0]);
      const settled = pending.then(() => 'written', (err: ChromaseedError) => err.code);
      await writer.abort();
      // A GIF frame is encoded in this thread before the write awaits anything: it completes.
      expect(await settled, name).toBe(name.endsWith('.gif') ? 'written' : 'ERR_ABORTED');
      await new Promise((resolve) => setTimeout(resolve, 200)); // time for a late write to land
      expect(readdirSync(dir), name).toEqual([]);
    }
  });

  it('a video writer whose sound file is gone (removed during the run) says so, without the sound hint (it offered --no-audio, as if the sound were the trouble)', async () => {
    const dir = freshDir('sound-gone');
    const gone = path.join(dir, 'removed.mp4');
    const writer = await createFrameWriter(path.join(dir, 'clip.mp4'), { width: W, height: H, fps: 10, sound: { file: gone, decodable: true } });
    const err = await errorOf((async () => {
      for (let i = 0; i < 100; i++) await writer.write(frames[i % frames.length]);
      await writer.finish();
    })());
    expect([err.code, err.message]).toEqual(['ERR_FFMPEG', `${path.join(dir, 'clip.mp4')}: ffmpeg could not write the video: ${gone}: No such file or directory`]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a video writer whose ffmpeg is killed says so, without the sound hint (it offered --no-audio, which has no part in a kill)', async () => {
    const dir = freshDir('killed');
    const sound = { file: path.join(corpus, 'videos/imageio__realshort.mp4'), decodable: true };
    const writer = await createFrameWriter(path.join(dir, 'clip.mp4'), { width: W, height: H, fps: 10, sound });
    await writer.write(frames[0]);
    // The writer's ffmpeg is the one child writing a hidden temporary file in `dir`.
    const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
    const pid = ps.split('\n').find((line) => line.includes(dir) && line.includes('ffmpeg'))?.trim().split(/\s+/)[0];
    expect(pid).toBeDefined();
    process.kill(Number(pid), 'SIGKILL');
    const err = await errorOf((async () => {
      for (let i = 0; i < 100; i++) await writer.write(frames[i % frames.length]);
      await writer.finish();
    })());
    expect(err.code).toBe('ERR_FFMPEG');
    expect(err.message).toMatch(/ffmpeg was stopped by SIGKILL \(out of memory\?\)$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('transparent pixels: alpha 0 in PNG frames, black in video', async () => {
    const frame = pigsFrame();
    const { width, height, transparent } = frame;
    const n = width * height;
    const dir = freshDir('transparent');
    const seq = await createFrameWriter(path.join(dir, 't-%d.png'), { width, height });
    await seq.write(frame);
    await seq.finish();
    const { data, info } = await sharp(path.join(dir, 't-1.png')).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const want = new Uint8Array(n * 4);
    expect(expandToRgba(frame, want, 0)).toBe(true);
    expect(Buffer.compare(data, Buffer.from(want))).toBe(0);
    // Video has no alpha: transparent pixels are black (alpha 255 in the expanded frame).
    const video = new Uint8Array(n * 4);
    expandToRgba(frame, video, 255);
    const p0 = transparent!.indexOf(1) * 4;
    expect([...video.subarray(p0, p0 + 4)]).toEqual([0, 0, 0, 255]);
  });

  it('a WebM keeps transparency when the first frame has some; H.264 draws it black and says so (both were black, silently)', async () => {
    const frame = pigsFrame();
    const { width, height, transparent } = frame;
    const dir = freshDir('transparent-video');
    // The mask marks transparent pixels with any non-zero byte.
    for (const [name, mask] of [['pigs.webm', transparent], ['pigs-255.webm', transparent!.map((v) => v * 255)]] as const) {
      const webm = await createFrameWriter(path.join(dir, name), { width, height, fps: 10 });
      await webm.write({ ...frame, transparent: mask });
      expect((await webm.finish()).warnings).toBeUndefined();
      // Read back as chromaseed reads a WebM: with libvpx's decoder, which keeps the alpha.
      const back = (await readAll(path.join(dir, name))).frames[0].data;
      let kept = 0;
      let clear = 0;
      for (let p = 0; p < width * height; p++) {
        if (!transparent![p]) continue;
        clear++;
        if (back[p * 4 + 3] === 0) kept++;
      }
      expect(kept / clear, name).toBeGreaterThan(0.99);
    }
    const mp4 = await createFrameWriter(path.join(dir, 'pigs.mp4'), { width, height, fps: 10 });
    // Frames of 100 ms at 10 fps: a shorter second frame would fall between two of the video's and be left out (said too).
    await mp4.write({ ...frame, delayMs: 100 });
    await mp4.write({ ...frame, transparent: null, delayMs: 100 });
    expect((await mp4.finish()).warnings).toEqual([`${path.join(dir, 'pigs.mp4')}: 1 frame has transparent pixels, drawn black: H.264 video has no transparency (a .gif or .webm keeps it)`]);
  });

  it('a WebM keeps the transparency of later frames when the source says they may have some (it drew them black, with a warning)', async () => {
    const frame = pigsFrame();
    const { width, height, transparent } = frame;
    const dir = freshDir('turns-transparent');
    for (const mayTurnTransparent of [true, false]) {
      const name = `later-${mayTurnTransparent}.webm`;
      const webm = await createFrameWriter(path.join(dir, name), { width, height, fps: 10, mayTurnTransparent });
      // 100 ms each: one video frame apiece at 10 fps.
      await webm.write({ ...frame, transparent: null, delayMs: 100 });
      await webm.write({ ...frame, delayMs: 100 });
      const { warnings } = await webm.finish();
      const back = (await readAll(path.join(dir, name))).frames;
      const clearIn = (data: Uint8Array) => transparent!.filter((t, p) => t !== 0 && data[p * 4 + 3] === 0).length;
      if (mayTurnTransparent) {
        expect(warnings).toBeUndefined();
        expect(clearIn(back[0].data)).toBe(0);
        expect(clearIn(back[1].data) / transparent!.filter((t) => t !== 0).length).toBeGreaterThan(0.99);
      } else {
        expect(warnings).toEqual([`${path.join(dir, name)}: 1 frame has transparent pixels, drawn black: the first frame had none, so the WebM was written without transparency (a .gif keeps it)`]);
      }
    }
  });

  it("a GIF's opaque first frame carries a transparent index when later frames may clear pixels (Pillow showed dispose2.gif's cleared areas black without one)", async () => {
    const dir = freshDir('spare-index');
    const { parseGifStructure, resolveGifLimits } = await import('../../src/decode/gif-structure.js');
    for (const mayTurnTransparent of [true, false]) {
      const file = path.join(dir, `first-${mayTurnTransparent}.gif`);
      const writer = await createFrameWriter(file, { width: W, height: H, loopCount: 0, mayTurnTransparent });
      await writer.write(frames[0]);
      await writer.write(frames[1]);
      await writer.finish();
      const first = parseGifStructure(new Uint8Array(readFileSync(file)), file, resolveGifLimits({})).frames[0];
      expect(first.transparentIndex >= 0, String(mayTurnTransparent)).toBe(mayTurnTransparent);
    }
  });

  it('a frame with indices past its palette size is refused by every writer, as the GIF encoder refused it (PNG and video drew them black)', async () => {
    const dir = freshDir('index-range');
    const frame: IndexedFrame = { width: 4, height: 2, indices: new Uint8Array([0, 1, 0, 1, 7, 7, 255, 255]), palette: new Uint8Array([255, 0, 0, 0, 0, 255]), size: 2, transparent: null, delayMs: 100 };
    for (const name of ['o.gif', 'o.png', 'f-%d.png', 'o.mp4']) {
      const writer = await createFrameWriter(path.join(dir, name), { width: 4, height: 2, fps: 10 });
      // The one-PNG writer keeps its frame until finish.
      await expect(writer.write(frame).then(() => writer.finish()), name).rejects.toThrow(/^palette index (7 at pixel 4|255) is not below size 2$/);
      await writer.abort();
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a frame with a bad index ends no writer: the next frames and finish go on (a video was aborted, "write after aborted")', async () => {
    const dir = freshDir('index-then-good');
    const good: IndexedFrame = { width: 4, height: 2, indices: new Uint8Array(8), palette: new Uint8Array([255, 0, 0]), size: 1, transparent: null, delayMs: 100 };
    // Not a GIF's: its encoder thread finds the index later, as README's Library section says.
    for (const name of ['o.png', 'f-%d.png', 'o.mp4', 'o.webm']) {
      const writer = await createFrameWriter(path.join(dir, name), { width: 4, height: 2, fps: 10 });
      if (name !== 'o.png') await writer.write(good);
      await expect(writer.write({ ...good, indices: new Uint8Array([0, 9, 0, 0, 0, 0, 0, 0]) }), name).rejects.toThrow(RangeError);
      await writer.write(good);
      await expect(writer.finish(), name).resolves.toMatchObject({ bytes: expect.any(Number) });
    }
    expect(readdirSync(dir).sort()).toEqual(['f-1.png', 'f-2.png', 'o.mp4', 'o.png', 'o.webm']);
  });

  it('writes made without waiting for each other land in the order made, and a finish waits for them (a video got 465 frames for 30, a PNG sequence one file)', async () => {
    const dir = freshDir('overlapping');
    const n = 12;
    // Frame i is one grey, 20 * i: read back, each frame says where it came from.
    const grey = (i: number): IndexedFrame => ({ width: 16, height: 16, indices: new Uint8Array(256), palette: new Uint8Array([20 * i, 20 * i, 20 * i]), size: 1, transparent: null, delayMs: 100 });
    const rgbaOf = (frame: IndexedFrame): Uint8Array => {
      const data = new Uint8Array(16 * 16 * 4);
      expandToRgba(frame, data, 255);
      return data;
    };
    for (const name of ['o.gif', 'f-%02d.png', 'o.mkv']) {
      const file = path.join(dir, name);
      const writer = await createFrameWriter(file, { width: 16, height: 16, fps: 10, loopCount: 0 });
      const writes = Array.from({ length: n }, (_, i) => (name === 'o.mkv' && i % 2 === 1 ? writer.writeRgba!({ width: 16, height: 16, data: rgbaOf(grey(i)), delayMs: 100 }) : writer.write(grey(i))));
      const finished = writer.finish();
      await Promise.all(writes);
      const written = await finished;
      if (name === 'o.mkv') expect(written.videoFrames).toBe(n);
      const back = name.includes('%') ? readdirSync(dir).filter((f) => f.startsWith('f-')).sort().map((f) => path.join(dir, f)) : [file];
      const greys: number[] = [];
      for (const f of back) for await (const frame of (await openInput(f)).frames) greys.push(frame.data[0]);
      // H.264 and the video's colour conversion move a grey by a level or two.
      expect(greys.length, name).toBe(n);
      greys.forEach((g, i) => expect(Math.abs(g - 20 * i), `${name} frame ${i}`).toBeLessThanOrEqual(3));
    }
  });

  it('a write waiting its turn when abort() comes fails as aborted; one made after abort() is the caller\'s mistake, however busy the writer', async () => {
    const dir = freshDir('queued-abort');
    const writer = await createFrameWriter(path.join(dir, 'o.mp4'), { width: W, height: H, fps: 10 });
    const running = writer.write(frames[0]).catch((err) => err);
    const waiting = writer.write(frames[1]).catch((err) => err);
    const aborting = writer.abort();
    const after = writer.write(frames[2]).catch((err) => err);
    await aborting;
    expect((await running).code).toBe('ERR_ABORTED');
    expect((await waiting).code).toBe('ERR_ABORTED');
    expect((await after).message).toMatch(/write after aborted$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('abort() while a video or one PNG is finished ends the finish as aborted (it said "ffmpeg was stopped by SIGKILL (out of memory?)", or "commit after aborted")', async () => {
    const dir = freshDir('abort-finish');
    for (const name of ['o.mp4', 'o.png']) {
      const writer = await createFrameWriter(path.join(dir, name), { width: W, height: H, fps: 10 });
      await writer.write(frames[0]);
      const finishing = writer.finish().then(() => 'finished', (err) => err);
      await writer.abort();
      const result = await finishing;
      // The one PNG may be in place before abort() comes: then it stays, finished.
      if (result !== 'finished') expect(result, name).toMatchObject({ code: 'ERR_ABORTED', message: `${path.join(dir, name)}: aborted during a write` });
      else expect(name).toBe('o.png');
    }
    expect(readdirSync(dir).filter((f) => f !== 'o.png')).toEqual([]);
  });

  it('a one-frame .png writer refuses a write after finish or abort, as the other writers do (it wrote nothing and said nothing, or "more than one frame")', async () => {
    const dir = freshDir('one-png');
    const finished = await createFrameWriter(path.join(dir, 'one.png'), { width: W, height: H });
    await finished.write(frames[0]);
    await finished.finish();
    await expect(finished.write(frames[0])).rejects.toThrow(/write after done$/);
    const aborted = await createFrameWriter(path.join(dir, 'two.png'), { width: W, height: H });
    await aborted.abort();
    await expect(aborted.write(frames[0])).rejects.toThrow(/write after aborted$/);
    expect(readdirSync(dir)).toEqual(['one.png']);
  });

  it('frames of the wrong size are rejected', async () => {
    const dir = freshDir('size');
    const writer = await createFrameWriter(path.join(dir, 'x.gif'), { width: W + 1, height: H });
    await expect(writer.write(frames[0])).rejects.toThrow(/opened for/);
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a source from openInput', () => {
  it('is read once: a second read is refused, not an empty clip (global seeding over one source gave no frame and no error)', async () => {
    const file = path.join(corpus, 'gifs/sharp__animated-loop-3.gif');
    const source = await openInput(file);
    let frames = 0;
    for await (const _ of source.frames) frames++;
    expect(frames).toBe(source.info.frameCount);
    await expect((async () => {
      for await (const _ of source.frames) frames++;
    })()).rejects.toMatchObject({ code: 'ERR_USAGE', message: `${file}: its frames were already read (a source from openInput is read once); open the file again (openReusable's open() does)` });
  });

  it("from openReusable's open() is read once too, and open() gives another pass (a second read of one gave no frame and no error: found by a library QA pass)", async () => {
    const file = path.join(corpus, 'gifs/sharp__animated-loop-3.gif');
    const { info, open } = await openReusable(file, resolveInputOptions({}));
    const count = async (source: Awaited<ReturnType<typeof open>>): Promise<number> => {
      let frames = 0;
      for await (const _ of source.frames) frames++;
      return frames;
    };
    const first = await open();
    expect(await count(first)).toBe(info.frameCount);
    await expect(count(first)).rejects.toMatchObject({ code: 'ERR_USAGE', message: `${file}: its frames were already read (a source from open() is read once); call open() again for another pass` });
    expect(await count(await open())).toBe(info.frameCount);
  });
});

describe('limits a library caller meets past the resolvers (found by a library QA pass)', () => {
  it("a video writer's fps over 1000 is refused (1e9 had ffmpeg writing for hours), every other writer option is checked before any file, and writeFileAtomic refuses bytes transferred away (an existing file became empty)", async () => {
    const dir = freshDir('writer-limits');
    for (const fps of [1001, 1e9]) {
      const e = await errorOf(createFrameWriter(path.join(dir, 'fast.mp4'), { width: 4, height: 4, fps }));
      expect([e.code, e.message]).toEqual(['ERR_USAGE', `expected a number above 0 and at most 1000 (a video's) for fps but received ${fps}`]);
    }
    // A faster source is written at that rate (a 2000 fps clip failed as "fps" it was never given);
    // PNG frames, which have no rate, take any.
    expect(clipWriterOptions({ width: 4, height: 4, fps: 2000, frameCount: 2 }, 'fast-in.mp4', false).fps).toBe(1000);
    await (await createFrameWriter(path.join(dir, 'f-%d.png'), { width: 4, height: 4, fps: 2000 })).abort();
    const kept = path.join(dir, 'kept.bin');
    writeFileSync(kept, 'old');
    const bytes = new Uint8Array(8);
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
    const e = await errorOf(writeFileAtomic(kept, bytes));
    expect([e.code, e.message]).toEqual(['ERR_INPUT', `${kept}: the data is a view of a detached buffer (transferred away, to a worker say): its bytes are gone`]);
    expect(readFileSync(kept, 'utf8')).toBe('old');
    // A loop count that is none is refused by every writer, not only the GIF one; inputOptionsFor takes options only.
    const loop = await errorOf(createFrameWriter(path.join(dir, 'loop.mp4'), { width: 4, height: 4, loopCount: -1 }));
    expect([loop.code, loop.message]).toEqual(['ERR_USAGE', 'expected an integer from 0 up (only a GIF plays it) for loopCount but received -1']);
    expect(() => inputOptionsFor('a.gif', null as never)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    // The rest of the options too, before any file: a sound of another shape failed at the
    // first frame with a TypeError from ffmpeg's wrapper, and a flag of 1 was read as false.
    const refusals: [Record<string, unknown>, string][] = [
      [{ frameCount: -1 }, 'expected an integer from 0 up for frameCount but received -1'],
      [{ frameCount: '3' }, 'expected an integer from 0 up for frameCount but received "3"'],
      [{ mayTurnTransparent: 1 }, 'expected true or false for mayTurnTransparent but received 1'],
      [{ gifDelays: 'no' }, 'expected true or false for gifDelays but received "no"'],
      [{ sound: 'x' }, 'expected an object such as a clip\'s sound (ClipInfo.sound: { file, decodable }) for sound but received "x"'],
      [{ sound: { file: 5, decodable: true } }, 'expected the name of the file the sound is in for sound.file but received 5'],
      [{ sound: { file: 'a.mp4' } }, 'expected true or false for sound.decodable but received undefined'],
      [{ sound: { file: 'a.mp4', decodable: true, startSec: -1 } }, 'expected a number of seconds, 0 or more for sound.startSec but received -1'],
      [{ sound: { file: 'a.mp4', decodable: true, startsec: 1 } }, 'unknown option "startsec" for createFrameWriter\'s sound; did you mean "startSec"? (valid: file, decodable, startSec, durationSec or withPicture)'],
    ];
    for (const [given, message] of refusals) {
      for (const name of ['o.mp4', 'o.gif']) {
        const refused = await errorOf(createFrameWriter(path.join(dir, name), { width: 4, height: 4, ...given } as never));
        expect([refused.code, refused.message]).toEqual(['ERR_USAGE', message]);
      }
    }
    expect(readdirSync(dir)).toEqual(['kept.bin']);
    // A second frame after a declared one is "more than one", not "(1)".
    const single = await createFrameWriter(path.join(dir, 'one.png'), { width: W, height: H, frameCount: 1 });
    await single.write(frames[0]);
    const second = await errorOf(single.write(frames[1]));
    expect([second.code, second.message]).toEqual(['ERR_USAGE', `${path.join(dir, 'one.png')}: the input has more than one frame but a .png holds one; write a .gif, a video, or frame-%04d.png`]);
    expect(readdirSync(dir)).toEqual(['kept.bin']);
  });
});
