import { STAT_LIMIT, readProcText } from './proc-files.js';

/**
 * True when memtop's process group is its terminal's foreground group (or that cannot be
 * told), from /proc/self/stat's pgrp and tpgid fields. The terminal's guard asks before it
 * touches the terminal (see commands/job-control.ts).
 */
export function readIsForeground(): boolean {
  try {
    const stat = readProcText('/proc/self/stat', STAT_LIMIT);
    // After the command's closing parenthesis: state ppid pgrp session tty_nr tpgid ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    const tpgid = Number(fields[5]);
    return !(tpgid > 0) || tpgid === pgrp;
  } catch {
    return true;
  }
}
