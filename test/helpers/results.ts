/** Reading an action's result document in a test, typed by the action (no casts). */
import type { MailboxVerdict } from '../../src/mail/verdict.ts';
import type { ResultDocument } from '../../src/soar/result.ts';

/** The document's JSON result, typed as its action's; a document without one fails the test with its message. */
export function jsonOf<J>(doc: ResultDocument<J>): J {
  const json = doc.json_result;
  if (json === null) throw new Error(`"${doc.action}" gave no JSON result (${doc.execution_state}): ${doc.output_message}`);
  return json;
}

/** The entries of a JSON result that is one object for one item and a list for several (Save Email To The Case), when it is a list. */
export function several<T extends object>(json: T | T[]): T[] {
  if (!Array.isArray(json)) throw new Error('expected a list of JSON result entries, got one object');
  return json;
}

/** The result of a mailbox verdict that must be done; any other verdict fails the test, naming it. */
export function doneOf<R>(verdict: MailboxVerdict<R> | undefined): R {
  if (verdict?.kind !== 'done') throw new Error(`expected a done verdict, got ${verdict ? verdict.kind : 'none'}`);
  return verdict.result;
}
