import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.0 document (as a service serves at `/openapi.json`) this check reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components?: { schemas?: Record<string, object> };
}

const compiled = new WeakMap<OpenApiDocument, { ajv: Ajv; validators: Map<string, ValidateFunction> }>();

/**
 * What is wrong with a response `body` against the schema `document` promises for `method path`
 * answering `status` (application/json); `[]` when it conforms. Objects are held to the properties
 * the document lists (an undocumented field is a problem: `additionalProperties: false` wherever the
 * document says nothing), formats (uuid, date-time…) are checked. Throws when the document has no
 * schema for that answer — a route whose answer is undocumented fails its spec.
 *
 *   expect(documentedResponseProblems(doc, 'get', '/customers/{id}/timeline', 200, res.body)).toEqual([]);
 */
export function documentedResponseProblems(document: OpenApiDocument, method: string, path: string, status: number, body: unknown): string[] {
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
  const schema = operation.responses?.[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no application/json schema for ${status}`);
  let entry = compiled.get(document);
  if (!entry) {
    // strict off: the document's own keywords (example, nullable…) are not JSON Schema's.
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(closed({ components: document.components ?? {} }) as AnySchema, 'openapi');
    entry = { ajv, validators: new Map() };
    compiled.set(document, entry);
  }
  const key = `${method} ${path} ${status}`;
  let validate = entry.validators.get(key);
  if (!validate) {
    validate = entry.ajv.compile(closed(rebase(schema)) as AnySchema);
    entry.validators.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
  );
}

const served = new Map<string, Promise<OpenApiDocument>>();

/**
 * `documentedResponseProblems` against the document the service at `base` serves at
 * `/openapi.json` (fetched once per base URL):
 *
 *   expect(await servedResponseProblems(base, 'post', '/cases', 201, res.body)).toEqual([]);
 */
export async function servedResponseProblems(base: string, method: string, path: string, status: number, body: unknown): Promise<string[]> {
  let document = served.get(base);
  if (!document) {
    document = fetch(`${base}/openapi.json`).then(async (r) => (await r.json()) as OpenApiDocument);
    served.set(base, document);
  }
  return documentedResponseProblems(await document, method, path, status, body);
}

/** Local `#/components/...` references, pointed at the document registered as `openapi`. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi${v}` : rebase(v)]),
  );
}

/** Every object schema with listed properties and no word on others admits no others. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)])) as Record<string, unknown>;
  if (typeof copy.properties === 'object' && copy.properties !== null && !('additionalProperties' in copy) && !copy.allOf) copy.additionalProperties = false;
  return copy;
}
