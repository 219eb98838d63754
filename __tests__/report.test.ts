import { InputError, TokenError } from '../src/errors';
import { stderrLogger } from '../src/log';
import { formatFailure } from '../src/report';
import { registerSecret } from '../src/secrets';

describe('formatFailure', () => {
  it('keeps a server-quoting message and hint on one line each; the details keep their lines', () => {
    const error = new TokenError('EndpointRefused', 'the endpoint said: bad\n::add-mask::x', {
      hint: 'retry\r\n::stop-commands::t',
      details: 'line one\nline two',
    });
    expect(formatFailure(error, false).split('\n')).toEqual([
      'The endpoint said: bad\\n::add-mask::x',
      'retry\\r\\n::stop-commands::t',
      'line one',
      'line two',
    ]);
  });

  it('an unexpected error is one line too', () => {
    expect(formatFailure(new Error('a\nb'), false)).toBe('Unexpected error: a\\nb');
  });
});

describe('secrets holding control characters', () => {
  // Redaction must see the value as it was registered: once `oneLine` has shown a tab as `\t`, the text no longer
  // contains the secret, and neither our redactor nor the runner's mask (registered with the real value) matches.
  const secret = 'pasted\tpassword-0123456789';

  it('are redacted in a failure message and hint, not shown with their tab made visible', () => {
    registerSecret(secret);
    const text = formatFailure(new InputError(`proxy refused ${secret}`, `check ${secret}`), false);
    expect(text).toBe('Proxy refused ***\ncheck ***');
    expect(formatFailure(new Error(`boom ${secret}`), false)).toBe('Unexpected error: boom ***');
  });

  it('are redacted in CLI progress lines', () => {
    registerSecret(secret);
    const written: string[] = [];
    stderrLogger({ debug: false, write: (text) => written.push(text) }).info(`using ${secret}`);
    expect(written).toEqual(['keyless-aws: using ***\n']);
  });
});
