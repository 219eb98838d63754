import { DeniedError, TimeoutError, TransientError } from '../../src/errors';
import { withDeadline, withRetry } from '../../src/net/retry';

const transient = () => new TransientError('Throttling', 'slow down');

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe('withRetry', () => {
  it('retries transient failures with full jitter: delay = floor(random * min(cap, base * 2^(n-1)))', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const result = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 5) throw transient();
        return 'ok';
      },
      {
        maxAttempts: 5,
        deadline: Date.now() + 60_000,
        sleep,
        random: () => 0.999999,
        baseDelayMs: 100,
        maxDelayMs: 500,
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(5);
    expect(sleeps).toEqual([99, 199, 399, 499]);
  });

  it('random 0 means no wait at all; every delay is within [0, bound)', async () => {
    const { sleeps, sleep } = recorder();
    await withRetry(
      async (attempt) => {
        if (attempt < 3) throw transient();
      },
      { maxAttempts: 3, deadline: Date.now() + 60_000, sleep, random: () => 0 },
    );
    expect(sleeps).toEqual([0, 0]);
  });

  it('does not sleep after the last attempt and throws its error', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw new TransientError('Throttling', `attempt ${calls}`);
      },
      { maxAttempts: 3, deadline: Date.now() + 60_000, sleep, random: () => 0.5 },
    ).catch((e) => e);
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(error.message).toBe('Attempt 3');
  });

  it('never retries a denial', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new DeniedError('AccessDenied', 'no');
        },
        { maxAttempts: 12, deadline: Date.now() + 60_000, sleep },
      ),
    ).rejects.toBeInstanceOf(DeniedError);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('retries timeouts', async () => {
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1) throw new TimeoutError('slow');
      },
      { maxAttempts: 2, deadline: Date.now() + 60_000, sleep: async () => {} },
    );
    expect(calls).toBe(2);
  });

  it('does not start a sleep that would end past the deadline', async () => {
    const { sleeps, sleep } = recorder();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        { maxAttempts: 10, deadline: Date.now() + 50, sleep, random: () => 0.99, baseDelayMs: 1000 },
      ),
    ).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('reports each retry with its attempt number and delay', async () => {
    const seen: Array<[number, number]> = [];
    await withRetry(
      async (attempt) => {
        if (attempt < 3) throw transient();
      },
      {
        maxAttempts: 3,
        deadline: Date.now() + 60_000,
        sleep: async () => {},
        random: () => 0.5,
        onRetry: (attempt, _e, delay) => seen.push([attempt, delay]),
      },
    );
    expect(seen).toEqual([
      [1, 50],
      [2, 100],
    ]);
  });
});

describe('withRetry: an endpoint that does not answer', () => {
  const silence = { budgetMs: 250, attemptMs: 100, setting: 'network-timeout-s' };
  /** A clock each attempt moves on by its full timeout, as a black-holed endpoint would. */
  const clock = () => {
    let t = 1_000_000;
    return {
      now: () => t,
      pass: (ms: number) => {
        t += ms;
      },
    };
  };

  it('stops retrying timeouts once another attempt could end past the budget, naming the setting', async () => {
    const time = clock();
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        time.pass(100);
        throw new TimeoutError('STS at https://sts.example did not answer within 0.1 s.');
      },
      { maxAttempts: 12, deadline: time.now() + 60_000, now: time.now, sleep: async () => {}, unanswered: silence },
    ).catch((e) => e);
    // 0–100 ms, then 100–200 ms; a third would end at 300 ms, past the 250 ms budget.
    expect(calls).toBe(2);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe(
      'STS at https://sts.example did not answer within 0.1 s. Gave up after 2 attempts (network-timeout-s 0.25 s).',
    );
    expect(error.hint).toMatch(/raise network-timeout-s/);
  });

  it('leaves other transient failures to the attempt count', async () => {
    const time = clock();
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        time.pass(100);
        throw transient();
      },
      { maxAttempts: 4, deadline: time.now() + 60_000, now: time.now, sleep: async () => {}, unanswered: silence },
    ).catch((e) => e);
    expect(calls).toBe(4);
  });
});

describe('withRetry: why the last failure is not retried (the debug line)', () => {
  const reasons = async (operation: () => Promise<never>, policy: Partial<Parameters<typeof withRetry>[1]>) => {
    const seen: Array<[number, string]> = [];
    await withRetry(operation, {
      maxAttempts: 3,
      deadline: Date.now() + 60_000,
      sleep: async () => {},
      random: () => 0,
      onGiveUp: (attempt, _error, why) => seen.push([attempt, why]),
      ...policy,
    }).catch(() => undefined);
    return seen;
  };

  it('a final failure: at once, as not transient', async () => {
    expect(await reasons(() => Promise.reject(new DeniedError('AccessDenied', 'no')), {})).toEqual([
      [1, 'not a transient failure'],
    ]);
  });

  it('a transient failure: only after the last attempt', async () => {
    expect(await reasons(() => Promise.reject(transient()), {})).toEqual([[3, 'the last of 3 attempts']]);
  });

  it('a timeout: once the unanswered budget is spent, naming the setting', async () => {
    let t = 0;
    const operation = () => {
      t += 100;
      return Promise.reject(new TimeoutError('no answer'));
    };
    const unanswered = { budgetMs: 250, attemptMs: 100, setting: 'network-timeout-s' };
    expect(await reasons(operation, { maxAttempts: 12, now: () => t, unanswered })).toEqual([
      [2, 'network-timeout-s spent'],
    ]);
  });

  it('a retry that would wait past the deadline', async () => {
    expect(await reasons(() => Promise.reject(transient()), { deadline: Date.now() + 10, random: () => 0.99 })).toEqual(
      [[1, 'the run deadline comes first']],
    );
  });
});

describe('withDeadline', () => {
  it('rejects with a TimeoutError when the work outlives the deadline', async () => {
    const started = Date.now();
    const never = new Promise<never>(() => {});
    const error = await withDeadline(never, Date.now() + 100, 'Getting AWS credentials').catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('Getting AWS credentials did not finish in time.');
    expect(error.hint).toMatch(/action-timeout-s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('passes the result through and clears its timer', async () => {
    expect(await withDeadline(Promise.resolve(7), Date.now() + 10_000, 'x')).toBe(7);
  });
});
