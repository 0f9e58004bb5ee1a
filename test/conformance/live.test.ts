/**
 * The same cases against a real tenant, read-only. Runs only when MSGRAPH_LIVE_TENANT,
 * MSGRAPH_LIVE_CLIENT_ID, MSGRAPH_LIVE_CLIENT_SECRET and MSGRAPH_LIVE_MAILBOX are set
 * (optionally MSGRAPH_LIVE_GRAPH_ENDPOINT / MSGRAPH_LIVE_LOGIN_ENDPOINT for national clouds).
 */
import { describe } from 'vitest';
import { defineConformanceSuite } from './suite.ts';
import { LIVE_ENV, liveConfigured, liveTarget } from './target.ts';

const live = liveConfigured();
if (!live) {
  console.info(`conformance (live): skipped, set ${LIVE_ENV.join(', ')} to run the read-only cases against a real tenant`);
}

describe.skipIf(!live)('conformance: Microsoft Graph SDK against a live tenant (read-only)', () => {
  defineConformanceSuite('live', async () => liveTarget());
});
