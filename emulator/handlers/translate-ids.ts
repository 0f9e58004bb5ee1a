/**
 * `POST /users/{id}/translateExchangeIds` (user-translateexchangeids.md, convertidresult.md):
 * `inputIds` (at most 1000, one mailbox, one source format), `sourceIdType`, `targetIdType`
 * (exchangeIdFormat: entryId, ewsId, immutableEntryId, restId, restImmutableEntryId). 200 with
 * one convertIdResult per input, in order: `sourceId` and `targetId`, or `sourceId` and
 * `errorDetails` when that one id could not be converted.
 */
import { EmulatorError, graphErrors } from '../errors.ts';
import { json } from '../state.ts';
import { EXCHANGE_ID_FORMATS, type ExchangeIdFormat } from '../store.ts';
import { contextUrl, mailboxOf, readJson, type Handler } from './common.ts';

export const MAX_TRANSLATE_IDS = 1000;
const PARAMETERS = ['inputIds', 'sourceIdType', 'targetIdType'];

function format(body: Record<string, unknown>, name: 'sourceIdType' | 'targetIdType'): ExchangeIdFormat {
  const value = body[name];
  if (value === undefined || value === null) throw graphErrors.invalidRequest(`The request is missing the required parameter '${name}'.`);
  const hit = EXCHANGE_ID_FORMATS.find((f) => typeof value === 'string' && f.toLowerCase() === value.toLowerCase());
  if (!hit) {
    throw new EmulatorError(400, 'RequestBodyRead', `Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.exchangeIdFormat'.`);
  }
  return hit;
}

export const translateExchangeIds: Handler = (ctx) => {
  const mailbox = mailboxOf(ctx);
  const body = readJson(ctx.req);
  for (const key of Object.keys(body)) {
    if (!PARAMETERS.includes(key)) {
      throw new EmulatorError(400, 'RequestBodyRead', `The parameter '${key}' in the request payload is not a valid parameter for the operation 'translateExchangeIds'.`);
    }
  }
  const inputIds = body.inputIds;
  if (inputIds === undefined || inputIds === null) throw graphErrors.invalidRequest("The request is missing the required parameter 'inputIds'.");
  if (!Array.isArray(inputIds) || !inputIds.every((x) => typeof x === 'string')) {
    throw new EmulatorError(400, 'RequestBodyRead', "Cannot convert the value of parameter 'inputIds' to the expected type 'Collection(Edm.String)'.");
  }
  if (inputIds.length > MAX_TRANSLATE_IDS) {
    throw graphErrors.invalidRequest(`The number of input ids (${inputIds.length}) exceeds the limit of ${MAX_TRANSLATE_IDS}.`);
  }
  const source = format(body, 'sourceIdType');
  const target = format(body, 'targetIdType');
  const store = ctx.state.store;
  return json(200, {
    '@odata.context': contextUrl(ctx, 'Collection(microsoft.graph.convertIdResult)'),
    value: (inputIds as string[]).map((sourceId) => {
      const r = store.translateId(mailbox, sourceId, source, target);
      return 'targetId' in r ? { sourceId, targetId: r.targetId } : { sourceId, errorDetails: { code: r.error.code, message: r.error.message } };
    }),
  });
};
