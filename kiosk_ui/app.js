// The ticket kiosk: choose a language and a service, get a numbered ticket.
// Fragment parameters: #token=DEVICE_TOKEN (stored for the next start), idle=S (seconds without
// a touch before the kiosk asks "Do you need more time?", default 30), back=S (confirmation
// time, default 10), warn=S (how long that question waits for a key or touch before the kiosk
// returns home, default 20: WCAG's 20 s to extend), poll=S (service refresh, default 10),
// branch=S (the branch's name and logo read again, default 300: the kiosk follows no events),
// audio=private (the kiosk's speech output is a headset socket: the ticket's number is spoken).
//
// Without the touch screen (a keypad or a keyboard, EN 301 549 clause 5): arrows and Tab move
// the focus (large and always visible), Enter selects, Escape goes back, ? or F1 says where
// the customer is and how the keys work, + and - set the volume. Any key starts spoken
// guidance (speech.js; the phrases are worded and synthesised by the server, offline): each
// screen is said on arrival and each item as the focus reaches it. Speech makes every time
// limit three times longer. Large text and high contrast are switched on from the home screen;
// all three last for this customer only.
//
// A wait is shown in words and on a scale (an icon and a colour, never colour alone). Its figure
// is worded as the paper and the phone word it (ui_common/wait.js): rounded for people, a range
// when the server gives one; a rough estimate says so on the ticket screen, and with a short
// mark on a service's chip (the words for screen readers). A service
// no counter serves right now is shown as such, without a quote; the server still issues its
// tickets, so a customer who taps it is warned first and takes one only if they still want it.
//
// Outside the branch's opening hours or on a closed date the server reports every service
// closed with that reason (and when it opens): the kiosk then shows a calm closed screen in
// place of the services, and goes back to them by itself when a refresh finds them open. A
// service past its cut-off (its last ticket before closing) is shown unavailable, with why.

import { Api, ApiError, hashParams, newRequestId } from "/ui/api.js";
import { LANG_NAMES, createI18n, formatTime } from "/ui/i18n.js";
import { showBranchLogo } from "/ui/logo.js";
import { showPairingScreen, stopPairingScreen } from "/ui/pairing.js";
import { createPlural } from "/ui/plural.js";
import { fillWait, formatWait, keepNumbersWithUnits, roughNote } from "/ui/wait.js";
import { nextInDirection, nextInOrder, focusables } from "./keys.js";
import { createSpeech } from "./speech.js";
import { PLURALS, STRINGS } from "./strings.js";

const STORE_KEY = "sira.kiosk.token";
const params = hashParams();
const seconds = (name, dflt) => {
  const v = Number(params[name]);
  return Number.isFinite(v) && v > 0 ? v * 1000 : dflt * 1000;
};
const IDLE_MS = seconds("idle", 30);
const BACK_MS = seconds("back", 10);
const POLL_MS = seconds("poll", 10);
const BRANCH_MS = seconds("branch", 300);
const WARN_MS = seconds("warn", 20);
// Spoken guidance lengthens every time limit this many times.
const SPEECH_FACTOR = 3;
const PRIVATE_AUDIO = params.audio === "private";
const OFFLINE_RETRY_MS = 2500;
// Quoted waits up to these many seconds read "short", then "moderate"; longer ones "long".
const SHORT_WAIT_S = 10 * 60;
const MODERATE_WAIT_S = 30 * 60;
// A figure on the ticket screen longer than this is set smaller.
const LONG_WAIT_CHARS = 16;
const SVG = "http://www.w3.org/2000/svg";
// Reasons that close the whole branch (every service reports them alike).
const BRANCH_SHUT = new Set(["closed_date", "outside_hours"]);

const $ = (id) => document.getElementById(id);
const i18n = createI18n(STRINGS, { lang: "en" });
const plural = createPlural(PLURALS, i18n);
const api = new Api({ timeoutMs: 12000 });
const state = {
  branch: null, // {code, name, languages, default_lang, timezone}
  services: [],
  view: "loading",
  priority: null, // reason while choosing a priority ticket's service
  pending: null, // {service, priority, reason, lang, requestId}: a touch awaiting its ticket
  confirming: null, // {service}: a tap on a service no counter serves now, awaiting "take anyway"
  busy: false,
  offline: false,
  ticket: null,
  keyboard: false, // a key was pressed in this customer's visit: keep a focus on screen
  quiet: false, // this customer switched spoken guidance off: keys no longer start it
  large: false, // large text (and a large-print ticket)
  contrast: false, // high contrast
};
let idleTimer = null;
let warnTimer = null;
let warnTick = null;
let pollTimer = null;
let branchTimer = null;

const speech = createSpeech({
  api,
  branch: () => state.branch.code,
  onChange: () => syncAccess(),
});
window.sira = { i18n, state, speech }; // read by the tests and for support

// --- views ------------------------------------------------------------------------------------

function show(view) {
  state.view = view;
  for (const el of document.querySelectorAll(".view")) el.hidden = el.id !== `view-${view}`;
  const chrome = view !== "pair";
  $("top").hidden = !chrome || !state.branch;
  $("langs").hidden = !chrome || !state.branch || view === "ticket";
  $("bar").hidden = $("langs").hidden;
  document.body.dataset.view = view;
  resetIdle();
  if (view !== "pair" && view !== "loading") arrived();
}

function setLang(lang) {
  i18n.setLang(lang);
  i18n.apply();
  document.title = `${i18n.t("doc_title")} · Sira`;
  renderLangs();
  renderServices();
  if (state.ticket) renderTicket();
  if (state.view === "closed") renderClosed();
  if (state.errorKey) $("issue-error-body").textContent = i18n.t(state.errorKey);
  if (state.confirming) renderUnserved();
}

function goHome({ resetLang = false } = {}) {
  // The visit is over (done, or left): the next customer starts without this one's aids.
  if (resetLang) endVisit();
  state.priority = null;
  state.confirming = null;
  $("unserved").hidden = true;
  state.firstTouchAt = null; // the next customer's visit starts with their first touch
  state.ticket = null;
  if (!state.busy) {
    state.pending = null;
    $("issue-error").hidden = true;
  }
  if (!state.branch) return;
  if (resetLang) setLang(state.branch.default_lang);
  showServicesOrClosed();
}

/** The service whose row says the whole branch is shut now (closed date, outside hours). */
function shutRow() {
  return state.services.find((s) => BRANCH_SHUT.has(s.closed_reason)) || null;
}

/** The home screen, or the closed screen in its place while the branch is shut. */
function showServicesOrClosed() {
  if (shutRow()) {
    show("closed");
    renderClosed();
  } else {
    show("home");
    renderServices();
  }
}

/** After a refresh: follow the branch opening or closing, unless a customer is mid-way. */
function syncView() {
  const atRest = !state.busy && !state.pending && !state.confirming;
  if (state.view === "closed" || (atRest && state.view === "home" && shutRow())) {
    state.priority = null;
    showServicesOrClosed();
  } else if (state.view === "home") {
    renderServices();
  }
}

/** The branch's local calendar day of a date, as YYYY-MM-DD (for "today" and "tomorrow"). */
function branchDay(date) {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: state.branch.timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(date);
}

/** When tickets are issued again, in the kiosk's language and the branch's time zone. */
function reopening(at) {
  const timeZone = state.branch.timezone;
  const days = Math.round((Date.parse(branchDay(at)) - Date.parse(branchDay(new Date()))) / 864e5);
  let day;
  if (days <= 0) day = i18n.t("day_today");
  else if (days === 1) day = i18n.t("day_tomorrow");
  else {
    const opts = days < 7 ? { weekday: "long" } : { weekday: "long", day: "numeric", month: "long" };
    day = new Intl.DateTimeFormat(i18n.lang, { ...opts, timeZone }).format(at);
  }
  return { day, time: formatTime(at, i18n.lang, timeZone) };
}

function renderClosed() {
  const row = shutRow();
  const at = row && row.opens_at ? new Date(row.opens_at) : null;
  $("closed-when").textContent = at ? i18n.t("closed_opens", reopening(at)) : i18n.t("closed_no_time");
}

/** Why a service cannot be taken now, in a few words. */
function closedText(s) {
  if (s.closed_reason !== "cut_off") return i18n.t("service_closed");
  const at = s.opens_at ? new Date(s.opens_at) : null;
  // Tickets again later today (after a lunch break): say when; otherwise "not today".
  if (at && branchDay(at) === branchDay(new Date())) {
    return i18n.t("service_cut_off_until", { time: formatTime(at, i18n.lang, state.branch.timezone) });
  }
  return i18n.t("service_cut_off");
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

/** A wait on the scale: "none", "short", "moderate" or "long". */
function waitLevel(seconds, range) {
  if (!seconds && !range) return "none";
  if (seconds <= SHORT_WAIT_S) return "short";
  return seconds <= MODERATE_WAIT_S ? "moderate" : "long";
}

function served(s) {
  // Older servers do not say how many counters are open: then it is served.
  return s.open && (s.counters_open === undefined || s.counters_open > 0);
}

function serviceName(s) {
  return (s.names && s.names[i18n.lang]) || s.name || s.code;
}

/** The scale's icon: a tick for no wait, one to three filled bars for short to long, a pause
 * sign for a service nobody serves now: a shape for each, so colour is never the only cue. */
function waitIcon(level) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 20");
  svg.setAttribute("class", "wait-icon");
  svg.setAttribute("aria-hidden", "true");
  const add = (tag, attrs) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.append(el);
  };
  if (level === "none") {
    add("path", { d: "M3 10.5l6 6L21 3.5", fill: "none", stroke: "currentColor", "stroke-width": "3.2" });
  } else if (level === "unserved") {
    add("rect", { x: "6", y: "2", width: "4", height: "16", rx: "1", fill: "currentColor" });
    add("rect", { x: "14", y: "2", width: "4", height: "16", rx: "1", fill: "currentColor" });
  } else {
    const filled = { short: 1, moderate: 2, long: 3 }[level];
    [6, 11, 17].forEach((h, i) => {
      add("rect", {
        x: String(1.5 + i * 7.5),
        y: String(19 - h),
        width: "5.5",
        height: String(h),
        rx: "1",
        fill: i < filled ? "currentColor" : "none",
        stroke: "currentColor",
        "stroke-width": "1.5",
      });
    });
  }
  return svg;
}

/** A quote's figure in the customer's words: a range when given, "rough estimate" when rough. */
function waitText({ seconds, range, rough }) {
  return keepNumbersWithUnits(formatWait(i18n.lang, seconds, { range, rough }));
}

/** The wait of a service (or of a ticket just issued) as a chip: icon, words, the figure. Kept
 * short: a rough figure is marked "≈", its words ("rough estimate") read by screen readers. */
function fillWaitChip(el, { level, seconds = 0, range = null, rough = false }) {
  el.dataset.level = level;
  const text = Object.assign(document.createElement("span"), { className: "wait-text" });
  text.append(
    Object.assign(document.createElement("span"), {
      className: "wait-word",
      textContent: i18n.t(level === "unserved" ? "service_unserved" : `wait_${level}`),
    }),
  );
  if (level !== "none" && level !== "unserved" && (seconds || range)) {
    const figure = waitText({ seconds, range });
    const marked = rough && figure !== waitText({ seconds, range, rough });
    const time = Object.assign(document.createElement("span"), { className: "wait-time" });
    if (marked) {
      const mark = Object.assign(document.createElement("span"), { className: "wait-rough", textContent: "≈" });
      mark.setAttribute("aria-hidden", "true");
      time.append(mark);
      time.dataset.rough = "true";
    }
    time.append(figure);
    if (marked) {
      time.append(
        Object.assign(document.createElement("span"), {
          className: "visually-hidden",
          textContent: ` ${roughNote(i18n.lang)}`,
        }),
      );
    }
    text.append(" ", time);
  }
  el.replaceChildren(waitIcon(level), text);
}

function renderServices() {
  const list = $("services");
  const focused = document.activeElement?.dataset?.service;
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
        const waiting = s.waiting > 0 ? plural("waiting_n", s.waiting) : i18n.t("waiting_0");
        const chip = Object.assign(document.createElement("span"), { className: "svc-wait wait-chip" });
        chip.dataset.testid = `wait-${s.code}`;
        // Nobody waiting can still mean a wait: every counter may be busy with a customer.
        const quote = {
          seconds: s.estimated_wait_s,
          range: s.estimated_wait_range_s ?? null,
          rough: Boolean(s.estimate_rough),
        };
        const level = served(s) ? waitLevel(quote.seconds, quote.range) : "unserved";
        fillWaitChip(chip, { level, ...quote });
        b.dataset.served = String(served(s));
        meta.append(Object.assign(document.createElement("span"), { textContent: waiting }), chip);
      } else {
        meta.textContent = closedText(s);
        meta.dataset.testid = `closed-${s.code}`;
        if (s.closed_reason) b.dataset.reason = s.closed_reason;
      }
      const text = Object.assign(document.createElement("span"), { className: "svc-text" });
      text.append(name, meta);
      b.append(code, text);
      li.append(b);
      return li;
    }),
  );
  // A refresh replaces the buttons: the focus stays on the same service, unspoken.
  if (focused) list.querySelector(`[data-service="${CSS.escape(focused)}"]`)?.focus();
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
  // No counter served the service when it was taken: its quote (as if one were open) would
  // be a guess, so none is given.
  const range = t.estimated_wait_range_s ?? null;
  const level = t.unserved ? "unserved" : waitLevel(t.estimated_wait_s, range);
  const wait = $("ticket-wait");
  // A long figure ("45 minutes – 1 hour 15 minutes") in a smaller size, so the card still fits.
  const quoted = level !== "unserved" && level !== "none";
  const figure = quoted ? formatWait(i18n.lang, t.estimated_wait_s, { range }) : "";
  wait.classList.toggle("long", figure.length > LONG_WAIT_CHARS);
  if (!quoted) {
    wait.textContent = i18n.t(level === "unserved" ? "wait_unknown" : "wait_none");
  } else {
    // The rough note, if any, on a line of its own under the figure (.wait-note).
    fillWait(wait, i18n.lang, t.estimated_wait_s, { range, rough: Boolean(t.estimate_rough) });
  }
  const scale = $("ticket-wait-scale");
  scale.hidden = level === "none";
  if (!scale.hidden) {
    fillWaitChip(scale, { level, seconds: 0 });
  }
  const msg = printMessage(t);
  const pr = $("print-result");
  pr.textContent = msg.text;
  pr.dataset.status = t.print_status;
  pr.className = `print tone-${msg.tone}`;
  $("ticket-qr").src = `/api/v1/tickets/by-token/${encodeURIComponent(t.token)}/qr.svg`;
  fitCode();
}

/** The number as large as its place allows: shrink it to its box when it would overflow
 * (a long code, a narrow column), back to the stylesheet's size otherwise. */
function fitCode() {
  const el = $("ticket-code");
  el.style.fontSize = "";
  if (state.view !== "ticket" || !el.clientWidth) return;
  if (el.scrollWidth > el.clientWidth) {
    const size = parseFloat(getComputedStyle(el).fontSize);
    el.style.fontSize = `${Math.floor((size * el.clientWidth) / el.scrollWidth) - 1}px`;
  }
}

function renderUnserved() {
  const svc = state.services.find((s) => s.code === state.confirming.service);
  $("unserved-body").textContent = i18n.t("unserved_body", {
    service: svc ? serviceName(svc) : state.confirming.service,
  });
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
    syncView();
  } catch (err) {
    if (err instanceof ApiError && err.offline) setOffline(true);
    if (err instanceof ApiError && err.status === 401) return unpair();
  } finally {
    schedulePoll();
  }
}

/** The header: the branch's name, and its logo when it has one. */
function showBrand() {
  $("bank-name").textContent = state.branch.name;
  showBranchLogo({ img: $("branch-logo"), mark: $("logo-mark"), branch: state.branch });
}

/** The branch's name and logo read again (a logo set in Settings shows within BRANCH_MS). */
async function refreshBranch() {
  if (!state.branch) return;
  try {
    const snap = await api.get(`/api/v1/branches/${encodeURIComponent(state.branch.code)}/snapshot`);
    const b = snap.data.branch;
    state.branch = { ...state.branch, name: b.name, logo_url: b.logo_url ?? null };
    showBrand();
  } catch (err) {
    if (!(err instanceof ApiError)) console.error(err);
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
    if (state.large) body.large_print = true;
    const ticket = await api.post(`/api/v1/branches/${encodeURIComponent(state.branch.code)}/tickets`, body);
    setOffline(false);
    state.pending = null;
    state.priority = null;
    state.ticket = { ...ticket, unserved: Boolean(p.unserved) };
    show("ticket");
    renderTicket();
    refreshServices();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      state.busy = false;
      $("busy").hidden = true;
      return unpair();
    }
    const offline = !(err instanceof ApiError) || err.offline || err.status >= 500;
    if (err instanceof ApiError && err.offline) setOffline(true);
    // A failure that the server decided (4xx) will not change on a retry: start over.
    if (!offline) state.pending = null;
    if (err instanceof ApiError && err.code === "branch_closed") {
      // Closed since the last refresh: the closed screen says when it opens, no dialog.
      state.priority = null;
      refreshServices();
      return;
    }
    const cutOff = err instanceof ApiError && err.code === "service_cut_off";
    if (cutOff) refreshServices();
    state.errorKey = offline ? "not_issued_body" : cutOff ? "cut_off_body" : "service_unavailable";
    $("issue-error-body").textContent = i18n.t(state.errorKey);
    $("issue-retry").hidden = !offline;
    $("issue-error").hidden = false;
    (offline ? $("issue-retry") : $("issue-cancel")).focus();
    arrived();
  } finally {
    state.busy = false;
    $("busy").hidden = true;
    renderServices();
  }
}

function chooseService(code, { confirmed = false } = {}) {
  if (state.busy || state.pending) return;
  const svc = state.services.find((s) => s.code === code);
  const unserved = Boolean(svc && !served(svc));
  if (unserved && !confirmed) {
    // The server issues it all the same: say so first, with no quote, and let them choose.
    state.confirming = { service: code };
    renderUnserved();
    $("unserved").hidden = false;
    $("unserved-cancel").focus();
    arrived();
    return;
  }
  state.pending = {
    service: code,
    lang: i18n.lang,
    priority: Boolean(state.priority),
    reason: state.priority,
    unserved,
    requestId: newRequestId(), // one id per touch; "Try again" reuses it
    // Seconds from this customer's first touch to the ticket (the kiosk's moment of truth).
    touchS: Math.min(3600, Math.round((Date.now() - (state.firstTouchAt ?? Date.now())) / 1000)),
  };
  issue();
}

function closeUnserved() {
  state.confirming = null;
  $("unserved").hidden = true;
  arrived();
}

// --- wiring -----------------------------------------------------------------------------------

function onTouch() {
  if (state.firstTouchAt == null && state.view !== "ticket") state.firstTouchAt = Date.now();
  resetIdle();
}

let swallowNextClick = false;

function onPointer() {
  if (!$("idle-warning").hidden) {
    swallowNextClick = true;
    setTimeout(() => (swallowNextClick = false), 1000); // a touch that never became a click
  }
  onTouch();
}

function swallowClick(e) {
  if (!swallowNextClick) return;
  swallowNextClick = false;
  e.preventDefault();
  e.stopPropagation();
}

function onKeyFirst(e) {
  if (!$("idle-warning").hidden) {
    e.preventDefault();
    e.stopPropagation();
  }
  onTouch();
}

// --- time limits --------------------------------------------------------------------------------

/** A time limit as this customer gets it: longer with spoken guidance. */
function limit(ms) {
  return speech.on ? ms * SPEECH_FACTOR : ms;
}

/** Nothing a reset would change: the home (or closed) screen as the next customer finds it. */
function atRest() {
  return (
    (state.view === "home" || state.view === "closed") &&
    !state.priority &&
    !state.confirming &&
    !state.pending &&
    $("issue-error").hidden &&
    (!state.branch || i18n.lang === state.branch.default_lang) &&
    !speech.on &&
    !state.large &&
    !state.contrast
  );
}

/** Any key or touch: the time starts again, and a warning on screen goes away. */
function resetIdle() {
  clearTimeout(idleTimer);
  hideWarning();
  if (!state.branch || state.view === "pair" || state.view === "loading") return;
  const ms = limit(state.view === "ticket" ? BACK_MS : IDLE_MS);
  idleTimer = setTimeout(() => {
    if (state.busy) return resetIdle();
    if (atRest()) return resetIdle();
    warn();
  }, ms);
}

/** "Do you need more time?" with the seconds left; said aloud with spoken guidance. */
function warn() {
  const deadline = Date.now() + limit(WARN_MS);
  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    $("idle-body").textContent = plural("idle_in_n", left);
  };
  tick();
  returnFocus = document.activeElement;
  $("idle-warning").hidden = false;
  if (state.keyboard) $("idle-more").focus();
  warnTick = setInterval(tick, 1000);
  warnTimer = setTimeout(() => {
    hideWarning({ back: false }); // nobody answered: the visit ends, nothing more is said
    goHome({ resetLang: true });
  }, limit(WARN_MS));
  speech.say(voiceLang(), [{ say: "screen", screen: "idle" }, { say: "control", control: "more_time" }]);
}

let returnFocus = null;

/** The warning away; with ``back``, the focus (and speech) back where the customer was. */
function hideWarning({ back = true } = {}) {
  clearTimeout(warnTimer);
  clearInterval(warnTick);
  if (!$("idle-warning").hidden) {
    $("idle-warning").hidden = true;
    if (!back) {
      returnFocus = null;
      return;
    }
    // Back where the customer was, said again so they know.
    const el = returnFocus && document.contains(returnFocus) && focusables(activeRoot()).includes(returnFocus) ? returnFocus : null;
    if (el) el.focus();
    if (speech.on) speech.say(voiceLang(), screenPhrases());
    if (el) sayItem(el, { interrupt: false });
  }
  returnFocus = null;
}

// --- keypad, speech and display aids ------------------------------------------------------------

/** The language the kiosk speaks now. */
function voiceLang() {
  return i18n.lang;
}

/** Where the keys act now: the dialog on top, else the page. */
function activeRoot() {
  for (const id of ["idle-warning", "unserved", "issue-error"]) {
    if (!$(id).hidden) return $(id);
  }
  return document.body;
}

/** The focused item, if it is one the customer can use now (not on a screen just left). */
function currentFocus() {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return focusables(activeRoot()).includes(el) ? el : null;
}

/** The first thing to choose on this screen (a service, a reason, "Done"). */
function firstItem() {
  const root = activeRoot();
  if (root !== document.body) return focusables(root)[0] || null;
  const view = $(`view-${state.view}`);
  const items = view ? focusables(view) : [];
  const preferred = items.find((el) => el.dataset.service && !el.disabled) || items[0];
  return preferred || focusables(root)[0] || null;
}

function focusFirst({ speak = true } = {}) {
  const el = firstItem();
  if (!el) return;
  el.focus();
  if (speak) sayItem(el, { interrupt: false });
}

/** The phrase for one focusable thing: a language, a service, a button. */
function describe(el) {
  if (el.dataset.lang) return { lang: el.dataset.lang, phrases: [{ say: "language" }] };
  if (el.dataset.service) {
    const s = state.services.find((x) => x.code === el.dataset.service);
    if (!s) return null;
    const open = served(s) ? "open" : "unserved";
    const phrase = {
      say: "service",
      service: s.code,
      state: s.open ? open : s.closed_reason === "cut_off" ? "cut_off" : "closed",
      waiting: Math.min(999, s.waiting || 0),
      priority: Boolean(state.priority),
    };
    // The figure the chip shows: none when the chip says "No wait".
    if (s.open && served(s) && waitLevel(s.estimated_wait_s, s.estimated_wait_range_s) !== "none") {
      phrase.wait_s = Math.round(s.estimated_wait_s || 0);
      phrase.wait_range_s = s.estimated_wait_range_s ?? null;
      phrase.rough = Boolean(s.estimate_rough);
    } else if (s.open && served(s)) {
      phrase.wait_s = 0;
    }
    return { lang: voiceLang(), phrases: [phrase] };
  }
  const key = el.dataset.say;
  if (!key) return null;
  const phrase = { say: "control", control: key };
  if (el.hasAttribute("aria-pressed")) phrase.pressed = el.getAttribute("aria-pressed") === "true";
  return { lang: voiceLang(), phrases: [phrase] };
}

function sayItem(el, { interrupt = true } = {}) {
  const what = el && describe(el);
  if (what) speech.say(what.lang, what.phrases, { interrupt });
}

/** The ticket just issued, as the confirmation shows it; its number only in private mode
 * (headphones) or when the customer asks with the help key. */
function ticketPhrase({ number = speech.private } = {}) {
  const t = state.ticket;
  const status = t.print_status === "printed" || t.print_status === "queued" ? "printed" : t.print_status === "failed" ? "failed" : "none";
  const range = t.estimated_wait_range_s ?? null;
  const level = t.unserved ? "unserved" : waitLevel(t.estimated_wait_s, range);
  return {
    say: "ticket",
    code: t.code,
    service: t.service,
    ahead: Math.max(0, (t.position || 1) - 1),
    wait_s: level === "none" || level === "unserved" ? (level === "none" ? 0 : null) : Math.round(t.estimated_wait_s || 0),
    wait_range_s: level === "none" || level === "unserved" ? null : range,
    rough: Boolean(t.estimate_rough),
    unserved: Boolean(t.unserved),
    priority: Boolean(t.priority),
    print_status: status,
    // A failed print leaves the number only in the customer's memory: always say it.
    spoken_number: number || status !== "printed",
  };
}

/** What this screen (or the dialog on it) is, as the customer hears it on arrival. */
function screenPhrases({ number } = {}) {
  const out = [];
  if (state.offline) out.push({ say: "screen", screen: "offline" });
  if (!$("idle-warning").hidden) return [...out, { say: "screen", screen: "idle" }];
  if (!$("unserved").hidden && state.confirming) {
    return [...out, { say: "screen", screen: "unserved", service: state.confirming.service }];
  }
  if (!$("issue-error").hidden) {
    const screen = { not_issued_body: "not_issued", cut_off_body: "cut_off" }[state.errorKey] || "unavailable";
    return [...out, { say: "screen", screen }];
  }
  if (state.view === "ticket" && state.ticket) return [...out, ticketPhrase({ number })];
  if (state.view === "priority") return [...out, { say: "screen", screen: "priority" }];
  if (state.view === "closed") return [...out, closedPhrase()];
  if (state.view === "home") return [...out, { say: "screen", screen: state.priority ? "priority_service" : "home" }];
  return out;
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

function closedPhrase() {
  const row = shutRow();
  const at = row && row.opens_at ? new Date(row.opens_at) : null;
  if (!at) return { say: "screen", screen: "closed" };
  const zone = state.branch.timezone;
  const days = Math.round((Date.parse(branchDay(at)) - Date.parse(branchDay(new Date()))) / 86400000);
  if (days >= 7) return { say: "screen", screen: "closed" };
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", weekday: "long", hourCycle: "h23" }).formatToParts(at);
  const get = (type) => parts.find((p) => p.type === type)?.value;
  const day = days <= 0 ? "today" : days === 1 ? "tomorrow" : get("weekday").toLowerCase();
  return { say: "screen", screen: "closed", day: WEEKDAYS.includes(day) || day === "today" || day === "tomorrow" ? day : undefined, time: `${get("hour")}:${get("minute")}` };
}

/** A screen or a dialog appeared: put the focus on its first item (keypad users) and say
 * where the customer is, then that item. */
function arrived() {
  if (!state.branch) return;
  const speak = speech.on;
  if (speak) speech.say(voiceLang(), screenPhrases());
  const el = currentFocus();
  if (state.keyboard && !el) focusFirst({ speak });
  else if (speak && el) sayItem(el, { interrupt: false });
}

/** Spoken guidance on: the screen, how the keys work, then the focused item. */
function startSpeech({ private: priv = speech.private } = {}) {
  speech.start({ private: priv });
  resetIdle(); // the limits are longer now
  speech.say(voiceLang(), [...screenPhrases(), { say: "keys" }]);
  const el = currentFocus();
  if (el) sayItem(el, { interrupt: false });
  else if (state.keyboard) focusFirst();
}

/** The help key: where am I, how the keys work, what is focused (on the confirmation, with
 * the number: the customer asked). */
function help() {
  if (!speech.on) return startSpeech();
  speech.say(voiceLang(), [...screenPhrases({ number: true }), { say: "keys" }]);
  const el = currentFocus();
  if (el) sayItem(el, { interrupt: false });
}

function move(el) {
  if (!el) return;
  el.focus();
  el.scrollIntoView?.({ block: "nearest" });
  sayItem(el);
}

/** Escape: the way back from where the customer is. */
function back() {
  if (!$("unserved").hidden) return closeUnserved();
  if (!$("issue-error").hidden) return $("issue-cancel").click();
  if (state.view === "ticket") return goHome({ resetLang: true });
  if (state.view === "priority" || (state.view === "home" && state.priority)) return goHome();
  if (speech.on) speech.say(voiceLang(), screenPhrases());
}

const ARROWS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };

function onKey(e) {
  if (!state.branch || state.view === "pair" || state.view === "loading") return; // the pairing form is a form
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const key = e.key;
  if (!state.keyboard) {
    state.keyboard = true;
    document.body.dataset.keyboard = "true";
  }
  // Any key starts speech, unless this customer switched it off (then only the help key does).
  const first = !speech.on && !state.quiet;
  if (key === "F1" || key === "?" || key === "Help") {
    e.preventDefault();
    return help();
  }
  // Nothing focused yet (the customer's first key): the key puts the focus on the first item.
  const lost = !currentFocus();
  if (first) startSpeech();
  if (key === "+" || key === "=" || key === "AudioVolumeUp") {
    e.preventDefault();
    speech.louder();
    return speech.say(voiceLang(), [{ say: "volume", level: speech.volume }]);
  }
  if (key === "-" || key === "AudioVolumeDown") {
    e.preventDefault();
    speech.quieter();
    return speech.say(voiceLang(), [{ say: "volume", level: speech.volume }]);
  }
  if (ARROWS[key] || key === "Tab") {
    e.preventDefault();
    if (lost) return first ? undefined : focusFirst();
    if (key === "Tab") return move(nextInOrder(activeRoot(), e.shiftKey ? -1 : 1));
    return move(nextInDirection(activeRoot(), ARROWS[key]));
  }
  if (key === "Escape" || key === "Backspace" || key === "BrowserBack") {
    e.preventDefault();
    return back();
  }
  if ((key === "Enter" || key === " ") && lost) {
    e.preventDefault();
    if (!first) focusFirst();
  }
  // else: the focused button's own click (Enter and Space press it)
}

/** Large text, high contrast and the speech switch as the customer set them. */
function syncAccess() {
  const root = document.documentElement;
  root.classList.toggle("large-text", state.large);
  root.classList.toggle("high-contrast", state.contrast);
  $("toggle-large").setAttribute("aria-pressed", String(state.large));
  $("toggle-contrast").setAttribute("aria-pressed", String(state.contrast));
  $("toggle-speech").setAttribute("aria-pressed", String(speech.on));
  document.body.dataset.speech = speech.on ? (speech.private ? "private" : "on") : "off";
  fitCode();
}

function toggle(what) {
  if (what === "speech") {
    state.quiet = speech.on;
    if (speech.on) speech.stop();
    else startSpeech();
  } else {
    state[what] = !state[what];
    syncAccess();
  }
  const el = { speech: "toggle-speech", large: "toggle-large", contrast: "toggle-contrast" }[what];
  if (speech.on) sayItem($(el));
  resetIdle();
}

/** The next customer starts as the kiosk was: no speech, normal text, normal contrast. */
function endVisit() {
  speech.stop();
  state.large = false;
  state.contrast = false;
  state.keyboard = false;
  state.quiet = false;
  delete document.body.dataset.keyboard;
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  syncAccess();
}

function wire() {
  for (const type of ["pointerdown", "touchstart"]) {
    document.addEventListener(type, onPointer, { passive: true, capture: true });
  }
  // A key or touch while "Do you need more time?" is up only keeps the screen: it must not
  // also press what lies under the customer's finger (or under the focus).
  document.addEventListener("keydown", onKeyFirst, { capture: true });
  document.addEventListener("click", swallowClick, { capture: true });
  document.addEventListener("keydown", onKey);
  $("idle-more").addEventListener("click", () => resetIdle());
  $("toggle-speech").addEventListener("click", () => toggle("speech"));
  $("toggle-large").addEventListener("click", () => toggle("large"));
  $("toggle-contrast").addEventListener("click", () => toggle("contrast"));
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  $("langs").addEventListener("click", (e) => {
    const b = e.target.closest("[data-lang]");
    if (!b) return;
    setLang(b.dataset.lang);
    // The screen again, now in the language chosen, then the button still focused.
    const focused = $("langs").querySelector(`[data-lang="${CSS.escape(b.dataset.lang)}"]`);
    if (state.keyboard && focused) focused.focus();
    if (speech.on) {
      speech.say(voiceLang(), screenPhrases());
      if (focused) sayItem(focused, { interrupt: false });
    }
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
  // The customer is done: the next one starts on the home screen in the branch's language.
  $("view-ticket").addEventListener("click", () => goHome({ resetLang: true }));
  // Headphones plugged in (an audio output appeared): speech, privately, from now on.
  speech.watchOutputs((plugged) => {
    if (!state.branch || state.view === "pair") return;
    if (plugged) startSpeech({ private: true });
    else speech.start({ private: false });
    speech.say(voiceLang(), [{ say: "audio_mode", private: plugged }], { interrupt: false });
  });
  if (PRIVATE_AUDIO) speech.private = true;
  $("unserved-take").addEventListener("click", () => {
    const code = state.confirming?.service;
    closeUnserved();
    if (code) chooseService(code, { confirmed: true });
  });
  $("unserved-cancel").addEventListener("click", closeUnserved);
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
    if (!token) return;
    stopPairingScreen();
    start(token);
  });
  window.addEventListener("online", () => refreshServices());
  window.addEventListener("resize", fitCode);
  document.fonts?.ready.then(fitCode);
}

function tick() {
  if (state.branch) $("clock").textContent = formatTime(new Date(), i18n.lang, state.branch.timezone);
}

async function start(token) {
  api.setToken(token);
  show("loading");
  try {
    const me = await api.get("/api/v1/auth/me");
    if (me.role !== "kiosk") {
      // A display's or a teller's token signs in too, and would only fail at the first
      // customer's tap: refuse it here, saying what it is.
      localStorage.removeItem(STORE_KEY);
      showPair(wrongTokenKey(me.role), "pair_need_kiosk");
      return;
    }
    const snap = await api.get(`/api/v1/branches/${encodeURIComponent(me.branch)}/snapshot`);
    localStorage.setItem(STORE_KEY, token);
    const b = snap.data.branch;
    const langs = [b.default_lang, ...b.languages.filter((l) => l !== b.default_lang)];
    state.branch = { ...b, languages: langs };
    state.services = snap.data.services;
    showBrand();
    setOffline(false);
    setLang(b.default_lang);
    goHome();
    tick();
    setInterval(tick, 10000);
    resetIdle();
    schedulePoll();
    clearInterval(branchTimer);
    branchTimer = setInterval(refreshBranch, BRANCH_MS);
  } catch (err) {
    if (err instanceof ApiError && err.offline) {
      setOffline(true);
      setTimeout(() => start(token), OFFLINE_RETRY_MS);
      return;
    }
    localStorage.removeItem(STORE_KEY);
    showPair("pair_invalid");
  }
}

function wrongTokenKey(role) {
  if (role === "display" || role === "speaker" || role === "agent") return `token_is_${role}`;
  return "token_is_staff";
}

/** The pairing screen: a code to enter in Settings (and its QR), the manual token form as
 * a fallback; `keys` say why we are here (a refused or revoked token). */
function showPair(...keys) {
  show("pair");
  showPairingScreen({
    kind: "kiosk",
    t: (k) => i18n.t(k),
    errorKeys: keys,
    storeKey: STORE_KEY,
    onPaired: start,
  });
}

/** The token stopped working (revoked by an administrator): back to pairing. */
function unpair() {
  clearTimeout(pollTimer);
  clearInterval(branchTimer);
  state.branch = null;
  api.setToken(null);
  localStorage.removeItem(STORE_KEY);
  showPair("pair_revoked");
}

wire();
i18n.apply();
const token = params.token || localStorage.getItem(STORE_KEY);
if (token) start(token);
else showPair();
