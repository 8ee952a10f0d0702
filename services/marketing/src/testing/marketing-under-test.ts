import { crmRegistry } from '@crm/contracts';
import type { Clock } from '@crm/kernel';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { startEmbeddedService, type EmbeddedServiceUnderTest } from '@crm/service-kit/testing';
import { createMarketingApp, MarketingConfig } from '../marketing';

/**
 * The marketing service for an e2e spec: its own embedded platform (PGlite on disk in a temp dir
 * named after `name`), the spec's clock and settings, listening on a free port. `stop` closes it and
 * removes the data.
 */
export function startMarketing(name: string, clock: Clock, env: Record<string, string> = {}): Promise<EmbeddedServiceUnderTest> {
  return startEmbeddedService(
    `marketing-${name}`,
    MarketingConfig,
    (config, platform, hosting) => createMarketingApp(config, platform, { ...hosting, clock }),
    crmRegistry(),
    env,
  );
}

/** The people the specs call as, beyond their own marketer: one of each other department, and a partner. */
export const CALLERS: Record<'service' | 'analytics' | 'sales' | 'management' | 'partner', Principal> = {
  service: { kind: 'staff', subject: 'dewi', department: 'service', roles: [] },
  analytics: { kind: 'staff', subject: 'ana', department: 'analytics', roles: [] },
  sales: { kind: 'staff', subject: 'sam', department: 'sales', roles: [] },
  management: { kind: 'staff', subject: 'maya', department: 'management', roles: [] },
  partner: { kind: 'partner', subject: 'acme.key', partnerId: 'acme', roles: [] },
};

/** A bearer token for each caller, by the same key. */
export async function mintTokens(app: ServiceApp, callers: Record<string, Principal>): Promise<Record<string, string>> {
  const mint = app.app.get(TokenMint);
  const tokens: Record<string, string> = {};
  for (const [key, principal] of Object.entries(callers)) tokens[key] = await mint.mint(principal);
  return tokens;
}
