import type { Snapshot } from '../model/types.js';
import { formatJson } from '../format/json-text.js';
import { VERSION } from '../version.js';

/** The version of the documents' layout: raised when a field changes meaning or goes away. */
export const SCHEMA_VERSION = 1;

/** What every JSON document memtop writes starts with: who wrote it, when, on what host. */
export interface Envelope {
  schemaVersion: number;
  /** memtop's version. */
  version: string;
  /** ISO 8601 time of the sample the document holds (UTC). */
  time: string;
  hostname: string;
  kernel: string;
  /** PFNs, kpagecount and kpageflags were readable: every count is per page. */
  privileged: boolean;
}

/** The facts of a sample the envelope tells. */
export type SampleFacts = Pick<Snapshot, 'timeMs' | 'hostname' | 'kernel' | 'privileged'>;

/** The envelope of a document about this sample. */
export function envelope(sample: SampleFacts): Envelope {
  return {
    schemaVersion: SCHEMA_VERSION,
    version: VERSION,
    time: new Date(sample.timeMs).toISOString(),
    hostname: sample.hostname,
    kernel: sample.kernel,
    privileged: sample.privileged,
  };
}

/** A document: the envelope, then the document's own fields. */
export function withEnvelope<T extends object>(sample: SampleFacts, body: T): Envelope & T {
  return { ...envelope(sample), ...body };
}

/** A document as memtop writes it: one line of JSON (see formatJson) and a newline. */
export function formatDocument(sample: SampleFacts, body: object): string {
  return formatJson(withEnvelope(sample, body)) + '\n';
}

/**
 * The envelope as a JSON Schema (draft 2020-12), for whoever reads memtop's documents: the
 * fields every document has, whatever else it holds.
 */
export const ENVELOPE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'memtop JSON document envelope',
  type: 'object',
  required: ['schemaVersion', 'version', 'time', 'hostname', 'kernel', 'privileged'],
  properties: {
    schemaVersion: { const: SCHEMA_VERSION },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+' },
    time: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
    },
    hostname: { type: 'string' },
    kernel: { type: 'string' },
    privileged: { type: 'boolean' },
  },
} as const;
