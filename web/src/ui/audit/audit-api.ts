import type { AuditVerdict } from '../../../../pipelines/audit/chain-audit';
import type { StateAt } from '../../../../pipelines/audit/state-view';
import type { TimelineEntry } from '../../../../pipelines/audit/timeline';
import { ApiError } from '../../api/rest-client';

export type { AuditVerdict, StateAt, TimelineEntry };

/** The auditor's credential lives in sessionStorage (this tab only), never in the URL. */
const KEY = 'confer.auditCredential';
export const storedCredential = (): string | null => sessionStorage.getItem(KEY);
export const storeCredential = (token: string | null): void =>
  token ? sessionStorage.setItem(KEY, token) : sessionStorage.removeItem(KEY);

async function get<T>(path: string, token: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError('NETWORK', 'The server cannot be reached', 0);
  }
  const body = (await res.json().catch(() => undefined)) as
    (T & { error?: { code: string; message: string; field?: string } }) | undefined;
  if (!res.ok || !body)
    throw new ApiError(
      body?.error?.code ?? 'HTTP',
      body?.error?.message ?? `HTTP ${res.status}`,
      res.status,
      body?.error?.field,
    );
  return body;
}

const base = (meetingId: string) => `/meetings/${encodeURIComponent(meetingId)}`;

export const fetchVerdict = (meetingId: string, token: string) =>
  get<AuditVerdict>(`${base(meetingId)}/audit/verify`, token);

export const fetchStateAt = (meetingId: string, token: string, revision: number) =>
  get<StateAt>(`${base(meetingId)}/state?at=${revision}`, token);

/** Every entry of the timeline, page after page. */
export async function fetchTimeline(meetingId: string, token: string): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [];
  let after: number | null = -1;
  while (after !== null) {
    const page: { entries: TimelineEntry[]; next: number | null } = await get(
      `${base(meetingId)}/audit/timeline?limit=1000&after=${after}`,
      token,
    );
    entries.push(...page.entries);
    after = page.next;
  }
  return entries;
}
