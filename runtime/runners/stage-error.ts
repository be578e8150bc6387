// How a stage ends other than with a result: a failure the user should read (no stack trace), or an
// interruption. Runners and the model resolver throw them; the worker turns them into events.
/** A stage that failed for a reason the user should read (no stack trace). */
export class StageError extends Error {
  constructor(
    message: string,
    readonly step?: number,
    readonly term?: string,
  ) {
    super(message);
    this.name = "StageError";
  }
}

export class InterruptedError extends Error {
  constructor(
    readonly step?: number,
    saved = false,
  ) {
    super(step === undefined ? "interrupted" : `interrupted after step ${step}${saved ? " (checkpoint saved)" : ""}`);
    this.name = "InterruptedError";
  }
}
