/**
 * The emulator answers on one port under several loopback names (127.0.0.1, localhost, ::1;
 * CONTRACT.md §2: its certificate is valid for 127.0.0.1 and localhost). Links it hands out
 * (@odata.nextLink, @odata.context) use the name the client called, as Graph's links use the
 * host the client called, so a client that checks a nextLink's origin keeps working.
 */
import type { EmulatorState } from './state.ts';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

function aliasesOf(origin: string): string[] {
  const u = new URL(origin);
  return [...LOOPBACK_NAMES].map((h) => `${u.protocol}//${h}:${u.port}`);
}

/** The origin as the client addressed it (Host header), when it is a loopback alias of ours. */
export function requestOrigin(state: EmulatorState, hostHeader: string | undefined): string {
  if (!hostHeader) return state.origin;
  const u = new URL(state.origin);
  const candidate = `${u.protocol}//${hostHeader.toLowerCase()}`;
  return aliasesOf(state.origin).includes(candidate) ? candidate : state.origin;
}

/** Whether `resource` names this emulator under any of its loopback names. */
export function isOwnOrigin(state: EmulatorState, resource: string): boolean {
  return aliasesOf(state.origin).includes(resource.toLowerCase());
}
