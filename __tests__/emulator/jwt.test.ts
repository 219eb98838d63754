// Token time checks at their boundaries: the skew STS tolerates, to the second, with an injected "now".
import { tokenTimeProblem } from '../../src/emulator/jwt';

const NOW = 1_800_000_000;
const SKEW = 300;

describe('tokenTimeProblem', () => {
  it('accepts exp up to the skew in the past and refuses one second more', () => {
    expect(tokenTimeProblem({ exp: NOW - SKEW }, NOW, SKEW)).toBeUndefined();
    expect(tokenTimeProblem({ exp: NOW - SKEW - 1 }, NOW, SKEW)).toEqual({
      claim: 'exp',
      value: NOW - SKEW - 1,
      now: NOW,
    });
  });

  it.each(['iat', 'nbf'])('accepts %s up to the skew in the future and refuses one second more', (claim) => {
    expect(tokenTimeProblem({ exp: NOW + 600, [claim]: NOW + SKEW }, NOW, SKEW)).toBeUndefined();
    expect(tokenTimeProblem({ exp: NOW + 600, [claim]: NOW + SKEW + 1 }, NOW, SKEW)).toEqual({
      claim,
      value: NOW + SKEW + 1,
      now: NOW,
    });
  });

  it('requires a numeric exp', () => {
    expect(tokenTimeProblem({}, NOW, SKEW)).toEqual({ claim: 'exp', missing: true });
    expect(tokenTimeProblem({ exp: String(NOW + 60) }, NOW, SKEW)).toEqual({ claim: 'exp', missing: true });
  });
});
