// The request context a policy is evaluated against: condition key → values. IAM condition key names are
// case-insensitive, so keys are stored lower-cased with the spelling they were set with kept for display.

export class ConditionContext {
  private readonly keys = new Map<string, { name: string; values: string[] }>();

  /** An empty list or `undefined` leaves the key absent, as IAM treats a key with no values. */
  set(name: string, value: string | readonly string[] | undefined): this {
    if (value === undefined) return this;
    const values = typeof value === 'string' ? [value] : [...value];
    if (values.length === 0) return this;
    this.keys.set(name.toLowerCase(), { name, values });
    return this;
  }

  get(name: string): string[] | undefined {
    return this.keys.get(name.toLowerCase())?.values;
  }

  entries(): Array<[string, string[]]> {
    return [...this.keys.values()].map((k) => [k.name, k.values]);
  }
}
