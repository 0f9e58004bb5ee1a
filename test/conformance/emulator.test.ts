/**
 * Microsoft's own Graph SDK against the local emulator, over HTTPS with the emulator's CA.
 */
import { describe } from 'vitest';
import { defineConformanceSuite } from './suite.ts';
import { startEmulatorTarget } from './target.ts';

describe('conformance: Microsoft Graph SDK against the emulator', () => {
  defineConformanceSuite('emulator', startEmulatorTarget);
});
