import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import type { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from '../service';

/** The service on its own embedded platform with the channels' settings, on a test clock (for the channels' e2e specs). */
export async function startServiceWithChannels(clock: TestClock, settings: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-service-channels-'));
  const config = loadConfig(CustomerServiceConfig, { CRM_DATA_DIR: dataDir, ...settings });
  const platform: Platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
  const app: ServiceApp = await createCustomerServiceApp(config, platform, { embedded: true, clock });
  const base = await app.listen(0);
  const mint = (p: Principal) => app.app.get(TokenMint).mint(p);
  const agentToken = await mint({ kind: 'staff', subject: 'dewi', department: 'service', roles: ['agent'] });
  return {
    app,
    platform,
    base,
    mint,
    call: httpCaller(
      () => base,
      () => agentToken,
    ),
    async stop() {
      await app.close();
      await platform.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
