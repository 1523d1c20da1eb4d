import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitRun, leftoverWarnings } from '../../src/cli/run-output.js';
import type { FinishOptions } from '../../src/io/frame-writer.js';
import { placeFiles } from '../../src/io/output-file.js';
import { tempPathFor, tempsBeside } from '../../src/io/output-names.js';
import { releaseLeftovers } from '../../src/io/leftovers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'chromaseed-run-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quietProgress = { tick() {}, done() {}, leave() {}, setTotal() {}, finishing() {} };

describe('commitRun', () => {
  it('a Ctrl-C while the picture is drawn writes nothing, with no main output too (compare --timeline without -o wrote it and exited 0)', async () => {
    const dir = path.join(tmp, 'no-main-output');
    mkdirSync(dir);
    const stop = new AbortController();
    const timeline = path.join(dir, 'timeline.png');
    const drawing = async () => {
      stop.abort();
      return [[timeline, new Uint8Array([1, 2, 3])] as const];
    };
    await expect(commitRun(null, drawing, path.join(dir, 'in.gif'), quietProgress, stop.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(existsSync(timeline)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    // Not interrupted: written.
    await commitRun(null, async () => [[timeline, new Uint8Array([1, 2, 3])] as const], path.join(dir, 'in.gif'), quietProgress, new AbortController().signal);
    expect(readdirSync(dir)).toEqual(['timeline.png']);
  });

  it('a main output that fails after the picture was placed puts it back, with no file left beside it (the picture took its name after the main output: one that could not left the new main output beside the old picture)', async () => {
    const dir = path.join(tmp, 'finish-fails');
    mkdirSync(dir);
    const timeline = path.join(dir, 'timeline.png');
    writeFileSync(timeline, 'old timeline');
    let placedWhenFinished: string | null = null;
    // As a writer whose rename fails: the file was complete, the picture placed, then the move failed.
    const failing = {
      async finish(options?: FinishOptions): Promise<never> {
        await options?.beforePlace?.();
        placedWhenFinished = readFileSync(timeline, 'utf8');
        throw new Error('the rename failed');
      },
      async abort() {},
    };
    await expect(commitRun(failing, async () => [[timeline, new TextEncoder().encode('new timeline')] as const], path.join(dir, 'in.gif'), quietProgress)).rejects.toThrow('the rename failed');
    // In place just before the main output would have been, and back as it was after it failed.
    expect(placedWhenFinished).toBe('new timeline');
    expect(readFileSync(timeline, 'utf8')).toBe('old timeline');
    expect(readdirSync(dir)).toEqual(['timeline.png']);
    // A picture where there was none is removed.
    rmSync(timeline);
    await expect(commitRun(failing, async () => [[timeline, new Uint8Array([1])] as const], path.join(dir, 'in.gif'), quietProgress)).rejects.toThrow('the rename failed');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('once the main output has its name, an exit before finish returns keeps the new picture and removes the old one\'s second name (a second Ctrl-C put the old picture back beside the new output)', async () => {
    const dir = path.join(tmp, 'exit-after-place');
    mkdirSync(dir);
    const timeline = path.join(dir, 'timeline.png');
    writeFileSync(timeline, 'old timeline');
    const output = {
      async finish(options?: FinishOptions) {
        await options?.beforePlace?.();
        writeFileSync(path.join(dir, 'out.gif'), 'new output'); // its rename
        options?.afterPlace?.();
        // What the exit hook does when the process ends here (a writer's last steps can take a
        // while: a large PNG sequence's clean-up).
        releaseLeftovers();
        return 'done';
      },
      async abort() {},
    };
    await commitRun(output, async () => [[timeline, new TextEncoder().encode('new timeline')] as const], path.join(dir, 'in.gif'), quietProgress);
    expect([readdirSync(dir).sort(), readFileSync(timeline, 'utf8')]).toEqual([['out.gif', 'timeline.png'], 'new timeline']);
  });

  it('a main output that fails before it is complete (the encoder) never has the picture placed: no moment with the new picture beside the old output', async () => {
    const dir = path.join(tmp, 'encoder-fails');
    mkdirSync(dir);
    const timeline = path.join(dir, 'timeline.png');
    writeFileSync(timeline, 'old timeline');
    let seenWhileEncoding: string | null = null;
    const failing = {
      async finish(): Promise<never> {
        seenWhileEncoding = readFileSync(timeline, 'utf8');
        throw new Error('the encoder failed');
      },
      async abort() {},
    };
    await expect(commitRun(failing, async () => [[timeline, new TextEncoder().encode('new timeline')] as const], path.join(dir, 'in.gif'), quietProgress)).rejects.toThrow('the encoder failed');
    expect(seenWhileEncoding).toBe('old timeline');
    expect([readdirSync(dir), readFileSync(timeline, 'utf8')]).toEqual([['timeline.png'], 'old timeline']);
  });

  it('a Ctrl-C while the picture is drawn leaves the old picture and never finishes the main output', async () => {
    const dir = path.join(tmp, 'stopped-drawing');
    mkdirSync(dir);
    const timeline = path.join(dir, 'timeline.png');
    writeFileSync(timeline, 'old timeline');
    const stop = new AbortController();
    const calls: string[] = [];
    const output = { finish: async () => void calls.push('finish'), abort: async () => void calls.push('abort') };
    const drawing = async () => {
      stop.abort();
      return [[timeline, new Uint8Array([1])] as const];
    };
    await expect(commitRun(output, drawing, path.join(dir, 'in.gif'), quietProgress, stop.signal)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(calls).not.toContain('finish');
    expect([readdirSync(dir), readFileSync(timeline, 'utf8')]).toEqual([['timeline.png'], 'old timeline']);
  });

  it('a file set aside by a link and then not replaced (its move failed) is put back with no second name left (both names were one file, and renaming one onto the other did nothing)', async () => {
    const dir = path.join(tmp, 'linked-aside');
    mkdirSync(dir);
    const final = path.join(dir, 'tl.png');
    writeFileSync(final, 'old');
    await expect(placeFiles([{ temp: path.join(dir, 'missing.tmp'), final }], () => false, final)).rejects.toMatchObject({ code: 'ERR_OUTPUT' });
    expect([readdirSync(dir), readFileSync(final, 'utf8')]).toEqual([['tl.png'], 'old']);
  });
});

describe('leftoverWarnings', () => {
  it("names the hidden files a killed run left beside an output, by the names this run's own would have, and nothing else", () => {
    const dir = path.join(tmp, 'left-beside');
    mkdirSync(dir);
    const out = path.join(dir, 'clip.gif');
    expect(leftoverWarnings([out, undefined, '-'])).toEqual([]);
    const left = [tempPathFor(out), tempPathFor(out), tempPathFor(out, 'old')];
    // Others' names, or not of this output's kind: a sibling output, another extension, no hex tag, a visible file.
    const others = ['.clip2.tmp-1a2b3c4d.gif', '.clip.tmp-1a2b3c4d.png', '.clip.tmp-xyz.gif', '.clip.tmp-1A2B3C4D.gif', 'clip.tmp-1a2b3c4d.gif', '.clip.gif.tmp-1a2b3c4d.gif', '.c.clip.tmp-1a2b3c4d.gif'];
    for (const file of [...left, ...others.map((name) => path.join(dir, name))]) writeFileSync(file, '');
    const found = tempsBeside(out);
    expect(found).toEqual({ unfinished: [left[0], left[1]].sort(), keptAside: [left[2]], shortened: false });
    expect(leftoverWarnings([out])).toEqual([
      `${found.unfinished[0]} and 1 more hidden file: unfinished copies of clip.gif, left by a run that was killed (kill -9, out of memory) or being written by one still running; remove them once no run is writing clip.gif`,
      `${left[2]}: an earlier copy of clip.gif, kept aside by a run that was killed (kill -9, out of memory) while replacing it, or by one still running; to get it back, rename it over clip.gif (this replaces the one just written), or else remove it`,
    ]);
    // Said, not removed: they may be another run's, still writing.
    expect(readdirSync(dir)).toHaveLength(left.length + others.length);
  });

  it('finds the temporary names of a name too long to take the tag whole, and says another name may share them', () => {
    const dir = path.join(tmp, 'left-long');
    mkdirSync(dir);
    // 250 bytes, with two-byte characters at the cut: the stem loses whole characters.
    const out = path.join(dir, `${'é'.repeat(123)}.gif`);
    const temp = tempPathFor(out);
    expect(Buffer.byteLength(path.basename(temp))).toBeLessThanOrEqual(255);
    expect(path.basename(temp).startsWith(`.${'é'.repeat(123)}`)).toBe(false);
    writeFileSync(temp, '');
    expect(tempsBeside(out)).toEqual({ unfinished: [temp], keptAside: [], shortened: true });
    // Another long name cut to the same stem has the same temporary names.
    expect(tempsBeside(path.join(dir, `${'é'.repeat(120)}e.gif`)).unfinished).toEqual([temp]);
    expect(leftoverWarnings([out])).toEqual([expect.stringContaining(`: an unfinished copy of ${path.basename(out)}, or of another file whose name starts the same, left by`)]);
    // A numbered-frame pattern names its own (png-sequence.ts), and a directory that cannot be read has none.
    expect(tempsBeside(path.join(dir, 'f-%03d.png'))).toEqual({ unfinished: [], keptAside: [], shortened: false });
    expect(tempsBeside(path.join(dir, 'missing', 'x.gif'))).toEqual({ unfinished: [], keptAside: [], shortened: false });
  });

  it("names them through the output's directory as given: past a symlinked directory, `..` is the target's parent", () => {
    const dir = path.join(tmp, 'left-link');
    mkdirSync(path.join(dir, 'real', 'sub'), { recursive: true });
    mkdirSync(path.join(dir, 'work'));
    symlinkSync('../real/sub', path.join(dir, 'work', 'link'));
    writeFileSync(path.join(dir, 'real', '.out.tmp-0000000a.gif'), '');
    // (Not path.join, which would take the `..` away.)
    const out = `${path.join(dir, 'work', 'link')}/../out.gif`;
    // path.join would have made it work/.out.tmp-0000000a.gif, which is not there.
    expect(tempsBeside(out).unfinished).toEqual([path.join(dir, 'work', 'link') + '/../.out.tmp-0000000a.gif']);
    expect(existsSync(tempsBeside(out).unfinished[0])).toBe(true);
  });
});
