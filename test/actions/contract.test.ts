/**
 * Every registered action against spec/contract.json: the shared spec when this checkout sits
 * next to it, else the committed snapshot (so `npm test` passes on a fresh clone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actions, findAction } from '../../src/actions/index.ts';
import { INTEGRATION_PARAMS } from '../../src/soar/config.ts';
import { documentedText, placeholdersOf } from '../../src/soar/messages.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '../../../shared/spec/contract.json');
const snapshot = join(here, '../fixtures/contract.json');
const contract = JSON.parse(readFileSync(existsSync(shared) ? shared : snapshot, 'utf8')) as {
  integration: { params: ContractParam[] };
  actions: Array<{ name: string; async: boolean; entities: string; beta_api: boolean; params: ContractParam[]; success_messages: string[]; failure_messages: string[] }>;
};
interface ContractParam { name: string; required: boolean; default: string | null; type: string; options: string[] | null }

/** DECISIONS.md corrections: documented text -> the text we ship. Nothing else may differ. */
const CORRECTIONS: Record<string, Record<string, string>> = {
  'Get Mailbox Account Out Of Facility Settings': {
    'Error executing action "Add Identity Protection Detection Comment". Reason: ERROR_REASON':
      'Error executing action "Get Mailbox Account Out Of Facility Settings". Reason: ERROR_REASON',
  },
  'Forward Email': {
    'Error executing action "Forward Email" because the provided mail id EMAIL_ID was not found.':
      'Error executing action "Forward Email" because the provided mail id MAIL_ID was not found.',
    'Action failed to delete any emails because the provided mailbox folder name was not found in the mailbox(es): MAILBOX: MAILBOX_FOLDER':
      'Action failed to forward any emails because the provided mailbox folder name was not found in the mailbox(es): MAILBOX: MAILBOX_FOLDER',
  },
  'Download Attachments From Email': {
    'In the mailboxes listed below, emails were found, but there were no attachments to download. Affected mailboxes: MAILBOXES. Mail IDs without attachments to download: LIST_OF_EMAIL_IDS attachments.':
      'In the mailboxes listed below, emails were found, but there were no attachments to download. Affected mailboxes: MAILBOXES. Mail IDs without attachments to download: LIST_OF_EMAIL_IDS.',
  },
};

/**
 * Parameters beyond the documentation (docs/deviations.md), by action. Each is flagged
 * `beyondDocs` in its definition, comes after every documented parameter, is optional and has a
 * default; nothing else may differ from the contract.
 */
const ADDITIONS: Record<string, string[]> = {
  'Delete Email': ['Deletion Type'],
};

const pick = (p: ContractParam) => ({ name: p.name, required: p.required, default: p.default, type: p.type, options: p.options });

describe('registry vs spec/contract.json', () => {
  it('lists additions only for documented actions', () => {
    for (const name of Object.keys(ADDITIONS)) expect(contract.actions.map((a) => a.name)).toContain(name);
  });

  it('registers exactly the documented actions, in order, found case-insensitively', () => {
    expect(actions.map((a) => a.name)).toEqual(contract.actions.map((a) => a.name));
    for (const a of contract.actions) expect(findAction(a.name.toUpperCase())?.name).toBe(a.name);
    expect(findAction('No Such Action')).toBeUndefined();
  });

  it('declares the documented integration parameters', () => {
    expect(INTEGRATION_PARAMS.slice(0, contract.integration.params.length).map(pick)).toEqual(contract.integration.params.map(pick));
  });

  for (const spec of contract.actions) {
    describe(spec.name, () => {
      const def = findAction(spec.name)!;

      it('has the documented flags and parameters (plus only the listed additions, after them)', () => {
        expect({ async: def.async, entities: def.entities, beta: def.betaApi }).toEqual({ async: spec.async, entities: spec.entities, beta: spec.beta_api });
        const documented = def.params.slice(0, spec.params.length);
        const added = def.params.slice(spec.params.length);
        expect(documented.map(pick)).toEqual(spec.params.map(pick));
        expect(documented.filter((p) => p.beyondDocs).map((p) => p.name)).toEqual([]);
        expect(added.map((p) => p.name)).toEqual(ADDITIONS[spec.name] ?? []);
        for (const p of added) {
          expect(p.beyondDocs, p.name).toBe(true);
          expect(p.required, p.name).toBe(false);
          expect(p.default, p.name).not.toBeNull();
          expect(spec.params.map((s) => s.name.toLowerCase())).not.toContain(p.name.toLowerCase());
        }
        for (const p of def.params) expect(p.description.length).toBeGreaterThan(0);
      });

      it('has exactly the documented messages (with the DECISIONS.md corrections)', () => {
        const fixes = CORRECTIONS[spec.name] ?? {};
        const expected = [...spec.success_messages, ...spec.failure_messages].map((m) => fixes[m] ?? m).sort();
        const shipped = Object.values(def.messages).map(documentedText).sort();
        expect(shipped).toEqual(expected);
        for (const documented of Object.keys(fixes)) expect([...spec.success_messages, ...spec.failure_messages]).toContain(documented);
        expect(placeholdersOf(def.messages.error)).toEqual(['ERROR_REASON']);
      });
    });
  }
});
