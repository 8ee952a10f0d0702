import { serviceConfigClass } from '@crm/service-kit';
import { IsInt, Max, Min } from 'class-validator';

/** The embedded host's settings: the platform's, every service's (ports aside), and one port per service. */
export class EmbeddedHostConfig extends serviceConfigClass(3000) {
  @IsInt() @Min(1) @Max(65535) CRM_SALES_PORT: number = 3001;
  @IsInt() @Min(1) @Max(65535) CRM_SERVICE_PORT: number = 3002;
  @IsInt() @Min(1) @Max(65535) CRM_MARKETING_PORT: number = 3003;
  @IsInt() @Min(1) @Max(65535) CRM_PARTNER_PORTAL_PORT: number = 3004;
  @IsInt() @Min(1) @Max(65535) CRM_ANALYTICS_PORT: number = 3005;
}

export const PORT_SETTINGS = ['CRM_SALES_PORT', 'CRM_SERVICE_PORT', 'CRM_MARKETING_PORT', 'CRM_PARTNER_PORTAL_PORT', 'CRM_ANALYTICS_PORT'] as const;

/**
 * The environment the embedded host and its services read: all of it but the web console's own
 * settings (`CRM_CONSOLE_*`, `CRM_OIDC_*`), which only the console takes (the services would
 * refuse them as unknown). `npm run demo-data` reads the same, so one environment serves both.
 */
export function embeddedHostEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isConsoleSetting(name)));
}

/** The console's own settings (apps/console/server/console-config.ts declares them). */
export const isConsoleSetting = (name: string): boolean => name.startsWith('CRM_CONSOLE_') || name.startsWith('CRM_OIDC_');
