/**
 * An error in user-supplied input (a spec, a CSV, a package). The message is written for the person
 * who supplied it: it names the field, column or line and what is wrong. `details` carries the same
 * facts in machine-readable form for the API's problem+json responses.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'InputError';
  }
}
