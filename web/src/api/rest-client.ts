import type { CreateMeetingAnswer, JoinAnswer } from '../../../protocol/rest';
import type { ChatView } from '../../../protocol/signaling';

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

export interface MeetingSettingsInput {
  muteOnEntry: boolean;
  videoOffOnEntry: boolean;
  waitingRoom: boolean;
  maxParticipants: number;
  passcode?: string;
}

export type CreatedMeeting = CreateMeetingAnswer;

export interface MeetingInfo {
  meetingId: string;
  title: string;
  status: 'active' | 'ended';
  participantCount: number;
  participants: { participantId: string; displayName: string }[];
  settings: {
    muteOnEntry: boolean;
    videoOffOnEntry: boolean;
    waitingRoom: boolean;
    maxParticipants: number;
    passcodeRequired: boolean;
  };
}

export interface JoinRequest {
  displayName: string;
  passcode?: string;
  audioEnabled: boolean;
  videoEnabled: boolean;
}

export type { JoinAnswer };

export interface ChatPage {
  messages: ChatView[];
  nextBefore: number | null;
}

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
  join: (meetingId: string, request: JoinRequest, hostToken?: string) =>
    call<JoinAnswer>('POST', `/meetings/${encodeURIComponent(meetingId)}/join`, request, hostToken),
  chatHistory: (meetingId: string, token: string, before?: number) =>
    call<ChatPage>(
      'GET',
      `/meetings/${encodeURIComponent(meetingId)}/chat?limit=50${before !== undefined ? `&before=${before}` : ''}`,
      undefined,
      token,
    ),
};
