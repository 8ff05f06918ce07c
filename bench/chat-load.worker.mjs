// Worker entry in plain JavaScript: registers the TypeScript loader in this thread (loaders are
// per thread), then runs the tester thread, which is TypeScript like the rest of the code.
import { register } from 'tsx/esm/api';

register();
await import('./chat-load.worker.ts');
