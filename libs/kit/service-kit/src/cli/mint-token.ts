/**
 * Prints a bearer token signed with the embedded key under CRM_DATA_DIR (default ./data), for the
 * embedded default (no identity provider). The key pair is created on first use.
 *
 *   node tools/run-ts.js libs/kit/service-kit/src/cli/mint-token.ts --sub alice --dept sales --roles agent,manager [--ttl 8h]
 *   node tools/run-ts.js libs/kit/service-kit/src/cli/mint-token.ts --partner acme --sub bob [--roles partner-admin]
 *
 * Issuer, audience and key file follow CRM_JWT_ISSUER, CRM_JWT_AUDIENCE, CRM_SIGNING_KEY_FILE.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@crm/config';
import { authSettings, ServiceConfig } from '../config/service-config';
import { parseDuration } from '../auth/duration';
import { ensureLocalKeys, readSigningKey } from '../auth/keys';
import { mintToken } from '../auth/mint-token';
import { DEPARTMENTS, isDepartment, type Principal } from '../auth/principal';

const USAGE = `usage: mint-token --sub <subject> (--dept <${DEPARTMENTS.join('|')}> | --partner <partner id>) [--roles a,b] [--ttl 8h]`;

export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  notice: (line: string) => void = (line) => process.stderr.write(`mint-token: ${line}\n`),
): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sub: { type: 'string' },
      dept: { type: 'string' },
      partner: { type: 'string' },
      roles: { type: 'string', default: '' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  if (!values.sub) throw new UsageError(`--sub is required\n${USAGE}`);
  if ((values.dept === undefined) === (values.partner === undefined)) throw new UsageError(`give exactly one of --dept and --partner\n${USAGE}`);
  const roles = (values.roles ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  let principal: Principal;
  if (values.partner !== undefined) {
    principal = { kind: 'partner', subject: values.sub, partnerId: values.partner, roles };
  } else {
    if (!isDepartment(values.dept)) throw new UsageError(`--dept must be one of ${DEPARTMENTS.join(', ')}`);
    principal = { kind: 'staff', subject: values.sub, department: values.dept, roles };
  }
  const ttl = values.ttl ?? '8h';
  parseDuration(ttl);

  // Only the settings this tool reads; a service's other CRM_* settings may be in the environment too.
  const known = new Set(['CRM_DATA_DIR', 'CRM_JWT_ISSUER', 'CRM_JWT_AUDIENCE', 'CRM_SIGNING_KEY_FILE', 'CRM_JWKS_FILE']);
  const config = loadConfig(ServiceConfig, Object.fromEntries(Object.entries(env).filter(([k]) => known.has(k))));
  const settings = authSettings(config);
  const local = settings.signingKeyFileIsDefault ? await ensureLocalKeys(config.CRM_DATA_DIR) : undefined;
  const key = local ?? (await readSigningKey(settings.signingKeyFile));
  // Said on stderr (stdout is the token): a CRM started with another CRM_DATA_DIR rejects this token.
  const keyFile = local?.signingKeyFile ?? settings.signingKeyFile;
  notice(`signed with ${keyFile} (kid ${key.kid})`);
  if (local?.created) {
    notice(
      `that key was created just now: a CRM running with another CRM_DATA_DIR than ${path.resolve(config.CRM_DATA_DIR)} will reject this token — pass the same CRM_DATA_DIR as the server`,
    );
  }
  return mintToken(principal, { signingKey: key, issuer: settings.issuer, audience: settings.audience, expiresIn: ttl });
}

class UsageError extends Error {}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (token) => process.stdout.write(`${token}\n`),
    (error: unknown) => {
      if (error instanceof UsageError || error instanceof ConfigError || error instanceof RangeError || (error instanceof TypeError && 'code' in error)) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
