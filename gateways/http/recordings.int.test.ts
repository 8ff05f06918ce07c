import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';

type ErrorBody = { error: { code: string; message: string; field?: string } };
type Listed = {
  recordings: Array<{
    recordingId: string;
    status: string;
    startedAt: string;
    stoppedAt: string | null;
    progress: number | null;
    downloadUrl: string | null;
  }>;
};

let server: ConferProcess;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  server = await startConferProcess();
  client = api(server.url);
}, 90_000);
afterAll(async () => {
  await server?.dispose();
});

/** POST /meetings/{id}/recordings as `token`'s holder. */
const startRecording = <T>(meetingId: string, token?: string) =>
  client.call<T>('POST', `/meetings/${meetingId}/recordings`, undefined, token);
/** GET /meetings/{id}/recordings as `token`'s holder. */
const recordingsOf = <T>(meetingId: string, token?: string) =>
  client.call<T>('GET', `/meetings/${meetingId}/recordings`, undefined, token);

describe('recordings API', () => {
  it('the host starts one, a second is refused while it runs, stop makes it processing', async () => {
    const { meetingId, hostToken } = await client.createMeeting();
    const start = await client.call<{ recordingId: string; status: string }>(
      'POST',
      `/meetings/${meetingId}/recordings`,
      undefined,
      hostToken,
    );
    expect(start.status).toBe(201);
    expect(start.body).toEqual({
      recordingId: expect.stringMatching(/^rec_[A-Za-z0-9_-]+$/),
      status: 'recording',
    });

    const again = await startRecording<ErrorBody>(meetingId, hostToken);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFER_RECORDING_ALREADY_RUNNING');

    const listed = await recordingsOf<Listed>(meetingId, hostToken);
    expect(listed.status).toBe(200);
    expect(listed.body.recordings).toEqual([
      expect.objectContaining({ recordingId: start.body.recordingId, status: 'recording', stoppedAt: null }),
    ]);

    const { recordingId } = start.body;
    const stop = await client.call(
      'POST',
      `/meetings/${meetingId}/recordings/${recordingId}/stop`,
      undefined,
      hostToken,
    );
    expect(stop).toEqual({ status: 200, body: { recordingId, status: 'processing' } });
    const stopAgain = await client.call(
      'POST',
      `/meetings/${meetingId}/recordings/${recordingId}/stop`,
      undefined,
      hostToken,
    );
    expect(stopAgain).toEqual({ status: 200, body: { recordingId, status: 'processing' } });

    const after = await client.call<Listed>('GET', `/meetings/${meetingId}/recordings`, undefined, hostToken);
    expect(after.body.recordings[0]).toMatchObject({ status: 'processing', downloadUrl: null });
    expect(after.body.recordings[0]?.stoppedAt).toEqual(expect.any(String));
    expect(after.body.recordings[0]?.progress).toEqual(expect.any(Number));
  });

  it('only the host: a participant is refused, no token is 401', async () => {
    const { meetingId } = await client.createMeeting();
    const alice = await client.join(meetingId, 'Alice');
    const byAlice = await client.call<ErrorBody>(
      'POST',
      `/meetings/${meetingId}/recordings`,
      undefined,
      alice.token,
    );
    expect(byAlice.status).toBe(403);
    expect(byAlice.body.error.code).toBe('CONFER_FORBIDDEN');
    const listByAlice = await client.call<ErrorBody>(
      'GET',
      `/meetings/${meetingId}/recordings`,
      undefined,
      alice.token,
    );
    expect(listByAlice.status).toBe(403);
    const anonymous = await client.call<ErrorBody>('POST', `/meetings/${meetingId}/recordings`);
    expect(anonymous.status).toBe(401);
  });

  it('stop with nothing recording, another meeting’s recording, or a malformed id: coded errors', async () => {
    const a = await client.createMeeting();
    const b = await client.createMeeting();
    const inB = await client.call<{ recordingId: string }>(
      'POST',
      `/meetings/${b.meetingId}/recordings`,
      undefined,
      b.hostToken,
    );
    const cross = await client.call<ErrorBody>(
      'POST',
      `/meetings/${a.meetingId}/recordings/${inB.body.recordingId}/stop`,
      undefined,
      a.hostToken,
    );
    expect(cross.status).toBe(404);
    expect(cross.body.error).toMatchObject({ code: 'CONFER_RECORDING_NOT_FOUND', field: 'recordingId' });
    const withBToken = await client.call<ErrorBody>(
      'POST',
      `/meetings/${a.meetingId}/recordings/${inB.body.recordingId}/stop`,
      undefined,
      b.hostToken,
    );
    expect(withBToken.status).toBe(403);
    const malformed = await client.call<ErrorBody>(
      'POST',
      `/meetings/${a.meetingId}/recordings/../stop`,
      undefined,
      a.hostToken,
    );
    expect(malformed.status).toBe(404);
    const badId = await client.call<ErrorBody>(
      'POST',
      `/meetings/${a.meetingId}/recordings/nope/stop`,
      undefined,
      a.hostToken,
    );
    expect(badId.status).toBe(400);
    expect(badId.body.error).toMatchObject({ code: 'CONFER_VALIDATION_FAILED', field: 'recordingId' });
    const unknown = await client.call<ErrorBody>(
      'GET',
      `/meetings/nonexistent-meeting/recordings`,
      undefined,
      a.hostToken,
    );
    expect([403, 404]).toContain(unknown.status);
  });

  it('ending the meeting stops its recording', async () => {
    const { meetingId, hostToken } = await client.createMeeting();
    await client.call('POST', `/meetings/${meetingId}/recordings`, undefined, hostToken);
    expect((await client.call('DELETE', `/meetings/${meetingId}`, undefined, hostToken)).status).toBe(200);
    const listed = await recordingsOf<Listed>(meetingId, hostToken);
    expect(listed.status).toBe(200);
    expect(listed.body.recordings[0]?.status).toMatch(/processing|failed/);
    const restart = await startRecording<ErrorBody>(meetingId, hostToken);
    expect(restart.status).toBe(410);
    expect(restart.body.error.code).toBe('CONFER_MEETING_ENDED');
  });

  it('the download route refuses a link that is forged or expired', async () => {
    const forged = await client.call<ErrorBody>(
      'GET',
      `/recordings/download?key=recordings/x/y.mp4&exp=${Math.floor(Date.now() / 1000) + 600}&sig=forged`,
    );
    expect(forged.status).toBe(401);
    expect(forged.body.error).toMatchObject({ code: 'CONFER_AUTH_INVALID', field: 'sig' });
    const missing = await client.call<ErrorBody>('GET', `/recordings/download?key=x`);
    expect(missing.status).toBe(400);
  });
});
