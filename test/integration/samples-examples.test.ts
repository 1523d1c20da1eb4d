// The pictures in samples/examples/ are shown in the README as what chromaseed makes: each
// must still be what samples/README.md's commands make, pixel for pixel (an audit found
// seven made by an older build; their pixels had not changed, but nothing checked it).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runMain } from '../helpers/cli.js';

const EXAMPLES = 'samples/examples/';

/** The `chromaseed ...` lines of samples/README.md's sh block, each as its arguments; `# also rank, nearest` adds those methods' runs. */
function exampleCommands(): string[][] {
  const text = readFileSync(path.join(repoRoot, 'samples/README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(text);
  if (block === null) throw new Error('samples/README.md has no sh block');
  return block[1].split('\n').filter((line) => line.startsWith('chromaseed ')).flatMap((line) => {
    const [command, comment] = line.split('#');
    const argv = command.trim().split(/\s+/).slice(1);
    const also = /also (.+)/.exec(comment ?? '');
    if (also === null) return [argv];
    const method = argv[argv.indexOf('--method') + 1];
    const more = also[1].split(/,\s*/).map((other) => argv.map((arg) => arg.replace(method, other)));
    return [argv, ...more];
  });
}

/** Every frame's RGBA pixels (all pages of an animation). */
async function pixels(file: string): Promise<Buffer> {
  return sharp(file, { pages: -1 }).ensureAlpha().raw().toBuffer();
}

describe('samples/examples/', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'chromaseed-examples-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const commands = exampleCommands();

  it('samples/README.md gives a command for each picture', () => {
    const made = commands.flat().filter((arg) => arg.startsWith(EXAMPLES)).map((arg) => arg.slice(EXAMPLES.length)).sort();
    const pictures = readdirSync(path.join(repoRoot, EXAMPLES)).sort();
    expect(pictures.length).toBeGreaterThanOrEqual(12);
    expect(made).toEqual(pictures);
  });

  it.each(commands.map((argv) => [argv.join(' '), argv] as const))('%s', async (_, argv) => {
    const outputs = argv.filter((arg) => arg.startsWith(EXAMPLES));
    const written = argv.map((arg) => (arg.startsWith(EXAMPLES) ? path.join(out, arg.slice(EXAMPLES.length)) : arg.startsWith('samples/') ? path.join(repoRoot, arg) : arg));
    const run = await runMain([...written, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    for (const name of outputs) {
      const made = await pixels(path.join(out, name.slice(EXAMPLES.length)));
      const shown = await pixels(path.join(repoRoot, name));
      expect(made.equals(shown), `${name} differs from what its command makes`).toBe(true);
    }
  }, 60_000);
});
