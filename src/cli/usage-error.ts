import { KeylessError } from '../errors';

/** The command line itself is wrong (unknown command or flag, missing value, refused flag): exit 2. */
export class UsageError extends KeylessError {
  constructor(message: string, hint?: string) {
    super('input', 'Usage', message, hint === undefined ? {} : { hint });
  }
}
