import type { RecordingView } from '../../../protocol/recording-view';
import { ApiError } from '../api/rest-client';

export type { RecordingView };

/** The recordings API as the web client uses it (host actions need the host token). */
async function call<T>(method: string, path: string, token?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new ApiError('NETWORK', 'The server cannot be reached.', 0);
  }
  const body = (await response.json().catch(() => undefined)) as
    (T & { error?: { code: string; message: string; field?: string } }) | undefined;
  if (!response.ok || !body)
    throw new ApiError(
      body?.error?.code ?? 'HTTP',
      body?.error?.message ?? response.statusText,
      response.status,
      body?.error?.field,
    );
  return body;
}

export const recordingApi = {
  status: (meetingId: string) =>
    call<{ recording: boolean; recordingId: string | null }>(
      'GET',
      `/meetings/${encodeURIComponent(meetingId)}/recording-status`,
    ),
  start: (meetingId: string, token: string) =>
    call<{ recordingId: string; status: string }>(
      'POST',
      `/meetings/${encodeURIComponent(meetingId)}/recordings`,
      token,
    ),
  stop: (meetingId: string, recordingId: string, token: string) =>
    call<{ recordingId: string; status: string }>(
      'POST',
      `/meetings/${encodeURIComponent(meetingId)}/recordings/${encodeURIComponent(recordingId)}/stop`,
      token,
    ),
  list: (meetingId: string, token: string) =>
    call<{ recordings: RecordingView[] }>(
      'GET',
      `/meetings/${encodeURIComponent(meetingId)}/recordings`,
      token,
    ),
};
