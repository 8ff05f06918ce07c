import type { VNode } from 'preact';
import { AuditPage } from './audit/audit-page';
import { HomePage } from './home-page';
import { InsightsPage } from './insights-page';
import { html } from './html';
import { MeetingRoute } from './meeting-route';
import { usePath } from './router';

export function App(): VNode {
  const path = usePath();
  const insightsOf = /^\/m\/([A-Za-z0-9_-]+)\/insights\/?$/.exec(path)?.[1];
  if (insightsOf) return html`<${InsightsPage} key=${insightsOf} meetingId=${insightsOf} />`;
  const meetingId = /^\/m\/([A-Za-z0-9_-]+)\/?$/.exec(path)?.[1];
  const audited = /^\/audit\/([A-Za-z0-9_-]+)\/?$/.exec(path)?.[1];
  if (audited) return html`<${AuditPage} key=${audited} meetingId=${audited} />`;
  if (meetingId) return html`<${MeetingRoute} key=${meetingId} meetingId=${meetingId} />`;
  return html`<${HomePage} />`;
}
