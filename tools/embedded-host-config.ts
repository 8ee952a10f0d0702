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
