// The numeric options as yargs hands them over: numbers, and text it did not take for one.
import { describe, expect, it } from 'vitest';
import { parseCount, parseIntervalMs } from '../../src/commands/options.js';

describe('numeric options', () => {
  it('take what yargs made a number, and number-like text it left as typed', () => {
    expect(parseCount(5, '-n')).toBe(5);
    expect(parseCount('010', '--limit')).toBe(10);
    expect(parseCount(' +2 ', '--limit')).toBe(2);
    expect(parseCount(undefined, '--limit')).toBeUndefined();
    expect(parseIntervalMs(2)).toBe(2000);
    expect(parseIntervalMs('+0.5')).toBe(500);
    expect(parseIntervalMs('02')).toBe(2000);
  });

  it('refuse the rest, quoting it as typed', () => {
    expect(() => parseCount('ten', '--limit')).toThrow(
      '--limit expects a whole number ≥ 1; got "ten"',
    );
    expect(() => parseCount('', '--limit')).toThrow('got ""');
    expect(() => parseCount(1.5, '-n')).toThrow('-n expects a whole number ≥ 1; got "1.5"');
    expect(() => parseCount(0, '-n')).toThrow('got "0"');
    expect(() => parseIntervalMs('soon')).toThrow(
      '-d expects seconds between 0.1 and 3600; got "soon"',
    );
    expect(() => parseIntervalMs(' ')).toThrow('got " "');
    expect(() => parseIntervalMs(0.05)).toThrow('got "0.05"');
  });
});
