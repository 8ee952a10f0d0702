import { documentedResponseProblems, type OpenApiDocument } from './openapi-responses';

const doc: OpenApiDocument = {
  paths: {
    '/things/{id}': {
      get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingDto' } } } }, '404': {} } },
    },
  },
  components: {
    schemas: {
      ThingDto: {
        type: 'object',
        required: ['id', 'parts'],
        properties: {
          id: { type: 'string', format: 'uuid', example: '3f0c1e2a-7b5d-4c8e-9a1f-2b3c4d5e6f70' },
          note: { type: 'string', nullable: true },
          parts: { type: 'array', items: { $ref: '#/components/schemas/PartDto' } },
          extra: { type: 'object', additionalProperties: true },
        },
      },
      PartDto: { type: 'object', required: ['at'], properties: { at: { type: 'string', format: 'date-time' } } },
    },
  },
};
const id = '3f0c1e2a-7b5d-4c8e-9a1f-2b3c4d5e6f70';

describe('documentedResponseProblems', () => {
  it('accepts a body the document describes, nested references and nullable included', () => {
    expect(
      documentedResponseProblems(doc, 'GET', '/things/{id}', 200, { id, note: null, parts: [{ at: '2026-11-28T00:00:00.000Z' }], extra: { any: 1 } }),
    ).toEqual([]);
  });

  it('names a missing field, a wrong format and a field the document does not list, at any depth', () => {
    const problems = documentedResponseProblems(doc, 'get', '/things/{id}', 200, { id: 'not-a-uuid', parts: [{ at: 'yesterday', secret: 1 }] });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/id must match format "uuid"/),
        expect.stringMatching(/^\/parts\/0\/at must match format "date-time"/),
        expect.stringMatching(/^\/parts\/0 must NOT have additional properties: secret/),
      ]),
    );
    expect(documentedResponseProblems(doc, 'get', '/things/{id}', 200, { parts: [] })).toEqual([expect.stringMatching(/must have required property 'id'/)]);
  });

  it('throws for an answer the document has no schema for', () => {
    expect(() => documentedResponseProblems(doc, 'get', '/things/{id}', 404, {})).toThrow('documents no application/json schema for 404');
    expect(() => documentedResponseProblems(doc, 'post', '/things/{id}', 200, {})).toThrow('no POST /things/{id}');
  });
});
