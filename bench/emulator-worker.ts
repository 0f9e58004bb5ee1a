/**
 * The emulator on its own thread: Graph is another machine in real life, so the bench should not
 * make the client and the service share one event loop (the machine has two cores).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startEmulator, type EmulatorOptions } from '../emulator/index.ts';

const emu = await startEmulator(workerData as EmulatorOptions);
parentPort!.postMessage({ info: emu.info, url: emu.url });
parentPort!.on('message', (msg) => {
  if (msg === 'close') void emu.close().then(() => parentPort!.close());
});
