import { z } from 'zod';

const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

/** One way of keeping the read models to replay a recording into (bench/read-models-replay.ts). */
export const ReplayVariant = z.object({
  name: z.string().regex(/^[\w-]{1,32}$/, 'a name of letters, digits, - and _ (at most 32)'),
  /** SQLite's page size, fixed when the file is made; SQLite's own (4,096) when absent. */
  pageSize: z
    .number()
    .int()
    .refine((n) => PAGE_SIZES.includes(n), 'page: a power of two, 512–65536')
    .optional(),
  /** The store's `wal_autocheckpoint`, in pages; SQLite's own (1,000) when absent. */
  walAutocheckpoint: z.number().int().min(1, 'wac: at least 1 page').max(1_000_000).optional(),
});
export type ReplayVariant = z.infer<typeof ReplayVariant>;

const SETTINGS: Record<string, 'pageSize' | 'walAutocheckpoint'> = {
  page: 'pageSize',
  wac: 'walAutocheckpoint',
};

/** `name[:page=<bytes>][,wac=<pages>]`, e.g. `big:page=8192,wac=10000`. */
export function parseVariant(arg: string): { ok: true; value: ReplayVariant } | { ok: false; error: string } {
  const colon = arg.indexOf(':');
  const name = colon < 0 ? arg : arg.slice(0, colon);
  const settings: Record<string, number> = {};
  for (const pair of colon < 0 ? [] : arg.slice(colon + 1).split(',')) {
    const [key, value, ...rest] = pair.split('=');
    const field = SETTINGS[key ?? ''];
    if (field === undefined || value === undefined || rest.length > 0) {
      return { ok: false, error: `${JSON.stringify(pair)}: expected page=<bytes> or wac=<pages>` };
    }
    if (!/^\d+$/.test(value))
      return { ok: false, error: `${key}: a whole number (got ${JSON.stringify(value)})` };
    settings[field] = Number(value);
  }
  const parsed = ReplayVariant.safeParse({ name, ...settings });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: issue.path[0] === 'name' ? `name: ${issue.message}` : issue.message };
  }
  return { ok: true, value: parsed.data };
}
