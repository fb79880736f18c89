import { helpRows, keyContext, type AppState } from '../state/app-state.js';
import { STYLES, paint } from '../style.js';
import { keyLine } from './bottom.js';
import { verticalLayout } from '../layout.js';

/** Every line of the help screen: its text (see helpLines), scrolled. */
export function helpScreenLines(state: AppState, text: readonly string[]): string[] {
  const { columns: width } = state.viewport;
  const v = verticalLayout(state.viewport, 0, 1);
  const title = 'memtop help: ↑↓ PgUp PgDn scroll, Esc or ? back, q quit';
  const lines = [paint(title.slice(0, width).padEnd(width), STYLES.title, state.color)];
  const body = text.slice(state.helpScroll, state.helpScroll + helpRows(state));
  lines.push(...body);
  while (lines.length < 1 + v.body) lines.push('');
  if (v.status) lines.push('');
  if (v.keys) lines.push(keyLine(keyContext(state), width, state.color));
  return lines;
}
