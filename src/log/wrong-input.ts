/**
 * What a command was pointed at is missing, or not what it reads (a study
 * file given as results, a store given as a study folder). Carries the input
 * as the user wrote it, so that the command line can tell a wrong argument
 * (exit status 2) from a path named inside a file (exit status 1).
 */
export class WrongInputError extends Error {
  override name = "WrongInputError";
  constructor(
    message: string,
    /** The path (or study name) as given. */
    readonly input: string,
  ) {
    super(message);
  }
}
