import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crmRegistry } from '@crm/contracts';
import { loadConfig, PlatformConfig } from '@crm/config';
import { InvalidAppendError } from '@crm/event-store';
import { testEvent, testMetadata, uniqueStream } from '@crm/event-store/testing';
import { createPlatform, type Platform } from './platform';

// The store port no longer asks for an actor; the CRM does, on every append through the platform.
describe('the CRM event store of the platform', () => {
  let dir: string;
  let platform: Platform;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-metadata-'));
    platform = await createPlatform(loadConfig(PlatformConfig, { CRM_MODE: 'embedded', CRM_DATA_DIR: dir }), { registry: crmRegistry(), clientId: 'test' });
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an event without an actor, writing nothing of its batch', async () => {
    const stream = uniqueStream();
    const { actor: _actor, ...noActor } = testMetadata();
    const error = await platform.eventStore.appendToStream(stream, [testEvent(), testEvent('TestHappened', {}, noActor)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAppendError);
    expect((error as Error).message).toMatch(/metadata\.actor is required/);
    await expect(
      platform.eventStore.appendToStream(stream, [testEvent('TestHappened', {}, { ...testMetadata(), actor: { type: 'staff' } })]),
    ).rejects.toBeInstanceOf(InvalidAppendError);
    expect(await platform.eventStore.readStream(stream)).toEqual([]);
  });

  it('accepts an event that states no visibility, and keeps its metadata as written', async () => {
    const stream = uniqueStream();
    const { visibility: _visibility, ...metadata } = testMetadata();
    await platform.eventStore.appendToStream(stream, [testEvent('TestHappened', {}, metadata)]);
    const [read] = await platform.eventStore.readStream(stream);
    expect(read.metadata).toEqual(metadata);
  });
});
