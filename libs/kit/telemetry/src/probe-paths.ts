/**
 * The paths the kubelet and Prometheus call every few seconds (health, readiness, metrics). One list
 * for every rule that treats them apart: not rate limited (service kit), logged at debug only
 * (service kit), never traced (`start-telemetry`). Here, in the lowest kit lib, because the tracing
 * entry module must not load the service kit.
 */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/health/ready', '/metrics']);

/** Whether a request path or URL (a query string is ignored) is a probe or a scrape. */
export function isProbePath(pathOrUrl: string): boolean {
  const query = pathOrUrl.indexOf('?');
  return PROBE_PATHS.has(query === -1 ? pathOrUrl : pathOrUrl.slice(0, query));
}
