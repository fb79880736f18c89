/**
 * npm run bench:idle: target 5 alone, the interactive view's idle CPU (see tui-idle.ts).
 * Options: --window SECONDS (default 60), --runs N (default 1).
 */
import { fileURLToPath } from 'node:url';
import { tuiIdleReport } from './tui-idle.js';
import { runBinWithThisNode } from './measure.js';

runBinWithThisNode();

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!(value > 0)) throw new Error(`${name} takes a positive number`);
  return value;
}

const windowS = option('--window', 60);
for (let run = option('--runs', 1); run > 0; run--) {
  console.log(tuiIdleReport({ node: process.execPath, cli: CLI, warmupS: 10, windowS }));
}
