// The benchmark scripts run against the built dist/; nothing else imports them, so a change
// to dist's exports could break one unseen (transfer-bench.js imported a function renamed
// two days before, and `npm run bench` ended in a stack trace).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');
const run = (script: string, ...args: string[]) => spawnSync(process.execPath, [path.join(bench, script), ...args], { encoding: 'utf8' });

describe('the benchmark scripts', () => {
  it.each(['run.js', 'kmeans-bench.js', 'map-bench.js', 'quantize-bench.js', 'memory-bench.js', 'transfer-bench.js', 'lever-sweep.js'])('%s loads and answers --help', (script) => {
    const r = run(script, '--help');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^(npm run bench|node bench\/)/);
  });

  it('take a value as --only X or --only=X, and refuse an option given twice or a --k that is not a whole number', () => {
    for (const args of [['--only', 'no-such-clip'], ['--only=no-such-clip']]) {
      const r = run('quantize-bench.js', ...args);
      expect([r.status, r.stderr]).toEqual([2, 'no clip matches --only no-such-clip\n']);
    }
    for (const [script, args, said] of [
      ['run.js', ['--only=quantize', '--only=kmeans'], '--only is given twice'],
      ['quantize-bench.js', ['--only', 'cars', '--only', 'chi'], '--only is given twice'],
      ['kmeans-bench.js', ['--quick', '--quick'], '--quick is given twice'],
      ['quantize-bench.js', ['--k', '0x10'], '--k needs a whole number from 2 to 256'],
    ] as const) {
      const r = run(script, ...args);
      expect([r.status, r.stderr.split('\n')[0]]).toEqual([2, said]);
    }
  });

  it("sum up seeded chromaseed's output size against a peer's over the clips both wrote", () => {
    // Against gifsicle 0.5 and 2 (an even count: the median is their mean); against ffmpeg's one palette 0.25, 0.5 and 0.25.
    const verdicts = [
      { bytes: { 'chromaseed seeded': 100, gifsicle: 200, 'ffmpeg global': 400 } },
      { bytes: { 'chromaseed seeded': 300, gifsicle: 150, 'ffmpeg global': 600 } },
      { bytes: { 'chromaseed seeded': 50, 'ffmpeg global': 200 } },
    ];
    const code = `import { sizeSummary } from './quantize-bench.js'; const v = ${JSON.stringify(verdicts)}; for (const t of ['gifsicle', 'ffmpeg global', 'ImageMagick']) console.log(sizeSummary(v, t));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: bench, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')).toEqual([
      "chromaseed seeded's size over gifsicle's, 2 clips: 1.25 median (0.50 to 2.00); smaller on 1",
      "chromaseed seeded's size over ffmpeg global's, 3 clips: 0.25 median (0.25 to 0.50); smaller on 3",
      'null',
      '',
    ]);
  });

  it('read the bars of the k = 16 targets from a results table, as printed', () => {
    const results = [
      '### Animation quality and speed, k = 16, no dithering',
      '',
      '| clip | frames | tool | psnr dB | flicker_static | flip_static |',
      '|------|--------|------|---------|----------------|-------------|',
      '| a.gif | 10 | chromaseed seeded | 30.00 | 0.100 | 0.01 |',
      '| a.gif | 10 | chromaseed none | 29.00 | 2.000 | 0.5 |',
      '| a.gif | 10 | ffmpeg per-frame | 28.00 | 3.000 | 0.6 |',
      '| a.gif | 10 | ffmpeg global | 27.00 | 0.080 | 0.0 |',
      '| still.gif | 1 | ffmpeg per-frame | 25.00 | - | - |',
      '',
      '### Targets',
      '| b.gif | 10 | ffmpeg per-frame | 40.00 | 1.000 | 0.1 |',
    ].join('\n');
    const code = `import { barsFromResults } from './lever-sweep.js'; console.log(JSON.stringify([...barsFromResults(${JSON.stringify(results)})]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: bench, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    // Rows after the table's section (b.gif) are not its.
    expect(JSON.parse(r.stdout)).toEqual([
      ['a.gif', { psnr: 28.5, onePalette: 0.1, unseeded: 0.4 }],
      ['still.gif', { psnr: 25.5, onePalette: null, unseeded: null }],
    ]);
  });

  it('sweep seeded chromaseed over the clips against those bars, and refuse options the library refuses', () => {
    // cars.gif (31.73 dB and flicker 0.0001 at the medium preset) meets every bar of bench/RESULTS.md by far.
    const r = run('lever-sweep.js', '--only', 'dartimage__cars', '--options', '{"stability": "medium"}');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/\| dartimage__cars\.gif +\| \d+\.\d{3} +\| 28\.99 +\| \d\.\d{4} /);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^PSNR bar met on 1 of 1; flicker within 1\.25x ffmpeg's one palette on 1 of 1, within 0\.2x unseeded on 1 of 1 /);
    for (const [options, said] of [
      ['{"jumpHold": -1}', '--options: expected a number from 0 to 1000000 for --jump-hold but received -1'],
      ['[1]', `--options needs a JSON object, e.g. '{"jumpHold": 2}'`],
      ['{jumpHold: 1}', '--options "{jumpHold: 1}" is not JSON'],
    ]) {
      const bad = run('lever-sweep.js', '--options', options);
      expect([bad.status, bad.stderr.split(' (')[0].trim()]).toEqual([2, said]);
    }
  });
});
