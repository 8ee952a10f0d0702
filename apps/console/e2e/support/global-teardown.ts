import { stopCrmUnderTest } from './crm-under-test';

export default async function globalTeardown(): Promise<void> {
  await stopCrmUnderTest();
}
