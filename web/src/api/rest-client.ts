import type { MeetingInsights } from '../../../protocol/insights-view';
import type {
  ChatPage,
  ConnectionAnswer,
  CreateMeetingAnswer,
  CreateMeetingRequest,
  JoinAnswer,
  JoinRequest,
  MeetingInfo,
  ParticipantsAnswer,
} from '../../../protocol/rest';
import { preferences } from '../session/preferences';
import type { QualityFigures } from '../session/quality-report';

/** An error answer of the API (`{ error: { code, message, field? } }`), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The settings a host chooses when creating a meeting. */
export type MeetingSettingsInput = NonNullable<CreateMeetingRequest['settings']>;

export type CreatedMeeting = CreateMeetingAnswer;

export type { ChatPage, JoinAnswer, JoinRequest, MeetingInfo };

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError('NETWORK', 'The server cannot be reached. Check your connection and try again.', 0);
  }
  const text = await res.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; field?: string } } | undefined)
      ?.error;
    throw new ApiError(
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `The server answered ${res.status}.`,
      res.status,
      error?.field,
    );
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The REST API of the server this page came from. */
export const api = {
  createMeeting: (title: string, settings: MeetingSettingsInput) =>
    call<CreatedMeeting>('POST', '/meetings', { title, settings }),
  meeting: (meetingId: string) => call<MeetingInfo>('GET', `/meetings/${encodeURIComponent(meetingId)}`),
  /** Everyone who is or was in the meeting (for those who may read it: its participants and host). */
  participants: (meetingId: string, token: string) =>
    call<ParticipantsAnswer>(
      'GET',
      `/meetings/${encodeURIComponent(meetingId)}/participants`,
      undefined,
      token,
    ),
  /** Sends this browser's device id: a removal bars the browser, not only the participant. */
  join: (meetingId: string, request: JoinRequest, hostToken?: string) =>
    call<JoinAnswer>(
      'POST',
      `/meetings/${encodeURIComponent(meetingId)}/join`,
      { ...request, deviceId: preferences.deviceId() },
      hostToken,
    ),
  /** Where this participant's socket goes now: another node once the one they were on is gone. */
  connection: (meetingId: string, token: string) =>
    call<ConnectionAnswer>('GET', `/meetings/${encodeURIComponent(meetingId)}/connection`, undefined, token),
  insights: (meetingId: string, token: string) =>
    call<MeetingInsights>('GET', `/meetings/${encodeURIComponent(meetingId)}/insights`, undefined, token),
  /** A client report for the analytics pipeline (quality every 10 s, or the first remote frame). */
  report: (
    meetingId: string,
    token: string,
    body: ({ kind: 'quality' } & QualityFigures) | { kind: 'first-frame'; ms: number },
  ) =>
    call<{ recorded: true }>(
      'POST',
      `/meetings/${encodeURIComponent(meetingId)}/analytics/reports`,
      body,
      token,
    ),
  chatHistory: (meetingId: string, token: string, before?: number) =>
    call<ChatPage>(
      'GET',
      `/meetings/${encodeURIComponent(meetingId)}/chat?limit=50${before !== undefined ? `&before=${before}` : ''}`,
      undefined,
      token,
    ),
};
