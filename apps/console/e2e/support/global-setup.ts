import path from 'node:path';
import { startCrmUnderTest } from './crm-under-test';

export default async function globalSetup(): Promise<void> {
  // The build script of the repository's tools (plain JS, shared with npm start), by its path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildConsole } = require(path.resolve(__dirname, '..', '..', '..', '..', 'tools', 'console-build.js')) as {
    buildConsole(o: { log(line: string): void }): boolean;
  };
  buildConsole({ log: (line: string) => process.stderr.write(`${line}\n`) });
  const crm = await startCrmUnderTest((line) => process.stderr.write(`${line}\n`));
  process.stderr.write(`\nbrowser suite: the CRM under test runs at ${crm.url}\n`);
}
