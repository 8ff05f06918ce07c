import { describe, expect, it } from 'vitest';
import { BenchArgsError, SECTIONS, parseBenchArgs, shown } from './run-args';

const refusal = (argv: string[]): string => {
  try {
    parseBenchArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(BenchArgsError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

describe("npm run bench's command line", () => {
  it('runs every section but the soak with the documented defaults when given nothing', () => {
    const args = parseBenchArgs([]);
    expect(args.only).toBeUndefined();
    expect(args.chat).toEqual({
      rounds: 1,
      seconds: 10,
      testerThreads: 2,
      sendTickMs: 10,
      sendOrder: 'by-meeting',
      windowSeconds: 5,
      largeOnly: false,
      pinTester: false,
    });
    expect(args.kafka).toEqual({ rounds: 3, jvm: 'test' });
    expect(args.forwarding).toEqual({ counts: undefined, decoders: 0, threads: 1 });
    expect(args.eventIdsTotal).toBe(200_000);
    expect(args.soakMinutes).toBe(30);
  });

  it('shortens what --quick shortens unless the option is given', () => {
    const quick = parseBenchArgs(['--quick']);
    expect([quick.chat.seconds, quick.kafka.rounds, quick.eventIdsTotal]).toEqual([4, 1, 40_000]);
    const given = parseBenchArgs(['--quick', '--chat-seconds=30', '--kafka-rounds=5']);
    expect([given.chat.seconds, given.kafka.rounds]).toEqual([30, 5]);
  });

  it('reads the options as the README spells them', () => {
    const args = parseBenchArgs([
      '--only=chat,kafka',
      '--chat-large-only',
      '--chat-rounds=3',
      '--chat-seconds',
      '30',
      '--chat-send-order=shuffled',
      '--chat-pin-tester',
      '--kafka-jvm=as-shipped',
      '--forwarding-subscribers=25, 50,100',
      '--forwarding-threads=0',
      '--soak-minutes=2.5',
    ]);
    expect(args.only).toEqual(['chat', 'kafka']);
    expect(args.chat).toMatchObject({ rounds: 3, seconds: 30, sendOrder: 'shuffled', largeOnly: true });
    expect(args.chat.pinTester).toBe(true);
    expect(args.kafka.jvm).toBe('as-shipped');
    expect(args.forwarding).toEqual({ counts: [25, 50, 100], decoders: 0, threads: 0 });
    expect(args.soakMinutes).toBe(2.5);
  });

  it('accepts every section it lists', () => {
    expect(parseBenchArgs([`--only=${SECTIONS.join(',')}`]).only).toEqual([...SECTIONS]);
  });

  it('refuses a misspelt section, naming it and the sections there are', () => {
    const message = refusal(['--only=chat,kafak']);
    expect(message).toMatch(/^--only: no section named "kafak" \(sections: store, .*soak\)/);
    expect(refusal(['--only='])).toMatch(/^--only: no section named ""/);
  });

  it('refuses numbers out of range, fractions and words, naming the option and the value', () => {
    expect(refusal(['--chat-rounds=0'])).toBe('--chat-rounds: a whole number from 1 to 10 (got "0")');
    expect(refusal(['--chat-seconds=2.5'])).toBe('--chat-seconds: a whole number from 1 to 300 (got "2.5")');
    expect(refusal(['--chat-tester-threads=many'])).toMatch(
      /^--chat-tester-threads: a whole number from 1 to 8/,
    );
    expect(refusal(['--kafka-rounds=11'])).toMatch(/^--kafka-rounds: /);
    expect(refusal(['--forwarding-decoders=-1'])).toMatch(
      /^--forwarding-decoders: a whole number from 0 to 499/,
    );
    expect(refusal(['--forwarding-subscribers=25,,50'])).toMatch(/^--forwarding-subscribers: whole numbers/);
    expect(refusal(['--forwarding-subscribers=500'])).toMatch(/^--forwarding-subscribers: whole numbers/);
    expect(refusal(['--soak-minutes=0'])).toMatch(/^--soak-minutes: a number of minutes from 1 to 60/);
    expect(refusal(['--event-ids-total=10'])).toMatch(/^--event-ids-total: /);
  });

  it('refuses words outside a closed list', () => {
    expect(refusal(['--chat-send-order=random'])).toBe(
      '--chat-send-order: by-meeting or shuffled (got "random")',
    );
    expect(refusal(['--kafka-jvm=g1'])).toBe('--kafka-jvm: test or as-shipped (got "g1")');
  });

  it('refuses unknown options, missing values and stray words, which a plain run would otherwise ignore', () => {
    expect(refusal(['--chat-round=3'])).toMatch(/Unknown option '--chat-round'/);
    expect(refusal(['--chat-seconds'])).toMatch(/--chat-seconds <value>' argument missing/);
    expect(refusal(['chat'])).toMatch(/Unexpected argument 'chat'/);
    expect(refusal(['--quick=yes'])).toMatch(/--quick' does not take an argument/);
  });

  it('shows a bidi override or a zero-width character as an escape, not as itself', () => {
    const message = refusal(['--only=\u202Echat']);
    expect(message).toContain('"\\u202echat"');
    expect(message).not.toContain('\u202E');
    expect(refusal(['--\u200Bquick'])).toBe("Unknown option '--\\u200bquick'");
    expect(shown('a\u2066b\u0085')).toBe('"a\\u2066b\\u0085"');
    // A lone surrogate (half of a character) is written as its escape, not as broken text.
    expect(refusal(['--kafka-jvm=\uD800'])).toBe('--kafka-jvm: test or as-shipped (got "\\ud800")');
  });
});
