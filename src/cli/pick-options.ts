import { INPUT_NAMES, PALETTE_NAMES, resolveInputOptions, resolvePaletteOptions, resolveSequenceOptions, SEQUENCE_NAMES } from '../options.js';
import type { Args } from './main.js';

/**
 * The resolvers of options.ts, fed from yargs's parsed arguments. Those also carry each
 * option's alias, a kebab-case copy and the positionals, and the resolvers refuse names
 * they do not read, so each gets only the names on its own list.
 */
function pick(args: Args, names: readonly string[]): Args {
  const picked: Args = {};
  for (const name of names) if (args[name] !== undefined) picked[name] = args[name];
  return picked;
}

export const inputOptionsOf = (args: Args) => resolveInputOptions(pick(args, INPUT_NAMES));
export const sequenceOptionsOf = (args: Args) => resolveSequenceOptions(pick(args, SEQUENCE_NAMES));
export const paletteOptionsOf = (args: Args) => resolvePaletteOptions(pick(args, PALETTE_NAMES));
