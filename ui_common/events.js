/**
 * ui_common/events.js — the branch's live event stream over WebSocket, with resume.
 *
 * Stable API (teller_ui/ and manager_ui/ import this; add, never rename):
 *
 *   const stream = new EventStream({
 *     branch,                       branch code, e.g. "demo"
 *     token,                        device or staff token (sent in the first message)
 *     base = location.origin,       http(s) origin of the server; ws(s) is derived
 *     onSnapshot(data, seq),        the full live state (first message, and after any resync)
 *     onEvent(event),               each event {seq, type, at, data}, once, in seq order
 *     onStatus(status, info),       "connecting" | "open" | "offline" | "unauthorized";
 *                                   info = { attempt, delayMs, code, reason }
 *     minBackoffMs = 500, maxBackoffMs = 10000, pingMs = 20000,
 *   });
 *   stream.start();  stream.stop();
 *   stream.seq        last seq applied (null before the first snapshot)
 *   stream.connected  true while the socket is open
 *   stream.status     last status passed to onStatus
 *   stream.reconnectNow()  drop the socket and reconnect at once (e.g. on "online")
 *
 * Behaviour: connects to /api/v1/branches/{branch}/events and signs in with its first message,
 * {"type": "auth", "token": ...} (never ?token=: a URL ends up in access logs and proxies).
 * After the first snapshot every reconnect asks for ?since=SEQ, so the server replays what was
 * missed, or sends a fresh snapshot (then onSnapshot is called again and the screen must
 * re-render from it). Duplicate events (seq <= last) are dropped; a gap (seq > last + 1) forces a
 * resync. Reconnects back off exponentially with jitter, capped at maxBackoffMs. A close with
 * code 4401/4403/4404 reports "unauthorized" and retries slowly (the token may be re-issued).
 */

export class EventStream {
  constructor({
    branch,
    token,
    base = globalThis.location ? location.origin : "",
    onSnapshot = () => {},
    onEvent = () => {},
    onStatus = () => {},
    minBackoffMs = 500,
    maxBackoffMs = 10000,
    pingMs = 20000,
  }) {
    Object.assign(this, { branch, token, base, onSnapshot, onEvent, onStatus });
    Object.assign(this, { minBackoffMs, maxBackoffMs, pingMs });
    this.seq = null;
    this.connected = false;
    this.status = "connecting";
    this._ws = null;
    this._attempt = 0;
    this._timer = null;
    this._ping = null;
    this._stopped = true;
    this._onOnline = () => this.reconnectNow();
  }

  url() {
    const origin = this.base.replace(/^http/, "ws");
    const query = this.seq !== null ? `?since=${encodeURIComponent(this.seq)}` : "";
    return `${origin}/api/v1/branches/${encodeURIComponent(this.branch)}/events${query}`;
  }

  start() {
    this._stopped = false;
    globalThis.addEventListener?.("online", this._onOnline);
    this._connect();
  }

  stop() {
    this._stopped = true;
    globalThis.removeEventListener?.("online", this._onOnline);
    clearTimeout(this._timer);
    this._drop();
  }

  reconnectNow() {
    if (this._stopped) return;
    clearTimeout(this._timer);
    this._drop();
    this._attempt = 0;
    this._connect();
  }

  _setStatus(status, info = {}) {
    this.status = status;
    try {
      this.onStatus(status, info);
    } catch (err) {
      console.error(err);
    }
  }

  _drop() {
    clearInterval(this._ping);
    const ws = this._ws;
    this._ws = null;
    this.connected = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
  }

  _connect() {
    if (this._stopped) return;
    this._setStatus(this._attempt === 0 && this.seq === null ? "connecting" : this.status, {
      attempt: this._attempt,
    });
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (err) {
      this._scheduleRetry({ code: 0, reason: String(err) });
      return;
    }
    this._ws = ws;
    ws.onmessage = (msg) => this._handle(msg.data);
    ws.onclose = (ev) => {
      if (this._ws !== ws) return;
      this._drop();
      this._scheduleRetry({ code: ev.code, reason: ev.reason });
    };
    ws.onerror = () => {
      /* onclose follows and schedules the retry */
    };
    ws.onopen = () => {
      // Sign in before anything else; the server answers with the snapshot or replay, or
      // closes with 4401 (then onclose reports "unauthorized").
      ws.send(JSON.stringify({ type: "auth", token: this.token || "" }));
      // A resume with nothing missed sends no message, so "open" is reported here.
      this._first();
      clearInterval(this._ping);
      this._ping = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send("ping");
      }, this.pingMs);
    };
  }

  _scheduleRetry({ code, reason }) {
    if (this._stopped) return;
    const unauthorized = code === 4401 || code === 4403 || code === 4404;
    this._attempt += 1;
    const base = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** (this._attempt - 1));
    const delayMs = unauthorized
      ? Math.max(this.maxBackoffMs, 10000)
      : Math.round(base * (0.75 + Math.random() * 0.5));
    this._setStatus(unauthorized ? "unauthorized" : "offline", {
      attempt: this._attempt,
      delayMs,
      code,
      reason,
    });
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._connect(), delayMs);
  }

  _first() {
    if (this.connected) return;
    this.connected = true;
    this._attempt = 0;
    this._setStatus("open", { attempt: 0 });
  }

  _handle(raw) {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (msg.type === "snapshot") {
      this.seq = msg.seq;
      this._first();
      try {
        this.onSnapshot(msg.data, msg.seq);
      } catch (err) {
        console.error(err);
      }
      return;
    }
    if (typeof msg.seq !== "number") return;
    this._first();
    if (this.seq !== null && msg.seq <= this.seq) return; // duplicate
    if (this.seq !== null && msg.seq > this.seq + 1) {
      // A gap: resync from the last seq we applied (the server replays or snapshots).
      this.reconnectNow();
      return;
    }
    this.seq = msg.seq;
    try {
      this.onEvent(msg);
    } catch (err) {
      console.error(err);
    }
  }
}
