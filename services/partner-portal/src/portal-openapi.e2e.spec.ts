import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { createPlatform, type Platform } from '@crm/platform';
import { PROBLEM_CONTENT_TYPE } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from './partner-portal';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

// The portal's OpenAPI document is what a partner's developer and the generated client
// (libs/clients/partner-portal) rely on (issue 14 §7): every partner operation names the oauth2
// client-credentials scheme, documents what it answers with a schema, and its errors as problem+json.
// A new partner route that documents less fails here.
describe('the partner portal OpenAPI document', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-portal-openapi-'));
  let platform: Platform;
  let doc: OpenAPIObject;
  const operations: { id: string; op: OperationObject }[] = [];

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    const app = await createPartnerPortalApp(config, platform, { embedded: true });
    doc = app.openApiDocument(); // built without listening
    await app.close();
    for (const [p, item] of Object.entries(doc.paths)) for (const m of METHODS) if (item[m]) operations.push({ id: `${m.toUpperCase()} ${p}`, op: item[m] });
  });
  afterAll(async () => {
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const partnerOps = () => operations.filter(({ op }) => op.security?.some((s) => 'partner' in s));
  const problem = (op: OperationObject, status: string) => {
    const r = op.responses[status] as ResponseObject | undefined;
    return r?.content?.[PROBLEM_CONTENT_TYPE]?.schema;
  };

  it('declares the oauth2 client-credentials scheme with the token URL, beside staff bearer and the token route’s basic', () => {
    expect(doc.components?.securitySchemes?.partner).toMatchObject({
      type: 'oauth2',
      flows: { clientCredentials: { tokenUrl: '/auth/token', scopes: {} } },
    });
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/auth/token'].post?.security).toEqual([{ basic: [] }]);
  });

  it('requires it on every partner route; staff routes keep bearer; routes open to both name either', () => {
    for (const id of ['GET /customers', 'GET /customers/{id}/timeline', 'POST /episodes', 'POST /deal-registrations', 'GET /repairs', 'POST /sell-through'])
      expect({ id, security: operations.find((o) => o.id === id)?.op.security }).toEqual({ id, security: [{ partner: [] }] });
    for (const id of ['POST /partners', 'GET /partners/{id}/access-log', 'GET /deal-registrations/review'])
      expect({ id, security: operations.find((o) => o.id === id)?.op.security }).toEqual({ id, security: [{ bearer: [] }] });
    expect(operations.find((o) => o.id === 'GET /share-requests')?.op.security).toEqual([{ bearer: [] }, { partner: [] }]);
    // nothing but the kit's own routes and the token exchange is public
    const open = operations.filter(({ op }) => !op.security?.length).map((o) => o.id);
    expect(open.filter((id) => !/^GET \/(health|metrics)/.test(id))).toEqual([]);
  });

  it('documents every partner answer with a schema, and 401, 403 and (with a path id) 404 as problem+json', () => {
    expect(partnerOps().length).toBeGreaterThan(15);
    for (const { id, op } of partnerOps()) {
      const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
      expect({ id, success: success.length > 0 }).toEqual({ id, success: true });
      for (const [status, response] of success) {
        const r = response as ResponseObject;
        if (status === '204') continue;
        const typed = Object.values(r.content ?? {}).some((media) => media.schema !== undefined);
        expect({ id, status, typed }).toEqual({ id, status, typed: true });
      }
      for (const status of ['401', '403']) expect({ id, status, problem: problem(op, status) !== undefined }).toEqual({ id, status, problem: true });
      if (/\{\w+\}/.test(id)) expect({ id, notFound: problem(op, '404') !== undefined }).toEqual({ id, notFound: true });
      if (op.requestBody) expect({ id, invalid: problem(op, '400') !== undefined }).toEqual({ id, invalid: true });
    }
  });

  it('documents If-Match with its 412, and the ETag and Location headers the routes send', () => {
    for (const { id, op } of operations) {
      const ifMatch = (op.parameters as ParameterObject[] | undefined)?.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match');
      if (ifMatch) expect({ id, stale: problem(op, '412') !== undefined }).toEqual({ id, stale: true });
    }
    const headers = (id: string, status: string) =>
      Object.keys((operations.find((o) => o.id === id)?.op.responses[status] as ResponseObject | undefined)?.headers ?? {});
    expect(headers('POST /episodes', '201')).toEqual(expect.arrayContaining(['Location', 'ETag']));
    expect(headers('POST /episodes/{id}/close', '200')).toEqual(['ETag']);
    expect(headers('POST /partners', '201')).toEqual(expect.arrayContaining(['Location', 'ETag']));
    expect(headers('POST /auth/token', '429')).toEqual(['Retry-After']);
  });

  it('gives partner request bodies their constraints and examples (formats, lengths, enums)', () => {
    const schemas = doc.components?.schemas as Record<string, { properties?: Record<string, Record<string, unknown>> }>;
    expect(schemas.PartnerCustomerListItemDto.properties?.customerId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(schemas.PartnerTimelinePageDto.properties?.order).toMatchObject({ enum: ['oldest-first', 'newest-first'] });
    expect(schemas.RegisterDealDto.properties?.products).toMatchObject({ minItems: 1, maxItems: 50 });
    expect(schemas.TokenResponseDto.properties?.expires_in).toMatchObject({ type: 'integer', example: 3600 });
    expect(doc.paths['/auth/token'].post?.requestBody).toMatchObject({
      content: { 'application/x-www-form-urlencoded': expect.any(Object), 'application/json': expect.any(Object) },
    });
  });
});
