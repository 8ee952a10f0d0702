import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Max, Min, ValidateIf } from 'class-validator';
import { Transform } from 'class-transformer';

const url = (name: string) =>
  IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: `${name} must be an http(s) URL` });
const bool = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/**
 * Settings of the web console's server (`apps/console/server`): where it listens, where each service
 * answers, and how people sign in. It holds no data: no database or bus settings. The names it
 * shares with the services (mode, data folder, issuer, audience, identity provider) mean the same.
 */
export class ConsoleConfig {
  @IsIn(['embedded', 'distributed'])
  CRM_MODE: 'embedded' | 'distributed' = 'embedded';

  /** Embedded mode: the data folder whose key signs local sign-in tokens (as `npm run token`). */
  @IsString()
  @IsNotEmpty()
  CRM_DATA_DIR: string = './data';

  @IsString()
  @IsNotEmpty()
  CRM_HTTP_HOST: string = '0.0.0.0';

  @IsString() @IsNotEmpty() CRM_JWT_ISSUER: string = 'crm-embedded';
  @IsString() @IsNotEmpty() CRM_JWT_AUDIENCE: string = 'crm';
  /** Set when staff sign in through a real identity provider: the local sign-in is then off. */
  @IsOptional() @url('CRM_JWKS_URL') CRM_JWKS_URL?: string;
  /** A signing key other than the embedded default: the local sign-in is then off. */
  @IsOptional() @IsString() CRM_SIGNING_KEY_FILE?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  CRM_LOG_LEVEL: string = 'info';

  /** Where the console listens (embedded: next to the services' ports). */
  @IsInt()
  @Min(1)
  @Max(65535)
  CRM_CONSOLE_PORT: number = 3000;

  /** The base URL of each service (distributed mode: cluster-internal; required there). Embedded: the host sets them. */
  @ValidateIf((c: ConsoleConfig) => c.CRM_MODE === 'distributed') @url('CRM_CONSOLE_SALES_URL') CRM_CONSOLE_SALES_URL?: string;
  @ValidateIf((c: ConsoleConfig) => c.CRM_MODE === 'distributed') @url('CRM_CONSOLE_SERVICE_URL') CRM_CONSOLE_SERVICE_URL?: string;
  @ValidateIf((c: ConsoleConfig) => c.CRM_MODE === 'distributed') @url('CRM_CONSOLE_MARKETING_URL') CRM_CONSOLE_MARKETING_URL?: string;
  @ValidateIf((c: ConsoleConfig) => c.CRM_MODE === 'distributed') @url('CRM_CONSOLE_PARTNER_PORTAL_URL') CRM_CONSOLE_PARTNER_PORTAL_URL?: string;
  @ValidateIf((c: ConsoleConfig) => c.CRM_MODE === 'distributed') @url('CRM_CONSOLE_ANALYTICS_URL') CRM_CONSOLE_ANALYTICS_URL?: string;

  /**
   * Staff sign-in through a real identity provider (OIDC authorisation code with PKCE, in the
   * browser): its issuer URL and the console's public client id. Tokens it issues are verified by the
   * services against CRM_JWKS_URL.
   */
  @IsOptional() @url('CRM_OIDC_ISSUER') CRM_OIDC_ISSUER?: string;
  @IsOptional() @IsString() CRM_OIDC_CLIENT_ID?: string;
  @IsString() CRM_OIDC_SCOPE: string = 'openid profile';

  /**
   * The local sign-in (a token minted with the embedded key for a department the person picks):
   * for the embedded CRM on one machine only. Default: on in embedded mode with the default key,
   * off otherwise; it can never be switched on in distributed mode or with an identity provider.
   */
  @IsOptional() @bool() @IsBoolean() CRM_CONSOLE_LOCAL_SIGN_IN?: boolean;

  /** Folder of the built web app (`npm run build:console`). Default `dist/console` of the repository. */
  @IsOptional() @IsString() CRM_CONSOLE_STATIC_DIR?: string;
}

export const CONSOLE_SERVICES = ['sales', 'service', 'marketing', 'partner-portal', 'analytics'] as const;
export type ConsoleService = (typeof CONSOLE_SERVICES)[number];

/** The upstream URL setting of a service: `partner-portal` → `CRM_CONSOLE_PARTNER_PORTAL_URL`. */
export const upstreamSetting = (name: ConsoleService) =>
  `CRM_CONSOLE_${name.toUpperCase().replace(/-/g, '_')}_URL` as `CRM_CONSOLE_${'SALES' | 'SERVICE' | 'MARKETING' | 'PARTNER_PORTAL' | 'ANALYTICS'}_URL`;

/** Whether the local sign-in is on: only embedded, with the default key and no identity provider. */
export function localSignInEnabled(config: ConsoleConfig): boolean {
  const possible = config.CRM_MODE === 'embedded' && !config.CRM_JWKS_URL && !config.CRM_SIGNING_KEY_FILE;
  return possible && config.CRM_CONSOLE_LOCAL_SIGN_IN !== false;
}

/** Problems a valid-looking config still has (each stops the process naming the setting). */
export function consoleConfigProblems(config: ConsoleConfig): { setting: string; message: string }[] {
  const problems: { setting: string; message: string }[] = [];
  if (config.CRM_CONSOLE_LOCAL_SIGN_IN === true && !localSignInEnabled({ ...config, CRM_CONSOLE_LOCAL_SIGN_IN: undefined }))
    problems.push({
      setting: 'CRM_CONSOLE_LOCAL_SIGN_IN',
      message: 'the local sign-in exists only in embedded mode with the embedded key (no CRM_JWKS_URL, no CRM_SIGNING_KEY_FILE)',
    });
  if ((config.CRM_OIDC_ISSUER === undefined) !== (config.CRM_OIDC_CLIENT_ID === undefined))
    problems.push({
      setting: config.CRM_OIDC_ISSUER ? 'CRM_OIDC_CLIENT_ID' : 'CRM_OIDC_ISSUER',
      message: 'CRM_OIDC_ISSUER and CRM_OIDC_CLIENT_ID go together',
    });
  return problems;
}
