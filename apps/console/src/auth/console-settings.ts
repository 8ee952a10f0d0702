/** What the console's server says about this installation (`GET /console/settings.json`). */
export interface ConsoleSettings {
  mode: 'embedded' | 'distributed';
  localSignIn: { departments: string[]; roles: string[] } | null;
  oidc: { issuer: string; clientId: string; scope: string } | null;
  services: string[];
}

let loaded: Promise<ConsoleSettings> | undefined;
export function consoleSettings(): Promise<ConsoleSettings> {
  loaded ??= fetch('/console/settings.json').then((r) => {
    if (!r.ok) throw new Error(`settings: HTTP ${r.status}`);
    return r.json() as Promise<ConsoleSettings>;
  });
  return loaded;
}
