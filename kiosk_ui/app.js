// The ticket kiosk: choose a language and a service, get a numbered ticket.
// Fragment parameters: #token=DEVICE_TOKEN (stored for the next start), idle=S (seconds without
// a touch before returning home, default 30), back=S (confirmation time, default 10),
// poll=S (service refresh, default 10).

import { Api, ApiError, hashParams, newRequestId } from "/ui/api.js";
import { LANG_NAMES, createI18n, formatMinutes, formatTime } from "/ui/i18n.js";
import { STRINGS } from "./strings.js";

const STORE_KEY = "sira.kiosk.token";
const params = hashParams();
const seconds = (name, dflt) => {
  const v = Number(params[name]);
  return Number.isFinite(v) && v > 0 ? v * 1000 : dflt * 1000;
};
const IDLE_MS = seconds("idle", 30);
const BACK_MS = seconds("back", 10);
const POLL_MS = seconds("poll", 10);
const OFFLINE_RETRY_MS = 2500;

const $ = (id) => document.getElementById(id);
const i18n = createI18n(STRINGS, { lang: "en" });
const api = new Api({ timeoutMs: 12000 });
const state = {
  branch: null, // {code, name, languages, default_lang, timezone}
  services: [],
  view: "loading",
  priority: null, // reason while choosing a priority ticket's service
  pending: null, // {service, priority, reason, lang, requestId}: a touch awaiting its ticket
  busy: false,
  offline: false,
  ticket: null,
};
let idleTimer = null;
let backTimer = null;
let pollTimer = null;

window.sira = { i18n, state }; // read by the tests and for support

// --- views ------------------------------------------------------------------------------------

function show(view) {
  state.view = view;
  for (const el of document.querySelectorAll(".view")) el.hidden = el.id !== `view-${view}`;
  const chrome = view !== "pair";
  $("top").hidden = !chrome || !state.branch;
  $("langs").hidden = !chrome || !state.branch || view === "ticket";
  document.body.dataset.view = view;
  clearTimeout(backTimer);
  if (view === "ticket") backTimer = setTimeout(goHome, BACK_MS);
}

function setLang(lang) {
  i18n.setLang(lang);
  i18n.apply();
  document.title = `${i18n.t("doc_title")} · Sira`;
  renderLangs();
  renderServices();
  if (state.ticket) renderTicket();
  if (state.errorKey) $("issue-error-body").textContent = i18n.t(state.errorKey);
}

function goHome({ resetLang = false } = {}) {
  state.priority = null;
  state.firstTouchAt = null; // the next customer's visit starts with their first touch
  state.ticket = null;
  if (!state.busy) {
    state.pending = null;
    $("issue-error").hidden = true;
  }
  if (!state.branch) return;
  if (resetLang) setLang(state.branch.default_lang);
  show("home");
  renderServices();
}

function renderLangs() {
  const nav = $("langs");
  if (!state.branch) return;
  const langs = state.branch.languages.filter((l) => i18n.has(l));
  nav.replaceChildren(
    ...langs.map((l) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "lang";
      b.dataset.testid = `lang-${l}`;
      b.dataset.lang = l;
      b.lang = l;
      b.textContent = LANG_NAMES[l] || l.toUpperCase();
      b.setAttribute("aria-pressed", String(l === i18n.lang));
      return b;
    }),
  );
}

function waitText(s) {
  if (s.waiting === 0 || !s.estimated_wait_s) return i18n.t("wait_none");
  return i18n.t("wait_about", { time: formatMinutes(s.estimated_wait_s, i18n.lang) });
}

function serviceName(s) {
  return (s.names && s.names[i18n.lang]) || s.name || s.code;
}

function renderServices() {
  const list = $("services");
  const prio = Boolean(state.priority);
  $("priority-banner").hidden = !prio;
  $("home-title").hidden = prio;
  $("priority-entry").hidden = prio;
  $("priority-cancel").hidden = !prio;
  $("no-services").hidden = state.services.length > 0;
  list.replaceChildren(
    ...state.services.map((s) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "service";
      b.dataset.testid = `service-${s.code}`;
      b.dataset.service = s.code;
      b.disabled = !s.open || state.busy;
      const code = Object.assign(document.createElement("span"), {
        className: "svc-code num",
        textContent: s.code,
      });
      code.setAttribute("aria-hidden", "true");
      const name = Object.assign(document.createElement("span"), {
        className: "svc-name",
        textContent: serviceName(s),
      });
      const meta = document.createElement("span");
      meta.className = "svc-meta";
      if (s.open) {
        const waiting = s.waiting > 0 ? i18n.t("waiting_n", { n: s.waiting }) : i18n.t("waiting_0");
        meta.append(
          Object.assign(document.createElement("span"), { textContent: waiting }),
          Object.assign(document.createElement("span"), {
            className: "svc-wait",
            textContent: waitText(s),
          }),
        );
      } else {
        meta.textContent = i18n.t("service_closed");
      }
      const text = Object.assign(document.createElement("span"), { className: "svc-text" });
      text.append(name, meta);
      b.append(code, text);
      li.append(b);
      return li;
    }),
  );
}

function printMessage(t) {
  const status = t.print_status;
  let key = "print_none";
  let tone = "info";
  if (status === "printed" || status === "queued") [key, tone] = ["print_ok", "ok"];
  else if (status === "failed") [key, tone] = ["print_failed", "warn"];
  let text = i18n.t(key);
  if (t.print_error) {
    const rk = `reason_${String(t.print_error).toLowerCase().trim().replace(/[\s-]+/g, "_")}`;
    const reason = STRINGS.en[rk] !== undefined ? i18n.t(rk) : String(t.print_error);
    text += ` ${i18n.t("print_reason", { reason })}`;
  }
  return { text, tone };
}

function renderTicket() {
  const t = state.ticket;
  const svc = state.services.find((s) => s.code === t.service);
  $("ticket-code").textContent = t.code;
  $("ticket-service").textContent = svc ? serviceName(svc) : t.service;
  $("ticket-prio").hidden = !t.priority;
  const ahead = Math.max(0, (t.position || 1) - 1);
  $("ticket-position").textContent = ahead > 0 ? String(ahead) : i18n.t("nobody_ahead");
  $("ticket-position").classList.toggle("small", ahead === 0);
  $("ticket-wait").textContent =
    ahead === 0 || !t.estimated_wait_s
      ? i18n.t("wait_none")
      : formatMinutes(t.estimated_wait_s, i18n.lang);
  const msg = printMessage(t);
  const pr = $("print-result");
  pr.textContent = msg.text;
  pr.dataset.status = t.print_status;
  pr.className = `print tone-${msg.tone}`;
  $("ticket-qr").src = `/api/v1/tickets/by-token/${encodeURIComponent(t.token)}/qr.svg`;
}

function setOffline(offline) {
  if (state.offline === offline) return;
  state.offline = offline;
  $("offline").hidden = !offline;
  schedulePoll();
}

// --- data -------------------------------------------------------------------------------------

async function refreshServices() {
  try {
    const rows = await api.get(`/api/v1/branches/${encodeURIComponent(state.branch.code)}/services`);
    state.services = rows;
    setOffline(false);
    if (state.view === "home") renderServices();
  } catch (err) {
    if (err instanceof ApiError && err.offline) setOffline(true);
  } finally {
    schedulePoll();
  }
}

function schedulePoll() {
  clearTimeout(pollTimer);
  if (state.branch) pollTimer = setTimeout(refreshServices, state.offline ? OFFLINE_RETRY_MS : POLL_MS);
}

async function issue() {
  const p = state.pending;
  if (!p || state.busy) return;
  state.busy = true;
  state.errorKey = null;
  $("issue-error").hidden = true;
  $("busy").hidden = false;
  renderServices();
  try {
    const body = { service: p.service, lang: p.lang, priority: p.priority, request_id: p.requestId };
    if (p.reason) body.priority_reason = p.reason;
    if (p.touchS !== undefined) body.touch_s = p.touchS;
    const ticket = await api.post(`/api/v1/branches/${encodeURIComponent(state.branch.code)}/tickets`, body);
    setOffline(false);
    state.pending = null;
    state.priority = null;
    state.ticket = ticket;
    renderTicket();
    show("ticket");
    refreshServices();
  } catch (err) {
    const offline = !(err instanceof ApiError) || err.offline || err.status >= 500;
    if (err instanceof ApiError && err.offline) setOffline(true);
    // A failure that the server decided (4xx) will not change on a retry: start over.
    if (!offline) state.pending = null;
    state.errorKey = offline ? "not_issued_body" : "service_unavailable";
    $("issue-error-body").textContent = i18n.t(state.errorKey);
    $("issue-retry").hidden = !offline;
    $("issue-error").hidden = false;
  } finally {
    state.busy = false;
    $("busy").hidden = true;
    renderServices();
  }
}

function chooseService(code) {
  if (state.busy || state.pending) return;
  state.pending = {
    service: code,
    lang: i18n.lang,
    priority: Boolean(state.priority),
    reason: state.priority,
    requestId: newRequestId(), // one id per touch; "Try again" reuses it
    // Seconds from this customer's first touch to the ticket (the kiosk's moment of truth).
    touchS: Math.min(3600, Math.round((Date.now() - (state.firstTouchAt ?? Date.now())) / 1000)),
  };
  issue();
}

// --- wiring -----------------------------------------------------------------------------------

function onTouch() {
  if (state.firstTouchAt == null && state.view !== "ticket") state.firstTouchAt = Date.now();
  resetIdle();
}

function resetIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (state.busy) return resetIdle();
    if (state.branch && state.view !== "pair") goHome({ resetLang: true });
  }, IDLE_MS);
}

function wire() {
  for (const type of ["pointerdown", "touchstart", "keydown"]) {
    document.addEventListener(type, onTouch, { passive: true, capture: true });
  }
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  $("langs").addEventListener("click", (e) => {
    const b = e.target.closest("[data-lang]");
    if (b) setLang(b.dataset.lang);
  });
  $("services").addEventListener("click", (e) => {
    const b = e.target.closest("[data-service]");
    if (b && !b.disabled) chooseService(b.dataset.service);
  });
  $("priority-entry").addEventListener("click", () => show("priority"));
  $("priority-back").addEventListener("click", () => goHome());
  $("priority-cancel").addEventListener("click", () => goHome());
  for (const b of document.querySelectorAll("[data-reason]")) {
    b.addEventListener("click", () => {
      state.priority = b.dataset.reason;
      show("home");
      renderServices();
    });
  }
  $("view-ticket").addEventListener("click", () => goHome());
  $("issue-retry").addEventListener("click", () => issue());
  $("issue-cancel").addEventListener("click", () => {
    state.pending = null;
    state.errorKey = null;
    $("issue-error").hidden = true;
    goHome();
  });
  $("pair-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("pair-token").value.trim();
    if (token) start(token);
  });
  window.addEventListener("online", () => refreshServices());
}

function tick() {
  if (state.branch) $("clock").textContent = formatTime(new Date(), i18n.lang, state.branch.timezone);
}

async function start(token) {
  api.setToken(token);
  show("loading");
  try {
    const me = await api.get("/api/v1/auth/me");
    const snap = await api.get(`/api/v1/branches/${encodeURIComponent(me.branch)}/snapshot`);
    localStorage.setItem(STORE_KEY, token);
    const b = snap.data.branch;
    const langs = [b.default_lang, ...b.languages.filter((l) => l !== b.default_lang)];
    state.branch = { ...b, languages: langs };
    state.services = snap.data.services;
    $("bank-name").textContent = b.name;
    setOffline(false);
    setLang(b.default_lang);
    goHome();
    tick();
    setInterval(tick, 10000);
    resetIdle();
    schedulePoll();
  } catch (err) {
    if (err instanceof ApiError && err.offline) {
      setOffline(true);
      setTimeout(() => start(token), OFFLINE_RETRY_MS);
      return;
    }
    localStorage.removeItem(STORE_KEY);
    show("pair");
    $("pair-error").hidden = false;
  }
}

wire();
i18n.apply();
const token = params.token || localStorage.getItem(STORE_KEY);
if (token) start(token);
else show("pair");
