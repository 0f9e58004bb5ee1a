import { EmulatorError } from './errors.ts';
import { json, type GraphRequest, type GraphResponse } from './state.ts';

/** Graph's error body: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`. */
export function renderError(err: unknown, req: Pick<GraphRequest, 'requestId' | 'clientRequestId'>, nowMs: number): GraphResponse {
  const e =
    err instanceof EmulatorError
      ? err
      : new EmulatorError(500, 'InternalServerError', 'An internal server error occurred in the emulator.');
  return json(
    e.status,
    {
      error: {
        code: e.code,
        message: e.message,
        innerError: {
          date: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': req.requestId,
          'client-request-id': req.clientRequestId,
        },
      },
    },
    e.headers,
  );
}
