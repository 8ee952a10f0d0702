/** Identifier check for configurable schema names: they are interpolated into DDL and queries. */
export function assertIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid SQL identifier "${name}"`);
  return name;
}
