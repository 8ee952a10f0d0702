import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..');

/** Lints `code` as if it were the file at `file`, returning the module-boundary messages. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries are enforced by lint', () => {
  beforeAll(() => {
    // The rule reads Nx's cached project graph; compute it as `npm run lint` does.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
  });

  it('a port lib may not import a framework or infrastructure package', async () => {
    const errors = await boundaryErrors('libs/ports/event-store/src/probe.ts', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n");
    expect(errors.join('\n')).toMatch(/@nestjs\/common/);
  });

  it('a kit lib may not import an adapter lib', async () => {
    const errors = await boundaryErrors('libs/kit/config/src/probe.ts', "import { PgSqlClient } from '@crm/sql-clients';\nexport const x = PgSqlClient;\n");
    expect(errors.join('\n')).toMatch(/tag/i);
  });

  it('a project may not reach into another by a relative path', async () => {
    const errors = await boundaryErrors(
      'libs/app/relay/src/probe.ts',
      "import { IntegrationEventRegistry } from '../../../ports/bus/src/registry';\nexport const x = IntegrationEventRegistry;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('an allowed import passes (the rule is not simply failing everything)', async () => {
    const errors = await boundaryErrors(
      'libs/app/relay/src/probe.ts',
      "import { IntegrationEventRegistry } from '@crm/bus';\nexport const x = IntegrationEventRegistry;\n",
    );
    expect(errors).toEqual([]);
  });
  it('a service may not import an adapter: adapters are reached only through the composition root', async () => {
    const errors = await boundaryErrors('services/sales/src/probe.ts', "import { KafkaBus } from '@crm/bus-kafka';\nexport const x = KafkaBus;\n");
    expect(errors.join('\n')).toMatch(/tag/i);
  });

  it('the typed partner client is for tests and tools only: a service or an app lib may not import it', async () => {
    const code = "import { createPartnerPortalClient } from '@crm/partner-portal-client';\nexport const x = createPartnerPortalClient;\n";
    expect((await boundaryErrors('services/sales/src/probe.ts', code)).join('\n')).toMatch(/tag/i);
    // (for an app lib the rule may report the cycle it would make — the client's e2e spec hosts the portal — before the tag)
    expect((await boundaryErrors('libs/app/relay/src/probe.ts', code)).length).toBeGreaterThan(0);
    expect(await boundaryErrors('tools/probe.ts', code)).toEqual([]);
    expect(await boundaryErrors('services/sales/src/probe.e2e.spec.ts', code)).toEqual([]);
  });

  it('a port may not import the domain (ports know no CRM rules)', async () => {
    const errors = await boundaryErrors(
      'libs/ports/event-store/src/probe.ts',
      "import { customerDecider } from '@crm/relationship';\nexport const x = customerDecider;\n",
    );
    expect(errors.join('\n')).toMatch(/tag/i);
  });

  it('an application lib may not import an adapter', async () => {
    const errors = await boundaryErrors('libs/app/relay/src/probe.ts', "import { PgSqlClient } from '@crm/sql-clients';\nexport const x = PgSqlClient;\n");
    expect(errors.join('\n')).toMatch(/tag/i);
  });

  it('the domain may import only the kernel and itself', async () => {
    const errors = await boundaryErrors(
      'libs/domain/relationship/src/probe.ts',
      "import { IntegrationEventRegistry } from '@crm/bus';\nexport const x = IntegrationEventRegistry;\n",
    );
    expect(errors.join('\n')).toMatch(/tag/i);
  });

  it('the composition root may import adapters, and a service may import the composition root', async () => {
    expect(await boundaryErrors('libs/platform/src/probe.ts', "import { KafkaBus } from '@crm/bus-kafka';\nexport const x = KafkaBus;\n")).toEqual([]);
    expect(await boundaryErrors('services/sales/src/probe.ts', "import { createPlatform } from '@crm/platform';\nexport const x = createPlatform;\n")).toEqual(
      [],
    );
  });

  it('a service may not import another service', async () => {
    const errors = await boundaryErrors(
      'services/sales/src/probe.ts',
      "import { createServiceApp } from '../../service/src/service';\nexport const x = createServiceApp;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });
  it('the propensity models are domain: no framework, no infrastructure, no app lib; a service may use them', async () => {
    expect(
      (
        await boundaryErrors('libs/domain/customer-propensity/src/probe.ts', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n")
      ).join('\n'),
    ).toMatch(/@nestjs\/common/);
    expect(
      (
        await boundaryErrors(
          'libs/domain/customer-propensity/src/probe.ts',
          "import { READ_MODELS } from '@crm/relationship-api';\nexport const x = READ_MODELS;\n",
        )
      ).join('\n'),
    ).toMatch(/tag/i);
    expect(await boundaryErrors('services/analytics/src/probe.ts', "import { rocAuc } from '@crm/customer-propensity';\nexport const x = rocAuc;\n")).toEqual(
      [],
    );
  });
});
