/**
 * Errors in use (bad flags, missing files, bad configuration) are typed here
 * with their exit code; main.ts turns them into one message, once.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INPUT = 3;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

export class InputError extends CliError {
  constructor(message: string) {
    super(message, EXIT_INPUT);
  }
}
