/**
 * Imported first by the bin, before anything else runs. Node answers SIGUSR1 by opening its
 * inspector on 127.0.0.1:9229, where any local user may connect and run code with memtop's
 * privileges (root). A listener of memtop's own takes the signal from Node's handler for the
 * whole process, worker threads included, and does nothing: SIGUSR1 then has no effect in any
 * mode, even while a thread is blocked (the signal is taken in C, the listener runs later or
 * never). Node 20 has no --disable-sigusr1; the bin's preamble also points the inspector at an
 * address that cannot be bound, for a signal that arrives before this line runs.
 */
process.on('SIGUSR1', () => {});
