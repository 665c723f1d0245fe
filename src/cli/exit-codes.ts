// Documented exit codes, shared by every command.

/** 0: success / in sync. */
export const EXIT_OK = 0;
/** 1: the command ran and the answer is "no": invalid manifest, a unit failed, diff has changes. */
export const EXIT_FAILURE = 1;
/** 2: usage error (bad argument or option) or I/O error (file unreadable, daemon unreachable). */
export const EXIT_USAGE = 2;

/** An error the CLI reports as a message (never a stack trace) with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
