import { describe, expect, it } from 'vitest';
import { createGraphClient } from '../../src/graph/client.ts';
import { defineAction, succeeded } from '../../src/soar/action.ts';
import { runAction } from '../../src/soar/runtime.ts';
import { baseConfig } from './fake-graph.ts';
import { jsonOf } from '../helpers/results.ts';

const SECRET = 'very-secret-client-value-123';

// An action whose results quote its own credentials, as a careless error text or echoed header might.
const leaky = defineAction({
  name: 'Leaky Test Action',
  description: 'test only',
  async: false,
  entities: 'none',
  betaApi: false,
  params: [],
  messages: { error: 'Failed: {ERROR_REASON}' },
  async run(ctx) {
    void ctx.graph; // creates the client, whose redactor knows the secret
    return succeeded(`message ${SECRET}`, {
      json_result: { nested: [{ note: `json ${SECRET}` }], text: 'Basic authentication was disabled' },
      case_wall: { tables: [{ title: 't', columns: ['c'], rows: [[`cell ${SECRET}`]] }] },
    });
  },
});

describe('result documents are scrubbed whole', () => {
  it('removes the client secret from message, JSON result and case wall, and leaves user text alone', async () => {
    const doc = await runAction(leaky, { config: { ...baseConfig, 'Secret ID': SECRET } }, { createGraph: createGraphClient });
    const text = JSON.stringify(doc);
    expect(text).not.toContain(SECRET);
    expect(doc.output_message).toMatch(/^message \S+$/);
    expect(jsonOf(doc).text).toBe('Basic authentication was disabled');
  });
});
