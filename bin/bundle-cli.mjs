// Bundles the command line (rolldown.config.js says how and why) through rolldown's API,
// which lists nothing: its command line prints every one of the bundle's ~80 files at each
// `npm ci`, `npm test` and `npm run build`, and has no switch to stop it.
import { build } from 'rolldown';
import config from '../rolldown.config.js';

const started = process.hrtime.bigint();
const { output } = await build(config);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const chunks = output.filter((file) => file.type === 'chunk').length;
console.log(`bundled the command line: ${chunks} files in ${config.output.dir}/ (${Math.round(ms)} ms)`);
