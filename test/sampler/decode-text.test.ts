// /proc text is bytes: decodeProcText() reads them as UTF-8 and keeps each byte of an invalid
// sequence as U+DC00 + byte (surrogateescape), so that no byte is lost and outputs can show it.
import { describe, expect, it } from 'vitest';
import { decodeProcText } from '../../src/sampler/decode-text.js';
import { rawBytesBase64, validText } from '../../src/format/json-text.js';
import { random } from '../helpers/synthetic.js';

const decode = (bytes: number[] | string) =>
  decodeProcText(typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes));
const lone = (...bytes: number[]) => String.fromCharCode(...bytes.map((b) => 0xdc00 + b));

describe('decodeProcText', () => {
  it('decodes ASCII and valid UTF-8 as UTF-8', () => {
    for (const text of ['', 'bash', '/tmp/café', '進程', 'emoji 👍 ok', 'Ω\u0301']) {
      expect(decode(text)).toBe(text);
    }
  });

  it('keeps each byte of an invalid sequence as a lone surrogate U+DC00 + byte', () => {
    expect(decode([0x62, 0x61, 0x64, 0xff, 0xfe])).toBe('bad' + lone(0xff, 0xfe));
    expect(decode([0xe9, 0x80])).toBe(lone(0xe9, 0x80)); // 進 cut after two of its bytes
    expect(decode([0xe9, 0x80, 0x41])).toBe(lone(0xe9, 0x80) + 'A');
    expect(decode([0xc0, 0xaf])).toBe(lone(0xc0, 0xaf)); // overlong '/'
    expect(decode([0xe0, 0x80, 0xaf])).toBe(lone(0xe0, 0x80, 0xaf)); // overlong, 3 bytes
    expect(decode([0xed, 0xa0, 0x80])).toBe(lone(0xed, 0xa0, 0x80)); // an encoded surrogate
    expect(decode([0xf4, 0x90, 0x80, 0x80])).toBe(lone(0xf4, 0x90, 0x80, 0x80)); // > U+10FFFF
    expect(decode([0x80, 0x41, 0x9b])).toBe(lone(0x80) + 'A' + lone(0x9b));
    expect(decode([0xc3, 0xa9, 0xff, 0xe9, 0x80, 0xb2])).toBe('é' + lone(0xff) + '進');
    expect(decode([0xf0, 0x9f, 0x91, 0x8d, 0xf0, 0x9f])).toBe('👍' + lone(0xf0, 0x9f));
  });

  it('decodes part of a buffer', () => {
    const buffer = Buffer.from([0x78, 0xc3, 0xa9, 0xff, 0x78]);
    expect(decodeProcText(buffer, 1, 4)).toBe('é' + lone(0xff));
    expect(decodeProcText(buffer, 1, 3)).toBe('é');
    expect(decodeProcText(buffer, 4, 5)).toBe('x');
  });

  it('loses no byte: random bytes come back from the decoded text, valid text as UTF-8', () => {
    const rnd = random(9);
    const pool = [0x41, 0x20, 0x80, 0x9b, 0xbf, 0xc2, 0xc3, 0xe0, 0xe9, 0xed, 0xf0, 0xf4, 0xff];
    for (let n = 0; n < 3000; n++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(rnd() * 24) }, () =>
          rnd() < 0.5 ? pool[Math.floor(rnd() * pool.length)]! : Math.floor(rnd() * 256),
        ),
      );
      const text = decodeProcText(bytes);
      expect(Buffer.from(rawBytesBase64(text), 'base64').equals(bytes)).toBe(true);
      const isValid = !/[\ud800-\udfff]/u.test(text);
      let strict: string | undefined;
      try {
        strict = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        strict = undefined;
      }
      expect(isValid).toBe(strict !== undefined);
      if (strict !== undefined) expect(text).toBe(strict);
      // Made valid, it is valid UTF-8 with one U+FFFD per invalid byte.
      expect(validText(text)).not.toMatch(/[\ud800-\udfff]/u);
    }
  });
});
