import type { Request, RequestHandler } from 'express';
import type { WebMetrics } from '../services/metrics/registry.js';

/** The route a request matched, as its pattern (`/posts/:id`), so labels stay few whatever the ids. */
function routeOf(req: Request, status: number): string {
  if (req.route?.path) return `${req.baseUrl}${String(req.route.path)}`;
  if (req.originalUrl.startsWith('/static/')) return '/static';
  return status === 404 ? 'unmatched' : 'other';
}

/** Times every request of the dashboard into `tether_http_request_duration_seconds`. */
export function httpMetrics(metrics: WebMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeOf(req, res.statusCode), status: String(res.statusCode) }));
    next();
  };
}
