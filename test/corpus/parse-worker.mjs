// Worker entry: a worker thread does not inherit the test runner's TypeScript loader, so register tsx here.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
