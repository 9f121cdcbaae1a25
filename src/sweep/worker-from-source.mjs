// The sweep worker when mailsim runs from its TypeScript sources (a checkout, the tests): a worker
// thread does not inherit the tsx loader of the main thread, so this registers it, then loads worker.ts.
// The compiled package uses dist/sweep/worker.js directly (src/sweep/pool.ts chooses).
import { register } from 'tsx/esm/api';

register();
const { default: runBatch } = await import('./worker.ts');
export default runBatch;
