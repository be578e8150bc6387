// A mistake on the command line or in the environment (a bad flag value, an unusable cache folder),
// as opposed to a mistake in the study (a diagnostic) or a failure at run time. Any layer may throw
// it; the CLI prints it as `scdx NAME: message` plus a pointer to --help and exits 2.
export class UsageError extends Error {}
