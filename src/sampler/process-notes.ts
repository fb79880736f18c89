import { ProcessReadFailure } from './proc-files.js';

/** Processes named in one sample's notices; the others are counted. */
const MAX_NAMED = 3;

/**
 * What one sample found odd about single processes (a file refused, a maps file cut), for the
 * sample's notices: such a process is left out or shown in part, and the sample goes on.
 */
export class ProcessNotes {
  private readonly named: string[] = [];
  private more = 0;

  add(pid: number, text: string): void {
    if (this.named.length < MAX_NAMED) this.named.push(`process ${pid}: ${text}`);
    else this.more++;
  }

  /**
   * Settles an error raised while reading one process: a per-process failure leaves it out
   * (noted when a file was odd); any other error goes on.
   */
  settle(pid: number, error: unknown): undefined {
    if (!(error instanceof ProcessReadFailure)) throw error;
    if (error.failure === 'odd') this.add(pid, `left out: ${error.detail ?? 'a file is odd'}`);
    return undefined;
  }

  list(): string[] {
    if (this.more === 0) return [...this.named];
    return [...this.named, `${this.more} more processes had files memtop refused or cut`];
  }
}
