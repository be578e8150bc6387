// Entry of a worker process: register tsx (a runtime dependency) so the TypeScript sources run
// as they are, wherever the user's working directory is, then start the worker.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// scdx's own tsconfig, wherever the user's working directory is: tsx would otherwise look for one
// there, and .tsx files (the Ink UI) would compile without its JSX settings ("React is not defined").
register({ tsconfig: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)) });
await import("./worker.ts");
