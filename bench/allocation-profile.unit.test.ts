import { describe, expect, it } from 'vitest';
import { parseAllocationProfile, summarizeAllocations, type AllocationNode } from './allocation-profile';

const ours = (path: string) => new URL(`../${path}`, import.meta.url).href;
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

// A socket read (ws) that calls our dispatcher, which validates with zod.
const profile: AllocationNode = {
  callFrame: frame('(root)', ''),
  selfSize: 0,
  children: [
    {
      callFrame: frame(
        'startLoop',
        'file:///srv/app/node_modules/engine.io/node_modules/ws/lib/receiver.js',
        171,
      ),
      selfSize: 1000,
      children: [
        {
          callFrame: frame('handle', ours('gateways/signaling/dispatch.ts')),
          selfSize: 300,
          children: [
            { callFrame: frame('parse', 'file:///srv/app/node_modules/zod/lib/types.js', 9), selfSize: 200 },
          ],
        },
      ],
    },
  ],
};

describe('summarizeAllocations', () => {
  it('totals bytes per unit of work, by allocating function and by the innermost frame of ours', () => {
    const summary = summarizeAllocations(profile, 10);
    expect(summary.totalBytes).toBe(1500);
    expect(summary.bytesPerUnit).toBe(150);
    expect(summary.sites).toEqual([
      { site: 'startLoop ws:172', bytesPerUnit: 100 },
      { site: 'handle gateways/signaling/dispatch.ts:1', bytesPerUnit: 30 },
      { site: 'parse zod:10', bytesPerUnit: 20 },
    ]);
    expect(summary.callers).toEqual([
      { ours: '(none of ours)', allocatedIn: 'ws', bytesPerUnit: 100 },
      {
        ours: 'gateways/signaling/dispatch.ts:handle',
        allocatedIn: 'gateways/signaling/dispatch.ts',
        bytesPerUnit: 30,
      },
      { ours: 'gateways/signaling/dispatch.ts:handle', allocatedIn: 'zod', bytesPerUnit: 20 },
    ]);
  });

  it('keeps the top of each list only', () => {
    const summary = summarizeAllocations(profile, 1, 1);
    expect(summary.sites).toHaveLength(1);
    expect(summary.callers).toHaveLength(1);
  });

  it('refuses a file that is not a sampling heap profile', () => {
    expect(() => parseAllocationProfile(JSON.stringify({ error: 'not sampling' }))).toThrow(/head/);
    expect(parseAllocationProfile(JSON.stringify({ head: profile, samples: [] })).selfSize).toBe(0);
  });
});
