import { HttpProblem, PROBLEM_CONTENT_TYPE, ProblemTypes } from './http-problem';
import { requestPath, type HttpRequestLike } from '../auth/request';

/** Deeper JSON than any of our contracts needs; a 2,000-deep body would exhaust the validators' recursion. */
export const MAX_JSON_DEPTH = 32;

interface ExpressLikeResponse {
  status(code: number): ExpressLikeResponse;
  setHeader(name: string, value: string): void;
  end(body: string): void;
}

type Next = () => void;

function reply(req: HttpRequestLike, res: ExpressLikeResponse, problem: HttpProblem): void {
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.status(problem.status).end(JSON.stringify(problem.toProblemDetails(requestPath(req))));
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** A route whose body its handler reads itself, as a stream (e.g. a CSV import): no parser runs on it. */
export interface StreamRoute {
  path: string;
  /** The media types it takes (`text/csv`); any other body is 415 there. */
  types: readonly string[];
}

/**
 * Before the body parser: a request that carries a body in any type but JSON (or, on `formRoutes`,
 * an HTML/OAuth form; on `streamRoutes`, only the route's own types) is 415 — a `text/plain` body
 * would otherwise be ignored and the request judged as if it had none.
 */
export function requireJsonBodies(formRoutes: readonly string[] = [], streamRoutes: readonly StreamRoute[] = []) {
  return (req: HttpRequestLike, res: ExpressLikeResponse, next: Next): void => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const type = String(req.headers['content-type'] ?? '');
    const path = requestPath(req);
    const stream = streamRoutes.find((r) => r.path === path);
    if (stream && WITH_BODY.has(req.method)) {
      const mediaType = type.split(';')[0].trim().toLowerCase();
      if (stream.types.includes(mediaType)) return next();
      const accepted = stream.types.join(' or ');
      return reply(
        req,
        res,
        new HttpProblem(415, `the body must be ${accepted}${type ? `, not ${mediaType}` : ' (no Content-Type given)'}`, {
          type: 'urn:crm:problem:unsupported-media-type',
        }),
      );
    }
    const formAllowed = formRoutes.includes(path);
    if (WITH_BODY.has(req.method) && hasBody && !JSON_TYPE.test(type) && !(formAllowed && FORM_TYPE.test(type))) {
      const accepted = formAllowed ? 'application/json or application/x-www-form-urlencoded' : 'application/json';
      return reply(
        req,
        res,
        new HttpProblem(415, `the body must be ${accepted}${type ? `, not ${type.split(';')[0]}` : ' (no Content-Type given)'}`, {
          type: 'urn:crm:problem:unsupported-media-type',
        }),
      );
    }
    next();
  };
}

/** In `u` mode a surrogate pair is one code point, so this matches only surrogates standing alone. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** A problem with one place of the input: `body.contacts.0.name`, `query.cursor`. */
interface Finding {
  field: string;
  message: string;
}

/**
 * Walks a parsed value without recursion: nesting deeper than MAX_JSON_DEPTH, and strings (or keys)
 * PostgreSQL cannot store — `\u0000` — or that are not well-formed UTF-16 (a lone surrogate such as
 * `\ud800`), are findings naming the field. Stops at the first finding of each kind.
 */
export function inspectInput(value: unknown, root: string): Finding[] {
  const findings: Finding[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  let tooDeep = false;
  let badString = false;
  const checkString = (s: string, path: string, what: string) => {
    if (badString) return;
    if (s.includes('\u0000')) findings.push({ field: path, message: `${what} must not contain the NUL character (\\u0000)` });
    else if (LONE_SURROGATE.test(s)) findings.push({ field: path, message: `${what} is not well-formed Unicode (a lone surrogate)` });
    else return;
    badString = true;
  };
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') checkString(v, path, 'the value');
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      if (!tooDeep) findings.push({ field: path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      tooDeep = true;
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      const childPath = `${path}.${key}`;
      checkString(key, childPath, 'the field name');
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return findings;
}

/** After the body parser: the body and the query string pass `inspectInput`, or the request is a 400 naming the fields. */
export function refuseHostileInput(req: HttpRequestLike & { body?: unknown; query?: unknown }, res: ExpressLikeResponse, next: Next): void {
  const findings = [...inspectInput(req.body, 'body'), ...inspectInput(req.query, 'query')]
    // Fields are named as the validation errors name them: without the body./query. prefix.
    .map((f) => ({ field: f.field.replace(/^(body|query)\.?/, '') || f.field, message: f.message }));
  if (findings.length > 0) {
    return reply(
      req,
      res,
      new HttpProblem(400, `the request is invalid: ${[...new Set(findings.map((f) => f.field))].join(', ')}`, {
        type: ProblemTypes.validation,
        errors: findings,
      }),
    );
  }
  next();
}
