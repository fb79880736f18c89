import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { Viewport } from './layout.js';

function sizeOf(stdout: NodeJS.WriteStream): Viewport {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

/** The terminal's size, updated when it is resized. */
export function useTerminalSize(): Viewport {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
