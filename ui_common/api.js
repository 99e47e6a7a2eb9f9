/**
 * ui_common/api.js — a small fetch wrapper shared by every Sira screen.
 *
 * Stable API (teller_ui/ and manager_ui/ import this; add, never rename):
 *
 *   new Api({ token = null, base = "", timeoutMs = 10000 })
 *     .token                        the bearer token (read/write; null sends none)
 *     .setToken(token)
 *     .get(path, opts?)             -> Promise<data>   (JSON body, or null for 204)
 *     .post(path, body?, opts?)     -> Promise<data>
 *     .patch(path, body?, opts?)    -> Promise<data>
 *     .delete(path, opts?)          -> Promise<data>
 *     .request(method, path, { body, signal, timeoutMs, headers }) -> Promise<data>
 *     .requestFull(method, path, opts) -> Promise<{ status, data, headers }>
 *   opts: { signal, timeoutMs, headers }
 *
 *   ApiError (extends Error): thrown for every failure
 *     .status   HTTP status, or 0 when the server could not be reached (network/timeout)
 *     .offline  true when status is 0
 *     .code     the server's error code ("conflict", "not_found", ...), or "network"/"timeout"
 *     .detail   the server's sentence meant for a person (also .message)
 *     .errors   validation errors by field, when the server sent them
 *
 *   hashParams(hash = location.hash) -> plain object of the URL fragment's key=value pairs
 *     ("#token=abc&idle=2" -> { token: "abc", idle: "2" })
 *   newRequestId() -> a fresh random id (URL-safe, 22+ chars) for idempotent POSTs
 */

export class ApiError extends Error {
  constructor({ status = 0, code = "network", detail = "", errors = null, retryAfterS = null } = {}) {
    super(detail || `request failed (${status || code})`);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail || this.message;
    this.errors = errors;
    this.retryAfterS = retryAfterS; // a busy server's Retry-After, in seconds (null: not said)
  }

  get offline() {
    return this.status === 0;
  }
}

export function hashParams(hash = globalThis.location ? location.hash : "") {
  const out = {};
  const text = (hash || "").replace(/^#/, "");
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

/** Retry-After as seconds; only the delay form (the server never sends a date). */
function retryAfter(value) {
  const s = Number(value);
  return value && Number.isFinite(s) && s >= 0 ? s : null;
}

export function newRequestId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return `r-${s}`;
}

export class Api {
  constructor({ token = null, base = "", timeoutMs = 10000 } = {}) {
    this.token = token;
    this.base = base;
    this.timeoutMs = timeoutMs;
  }

  setToken(token) {
    this.token = token;
  }

  get(path, opts = {}) {
    return this.request("GET", path, opts);
  }

  post(path, body, opts = {}) {
    return this.request("POST", path, { ...opts, body });
  }

  patch(path, body, opts = {}) {
    return this.request("PATCH", path, { ...opts, body });
  }

  delete(path, opts = {}) {
    return this.request("DELETE", path, opts);
  }

  async request(method, path, opts = {}) {
    return (await this.requestFull(method, path, opts)).data;
  }

  async requestFull(method, path, { body, signal, timeoutMs, headers = {} } = {}) {
    const ctrl = new AbortController();
    const limit = timeoutMs ?? this.timeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, limit);
    const onAbort = () => ctrl.abort();
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    const h = { Accept: "application/json", ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) h["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctrl.signal,
        cache: "no-store",
      });
    } catch (err) {
      if (signal && signal.aborted) throw err;
      throw new ApiError({
        status: 0,
        code: timedOut ? "timeout" : "network",
        detail: timedOut ? "the server did not answer in time" : "the server cannot be reached",
      });
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", onAbort);
    }
    let data = null;
    if (res.status !== 204) {
      const text = await res.text().catch(() => "");
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
    }
    if (!res.ok) {
      const obj = data && typeof data === "object" ? data : {};
      throw new ApiError({
        status: res.status,
        code: obj.code || `http_${res.status}`,
        detail:
          typeof obj.detail === "string"
            ? obj.detail
            : `the server answered ${res.status} ${res.statusText || ""}`.trim(),
        errors: obj.errors || null,
        retryAfterS: retryAfter(res.headers.get("Retry-After")),
      });
    }
    return { status: res.status, data, headers: res.headers };
  }
}
