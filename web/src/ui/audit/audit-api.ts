import type { AuditVerdict, StateAt, TimelineEntry } from '../../../../protocol/audit-views';
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

export interface TimelinePage {
  entries: TimelineEntry[];
  next: number | null;
  headRevision: number;
}

/** The entries around a revision: what the history list shows beside the slider. */
export const fetchTimelineWindow = (meetingId: string, token: string, around: number, size = 41) =>
  get<TimelinePage>(
    `${base(meetingId)}/audit/timeline?after=${Math.max(-1, around - Math.floor(size / 2) - 1)}&limit=${size}`,
    token,
  );
