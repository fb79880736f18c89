/**
 * Imported by the bin right after no-inspector.ts. Node catches SIGINT and SIGTERM in C (to
 * reset the terminal's modes, then die of the signal), and a caught signal does not end a
 * process whose thread waits in the kernel for a read (a hung mount): only a signal left to
 * its default action does. memtop changes no terminal mode outside the interactive view, which
 * listens for both itself: everywhere else they take their default action again, and end
 * memtop at once, in the middle of any read. (Listening, then not, is how: with no listener
 * left, libuv puts the default action back.)
 */
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  const none = () => {};
  process.on(signal, none);
  process.off(signal, none);
}
