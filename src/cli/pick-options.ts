import type { Args } from './main.js';

/**
 * The options `names` lists (one of options.ts's lists), taken from yargs's parsed
 * arguments, which also carry each option's alias, a kebab-case copy and the positionals:
 * the resolvers refuse names they do not read.
 */
export function pickOptions(args: Args, names: readonly string[]): Args {
  const picked: Args = {};
  for (const name of names) if (args[name] !== undefined) picked[name] = args[name];
  return picked;
}
