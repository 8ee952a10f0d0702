import { PlatformConfig } from '@crm/config';
import { IsInt, IsString, Max, Min } from 'class-validator';

/** The relay process's settings: the platform's, and where it answers its health probes. */
export class RelayConfig extends PlatformConfig {
  @IsInt() @Min(1) @Max(65535) CRM_HTTP_PORT: number = 3010;
  @IsString() CRM_HTTP_HOST: string = '0.0.0.0';
}
