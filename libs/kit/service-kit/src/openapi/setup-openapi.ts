import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { OPENAPI_KIND_EXTENSION, OPENAPI_PUBLIC_EXTENSION } from '../auth/decorators';
import { PROBLEM_CONTENT_TYPE } from '../errors/http-problem';

export interface OpenApiOptions {
  title: string;
  description?: string;
  /** Default `0.1.0`. */
  version?: string;
  /**
   * Partners get their bearer token by OAuth 2.0 client credentials at this URL (relative to the
   * server, e.g. `/auth/token`): the document then declares the `oauth2` scheme `partner` and
   * requires it on every `@RequireKind('partner')` operation (staff operations keep `bearer`;
   * operations open to both name either). Absent: every protected operation requires `bearer`.
   */
  partnerTokenUrl?: string;
}

/** Where `setupOpenApi` serves the document and the UI. */
export const OPENAPI_JSON_PATH = '/openapi.json';
export const OPENAPI_DOCS_PATH = '/docs';

export const BEARER_SCHEME = 'bearer';
/** The OAuth 2.0 client-credentials scheme of partner operations (see `OpenApiOptions.partnerTokenUrl`). */
export const PARTNER_OAUTH_SCHEME = 'partner';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Serves the service's OpenAPI 3 document at `GET /openapi.json` and Swagger UI at `GET /docs`
 * (its assets come from the installed `swagger-ui-dist`, nothing is loaded from the internet).
 * Operations require the `bearer` (JWT) scheme unless they are `@Public()`; protected operations
 * document 401/403 problems, operations with a body or parameters a 400 problem. Call it before
 * `listen()` (`createServiceApp` does). Returns the document.
 */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description ?? '')
    .setVersion(options.version ?? '0.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from the identity provider (or `mint-token` in embedded mode).' },
      BEARER_SCHEME,
    )
    .build();
  let document: OpenAPIObject | undefined;
  const build = (): OpenAPIObject => (document ??= decorate(SwaggerModule.createDocument(app, config), options));
  // The UI's asset paths are relative: under `/docs/` they would miss and leave a blank page.
  app.use((req: { method: string; path: string; url: string }, res: { redirect(status: number, url: string): void }, next: () => void) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.path === `${OPENAPI_DOCS_PATH}/`)
      return res.redirect(301, OPENAPI_DOCS_PATH + req.url.slice(req.path.length));
    next();
  });
  SwaggerModule.setup(OPENAPI_DOCS_PATH.slice(1), app, build, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: `${options.title} — API`,
  });
  return build();
}

/** The scheme name `@ApiBasicAuth()` uses. */
const BASIC_SCHEME = 'basic';

function decorate(document: OpenAPIObject, options: OpenApiOptions): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, Problem: PROBLEM_SCHEMA };
  let basic = false;
  const operationIds = new Set<string>();
  for (const [path, pathItem] of Object.entries(document.paths) as [string, PathItemObject][]) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      decorateOperation(operation, options);
      for (const response of Object.values(operation.responses) as ResponseWithStraySchema[]) moveStrayExample(response);
      for (const parameter of operation.parameters ?? []) if ('schema' in parameter && parameter.schema) repairLostType(parameter.schema);
      basic ||= operation.security?.some((s) => BASIC_SCHEME in s) ?? false;
      // Nest names operations `<Controller>_<method>`: two controllers with a `list` of the same
      // name would share one id, and generated clients need them unique (Spectral's error too).
      if (operation.operationId && operationIds.has(operation.operationId))
        operation.operationId = `${operation.operationId}_${method}_${path.replace(/[^A-Za-z0-9]+/g, '_')}`;
      if (operation.operationId) operationIds.add(operation.operationId);
    }
  }
  for (const schema of Object.values(document.components.schemas)) repairSchema(schema);
  // Every tag an operation names is declared once, in the order first used (readers group by them).
  const tags = new Set((document.tags ?? []).map((t) => t.name));
  for (const pathItem of Object.values(document.paths) as PathItemObject[])
    for (const method of METHODS) for (const tag of pathItem[method]?.tags ?? []) tags.add(tag);
  document.tags = [...tags].map((name) => document.tags?.find((t) => t.name === name) ?? { name });
  // `@ApiBasicAuth()` names the scheme; declared here, once, when a route uses it.
  if (basic) document.components.securitySchemes = { ...document.components.securitySchemes, [BASIC_SCHEME]: { type: 'http', scheme: 'basic' } };
  if (options.partnerTokenUrl)
    document.components.securitySchemes = {
      ...document.components.securitySchemes,
      [PARTNER_OAUTH_SCHEME]: {
        type: 'oauth2',
        description:
          'Partners: exchange the client id and secret for a bearer token (OAuth 2.0 client credentials, RFC 6749 §4.4), then send `Authorization: Bearer <token>`.',
        flows: { clientCredentials: { tokenUrl: options.partnerTokenUrl, scopes: {} } },
      },
    };
  // Relative to where the document was fetched from: the service's own origin (behind a gateway, its prefix).
  document.servers ??= [];
  if (document.servers.length === 0) document.servers.push({ url: '/', description: 'This service' });
  return document;
}

function decorateOperation(operation: OperationObject, options: OpenApiOptions): void {
  const extensions = operation as OperationObject & Record<string, unknown>;
  const isPublic = extensions[OPENAPI_PUBLIC_EXTENSION] === true;
  const kind = extensions[OPENAPI_KIND_EXTENSION];
  delete extensions[OPENAPI_PUBLIC_EXTENSION];
  delete extensions[OPENAPI_KIND_EXTENSION];
  // A public route needs no bearer token, but may name a client authentication of its own (HTTP Basic on a token endpoint).
  if (isPublic) operation.security = (operation.security ?? []).filter((s) => !(BEARER_SCHEME in s));
  else if (!options.partnerTokenUrl || kind === 'staff') operation.security = [{ [BEARER_SCHEME]: [] }];
  else if (kind === 'partner') operation.security = [{ [PARTNER_OAUTH_SCHEME]: [] }];
  // open to staff and partners alike (each sees its own part): either scheme
  else operation.security = [{ [BEARER_SCHEME]: [] }, { [PARTNER_OAUTH_SCHEME]: [] }];
  const responses = operation.responses;
  const add = (status: string, description: string) => {
    responses[status] ??= { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } };
  };
  if (operation.requestBody || operation.parameters?.length) add('400', 'The request is invalid (`errors` names each field).');
  if (!isPublic) {
    add('401', 'No valid bearer token.');
    add('403', 'The principal may not do this.');
  }
}

type ResponseWithStraySchema = ResponseObject & { schema?: { example?: unknown } };

/**
 * `@ApiOkResponse({ type, schema: { example } })` leaves an OpenAPI 2 `schema` beside `content` (not
 * allowed in OpenAPI 3): its example goes to the JSON content, where readers and generators look.
 */
function moveStrayExample(response: ResponseWithStraySchema | ReferenceObject): void {
  if (!('description' in response) || !response.schema) return;
  const { example } = response.schema;
  delete response.schema;
  const json = response.content?.['application/json'];
  if (json && example !== undefined && json.example === undefined && json.examples === undefined) json.example = example;
}

/**
 * A DTO's `T | null` property reflects as `Object`, so Nest writes `type: object` for a number or a
 * string; its example says what it is. A nullable enum gets `null` among its values. And `nullable` beside `allOf: [$ref]` allows null only in
 * name (validators judge `null` against the referenced object): the reference becomes one of two,
 * the object or null.
 */
function repairSchema(schema: SchemaObject | ReferenceObject): void {
  if (!('type' in schema || 'properties' in schema || 'allOf' in schema || 'items' in schema)) return;
  const object = schema as SchemaObject;
  repairLostType(object);
  // A nullable enum allows null only when its values say so (OpenAPI 3.0): `T | null` answers carry null.
  if (object.nullable && object.enum && !object.enum.includes(null)) object.enum = [...object.enum, null];
  if (object.nullable && object.allOf?.length === 1 && !object.properties) {
    const [only] = object.allOf;
    delete object.allOf;
    delete object.type;
    delete object.nullable;
    object.anyOf = [only, { type: 'object', nullable: true, enum: [null] }];
  }
  for (const property of Object.values(object.properties ?? {})) repairSchema(property);
  if (object.items) repairSchema(object.items);
}

function repairLostType(schema: SchemaObject | ReferenceObject): void {
  if (!('type' in schema) || schema.type !== 'object' || schema.properties || schema.additionalProperties || schema.allOf) return;
  const { example } = schema;
  if (Array.isArray(example) && example.every((e) => typeof e === 'string')) {
    schema.type = 'array';
    schema.items = { type: 'string' };
    return;
  }
  if (example === undefined || example === null || typeof example === 'object') return;
  if (typeof example === 'number') schema.type = Number.isInteger(example) ? 'integer' : 'number';
  else if (typeof example === 'string') schema.type = 'string';
  else if (typeof example === 'boolean') schema.type = 'boolean';
}

const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json).',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'urn:crm:problem:validation-failed' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string' },
    instance: { type: 'string', example: '/opportunities' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string', example: 'contacts.0.email' }, message: { type: 'string', example: 'email must be an email' } },
      },
    },
  },
};
