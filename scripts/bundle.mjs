// The shipped build: memtop's entry (src/bin.ts, bundled into dist/cli.js, the `memtop` bin) and
// the sampler's threads (dist/page-worker.js, dist/sampler-host-worker.js), so that Node loads a
// few files instead of ~150 modules. Code used only by the interactive view (Ink, React) is split off into chunks that
// load when that view opens. Runs after `tsc -p tsconfig.build.json`, which typechecks and
// emits the module tree (dist/**) that the bench and some tests import directly (its
// dist/bin.js is the same entry, unbundled).
import { build } from 'esbuild';
import { chmodSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist`;

/** Chunks of earlier builds (named by content hash) would pile up. */
const CHUNK = /^chunk-[A-Z0-9]{8}\.js(\.map)?$|^[a-z-]+-[A-Z0-9]{8}\.js(\.map)?$/;
for (const name of readdirSync(outdir)) if (CHUNK.test(name)) rmSync(`${outdir}/${name}`);

/**
 * string-width and wrap-ansi build an Intl.Segmenter and Unicode property regexes when they
 * load (~20 ms), and yargs imports them for its help layout (itself and through cliui), so every
 * command paid for them. yargs and cliui get them through wrappers that load them on first
 * call: only help screens and the interactive view (Ink imports them too) load them.
 */
const lazyHelpText = {
  name: 'lazy-help-text',
  setup(b) {
    b.onResolve({ filter: /^(string-width|wrap-ansi)$/ }, (args) =>
      args.namespace === 'file' && /[/\\]node_modules[/\\](yargs|cliui)[/\\]/.test(args.importer)
        ? { path: args.path, namespace: 'lazy-help-text', pluginData: args.resolveDir }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-help-text' }, (args) => ({
      contents: `export default (...a) => require(${JSON.stringify(args.path)}).default(...a);`,
      resolveDir: args.pluginData,
    }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir,
  sourcemap: true,
  // CommonJS dependencies (React) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __memtopRequire } from 'node:module'; const require = __memtopRequire(import.meta.url);",
  },
  // Ink's optional devtools (DEV=true), not installed: stays an import that fails as it does
  // unbundled.
  external: ['react-devtools-core'],
  logLevel: 'warning',
};

/**
 * dist/cli.js, the `memtop` bin, starts as a shell script that runs Node on itself with two V8
 * flags and one of Node's; to Node the second line is a string and a comment. `node dist/cli.js`
 * still runs memtop, without them.
 * - --inspect-port: SIGUSR1 makes Node open its inspector, a way into a root process; memtop
 *   takes the signal itself (src/no-inspector.ts) from its first line of JavaScript on. Before
 *   that line, the inspector would listen on this address, a link-local multicast one without a
 *   scope, which no socket can bind (EINVAL): it fails to start instead.
 * Measured in docs/PERFORMANCE.md (2026-11-26, V8 flags):
 * - --no-memory-reducer: the memory reducer shrinks the heap with full GCs whenever a process
 *   looks idle, and a sampler that wakes every interval looks idle to it after every sample;
 *   its GCs were about a fifth of the interactive view's idle CPU.
 * - --no-concurrent-recompilation: a sample keeps every core busy with its own threads, so
 *   optimizing compilations queued for a background thread waited for a core while their
 *   functions ran unoptimized; compiled on the thread that needs them, the first sample of a
 *   snapshot takes ~30 ms less on 2 cores.
 * And one glibc tunable, after any the user set: a fixed mmap threshold (128 KiB, glibc's
 * default start), so that every large buffer (page tables of a sample, ArrayBuffers) is a
 * mapping of its own, given back to the system when it is freed. glibc otherwise raises the
 * threshold to the largest buffer freed and keeps later ones in its heap, which it seldom
 * returns: after a transient spike of processes memtop kept ~200 MiB more for good
 * (docs/PERFORMANCE.md, Memory through a spike).
 */
const SHELL_PREAMBLE = `#!/bin/sh
':' //; GLIBC_TUNABLES="\${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.mmap_threshold=131072"; export GLIBC_TUNABLES; exec node --no-memory-reducer --no-concurrent-recompilation '--inspect-port=[ff02::1]:9229' "$0" "$@"
`;

await Promise.all([
  // Chunks sit next to the entry: the sampler finds its worker relative to its own module.
  build({
    ...common,
    entryPoints: { cli: 'src/bin.ts' },
    splitting: true,
    plugins: [lazyHelpText],
    chunkNames: '[name]-[hash]',
  }),
  build({
    ...common,
    entryPoints: {
      'page-worker': 'src/sampler/page-worker.ts',
      'sampler-host-worker': 'src/sampler/sampler-host-worker.ts',
    },
  }),
]);
// The preamble goes on the entry alone (a banner would go on every chunk too), its two lines
// added to the front of the source map; runnable as it is, as npm makes a bin when it installs.
const cli = `${outdir}/cli.js`;
writeFileSync(cli, SHELL_PREAMBLE + readFileSync(cli, 'utf8'));
const map = JSON.parse(readFileSync(`${cli}.map`, 'utf8'));
map.mappings = ';;' + map.mappings;
writeFileSync(`${cli}.map`, JSON.stringify(map));
chmodSync(cli, 0o755);
