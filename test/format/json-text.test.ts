// JSON text: every string valid UTF-8, invalid bytes as U+FFFD with a <field>Base64 sibling
// holding the raw bytes, DEL and C1 controls escaped (JSON.stringify leaves them raw).
import { describe, expect, it } from 'vitest';
import { decodeProcText } from '../../src/sampler/decode-text.js';
import { formatJson } from '../../src/format/json-text.js';

const bad = decodeProcText(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]));

describe('formatJson', () => {
  it('is JSON.stringify for text that is valid and free of DEL and C1', () => {
    const doc = { comm: 'café', path: '/srv/進程 👍', n: [1, null], s: 'tab\tnew\nline' };
    expect(formatJson(doc)).toBe(JSON.stringify(doc));
  });

  it('replaces invalid bytes and adds the raw bytes beside the field', () => {
    const text = formatJson({ pid: 7, comm: bad, users: [{ comm: bad, pid: 8 }], ok: 'x' });
    expect(text).not.toMatch(/\\ud[89a-f]/i);
    expect(text).toBe(
      '{"pid":7,"comm":"bad\ufffd\ufffd","commBase64":"YmFk//4=",' +
        '"users":[{"comm":"bad\ufffd\ufffd","commBase64":"YmFk//4=","pid":8}],"ok":"x"}',
    );
    expect(Buffer.from('YmFk//4=', 'base64')).toEqual(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]));
  });

  it('makes strings in arrays valid (they have no sibling)', () => {
    expect(JSON.parse(formatJson({ notices: [bad] }))).toEqual({ notices: ['bad\ufffd\ufffd'] });
  });

  it('escapes DEL and C1 controls, which parse back to the same text', () => {
    const comm = 'c1\u009b31m\u007fdel\u0085';
    const text = formatJson({ comm });
    expect(text).toBe('{"comm":"c1\\u009b31m\\u007fdel\\u0085"}');
    expect(JSON.parse(text)).toEqual({ comm });
  });

  it('leaves a backslash followed by "ud" as text', () => {
    const doc = { path: 'C:\\udir\\x' };
    expect(JSON.parse(formatJson(doc))).toEqual(doc);
  });
});
