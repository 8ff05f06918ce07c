import { InvalidArgumentError, type Command } from 'commander';
import {
  parseCursor,
  readLog,
  readMeetingRecords,
  type LogPage,
} from '../../pipelines/analytics/analytics-log';
import { createProjectionStore } from '../adapters';
import { loadConfig } from '../config';

const MEETING_ID = /^[A-Za-z0-9_-]{6,64}$/;

interface TailOptions {
  meeting?: string;
  from?: string;
  follow: boolean;
  url?: string;
  token?: string;
  withCursor?: boolean;
}

/**
 * `confer analytics tail [--meeting id] [--from cursor]`: prints analytics records as JSON lines,
 * following new ones until interrupted (`--no-follow`: stop at the end). Reads the deployment's
 * projection store (same environment as the server), or a server's API with `--url` and an analyst
 * token (`--token` or CONFER_TOKEN). With `--meeting` the cursor is the meeting's sequence.
 */
export function registerAnalytics(program: Command): void {
  const analytics = program.command('analytics').description("Analysts' record stream");
  analytics
    .command('tail')
    .description('Print analytics records as JSON lines (CloudEvents), following new ones')
    .option('-m, --meeting <meetingId>', 'only this meeting (the cursor is then its sequence)', (v) => {
      if (!MEETING_ID.test(v)) throw new InvalidArgumentError('not a meeting id');
      return v;
    })
    .option('-f, --from <cursor>', 'start after this cursor (default: the beginning)', (v) => {
      if (!/^\d{1,14}$/.test(v)) throw new InvalidArgumentError('a cursor is digits');
      return v;
    })
    .option('--no-follow', 'stop at the end instead of waiting for new records')
    .option('--url <url>', 'read from this Confer server instead of the store (needs an analyst token)')
    .option('--token <token>', 'analyst token for --url (default: $CONFER_TOKEN)')
    .option('--with-cursor', 'print {cursor, record} so a consumer can resume with --from')
    .action(async (options: TailOptions) => {
      const print = (page: LogPage) => {
        for (const entry of page.records)
          process.stdout.write(`${JSON.stringify(options.withCursor ? entry : entry.record)}\n`);
      };
      let stopped = false;
      process.once('SIGINT', () => (stopped = true));
      process.once('SIGTERM', () => (stopped = true));

      if (options.url) {
        const token = options.token ?? process.env['CONFER_TOKEN'];
        if (!token) throw new InvalidArgumentError('--token: required with --url (or set CONFER_TOKEN)');
        let after = options.from ?? '';
        do {
          const query = new URLSearchParams({ limit: '500', wait: options.follow ? '20' : '0' });
          if (after) query.set('after', after);
          if (options.meeting) query.set('meeting', options.meeting);
          const res = await fetch(`${options.url.replace(/\/$/, '')}/analytics/events?${query}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await res.json()) as LogPage & { error?: { code: string; message: string } };
          if (!res.ok)
            throw new Error(`${res.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}`);
          print(body);
          after = body.next;
          if (!options.follow && body.records.length === 0) break;
        } while (!stopped);
        return;
      }

      const config = loadConfig(process.env);
      const store = await createProjectionStore(config);
      try {
        let after = parseCursor(options.from);
        while (!stopped) {
          const page = options.meeting
            ? await readMeetingRecords(store, options.meeting, after, 500)
            : await readLog(store, after, 500);
          print(page);
          after = Number(page.next);
          if (page.records.length === 0) {
            if (!options.follow) break;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      } finally {
        await store.close();
      }
    });
}
