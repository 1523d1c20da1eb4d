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
  it.each(['run.js', 'kmeans-bench.js', 'map-bench.js', 'quantize-bench.js', 'memory-bench.js', 'transfer-bench.js'])('%s loads and answers --help', (script) => {
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
});
