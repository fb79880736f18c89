// The numeric options as yargs hands them over: numbers, and text it did not take for one.
import { describe, expect, it } from 'vitest';
import {
  parseBudget,
  parseCount,
  parseIntervalMs,
  parsePid,
  parsePidList,
  parsePrefault,
} from '../../src/commands/options.js';

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

describe('--budget', () => {
  it('takes up to 100 percent per CPU, or off', () => {
    expect(parseBudget('2.5', 2)).toBe(2.5);
    expect(parseBudget('200', 2)).toBe(200);
    expect(parseBudget('50%', 1)).toBe(50);
    expect(parseBudget('off', 2)).toBeUndefined();
    expect(parseBudget(undefined, 2)).toBe(10);
  });

  it('refuses more than the CPUs can give, naming the limit', () => {
    expect(() => parseBudget('500', 2)).toThrow(
      '--budget expects at most 200 (100 per CPU, 2 CPUs), or off; got "500"',
    );
    expect(() => parseBudget('101', 1)).toThrow('at most 100 (100 per CPU, 1 CPU)');
    expect(() => parseBudget('0', 2)).toThrow('above 0');
  });
});

describe('pids and --prefault', () => {
  it('name the argument they parse', () => {
    expect(parsePid('42', 'pagemaps')).toBe(42);
    expect(() => parsePid('abc', 'pagemaps')).toThrow(
      'pagemaps expects a process id like 1234; got "abc"',
    );
    expect(() => parsePid('1,2', 'shares')).toThrow('shares expects a process id');
    expect(parsePidList('1, 2')).toEqual([1, 2]);
    expect(() => parsePidList('1,x')).toThrow('-p expects process ids like 123,456; got "x"');
    expect(parsePrefault('all')).toBe('all');
    expect(() => parsePrefault('bogus')).toThrow(
      '--prefault expects one of libs, all, none; got "bogus"',
    );
  });
});
