/**
 * memtop's entry point. Its only static import runs first of all, before any other module is
 * even loaded: from then on SIGUSR1 cannot open Node's inspector (see no-inspector.ts). The
 * next puts SIGINT and SIGTERM back to their default action (see signal-defaults.ts). The
 * rest of memtop starts in start.ts.
 */
import './no-inspector.js';
import './signal-defaults.js';

await import('./start.js');
