// k-means engine vs scikit-learn on real photos (not part of `npm test`).
//
//   npx tsc -p tsconfig.json && node bench/kmeans-bench.js [--quick] [--no-cache]
//
// For each corpus photo resized to ~0.1, 0.3 and 1 megapixel and k = 4, 8, 16: times our
// engine (median of 3 runs after a warm-up, plus the very first call of the process; wall
// clock and CPU time, since a shared machine's load distorts wall clocks), and
// runs bench/sklearn_fit.py, which times only KMeans(n_clusters=k, n_init=10,
// random_state=0).fit(X) on the same RGB pixels. sklearn results are cached in the temp
// directory by pixel checksum (sklearn takes seconds per fit); --no-cache refits.
// Set KMEANS_MODULE to benchmark another build of src/kmeans/kmeans.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STILLS = path.resolve(ROOT, '../shared/corpus/stills');
const modulePath = process.env.KMEANS_MODULE ?? path.join(ROOT, 'dist/kmeans/kmeans.js');
const { createKMeans } = await import(pathToFileURL(path.resolve(modulePath)).href);

const { checkArgs, extraCaCertsNote, median, tempDir } = await import('./lib.js');
const options = checkArgs('node bench/kmeans-bench.js [--quick] [--no-cache]: k-means against scikit-learn (--no-cache refits scikit-learn)', ['--quick', '--no-cache']);
const quick = options.has('--quick');
const scratch = tempDir('kmeans');
const useCache = !options.has('--no-cache');
const IMAGES = quick
  ? ['skimage__coffee.png', 'wuffs__harvesters.jpeg']
  : ['skimage__coffee.png', 'wuffs__harvesters.jpeg', 'imageio__kodim03.png', 'skimage__astronaut.png', 'skimage__hubble_deep_field.jpg'];
const MEGAPIXELS = [0.1, 0.3, 1];
const KS = [4, 8, 16];
const CACHE = path.join(os.tmpdir(), 'chromaseed-sklearn-cache-v2.json');

function findPython() {
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import sklearn'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

async function loadResized(file, megapixels) {
  const meta = await sharp(file).metadata();
  const scale = Math.sqrt((megapixels * 1e6) / (meta.width * meta.height));
  const width = Math.max(1, Math.round(meta.width * scale));
  const { data, info } = await sharp(file).resize({ width }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgba: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

function rgbOf(rgba) {
  const rgb = Buffer.alloc((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    rgb[o] = rgba[i];
    rgb[o + 1] = rgba[i + 1];
    rgb[o + 2] = rgba[i + 2];
  }
  return rgb;
}

function sklearnFits(python, rgb, ks, cache) {
  const key = createHash('sha1').update(rgb).digest('hex');
  const missing = ks.filter((k) => !cache[`${key}:${k}`]);
  for (const k of ks) if (!missing.includes(k)) cachedFits.push(cache[`${key}:${k}`].fittedAt ?? 'an unknown date');
  if (missing.length > 0) {
    const file = path.join(scratch, 'pixels.rgb');
    writeFileSync(file, rgb);
    const r = spawnSync(python, [path.join(ROOT, 'bench/sklearn_fit.py'), file, ...missing.map(String)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`sklearn_fit.py failed: ${r.stderr}`);
    for (const line of r.stdout.trim().split('\n')) {
      const fit = JSON.parse(line);
      cache[`${key}:${fit.k}`] = { inertia: fit.inertia, ms: fit.seconds * 1000, cpuMs: fit.cpu_seconds * 1000, iterations: fit.iterations, fittedAt: new Date().toISOString().slice(0, 16) };
    }
  }
  return Object.fromEntries(ks.map((k) => [k, { ...cache[`${key}:${k}`], cached: !missing.includes(k) }]));
}

const python = findPython();
if (!python) console.log('python3 with scikit-learn not found: sklearn columns skipped (apt-get install python3-sklearn).');
const certs = extraCaCertsNote();
if (certs) console.log(certs);
const cache = useCache && existsSync(CACHE) ? JSON.parse(readFileSync(CACHE, 'utf8')) : {};
/** When each scikit-learn time taken from the cache was measured: such a time is another run's (another load, another build), and the output says so. */
const cachedFits = [];
const engine = createKMeans();
let firstCallMs = null;

const rows = [];
const header = ['image', 'MP', 'distinct', 'k', 'our inertia', 'sklearn inertia', 'ratio', 'our ms', 'sklearn ms', 'speed-up', 'our cpu ms', 'sklearn cpu ms', 'cpu speed-up', 'CLI ms', 'CLI speed-up'];
const CLI = path.join(ROOT, 'bin/chromaseed.js');

/** The whole `chromaseed palette` process on a PNG of the same pixels: wall ms (best of 2) and its inertia. */
function timeCli(png, k) {
  let best = Infinity;
  let inertia = NaN;
  for (let rep = 0; rep < 2; rep++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'palette', png, '-k', String(k), '--json'], { encoding: 'utf8' });
    best = Math.min(best, performance.now() - t0);
    if (r.status !== 0) throw new Error(`chromaseed palette failed: ${r.stderr}`);
    inertia = JSON.parse(r.stdout).inertia;
  }
  return { ms: best, inertia };
}
console.log(header.join('\t'));
for (const name of IMAGES) {
  for (const mp of MEGAPIXELS) {
    const { rgba, width, height } = await loadResized(path.join(STILLS, name), mp);
    const fits = python ? sklearnFits(python, rgbOf(rgba), KS, cache) : null;
    const png = path.join(scratch, 'image.png');
    await sharp(rgba, { raw: { width, height, channels: 4 } }).removeAlpha().png().toFile(png);
    if (python && useCache) writeFileSync(CACHE, JSON.stringify(cache));
    for (const k of KS) {
      if (firstCallMs === null) {
        const t0 = performance.now();
        engine.run(rgba, { k });
        firstCallMs = performance.now() - t0;
      }
      engine.run(rgba, { k }); // warm-up for this size
      const times = [];
      const cpuTimes = [];
      let result;
      for (let rep = 0; rep < 3; rep++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        result = engine.run(rgba, { k });
        times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpuTimes.push((c.user + c.system) / 1000);
      }
      const ours = median(times);
      const oursCpu = median(cpuTimes);
      const fit = fits?.[k];
      const cli = timeCli(png, k);
      const row = {
        cliMs: cli.ms, cliSpeedup: fit ? fit.ms / cli.ms : NaN, cliRatio: fit ? cli.inertia / fit.inertia : NaN,
        image: name, mp: (width * height) / 1e6, distinct: result.distinctColors, k,
        inertia: result.inertia, sklearnInertia: fit?.inertia, ratio: fit ? result.inertia / fit.inertia : NaN,
        ms: ours, sklearnMs: fit?.ms, speedup: fit ? fit.ms / ours : NaN,
        cpuMs: oursCpu, sklearnCpuMs: fit?.cpuMs, cpuSpeedup: fit ? fit.cpuMs / oursCpu : NaN,
      };
      rows.push(row);
      console.log([
        name, row.mp.toFixed(2), row.distinct, k, row.inertia.toExponential(5), fit ? fit.inertia.toExponential(5) : '-',
        fit ? row.ratio.toFixed(5) : '-', ours.toFixed(1), fit ? `${fit.ms.toFixed(0)}${fit.cached ? '*' : ''}` : '-', fit ? `${row.speedup.toFixed(1)}x` : '-',
        oursCpu.toFixed(1), fit ? fit.cpuMs.toFixed(0) : '-', fit ? `${row.cpuSpeedup.toFixed(1)}x` : '-',
        cli.ms.toFixed(0), fit ? `${row.cliSpeedup.toFixed(1)}x` : '-',
      ].join('\t'));
    }
  }
}
if (cachedFits.length > 0) {
  const dates = [...new Set(cachedFits)].sort();
  console.log(`scikit-learn: ${cachedFits.length} of ${rows.length} fits (times and inertias, sklearn ms marked *) from the cache ${CACHE}, fitted ${dates.length === 1 ? dates[0] : `${dates[0]} to ${dates.at(-1)}`}, not in this run; --no-cache refits them`);
}
console.log(`first call of the process (cold JIT and first buffer allocations): ${firstCallMs.toFixed(1)} ms`);
if (python) {
  const worst = rows.reduce((a, r) => (r.ratio > a.ratio ? r : a));
  const slowest = rows.reduce((a, r) => (r.speedup < a.speedup ? r : a));
  const slowestCpu = rows.reduce((a, r) => (r.cpuSpeedup < a.cpuSpeedup ? r : a));
  console.log(`lowest CPU-time speed-up ${slowestCpu.cpuSpeedup.toFixed(1)}x (${slowestCpu.image} ${slowestCpu.mp.toFixed(2)} MP k=${slowestCpu.k})`);
  const pass = rows.filter((r) => r.ratio <= 1.005 && r.speedup >= 10).length;
  console.log(`worst ratio ${worst.ratio.toFixed(5)} (${worst.image} ${worst.mp.toFixed(2)} MP k=${worst.k}); lowest speed-up ${slowest.speedup.toFixed(1)}x (${slowest.image} ${slowest.mp.toFixed(2)} MP k=${slowest.k})`);
  console.log(`${pass}/${rows.length} rows meet the bar for the engine (ratio <= 1.005 and speed-up >= 10x)`);
  const cliPass = rows.filter((r) => r.cliRatio <= 1.005 && r.cliSpeedup >= 10).length;
  const slowestCli = rows.reduce((a, r) => (r.cliSpeedup < a.cliSpeedup ? r : a));
  console.log(`${cliPass}/${rows.length} rows meet the bar for the whole CLI process (its inertia <= 1.005 x sklearn's, sklearn fit time >= 10x the process); lowest ${slowestCli.cliSpeedup.toFixed(1)}x (${slowestCli.image} ${slowestCli.mp.toFixed(2)} MP k=${slowestCli.k})`);
}
