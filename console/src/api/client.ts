/** A field the API refused, as its `errors: [{field, reason}]` names it (e.g. `channels.0.template.html`). */
export interface FieldError {
  field: string;
  reason: string;
  line?: number;
}

/** An error answer of the API: `{code, key, message, details, errors?}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly key: string,
    message: string,
    readonly details: string | undefined,
    readonly fieldErrors: FieldError[],
  ) {
    super(details ? `${message}: ${details}` : message);
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** Called when an answer says the session is gone, so the app shows the sign-in page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * Every call goes to the public /v1 API with the session cookie (never a token in script).
 * X-Requested-With is the API's CSRF guard: another site's page cannot send it.
 */
export async function api<T>(method: string, path: string, options: { body?: unknown; query?: Query; form?: FormData } = {}): Promise<T> {
  const json = options.body !== undefined;
  const res = await fetch(withQuery(path, options.query), {
    method,
    credentials: 'same-origin',
    // A FormData body sets its own multipart Content-Type (with the boundary).
    headers: { 'X-Requested-With': 'promo-console', ...(json ? { 'Content-Type': 'application/json' } : {}) },
    body: json ? JSON.stringify(options.body) : options.form,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const body = (parsed ?? {}) as { key?: string; message?: string; details?: string; errors?: FieldError[] };
    if (res.status === 401 && path !== '/v1/sessions') onUnauthorized();
    throw new ApiError(res.status, body.key ?? 'http_error', body.message ?? `HTTP ${res.status}`, body.details, Array.isArray(body.errors) ? body.errors : []);
  }
  return parsed as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, { query });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, { body });
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, { body });
export const del = <T>(path: string) => api<T>('DELETE', path);
export const upload = <T>(path: string, form: FormData) => api<T>('POST', path, { form });

/** Voucherify's list shape, as most /v1 lists answer. */
export interface List<T> {
  object: 'list';
  data: T[];
  total: number;
  has_more?: boolean;
}
