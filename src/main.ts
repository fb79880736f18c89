import yargs, { type Argv } from 'yargs';
import { runBatch } from './commands/batch.js';
import { DEFAULT_TRACK_PAGES } from './store/store.js';
import {
  DEFAULT_BUDGET_PERCENT,
  parseBudget,
  parseCount,
  PREFAULT_MODES,
  parseIntervalMs,
  parsePid,
  parsePidList,
  parsePrefault,
  parseSortKey,
  samplerOptions,
  type GlobalArgs,
} from './commands/options.js';
import { runPagemaps } from './commands/pagemaps.js';
import { runSnapshot, type OutputFormat } from './commands/snapshot.js';
import { parseGroupKind, runGroupSnapshot } from './commands/groups.js';
import { GROUP_KINDS } from './model/group-types.js';
import { GroupSource } from './sampler/cgroups.js';
import { GivenPids } from './commands/given-pids.js';
import { MemtopError, UsageError, exitStatusOf } from './errors.js';
import { SORT_KEYS } from './model/sort.js';
import { Sampler } from './sampler/sampler.js';
import { releasePrestarted } from './sampler/page-workers.js';
import { PidLookup } from './sampler/pid-kind.js';
import { SamplerHost, releasePrestartedHost } from './sampler/sampler-host.js';
import { runLibraries } from './commands/libs.js';
import { parseAddress, runShares } from './commands/shares.js';
import { VERSION } from './version.js';

/** Options that several commands take alike. */
const PID_OPTION = {
  alias: 'p',
  type: 'string',
  describe: 'Only these process ids (comma-separated)',
  requiresArg: true,
} as const;
const SORT_OPTION = {
  alias: 's',
  type: 'string',
  default: 'uss',
  describe: `Sort key: ${SORT_KEYS.join(', ')}`,
  requiresArg: true,
} as const;

/** Writes to stdout; a closed pipe (memtop ... | head) ends memtop quietly. */
function write(text: string): void {
  process.stdout.write(text);
}

function globalOptions(y: Argv) {
  return y
    .option('proc-root', {
      type: 'string',
      default: '/proc',
      describe: 'Where proc is mounted (for fixture trees)',
      requiresArg: true,
    })
    .option('cgroup-root', {
      type: 'string',
      describe:
        'Where the cgroup hierarchies are (for fixture trees): DIR/memory (v1 memory), DIR/unified or DIR (cgroup2); default: as mounted',
      requiresArg: true,
    })
    .option('unprivileged', {
      type: 'boolean',
      default: false,
      describe: 'Act as a user without CAP_SYS_ADMIN even when root',
    })
    .option('include-self', {
      type: 'boolean',
      default: false,
      describe:
        'List memtop (and its sudo/doas/su launcher) too, and count their mappings in everyone’s figures',
    })
    .option('prefault', {
      type: 'string',
      default: 'libs',
      describe: `Fault in memtop’s own library pages before sampling, so that they stay put while it samples: ${PREFAULT_MODES.join(', ')}`,
      requiresArg: true,
    })
    .option('color', {
      type: 'boolean',
      default: true,
      describe: 'Colour (also off with NO_COLOR)',
    });
}

/** Opens the sampler for one command and always closes it. */
function withSampler<T>(args: Parameters<typeof toGlobal>[0], run: (sampler: Sampler) => T): T {
  const sampler = Sampler.open(samplerOptions(toGlobal(args)));
  try {
    return run(sampler);
  } finally {
    sampler.close();
  }
}

function toGlobal(argv: {
  procRoot: string;
  unprivileged: boolean;
  includeSelf: boolean;
  prefault: string;
}): GlobalArgs {
  return {
    procRoot: argv.procRoot,
    unprivileged: argv.unprivileged,
    includeSelf: argv.includeSelf,
    prefault: parsePrefault(argv.prefault),
  };
}

export function buildParser(argv: string[]) {
  return globalOptions(yargs(argv))
    .scriptName('memtop')
    .usage(
      'memtop: top for page sharing — who holds which pages, alone or shared\n\nUsage: memtop [command] [options]',
    )
    .command(
      '$0',
      'Interactive view on a terminal; batch text frames otherwise',
      (y) =>
        y
          .option('batch', {
            alias: 'b',
            type: 'boolean',
            default: false,
            describe: 'Text frames, like top -b',
          })
          .option('iterations', {
            alias: 'n',
            describe: 'Frames to print in batch mode (default: until interrupted)',
            requiresArg: true,
          })
          .option('delay', {
            alias: 'd',
            default: 2,
            describe: 'Seconds between samples',
            requiresArg: true,
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'Batch frames as JSON, one object per line',
          })
          .option('pid', PID_OPTION)
          .option('sort', SORT_OPTION)
          .option('track-pages', {
            default: DEFAULT_TRACK_PAGES,
            describe:
              'Interactive view: track every page of every process (copy-on-write and sharing changes) while the host has at most this many resident pages',
            requiresArg: true,
          })
          .option('limit', {
            describe: 'Show at most N processes per frame',
            requiresArg: true,
          })
          .option('budget', {
            type: 'string',
            default: String(DEFAULT_BUDGET_PERCENT),
            describe:
              'CPU memtop may use on average (all of it), percent of one core: every process’s RSS each interval, its pages in turn, oldest first, the rows on screen more often (off: every page, every interval)',
            requiresArg: true,
          }),
      async (args) => {
        const pids = parsePidList(args.pid);
        const intervalMs = parseIntervalMs(args.delay);
        const sort = parseSortKey(args.sort);
        const iterations = parseCount(args.iterations, '-n');
        const limit = parseCount(args.limit, '--limit');
        const budgetPercent = parseBudget(args.budget);
        const trackPages = parseCount(args.trackPages, '--track-pages');
        const interactive =
          !args.batch &&
          !args.json &&
          process.stdout.isTTY === true &&
          process.stdin.isTTY === true;
        if (interactive) {
          // The sampler runs in a thread of its own (page workers, if any, are its own).
          releasePrestarted();
          // Ink and React load only for the interactive view, meanwhile the sampler opens: the
          // batch commands start faster.
          const given = GivenPids.check(PidLookup.open(args.procRoot), pids);
          const [host, { runInteractive }] = await Promise.all([
            SamplerHost.open(samplerOptions(toGlobal(args)), { prestartPageWorkers: false }),
            import('./commands/interactive.js'),
          ]);
          await runInteractive(host, {
            intervalMs,
            sort,
            pids: given.pids,
            trackPages,
            budgetPercent,
            color: args.color && !process.env['NO_COLOR'],
          });
          given.finish();
          return;
        }
        // No listener for SIGINT or SIGTERM: their default action ends memtop at once, even in
        // the middle of a read that blocks (a listener would wait for that read to return).
        const sampler = Sampler.open(samplerOptions(toGlobal(args)));
        try {
          const given = GivenPids.check(sampler, pids);
          await runBatch(sampler, {
            iterations,
            intervalMs,
            json: args.json,
            pids: given.pids,
            sort,
            limit,
            budgetPercent,
            write,
            checkFirst: (snapshot) => given.settle(sampler, snapshot),
          });
          given.finish();
        } finally {
          sampler.close();
        }
      },
    )
    .command(
      'snapshot',
      'One sample, as a table, JSON or CSV',
      (y) =>
        y
          .option('json', { type: 'boolean', describe: 'JSON (schema: docs/JSON.md)' })
          .option('csv', { type: 'boolean', describe: 'CSV, one row per process (or per mapping)' })
          .conflicts('json', 'csv')
          .option('pid', PID_OPTION)
          .option('mappings', {
            alias: 'm',
            type: 'boolean',
            default: false,
            describe: 'Include every mapping of each process',
          })
          .option('sort', SORT_OPTION)
          .option('limit', {
            describe: 'Show at most N processes (with --group: N groups)',
            requiresArg: true,
          })
          .option('group', {
            type: 'string',
            describe: `Group the processes: ${GROUP_KINDS.join(', ')}: Σ RSS, Σ PSS, Σ swap, and ALONE, the pages no process outside the group maps (stopping it frees their anonymous part; clean page cache and shmem files may stay)`,
            requiresArg: true,
          }),
      (args) => {
        const format: OutputFormat = args.json ? 'json' : args.csv ? 'csv' : 'table';
        const pids = parsePidList(args.pid);
        const sort = parseSortKey(args.sort);
        const limit = parseCount(args.limit, '--limit');
        const group = args.group === undefined ? undefined : parseGroupKind(args.group);
        const snapshotArgs = { format, pids, mappings: args.mappings, sort, limit };
        if (group !== undefined) {
          const source = GroupSource.open(args.procRoot, args.cgroupRoot);
          withSampler(args, (sampler) =>
            runGroupSnapshot(sampler, source, group, snapshotArgs, write),
          );
          return;
        }
        withSampler(args, (sampler) => runSnapshot(sampler, snapshotArgs, write));
      },
    )
    .command(
      'pagemaps <pid>',
      'The original /proc/PID/pagemaps listing: each mapping, then a map count per page (negative: dirty)',
      (y) => y.positional('pid', { type: 'string', describe: 'Process id', demandOption: true }),
      (args) => {
        const pid = parsePid(args.pid, 'pagemaps');
        withSampler(args, (sampler) => runPagemaps(sampler, pid, write));
      },
    )
    .command(
      'libs',
      'Every mapped file (shared libraries first of all) across processes: who maps it, Σ RSS, Σ PSS, private pages',
      (y) =>
        y
          .option('json', { type: 'boolean', default: false, describe: 'JSON' })
          .option('users', {
            alias: 'u',
            type: 'boolean',
            default: false,
            describe: 'List each process under each file',
          })
          .option('pid', PID_OPTION)
          .option('limit', { describe: 'Show at most N files', requiresArg: true }),
      (args) => {
        const pids = parsePidList(args.pid);
        const limit = parseCount(args.limit, '--limit');
        withSampler(args, (sampler) =>
          runLibraries(sampler, { json: args.json, pids, limit, users: args.users }, write),
        );
      },
    )
    .command(
      'shares <pid>',
      'Who shares pages with a process, ranked by bytes; with --page, who maps one page (root)',
      (y) =>
        y
          .positional('pid', { type: 'string', describe: 'Process id', demandOption: true })
          .option('page', {
            type: 'string',
            describe: 'A virtual address in the process (hex 0x… or decimal)',
            requiresArg: true,
          })
          .option('json', { type: 'boolean', default: false, describe: 'JSON' })
          .option('limit', {
            describe: 'Show at most N processes',
            requiresArg: true,
          }),
      (args) => {
        const pid = parsePid(args.pid, 'shares');
        const page = args.page === undefined ? undefined : parseAddress(args.page);
        const limit = parseCount(args.limit, '--limit');
        withSampler(args, (sampler) =>
          runShares(sampler, { pid, page, json: args.json, limit }, write),
        );
      },
    )
    .example('memtop', 'Interactive: processes by USS, Enter to drill into mappings and pages')
    .example('memtop snapshot --sort pss --limit 10', 'The ten largest processes by PSS')
    .example('memtop snapshot --json -p 1234 --mappings', 'One process with every mapping, as JSON')
    .example('memtop pagemaps 1234 | less', 'Per-page map counts of process 1234')
    .example('memtop libs --limit 20', 'The twenty mapped files with the most resident pages')
    .example('memtop shares 1234', 'The processes sharing the most pages with process 1234')
    .example('memtop -b -n 3 -d 5', 'Three text frames five seconds apart')
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .alias('version', 'V')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      // yargs's own validation errors (YError: an option without its value, ...) are usage
      // errors; any other error was thrown by a command and goes on as it is.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(oneLine(message ?? error?.message ?? 'invalid arguments'), error);
    });
}

/** A message of several lines (some of yargs's) as one. */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** The part of yargs's internal interface that skipHelpCache() uses. */
interface YargsInternals {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}

/**
 * yargs renders the whole help text (~15 ms) after a subcommand's handler has run, only to keep
 * it for a help screen shown after the command, which memtop never shows: its failures are one
 * line (see fail() above). The rendering is skipped; --help renders as before. Where yargs does
 * not have this internal interface, nothing changes.
 */
function skipHelpCache(parser: object): void {
  const usage = (parser as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** Runs memtop; every failure ends as one line on stderr and the exit status of EXIT_TABLE. */
export async function main(argv: string[]): Promise<number> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  try {
    const parser = buildParser(argv);
    skipHelpCache(parser);
    await parser.parseAsync();
    return 0;
  } catch (error) {
    const message = oneLine(error instanceof Error ? error.message : String(error));
    const known = error instanceof MemtopError;
    process.stderr.write(`memtop: ${known ? message : `internal error: ${message}`}\n`);
    if (process.env['MEMTOP_DEBUG'] && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return known ? error.exitStatus : exitStatusOf('INTERNAL');
  } finally {
    // A sampler's thread started ahead for an interactive view that did not open.
    releasePrestartedHost();
  }
}
