import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('configuration: the read models thread priority', () => {
  it('is niceness 19 by default and takes 0–19', () => {
    expect(loadConfig({}).READ_MODELS_NICENESS).toBe(19);
    expect(loadConfig({ READ_MODELS_NICENESS: '0' }).READ_MODELS_NICENESS).toBe(0);
    expect(loadConfig({ READ_MODELS_NICENESS: '10' }).READ_MODELS_NICENESS).toBe(10);
    // Empty means unset, as for every variable.
    expect(loadConfig({ READ_MODELS_NICENESS: '' }).READ_MODELS_NICENESS).toBe(19);
  });

  it('runs the thread under SCHED_IDLE by default, and not when told so; anything else is refused by name', () => {
    expect(loadConfig({}).READ_MODELS_IDLE_POLICY).toBe(true);
    expect(loadConfig({ READ_MODELS_IDLE_POLICY: 'false' }).READ_MODELS_IDLE_POLICY).toBe(false);
    expect(loadConfig({ READ_MODELS_IDLE_POLICY: '0' }).READ_MODELS_IDLE_POLICY).toBe(false);
    expect(() => loadConfig({ READ_MODELS_IDLE_POLICY: 'idle' })).toThrow(/READ_MODELS_IDLE_POLICY/);
  });

  it.each([
    ['20', /<=19/],
    ['-1', />=0/],
    ['-20', />=0/],
    ['1.5', /int/],
    ['low', /number/],
    ['１９', /number/],
  ])('refuses READ_MODELS_NICENESS=%j, naming the variable and the value', (value, why) => {
    let error: unknown;
    try {
      loadConfig({ READ_MODELS_NICENESS: value, PORT: '8080' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^READ_MODELS_NICENESS: /);
    expect(problems[0]).toMatch(why);
    expect(problems[0]).toContain(JSON.stringify(value));
  });
});
