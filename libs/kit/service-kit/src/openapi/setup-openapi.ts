import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type OperationObject, type PathItemObject, type SchemaObject } from '@nestjs/swagger';
import { OPENAPI_PUBLIC_EXTENSION } from '../auth/decorators';
import { PROBLEM_CONTENT_TYPE } from '../errors/http-problem';

export interface OpenApiOptions {
  title: string;
  description?: string;
  /** Default `0.1.0`. */
  version?: string;
}

/** Where `setupOpenApi` serves the document and the UI. */
export const OPENAPI_JSON_PATH = '/openapi.json';
export const OPENAPI_DOCS_PATH = '/docs';

export const BEARER_SCHEME = 'bearer';

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
  const build = (): OpenAPIObject => (document ??= decorate(SwaggerModule.createDocument(app, config)));
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

function decorate(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, Problem: PROBLEM_SCHEMA };
  let basic = false;
  for (const pathItem of Object.values(document.paths) as PathItemObject[]) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      decorateOperation(operation);
      basic ||= operation.security?.some((s) => BASIC_SCHEME in s) ?? false;
    }
  }
  // `@ApiBasicAuth()` names the scheme; declared here, once, when a route uses it.
  if (basic) document.components.securitySchemes = { ...document.components.securitySchemes, [BASIC_SCHEME]: { type: 'http', scheme: 'basic' } };
  return document;
}

function decorateOperation(operation: OperationObject): void {
  const extensions = operation as OperationObject & Record<string, unknown>;
  const isPublic = extensions[OPENAPI_PUBLIC_EXTENSION] === true;
  delete extensions[OPENAPI_PUBLIC_EXTENSION];
  // A public route needs no bearer token, but may name a client authentication of its own (HTTP Basic on a token endpoint).
  operation.security = isPublic ? (operation.security ?? []).filter((s) => !(BEARER_SCHEME in s)) : [{ [BEARER_SCHEME]: [] }];
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
