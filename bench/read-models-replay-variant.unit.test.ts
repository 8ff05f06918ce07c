import { describe, expect, it } from 'vitest';
import { parseVariant } from './read-models-replay-variant';

describe("a replay's variant, as written on the command line", () => {
  it('reads a name alone as SQLite defaults', () => {
    expect(parseVariant('base')).toEqual({ ok: true, value: { name: 'base' } });
  });

  it('reads the page size and the log length', () => {
    expect(parseVariant('big:page=8192,wac=10000')).toEqual({
      ok: true,
      value: { name: 'big', pageSize: 8192, walAutocheckpoint: 10_000 },
    });
  });

  it.each([
    ['x:page=3000', 'page: a power of two, 512–65536'],
    ['x:wac=0', 'wac: at least 1 page'],
    ['x:wac=1e4', 'wac: a whole number (got "1e4")'],
    ['x:wac=-5', 'wac: a whole number (got "-5")'],
    ['x:size=4096', '"size=4096": expected page=<bytes> or wac=<pages>'],
    ['x:page', '"page": expected page=<bytes> or wac=<pages>'],
    ['x:page=1=2', '"page=1=2": expected page=<bytes> or wac=<pages>'],
    ['', 'name: a name of letters, digits, - and _ (at most 32)'],
    ['../etc:page=4096', 'name: a name of letters, digits, - and _ (at most 32)'],
    ['n\u202Eame', 'name: a name of letters, digits, - and _ (at most 32)'],
  ])('refuses %j, naming what is wrong', (arg, error) => {
    expect(parseVariant(arg)).toEqual({ ok: false, error });
  });
});
