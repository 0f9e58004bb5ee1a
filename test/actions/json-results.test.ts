/**
 * Every action exports the type of its JSON result, and it is the type its definition's `run`
 * gives back (so `runAction` hands a test a typed `json_result`). The type checks fail `tsc
 * --noEmit`, which `npm test` runs first; the list is checked against the registry at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { deleteEmail, type DeleteEmailJsonResult } from '../../src/actions/delete-email.ts';
import { downloadAttachmentsFromEmail, type DownloadAttachmentsFromEmailJsonResult } from '../../src/actions/download-attachments-from-email.ts';
import { extractDataFromAttachedEml, type ExtractDataFromAttachedEmlJsonResult } from '../../src/actions/extract-data-from-attached-eml.ts';
import { forwardEmail, type ForwardEmailJsonResult } from '../../src/actions/forward-email.ts';
import {
  getMailboxAccountOutOfFacilitySettings,
  type GetMailboxAccountOutOfFacilitySettingsJsonResult,
} from '../../src/actions/get-mailbox-account-out-of-facility-settings.ts';
import { actionNames } from '../../src/actions/index.ts';
import { markEmailAsJunk, type MarkEmailAsJunkJsonResult } from '../../src/actions/mark-email-as-junk.ts';
import { markEmailAsNotJunk, type MarkEmailAsNotJunkJsonResult } from '../../src/actions/mark-email-as-not-junk.ts';
import { moveEmailToFolder, type MoveEmailToFolderJsonResult } from '../../src/actions/move-email-to-folder.ts';
import { ping, type PingJsonResult } from '../../src/actions/ping.ts';
import { saveEmailToTheCase, type SaveEmailToTheCaseJsonResult } from '../../src/actions/save-email-to-the-case.ts';
import { searchEmails, type SearchEmailsJsonResult } from '../../src/actions/search-emails.ts';
import { sendEmail, type SendEmailJsonResult } from '../../src/actions/send-email.ts';
import { sendEmailHtml, type SendEmailHtmlJsonResult } from '../../src/actions/send-email-html.ts';
import { sendThreadReply, type SendThreadReplyJsonResult } from '../../src/actions/send-thread-reply.ts';
import { sendVoteEmail, type SendVoteEmailJsonResult } from '../../src/actions/send-vote-email.ts';
import { waitForEmailFromUser, type WaitForEmailFromUserJsonResult } from '../../src/actions/wait-for-email-from-user.ts';
import { waitForVoteEmailResults, type WaitForVoteEmailResultsJsonResult } from '../../src/actions/wait-for-vote-email-results.ts';
import type { JsonResultOf } from '../../src/soar/action.ts';
import type { ResultDocument } from '../../src/soar/result.ts';
import type { invoke } from '../mail/helpers.ts';

describe('JSON result types', () => {
  it('each action exports the type its run returns', () => {
    expectTypeOf<JsonResultOf<typeof getMailboxAccountOutOfFacilitySettings>>().toEqualTypeOf<GetMailboxAccountOutOfFacilitySettingsJsonResult>();
    expectTypeOf<JsonResultOf<typeof deleteEmail>>().toEqualTypeOf<DeleteEmailJsonResult>();
    expectTypeOf<JsonResultOf<typeof downloadAttachmentsFromEmail>>().toEqualTypeOf<DownloadAttachmentsFromEmailJsonResult>();
    expectTypeOf<JsonResultOf<typeof extractDataFromAttachedEml>>().toEqualTypeOf<ExtractDataFromAttachedEmlJsonResult>();
    expectTypeOf<JsonResultOf<typeof forwardEmail>>().toEqualTypeOf<ForwardEmailJsonResult>();
    expectTypeOf<JsonResultOf<typeof markEmailAsJunk>>().toEqualTypeOf<MarkEmailAsJunkJsonResult>();
    expectTypeOf<JsonResultOf<typeof markEmailAsNotJunk>>().toEqualTypeOf<MarkEmailAsNotJunkJsonResult>();
    expectTypeOf<JsonResultOf<typeof moveEmailToFolder>>().toEqualTypeOf<MoveEmailToFolderJsonResult>();
    expectTypeOf<JsonResultOf<typeof ping>>().toEqualTypeOf<PingJsonResult>();
    expectTypeOf<JsonResultOf<typeof saveEmailToTheCase>>().toEqualTypeOf<SaveEmailToTheCaseJsonResult>();
    expectTypeOf<JsonResultOf<typeof searchEmails>>().toEqualTypeOf<SearchEmailsJsonResult>();
    expectTypeOf<JsonResultOf<typeof sendEmail>>().toEqualTypeOf<SendEmailJsonResult>();
    expectTypeOf<JsonResultOf<typeof sendEmailHtml>>().toEqualTypeOf<SendEmailHtmlJsonResult>();
    expectTypeOf<JsonResultOf<typeof sendThreadReply>>().toEqualTypeOf<SendThreadReplyJsonResult>();
    expectTypeOf<JsonResultOf<typeof sendVoteEmail>>().toEqualTypeOf<SendVoteEmailJsonResult>();
    expectTypeOf<JsonResultOf<typeof waitForEmailFromUser>>().toEqualTypeOf<WaitForEmailFromUserJsonResult>();
    expectTypeOf<JsonResultOf<typeof waitForVoteEmailResults>>().toEqualTypeOf<WaitForVoteEmailResultsJsonResult>();
  });

  it('a run of an action gives a document of that type, null when the action gave none', () => {
    expectTypeOf<Awaited<ReturnType<typeof invoke<typeof searchEmails.messages, SearchEmailsJsonResult>>>>().toEqualTypeOf<ResultDocument<SearchEmailsJsonResult>>();
    expectTypeOf<ResultDocument<PingJsonResult>['json_result']>().toEqualTypeOf<PingJsonResult | null>();
  });

  it('the list above is every registered action', () => {
    const checked = [
      getMailboxAccountOutOfFacilitySettings, deleteEmail, downloadAttachmentsFromEmail, extractDataFromAttachedEml, forwardEmail,
      markEmailAsJunk, markEmailAsNotJunk, moveEmailToFolder, ping, saveEmailToTheCase, searchEmails, sendEmail, sendEmailHtml,
      sendThreadReply, sendVoteEmail, waitForEmailFromUser, waitForVoteEmailResults,
    ];
    expect(checked.map((a) => a.name).sort()).toEqual([...actionNames].sort());
  });
});
