import { TokenError } from '../src/errors';
import { formatFailure } from '../src/report';

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
