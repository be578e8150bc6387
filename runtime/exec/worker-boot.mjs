// Entry of a worker process: register tsx (a runtime dependency) so the TypeScript sources run
// as they are, wherever the user's working directory is, then start the worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
