/**
 * memtop's entry point. Its only static import runs first of all, before any other module is
 * even loaded: from then on SIGUSR1 cannot open Node's inspector (see no-inspector.ts). The
 * rest of memtop starts in start.ts.
 */
import './no-inspector.js';

await import('./start.js');
