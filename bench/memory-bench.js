// Streaming memory: peak RSS of `chromaseed quantize` on 100 and 2,000 frames of the same
// 320x240 clip. Frames flow through the pipeline one at a time, so the longer clip may
// not raise the peak by more than 25% (issue 3).
import path from 'node:path';
import { makeLongClip } from './clips.js';
import { checkArgs, runCli, table, tempDir } from './lib.js';

export async function memoryBench() {
  const dir = tempDir('memory');
  const rows = [['frames', 'output', 'peak RSS MiB', 'seconds']];
  const peaks = {};
  for (const frames of [100, 2000]) {
    const clip = await makeLongClip(dir, frames);
    for (const ext of ['gif', 'mp4']) {
      const r = runCli(['quantize', clip, '-k', '16', '-o', path.join(dir, `out-${frames}.${ext}`), '--quiet'], dir);
      rows.push([frames, ext, r.rssMiB.toFixed(1), r.seconds.toFixed(1)]);
      peaks[`${ext}-${frames}`] = r.rssMiB;
    }
  }
  console.log('\n### Streaming memory, 320x240, k = 16\n');
  console.log(table(rows));
  for (const ext of ['gif', 'mp4']) {
    const growth = peaks[`${ext}-2000`] / peaks[`${ext}-100`] - 1;
    console.log(`${ext}: peak RSS grows ${(growth * 100).toFixed(1)}% from 100 to 2,000 frames (target ≤ 25%): ${growth <= 0.25 ? 'ok' : 'MISS'}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  checkArgs('node bench/memory-bench.js [--quick]: peak memory at 100 and 2,000 frames', ['--quick']);
  await memoryBench();
}
