import type { OpenAPIObject } from '@nestjs/swagger';
import { buildServiceDocuments, type ServiceName } from './service-documents';

// The bar for every route: its OpenAPI entry documents the answer's schema, so a client (the
// console's generated types, partners' generated clients) knows what it gets. A 2xx answer with a
// body (not 204) must give a schema for each content type it names, and name at least one.
describe("every service's OpenAPI document gives a schema for each successful answer", () => {
  let documents: Map<ServiceName, OpenAPIObject>;

  beforeAll(async () => {
    documents = await buildServiceDocuments();
  }, 120_000);

  it('has no 2xx answer without a schema, in any service', () => {
    const missing: string[] = [];
    for (const [service, document] of documents) {
      for (const [path, item] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(
          item as Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>,
        )) {
          for (const [status, answer] of Object.entries(operation.responses ?? {})) {
            if (!/^2\d\d$/.test(status) || status === '204') continue;
            const contents = Object.entries(answer.content ?? {});
            if (contents.length === 0) missing.push(`${service} ${method.toUpperCase()} ${path} ${status}: no content`);
            for (const [type, content] of contents)
              if (!content.schema) missing.push(`${service} ${method.toUpperCase()} ${path} ${status}: ${type} without schema`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
