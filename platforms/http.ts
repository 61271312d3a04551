// Every outbound platform request goes through here: URL mapping (sandbox/live), a timeout, and the
// guarantee that network errors, timeouts and unreadable bodies come back as Outcome failures, never
// as exceptions. Nothing here logs request or response contents (tokens travel in both).

import type { z } from 'zod';
import { resolvePlatformUrl, type UrlMapping } from './base-url.js';
import { invalid, isFailure, ok, rateLimited, transient } from './outcome.js';
import { describeResetAt, rateLimitResetFromHeaders } from './rate-limit.js';
import type { Failure, Outcome } from './types.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The real platform URL; sandbox mode rewrites it. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  bearer?: string;
  basicAuth?: { username: string; password: string };
  form?: Record<string, string | undefined>;
  json?: unknown;
  multipart?: FormData;
  /** Raw bytes (media uploads), sent with their content type. */
  binary?: { data: Buffer; contentType: string };
  /** Sent as the `Idempotency-Key` header (publish requests). */
  idempotencyKey?: string;
  /** This request's timeout instead of the adapter's (uploads of large chunks). */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON (or form-encoded) body; undefined when empty or unreadable. */
  body: unknown;
  /** True when the body was not empty but could not be parsed. */
  unreadable: boolean;
  /** The body as sent (plain-text answers such as a handle's `/.well-known/atproto-did`). */
  text?: string;
}

/** What a request looked like, for operators' logs: no query string, headers or bodies. */
export interface RequestRecord {
  platform: string;
  method: string;
  host: string;
  path: string;
  status?: number;
  durationMs: number;
  failure?: Failure['kind'];
}

export interface PlatformHttpOptions {
  /** Human name used in messages ("X", "Facebook"). */
  platformName: string;
  mapping: UrlMapping;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  onRequest?: (record: RequestRecord) => void;
}

export type ErrorClassifier = (response: HttpResponse) => Failure;

export interface JsonCall<T> {
  schema: z.ZodType<T>;
  /** Maps a non-2xx response (or a 2xx that `isError` flags) to a failure. */
  classify: ErrorClassifier;
  /** Platforms that report errors inside 2xx bodies (TikTok). */
  isError?: (response: HttpResponse) => boolean;
  /** What was asked, for messages: "the token refresh". */
  what: string;
}

export class PlatformHttp {
  readonly platformName: string;
  private readonly mapping: UrlMapping;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly onRequest?: (record: RequestRecord) => void;
  readonly now: () => Date;

  constructor(options: PlatformHttpOptions) {
    this.platformName = options.platformName;
    this.mapping = options.mapping;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? fetch;
    this.onRequest = options.onRequest;
    this.now = options.now ?? (() => new Date());
  }

  /** The URL to use for a real platform URL (also for authorization URLs shown to the user). */
  url(realUrl: string): string {
    return resolvePlatformUrl(realUrl, this.mapping);
  }

  /** Sends a request. Non-2xx statuses are returned as responses; only transport problems are failures. */
  async send(request: HttpRequest): Promise<HttpResponse | Failure> {
    const started = Date.now();
    const target = new URL(this.url(request.url));
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) target.searchParams.set(name, String(value));
    }
    const headers = new Headers(request.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    if (request.bearer !== undefined) headers.set('authorization', `Bearer ${request.bearer}`);
    if (request.basicAuth) {
      const pair = `${encodeURIComponent(request.basicAuth.username)}:${encodeURIComponent(request.basicAuth.password)}`;
      headers.set('authorization', `Basic ${Buffer.from(pair).toString('base64')}`);
    }
    if (request.idempotencyKey !== undefined) headers.set('idempotency-key', request.idempotencyKey);
    let body: string | FormData | Buffer | undefined;
    if (request.form) {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(request.form)) if (value !== undefined) form.set(name, value);
      body = form.toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    } else if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers.set('content-type', 'application/json');
    } else if (request.multipart) {
      body = request.multipart;
    } else if (request.binary) {
      body = request.binary.data;
      headers.set('content-type', request.binary.contentType);
    }

    const record = (status?: number, failure?: Failure['kind']) =>
      this.onRequest?.({
        platform: this.platformName,
        method: request.method,
        host: new URL(request.url).host,
        path: new URL(request.url).pathname,
        status,
        durationMs: Date.now() - started,
        failure,
      });

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(target, {
        method: request.method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs ?? this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const failure = this.transportFailure(error);
      record(undefined, failure.kind);
      return failure;
    }

    const parsed = parseBody(text, response.headers.get('content-type'));
    if (parsed.unreadable && response.status >= 500) {
      record(response.status, 'transient');
      return transient(`${this.platformName} is having trouble (HTTP ${response.status}); Tether will retry`);
    }
    record(response.status);
    return { status: response.status, headers: response.headers, body: parsed.body, unreadable: parsed.unreadable, text };
  }

  /**
   * Sends a request and returns the validated 2xx body, or a classified failure. 5xx is always
   * transient and 429 always rateLimited, whatever the platform classifier says.
   */
  async json<T>(request: HttpRequest, call: JsonCall<T>): Promise<Outcome<T>> {
    const response = await this.send(request);
    if (isFailure(response)) return response;
    const success = response.status >= 200 && response.status < 300 && !(call.isError?.(response) ?? false);
    if (!success) return this.guard(response, call.classify(response));
    if (response.unreadable) return invalid(`${this.platformName} sent a response to ${call.what} that Tether could not read (truncated or not JSON)`);
    const checked = call.schema.safeParse(response.body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
      return invalid(`${this.platformName} sent an unexpected response to ${call.what}${where}`);
    }
    return ok(checked.data);
  }

  /** Like `json`, for calls whose 2xx body does not matter (revoke, delete). */
  async expectSuccess(request: HttpRequest, classify: ErrorClassifier): Promise<Outcome<HttpResponse>> {
    const response = await this.send(request);
    if (isFailure(response)) return response;
    if (response.status >= 200 && response.status < 300) return ok(response);
    return this.guard(response, classify(response));
  }

  /** Enforces the invariants no classifier may break: 5xx is transient, 429 is a rate limit. */
  private guard(response: HttpResponse, failure: Failure): Failure {
    if (response.status >= 500 && failure.kind !== 'transient' && failure.kind !== 'rateLimited') {
      return transient(`${this.platformName} is having trouble (HTTP ${response.status}); Tether will retry`);
    }
    if (response.status === 429 && failure.kind !== 'rateLimited') {
      const resetAt = rateLimitResetFromHeaders(response.headers, this.now(), 60);
      return rateLimited(resetAt, `${this.platformName} is rate-limiting until ${describeResetAt(resetAt, this.now())}`);
    }
    return failure;
  }

  private transportFailure(error: unknown): Failure {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return transient(`${this.platformName} did not answer within ${Math.round(this.timeoutMs / 100) / 10} s; Tether will retry`);
    }
    const cause = error instanceof Error && error.cause && typeof error.cause === 'object' ? (error.cause as { code?: unknown }).code : undefined;
    const detail = typeof cause === 'string' ? ` (${cause})` : '';
    return transient(`Could not reach ${this.platformName}${detail}; Tether will retry`);
  }
}

function parseBody(text: string, contentType: string | null): { body: unknown; unreadable: boolean } {
  const trimmed = text.trim();
  if (trimmed === '') return { body: undefined, unreadable: false };
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return { body: Object.fromEntries(new URLSearchParams(trimmed)), unreadable: false };
  }
  try {
    return { body: JSON.parse(trimmed) as unknown, unreadable: false };
  } catch {
    return { body: undefined, unreadable: true };
  }
}
