import { IF_MATCH_HEADER, IfMatchCommandErrors } from '@crm/service-kit';

/**
 * The If-Match header and 412 (and the 404 of a route that names something) of every change to the
 * contact centre's agents and routing (`AgentsController`, `RoutingController`), as their documents
 * have always shown them: no 409 or 415 listed.
 */
export const contactCentreCommandErrors = (notFound?: string) =>
  IfMatchCommandErrors({
    ifMatch: IF_MATCH_HEADER,
    ...(notFound !== undefined && { notFound: { problem: notFound } }),
    stale: { description: 'Precondition Failed: If-Match is stale' },
    conflict: false,
    unsupported: false,
  });
