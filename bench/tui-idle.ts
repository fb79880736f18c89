/**
 * The interactive view's idle CPU: memtop on a pseudo-terminal of a fixed size at the default
 * interval, its CPU time (utime + stime, from /proc/PID/task/TID/stat) over a window after a
 * warm-up, for the main thread and for all threads. CPU time, not wall time: other work on the
 * machine slows memtop down but adds little to what it spends.
 *
 * Two hosts: an idle one of its own (a PID namespace holding six `sleep` and two idle `node`
 * processes: the same small, still process list on every machine and every run), and the host
 * as it is.
 */
import { execFileSync } from 'node:child_process';

export interface TuiIdleOptions {
  /** node (for the idle host's processes) and dist/cli.js, run as the bin is. */
  node: string;
  cli: string;
  warmupS: number;
  windowS: number;
  /** In a PID namespace of its own with a few idle processes (needs unshare and root). */
  isolated: boolean;
}

export interface TuiIdleResult {
  /** Percent of one core over the window. */
  mainPct: number;
  allPct: number;
  /** Threads other than the main one, by name, percent of a core. */
  otherThreads: Record<string, number>;
  /** The main thread's voluntary context switches per second: how often it wakes up. */
  wakeupsPerS: number;
  windowS: number;
  /** Processes memtop lists (what /proc shows it, itself left out). */
  processes: number;
  columns: number;
  rows: number;
}

export const TUI_COLUMNS = 120;
export const TUI_ROWS = 40;

const SCRIPT = `
import fcntl, json, os, pty, select, struct, sys, termios, time
node, cli, warmup, window, isolated, cols, rows = sys.argv[1:8]
warmup, window, cols, rows = float(warmup), float(window), int(cols), int(rows)
idle = 'for i in 1 2 3 4 5 6; do sleep 100000 & done; ' \\
    '"$1" -e "setInterval(() => {}, 1e9)" & "$1" -e "setInterval(() => {}, 1e9)" & sleep 1; exec "$2"'
pid, fd = pty.fork()
if pid == 0:
    os.environ['TERM'] = 'xterm-256color'
    os.environ['CI'] = 'false'
    os.environ.pop('NO_COLOR', None)
    if isolated == '1':
        os.execvp('unshare', ['unshare', '--pid', '--fork', '--mount-proc', 'sh', '-c', idle, 'sh', node, cli])
    os.execv(cli, [cli])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
def drain(seconds):
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try: os.read(fd, 65536)
            except OSError: return
def children(p):
    out = []
    for t in os.listdir('/proc/%d/task' % p):
        try: out += [int(c) for c in open('/proc/%d/task/%s/children' % (p, t)).read().split()]
        except OSError: pass
    return out
def memtop():
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            args = open('/proc/%d/cmdline' % p).read().split('\\0')
            if open('/proc/%d/comm' % p).read().strip() == 'node' and cli in args[1:]: return p
        except OSError: continue
        todo += children(p)
    raise SystemExit('memtop did not start')
def ticks(p):
    out = {}
    for t in os.listdir('/proc/%d/task' % p):
        try: s = open('/proc/%d/task/%s/stat' % (p, t)).read()
        except OSError: continue
        name = s[s.index('(') + 1:s.rindex(')')]
        f = s.rsplit(')', 1)[1].split()
        out[int(t)] = (name, int(f[11]) + int(f[12]))
    return out
def wakeups(p):
    for line in open('/proc/%d/status' % p):
        if line.startswith('voluntary_ctxt_switches'): return int(line.split()[1])
drain(warmup)
m = memtop()
def descendants(p):
    out = children(p)
    for c in list(out): out += descendants(c)
    return out
if isolated == '1': procs = len(descendants(m))
else: procs = len([d for d in os.listdir('/proc') if d.isdigit()]) - 1
a, w0, t0 = ticks(m), wakeups(m), time.time()
drain(window)
b, w1, t1 = ticks(m), wakeups(m), time.time()
os.kill(pid, 9)
os.waitpid(pid, 0)
hz, dt = os.sysconf('SC_CLK_TCK'), t1 - t0
pct = lambda n: n / hz / dt * 100
others = {}
for tid, (name, v) in b.items():
    if tid == m: continue
    key = '%s %d' % (name, tid)
    d = v - a.get(tid, (name, 0))[1]
    if d: others[key] = pct(d)
main = b[m][1] - a.get(m, ('', 0))[1]
total = sum(v for _, v in b.values()) - sum(a[t][1] for t in b if t in a)
print(json.dumps({'mainPct': pct(main), 'allPct': pct(total), 'otherThreads': others,
    'wakeupsPerS': (w1 - w0) / dt, 'windowS': dt, 'processes': procs,
    'columns': cols, 'rows': rows}))
`;

/** Runs memtop on a pty for warm-up + window seconds and returns its CPU share. */
function measureTuiIdle(options: TuiIdleOptions): TuiIdleResult {
  let out: string;
  try {
    out = execFileSync(
      'python3',
      [
        '-c',
        SCRIPT,
        options.node,
        options.cli,
        String(options.warmupS),
        String(options.windowS),
        options.isolated ? '1' : '0',
        String(TUI_COLUMNS),
        String(TUI_ROWS),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`TUI idle measurement failed: ${stderr || String(error)}`, { cause: error });
  }
  return JSON.parse(out) as TuiIdleResult;
}

/** Whether a PID namespace of its own can be made here (root and util-linux's unshare). */
function canIsolate(): boolean {
  try {
    execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One line: main thread and all threads, the window, the terminal and the wake-ups. */
function formatTuiIdle(label: string, r: TuiIdleResult): string {
  const threads = Object.entries(r.otherThreads)
    .sort((x, y) => y[1] - x[1])
    .map(([name, pct]) => `${name} ${pct.toFixed(2)}%`)
    .join(', ');
  return (
    `${label}: ${r.allPct.toFixed(2)}% of a core, all threads (main thread ${r.mainPct.toFixed(2)}%; ` +
    `${threads || 'no other thread ran'}); ${r.windowS.toFixed(0)} s window, ` +
    `${r.columns}×${r.rows} terminal, ${r.processes} processes, ${r.wakeupsPerS.toFixed(1)} main-thread wake-ups/s`
  );
}

/**
 * Target 5's lines: the interactive view on an idle host of its own (when one can be made) and
 * on this host as it is, the first with its verdict.
 */
export function tuiIdleReport(options: Omit<TuiIdleOptions, 'isolated'>): string {
  const lines: string[] = [];
  let verdict: number | undefined;
  if (canIsolate()) {
    const r = measureTuiIdle({ ...options, isolated: true });
    verdict = r.allPct;
    lines.push(formatTuiIdle('TUI idle CPU at the default interval, idle host of its own', r));
  }
  const host = measureTuiIdle({ ...options, isolated: false });
  verdict ??= host.allPct;
  lines.push(formatTuiIdle('   the same on this host as it is', host));
  lines[0] += ` (≤ 1%: ${verdict <= 1 ? 'met' : 'NOT met'})`;
  return lines.join('\n');
}
