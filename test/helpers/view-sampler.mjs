// The interactive view's numbers, without a terminal: the store fed by the real Sampler, as the
// interactive command opens them, and each published snapshot put through the view's reducer.
// Prints one JSON line per frame: the process rows as the list holds them (pid and counters).
// Usage: node view-sampler.mjs PID,PID,... FRAMES [--prefault libs|all|none] [--include-self]
import process from 'node:process';
import { Sampler } from '../../dist/sampler/sampler.js';
import { SampleStore } from '../../dist/store/store.js';
import { appReducer } from '../../dist/ui/state/app-reducer.js';
import { initialAppState } from '../../dist/ui/state/app-state.js';

const [pidList, framesText, ...rest] = process.argv.slice(2);
const pids = pidList.split(',').map(Number);
const frames = Number(framesText);
const at = rest.indexOf('--prefault');
const sampler = Sampler.open({
  prefault: at >= 0 ? rest[at + 1] : 'libs',
  includeSelf: rest.includes('--include-self'),
});
const store = new SampleStore(sampler, { intervalMs: 100, pids, budgetPercent: 10 });
let state = initialAppState({
  sortKey: 'uss',
  intervalMs: 100,
  color: false,
  viewport: { columns: 200, rows: 60 },
});
let printed = 0;
store.subscribe((update) => {
  if (!update.snapshot || printed >= frames) return;
  state = appReducer(state, { type: 'session', update, nowMs: Date.now() });
  if (state.snapshot !== update.snapshot) return;
  const rows = state.processes.rows.map((row) => ({ pid: row.process.pid, ...row.process.totals }));
  process.stdout.write(JSON.stringify({ notices: state.snapshot.notices, rows }) + '\n');
  if (++printed >= frames) store.stop();
});
await store.run();
sampler.close();
