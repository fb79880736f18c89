import { Box, Text } from 'ink';
import { createContext, memo, useContext, useLayoutEffect } from 'react';
import { cutStyled } from '../../format/text.js';
import { frameLines, type Viewport } from '../layout.js';

/** Draws a frame's lines, each cut to `columns`, from the screen's first row. */
export type DrawFrame = (lines: readonly string[], columns: number) => void;

/**
 * Where frames are drawn: by Ink (undefined: component tests, renderToString) or straight to
 * the terminal (the interactive view, see FrameWriter in src/commands).
 */
export const FrameSink = createContext<DrawFrame | undefined>(undefined);

/** One terminal line: one <Text> from one pre-built string, redrawn only when it changes. */
const Line = memo(function Line({ text }: { text: string }) {
  return <Text wrap="truncate-end">{text === '' ? ' ' : text}</Text>;
});

/**
 * A whole screen: exactly rows − 1 lines (a constant height keeps Ink's line diff simple), each
 * cut to the width so that nothing wraps.
 */
export function Frame({ lines, viewport }: { lines: readonly string[]; viewport: Viewport }) {
  const draw = useContext(FrameSink);
  const height = frameLines(viewport);
  const width = Math.max(1, viewport.columns);
  const shown: string[] = [];
  for (let i = 0; i < height; i++) shown.push(cutStyled(lines[i] ?? '', width));
  useLayoutEffect(() => draw?.(shown, width));
  if (draw) return null;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((text, i) => (
        <Line key={i} text={text} />
      ))}
    </Box>
  );
}
