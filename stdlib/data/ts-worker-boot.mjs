// Worker threads do not inherit tsx's loader from `node --import tsx` (the hooks are per thread and
// tsx registers only on the main one), so a worker whose code is TypeScript starts here: register
// tsx for this thread, then import the real entry (workerData.entry, a file: URL).
import { register } from "tsx/esm/api";
import { workerData } from "node:worker_threads";

register();
await import(workerData.entry);
