import { KeylessError } from '../errors';

/**
 * The automation will not make a change: the role does not trust the provider, the result would fail the doctor's
 * lint, or IAM's limits would refuse it. Nothing was changed (exit 6, as the doctor's lint findings).
 */
export class RefusedError extends KeylessError {
  constructor(code: string, message: string, hint: string) {
    super('refused', code, message, { hint });
  }
}
