import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

// bin/load-cli.cjs compiles the command line's bundle with V8's code cache, kept in
// dist/cli-bundle/code-cache/. Other tests run the real bin at the same time and write that
// directory too, so these run a copy of the package of their own.
const work = mkdtempSync(path.join(tmpdir(), 'chromaseed-code-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let copies = 0;
/** A copy of bin/, dist/ and package.json, with the repository's node_modules linked in. */
function packageCopy(): { root: string; cacheDir: string; run(args: string[], env?: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } } {
  const root = path.join(work, `package-${copies++}`);
  for (const part of ['bin', 'dist', 'package.json']) cpSync(path.join(repoRoot, part), path.join(root, part), { recursive: true });
  rmSync(path.join(root, 'dist/cli-bundle/code-cache'), { recursive: true, force: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  return {
    root,
    cacheDir: path.join(root, 'dist/cli-bundle/code-cache'),
    run(args, env = {}) {
      const r = spawnSync(process.execPath, [path.join(root, 'bin/chromaseed.js'), ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** The main job on a sample, written into the copy as `out`: its exit code. */
function quantizeCars(pkg: ReturnType<typeof packageCopy>, out: string): number | null {
  return pkg.run(['quantize', path.join(repoRoot, 'samples/cars.gif'), '-k', '8', '-o', path.join(pkg.root, out), '-q']).code;
}

/** Each cache file's inode: a file rewritten (renamed into place) gets a new one. */
function inodes(dir: string): Map<string, number> {
  return new Map(readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).ino]));
}

/** A cache's name: its bundle file's, then the source's length (base 36) and CRC-32. */
const CACHE_NAME = /^(.+\.cjs)\.[0-9a-z]+-[0-9a-f]{8}\.v8$/;

const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;

describe('the code cache of the command line', () => {
  it('is written by the first run, one file per bundle file loaded, and used as it is by the next', () => {
    const pkg = packageCopy();
    expect(pkg.run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    const first = inodes(pkg.cacheDir);
    const names = [...first.keys()];
    expect(names.some((f) => CACHE_NAME.test(f) && f.startsWith('main.cjs.'))).toBe(true);
    // Every file is the cache of a bundle file, complete (no temporary file left).
    const bundle = readdirSync(path.join(pkg.root, 'dist/cli-bundle'));
    for (const f of names) expect(bundle).toContain(f.replace(CACHE_NAME, '$1'));
    // V8 took every cache: none was written again.
    expect(pkg.run(['--version']).code).toBe(0);
    expect(inodes(pkg.cacheDir)).toEqual(first);
    // A command that loads more of the bundle adds the caches of those files, and leaves the others.
    expect(quantizeCars(pkg, 'cars.gif')).toBe(0);
    const after = inodes(pkg.cacheDir);
    expect(after.size).toBeGreaterThan(first.size);
    for (const [f, ino] of first) expect(after.get(f)).toBe(ino);
  });

  it('is written only by a run that succeeds: one that stops at a missing file writes none', () => {
    // Its cache lacked what a clip's run compiles, and every later run, taking it as it was,
    // compiled that again (about 5% of a short GIF's run).
    const pkg = packageCopy();
    expect(pkg.run(['quantize', path.join(pkg.root, 'missing.gif'), '-o', path.join(pkg.root, 'out.gif')]).code).toBe(1);
    expect(existsSync(pkg.cacheDir) ? readdirSync(pkg.cacheDir) : []).toEqual([]);
    expect(quantizeCars(pkg, 'out.gif')).toBe(0);
    expect(readdirSync(pkg.cacheDir).some((f) => f.startsWith('quantize-command-'))).toBe(true);
  });

  it('is written at the build by runs of every command on the samples (bin/warm-code-cache.cjs), not by whatever is run first', () => {
    const build = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts.build;
    expect(build).toMatch(/&& node bin\/warm-code-cache\.cjs$/);
    const pkg = packageCopy();
    symlinkSync(path.join(repoRoot, 'samples'), path.join(pkg.root, 'samples'));
    const temp = mkdtempSync(path.join(work, 'tmp-'));
    const warm = spawnSync(process.execPath, [path.join(pkg.root, 'bin/warm-code-cache.cjs')], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', TMPDIR: temp } });
    expect([warm.status, warm.stderr]).toEqual([0, '']);
    const cached = readdirSync(pkg.cacheDir);
    for (const chunk of ['quantize-command', 'compare-command', 'palette-command', 'transfer-command', 'video-in', 'video-out']) expect(cached.some((f) => f.startsWith(`${chunk}-`)), chunk).toBe(true);
    // The main job then finds every file it loads cached: nothing is written again.
    const before = inodes(pkg.cacheDir);
    expect(quantizeCars(pkg, 'out.gif')).toBe(0);
    expect(inodes(pkg.cacheDir)).toEqual(before);
    // Its outputs went to a temporary directory, removed.
    expect(readdirSync(temp)).toEqual([]);
  });

  it('gives the same output as a run without it', () => {
    const pkg = packageCopy();
    const args = (out: string) => ['quantize', path.join(repoRoot, 'samples/cars.gif'), '-k', '16', '--json', '-o', out];
    const seconds = /"seconds":[\d.]+/;
    const runs = [pkg.run(args(path.join(pkg.root, 'a.gif'))), pkg.run(args(path.join(pkg.root, 'b.gif'))), pkg.run(args(path.join(pkg.root, 'c.gif')), { CHROMASEED_CODE_CACHE: '0' })];
    for (const r of runs) expect(r.code).toBe(0);
    expect(runs[1].stdout.replace(seconds, '').replace('b.gif', 'a.gif')).toBe(runs[0].stdout.replace(seconds, ''));
    expect(readFileSync(path.join(pkg.root, 'b.gif'))).toEqual(readFileSync(path.join(pkg.root, 'a.gif')));
    expect(readFileSync(path.join(pkg.root, 'c.gif'))).toEqual(readFileSync(path.join(pkg.root, 'a.gif')));
  });

  it('is not used for a bundle file edited after it was written, even to the same length', () => {
    // V8 checks a cache against the source's length only: the same length with other code
    // would run the old code's bytecode.
    const pkg = packageCopy();
    const help = pkg.run(['--help']);
    expect(help.stdout).toContain('Quantize the colours');
    const main = path.join(pkg.root, 'dist/cli-bundle/main.cjs');
    const source = readFileSync(main, 'utf8');
    writeFileSync(main, source.replace('Quantize the colours', 'QUANTIZE THE COLOURS'));
    const edited = pkg.run(['--help']);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toBe(help.stdout.replace('Quantize the colours', 'QUANTIZE THE COLOURS'));
    expect(readdirSync(pkg.cacheDir).filter((f) => f.startsWith('main.cjs.'))).toHaveLength(2);
  });

  it('replaces a cache V8 refuses (here: garbage), and the run goes on', () => {
    const pkg = packageCopy();
    expect(pkg.run(['--version']).code).toBe(0);
    const main = readdirSync(pkg.cacheDir).find((f) => f.startsWith('main.cjs.'))!;
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(path.join(pkg.cacheDir, main), garbage);
    expect(pkg.run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    const now = readFileSync(path.join(pkg.cacheDir, main));
    expect(now.equals(garbage)).toBe(false);
    expect(now.length).toBeGreaterThan(10_000);
  });

  it('is left alone where it cannot be written, and with CHROMASEED_CODE_CACHE=0', () => {
    const pkg = packageCopy();
    // A file where the directory would go: as a read-only package, for root too.
    writeFileSync(pkg.cacheDir, 'not a directory');
    expect(pkg.run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(readFileSync(pkg.cacheDir, 'utf8')).toBe('not a directory');
    rmSync(pkg.cacheDir);
    expect(pkg.run(['--version'], { CHROMASEED_CODE_CACHE: '0' })).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(readdirSync(path.join(pkg.root, 'dist/cli-bundle'))).not.toContain('code-cache');
  });
});

describe('the package replaced under a running command', () => {
  it('a bundle file gone by the time it is loaded is said in one line, not as an internal error with a stack trace', () => {
    const pkg = packageCopy();
    const bundle = path.join(pkg.root, 'dist/cli-bundle');
    const chunk = readdirSync(bundle).find((f) => /^quantize-command-.*\.cjs$/.test(f))!;
    rmSync(path.join(bundle, chunk));
    const r = pkg.run(['quantize', path.join(repoRoot, 'samples/cars.gif'), '-k', '4', '-o', path.join(pkg.root, 'out.gif')]);
    expect([r.code, r.stderr]).toEqual([1, `chromaseed: its own file ./${chunk} is gone (reinstalled, rebuilt or removed while this ran?); run it again, or reinstall chromaseed\n`]);
  });

  it('so is one the start loads (found by QA: a stack trace during a rebuild)', () => {
    const pkg = packageCopy();
    const bundle = path.join(pkg.root, 'dist/cli-bundle');
    const runtime = readdirSync(bundle).find((f) => /^rolldown-runtime-.*\.cjs$/.test(f))!;
    rmSync(path.join(bundle, runtime));
    const r = pkg.run(['--version']);
    expect([r.code, r.stderr]).toEqual([1, `chromaseed: its own file ./${runtime} is gone (reinstalled, rebuilt or removed while this ran?); run it again, or reinstall chromaseed\n`]);
  });
});
