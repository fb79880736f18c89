#!/usr/bin/env node
/** memtop's entry point (the `memtop` bin): the command line lives in main.ts. */
const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
