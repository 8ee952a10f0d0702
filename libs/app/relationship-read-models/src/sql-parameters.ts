/** Positional parameters of a query being built: `p(value)` adds one and answers its placeholder (`$1`, `$2`, …). */
export function sqlParameters(): { params: unknown[]; p: (value: unknown) => string } {
  const params: unknown[] = [];
  return {
    params,
    p: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}
