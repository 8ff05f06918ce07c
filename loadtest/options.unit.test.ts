import { describe, expect, it } from 'vitest';
import { assertTargetAllowed, isLoopback, LoadTestArgumentError, parseLoadTestArgs } from './options';

const refused = (args: Parameters<typeof parseLoadTestArgs>[0]) => {
  try {
    parseLoadTestArgs(args);
  } catch (error) {
    if (error instanceof LoadTestArgumentError) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(args)}`);
};

describe('load-test options', () => {
  it('has defaults that make a small local run', () => {
    expect(parseLoadTestArgs({})).toMatchObject({
      url: 'http://127.0.0.1:3000',
      meetings: 1,
      publishers: 1,
      subscribers: 2,
      decoders: 8,
      threads: 0,
      duration: 30_000,
      resolution: { width: 320, height: 180 },
      simulcast: true,
      audioOnly: false,
      chatRate: 1,
      joinRate: 5,
    });
  });

  it('reads what a person types', () => {
    expect(
      parseLoadTestArgs({
        url: 'http://localhost:4000/ignored/path',
        meetings: '3',
        duration: '2m',
        resolution: 'high',
        simulcast: false,
        chatRate: '0.5',
      }),
    ).toMatchObject({
      url: 'http://localhost:4000',
      meetings: 3,
      duration: 120_000,
      resolution: { width: 1280, height: 720 },
      simulcast: false,
      chatRate: 0.5,
    });
    expect(parseLoadTestArgs({ resolution: '480x270', duration: '2500ms' })).toMatchObject({
      resolution: { width: 480, height: 270 },
      duration: 2500,
    });
    expect(parseLoadTestArgs({ duration: '45' }).duration).toBe(45_000);
  });

  it('names the option at fault, for every kind of mistake', () => {
    expect(refused({ meetings: '0' })).toMatch(/^--meetings: must be at least 1/);
    expect(refused({ meetings: 'many' })).toMatch(/^--meetings: must be a whole number/);
    expect(refused({ publishers: '-1' })).toMatch(/^--publishers:/);
    expect(refused({ subscribers: '1.5' })).toMatch(/^--subscribers:/);
    expect(refused({ duration: 'forever' })).toMatch(/^--duration: expected a number with a unit/);
    expect(refused({ duration: '1s' })).toMatch(/^--duration: must be at least 2s/);
    expect(refused({ resolution: '99x' })).toMatch(
      /^--resolution: expected low, medium, high or WIDTHxHEIGHT/,
    );
    expect(refused({ resolution: '641x360' })).toMatch(/^--resolution:/);
    expect(refused({ chatRate: '-1' })).toMatch(/^--chat-rate:/);
    expect(refused({ joinRate: '0' })).toMatch(/^--join-rate: must be at least 0.1/);
    expect(refused({ url: 'ftp://127.0.0.1' })).toMatch(/^--url: expected an http\(s\) URL/);
    expect(refused({ speakers: '2', publishers: '1' })).toMatch(/^--speakers: cannot exceed --publishers/);
    expect(refused({ publishers: '0', subscribers: '0' })).toMatch(
      /^--publishers: a meeting needs at least one client/,
    );
    expect(refused({ decoders: 'all' })).toMatch(/^--decoders: must be a whole number/);
    expect(refused({ threads: '65' })).toMatch(/^--threads: must be at most 64/);
    expect(refused({ publishers: '1', subscribers: '500' })).toMatch(
      /^--subscribers: 501 clients per meeting .*a meeting holds at most 500/,
    );
    expect(refused({ meetings: '1000', subscribers: '5' })).toMatch(/^--meetings: 6000 clients in all/);
    // several problems: one line each
    expect(refused({ meetings: 'x', duration: 'y' }).split('\n')).toHaveLength(2);
  });

  it('keeps to loopback unless told otherwise', () => {
    for (const url of ['http://127.0.0.1:3000', 'http://localhost', 'http://[::1]:3000', 'http://127.5.6.7'])
      expect(isLoopback(url)).toBe(true);
    for (const url of [
      'http://10.0.0.1:3000',
      'https://confer.example.com',
      'http://0.0.0.0:3000',
      'http://[::]:3000',
    ])
      expect(isLoopback(url)).toBe(false);
    expect(() => assertTargetAllowed('https://confer.example.com', false)).toThrow(
      /^--url: confer.example.com is not on loopback; pass --allow-remote/,
    );
    expect(() => assertTargetAllowed('https://confer.example.com', true)).not.toThrow();
  });
});
