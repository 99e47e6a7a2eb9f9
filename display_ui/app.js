// The call display (waiting-room TV): the latest call very large, recent calls, waiting per
// service, clock and the branch's message; a chime and the spoken call for each call.
// Fragment parameters: #token=DEVICE_TOKEN (stored for the next start), hold=S (seconds each
// call stays the featured one before the next queued call, default 6).
//
// Calls are announced one at a time, in call order. A call still waiting for its turn is
// dropped when it no longer holds: its counter called someone else meanwhile, or its ticket
// was finished, marked a no-show, cancelled or transferred. After a burst the screen catches
// up with the counters instead of reading out a backlog of calls nobody answers any more.

import { Api, ApiError, hashParams } from "/ui/api.js";
import { EventStream } from "/ui/events.js";
import { showPairingScreen, stopPairingScreen } from "/ui/pairing.js";
import { createI18n, formatTime } from "/ui/i18n.js";
import { showBranchLogo } from "/ui/logo.js";
import { counterName, isBareLabel } from "/ui/words.js";
import { STRINGS } from "./strings.js";

const STORE_KEY = "sira.display.token";
const CHIME_URL = "/api/v1/announcements/chime.wav";
const HISTORY_SIZE = 8;
const params = hashParams();
const HOLD_MS = (Number(params.hold) > 0 ? Number(params.hold) : 6) * 1000;
const CHIME_MAX_MS = 5000;
const SPEECH_MAX_MS = 15000;
// A call of one of these tickets that was not announced yet is not announced any more.
const ENDED = new Set(["ticket.finished", "ticket.no_show", "ticket.cancelled", "ticket.transferred"]);
// The tokens this screen runs on; any other is refused at once, naming what it is.
const SCREEN_ROLES = new Set(["display", "speaker"]);
const CALLS_KEPT = 40;
const QUEUE_EVENTS = new Set([
  "ticket.issued",
  "ticket.called",
  "ticket.transferred",
  "ticket.cancelled",
  "ticket.no_show",
  "counter.changed",
]);

const $ = (id) => document.getElementById(id);
const i18n = createI18n(STRINGS);
const api = new Api();
const state = {
  branch: null,
  services: [],
  calls: [], // every call heard lately [{seq, id, code, counter, counterId, recall}], newest first
  history: [], // what the recent-calls list shows: one row per ticket, newest first
  queue: [], // calls waiting to be announced, oldest first
  current: null, // the call being announced or held on screen
  shownSeq: 0, // seq of the newest call placed on screen
  playing: false,
  audioBlocked: false,
  announced: [], // [{code, counter, recall, chime, speech, superseded}] for support and tests
  dropped: [], // [{code, counter, recall, reason}]: calls not announced, and why
};
let stream = null;
let servicesTimer = null;

window.sira = { state, i18n };

// --- rendering --------------------------------------------------------------------------------

function callFrom(ev) {
  const d = ev.data || ev;
  return {
    seq: ev.seq,
    id: d.ticket?.id,
    code: d.ticket?.code ?? "",
    counter: String(d.counter?.label ?? "").trim(),
    counterId: d.counter?.id ?? null,
    recall: ev.type === "ticket.recalled",
    announcement: d.announcement || null,
  };
}

/** How the screen names a counter: {before, label, after, full}, or null without a label.
 * A bare label ("3") gets the template's words around it ("Counter 3"), a label that already
 * names the counter ("Gişe 1") stands alone. */
function counterParts(label) {
  const text = String(label ?? "").trim();
  if (!text) return null;
  const template = i18n.t("counter_name");
  const full = counterName(text, template);
  if (!isBareLabel(text)) return { before: "", label: text, after: "", full };
  const [before, after = ""] = template.split("{label}");
  return { before: before.trim(), label: text, after: after.trim(), full };
}

function renderLatest(call, { fresh = false } = {}) {
  $("latest-body").hidden = !call;
  $("latest-empty").hidden = Boolean(call);
  $("recall-cue").hidden = !call?.recall;
  if (!call) return;
  $("latest-code").textContent = call.code;
  const parts = counterParts(call.counter);
  // A call without a counter (older recorded history) shows its number alone: never an
  // arrow pointing at an empty "Counter".
  $("latest-arrow").hidden = !parts;
  $("latest-counter-line").hidden = !parts;
  $("latest-counter-line").dataset.name = parts?.full ?? "";
  for (const [id, text] of [
    ["latest-counter-before", parts?.before],
    ["latest-counter", parts?.label],
    ["latest-counter-after", parts?.after],
  ]) {
    $(id).textContent = text ?? "";
    $(id).hidden = !text;
  }
  const text = $("latest-text");
  text.textContent = call.announcement?.text || "";
  text.lang = call.announcement?.lang || i18n.lang;
  const latest = $("latest");
  latest.classList.toggle("is-recall", call.recall);
  if (fresh) {
    latest.classList.remove("flash");
    void latest.offsetWidth; // restart the animation
    latest.classList.add("flash");
  }
}

function historyRows() {
  // Every call up to the one on screen (calls dropped from the announcements included: they
  // happened), one row per ticket, newest first; calls still waiting for their turn are not
  // listed before they are shown.
  const rows = [];
  for (const c of state.calls) {
    if (c.seq > state.shownSeq) continue;
    const key = c.id ?? c.code;
    if (!rows.some((r) => (r.id ?? r.code) === key)) rows.push(c);
    if (rows.length === HISTORY_SIZE) break;
  }
  return rows;
}

function renderHistory() {
  state.history = historyRows();
  const items = state.history.map((c, i) => {
    const li = document.createElement("li");
    li.className = `history-item${i === 0 ? " current" : ""}${c.recall ? " recall" : ""}`;
    li.dataset.testid = "history-item";
    li.dataset.code = c.code;
    li.dataset.counter = c.counter;
    li.dataset.name = counterParts(c.counter)?.full ?? "";
    const code = Object.assign(document.createElement("span"), {
      className: "h-code num",
      textContent: c.code,
    });
    li.append(code);
    const parts = counterParts(c.counter);
    if (parts) {
      const counter = Object.assign(document.createElement("span"), { className: "h-counter" });
      if (parts.before) {
        counter.append(
          Object.assign(document.createElement("span"), { className: "h-label", textContent: parts.before }),
          " ",
        );
      }
      counter.append(Object.assign(document.createElement("span"), { className: "num", textContent: parts.label }));
      if (parts.after) {
        counter.append(
          " ",
          Object.assign(document.createElement("span"), { className: "h-label", textContent: parts.after }),
        );
      }
      li.append(counter);
    }
    return li;
  });
  $("history").replaceChildren(...items);
  fitHistory();
}

/** Show only the rows that fit whole: a row cut in half by the screen's edge reads as a
 * different number. */
function fitHistory() {
  const list = $("history");
  const items = [...list.children];
  for (const li of items) li.hidden = false;
  const bottom = list.getBoundingClientRect().bottom;
  let cut = false;
  for (const li of items) {
    cut = cut || li.getBoundingClientRect().bottom > bottom + 0.5;
    li.hidden = cut;
  }
}

function renderWaiting() {
  const items = state.services.map((s) => {
    const li = document.createElement("li");
    li.dataset.testid = `waiting-${s.code}`;
    li.dataset.waiting = String(s.waiting);
    li.className = "waiting-item";
    const name = (s.names && s.names[i18n.lang]) || s.name || s.code;
    li.append(
      Object.assign(document.createElement("span"), { className: "w-code num", textContent: s.code }),
      Object.assign(document.createElement("span"), { className: "w-name", textContent: name }),
      Object.assign(document.createElement("span"), { className: "w-count num", textContent: s.waiting }),
    );
    return li;
  });
  $("waiting").replaceChildren(...items);
  fitHistory(); // the footer may have grown a row
}

function renderBranch() {
  const b = state.branch;
  i18n.setLang(b.default_lang);
  i18n.apply();
  document.title = `${i18n.t("doc_title")} · ${b.name}`;
  $("branch-name").textContent = b.name;
  showBranchLogo({ img: $("branch-logo"), mark: $("logo-mark"), branch: b });
  const msg = (b.message || "").trim();
  $("message").textContent = msg;
  $("ticker").hidden = !msg;
  // Scroll only a message wider than its line; the speed stays readable whatever its length.
  requestAnimationFrame(() => {
    const ticker = $("ticker");
    const m = $("message");
    const scroll = m.scrollWidth > ticker.clientWidth;
    m.classList.toggle("scrolling", scroll);
    m.style.animationDuration = `${Math.max(12, (m.scrollWidth + ticker.clientWidth) / 90)}s`;
    fitHistory();
  });
  tick();
}

function tick() {
  if (!state.branch) return;
  const now = new Date();
  $("clock").textContent = formatTime(now, i18n.lang, state.branch.timezone);
  $("clock").dateTime = now.toISOString();
}

// --- audio ------------------------------------------------------------------------------------

function play(url, maxMs) {
  // Resolves when the clip ends, fails, is blocked, or runs too long: never hangs the queue.
  return new Promise((resolve) => {
    const audio = new Audio(url);
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => finish("timeout"), maxMs);
    audio.addEventListener("ended", () => finish("ended"));
    audio.addEventListener("error", () => finish("error"));
    const p = audio.play();
    if (p && p.catch) {
      p.catch((err) => {
        if (err && err.name === "NotAllowedError") state.audioBlocked = true;
        finish("blocked");
      });
    }
  });
}

async function announce(call) {
  const record = { code: call.code, counter: call.counter, recall: call.recall };
  record.chime = await play(CHIME_URL, CHIME_MAX_MS);
  const url = call.announcement?.audio_url;
  record.speech = url ? await play(url, SPEECH_MAX_MS) : null;
  record.superseded = Boolean(call.superseded);
  state.announced.push(record);
}

let wakeHold = null;

/** Keep `call` on screen for `ms`, or less once a newer call or the ticket's end makes it
 * stale (then the next call waiting takes its place at once). */
function hold(call, ms) {
  if (call.superseded || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wakeHold = null;
      resolve();
    }
    wakeHold = () => {
      if (call.superseded) done();
    };
  });
}

async function drain() {
  if (state.playing) return;
  state.playing = true;
  try {
    while (state.queue.length) {
      const call = state.queue.shift();
      const shownAt = Date.now();
      state.current = call;
      show(call);
      await announce(call);
      await hold(call, HOLD_MS - (Date.now() - shownAt));
    }
  } finally {
    state.current = null;
    state.playing = false;
  }
}

function show(call) {
  state.shownSeq = Math.max(state.shownSeq, call.seq);
  renderLatest(call, { fresh: true });
  renderHistory();
}

function remember(call) {
  if (state.calls.some((c) => c.seq === call.seq)) return;
  state.calls.push(call);
  state.calls.sort((a, b) => b.seq - a.seq);
  state.calls.length = Math.min(state.calls.length, CALLS_KEPT);
}

function sameCounter(a, b) {
  if (a.counterId != null && b.counterId != null) return a.counterId === b.counterId;
  return Boolean(a.counter) && a.counter === b.counter;
}

/** A later call `newer` makes `older` stale: the same counter called again, or the same
 * ticket called again (a recall, or at another counter). */
function supersedes(newer, older) {
  return newer.seq > older.seq && (sameCounter(newer, older) || (newer.id != null && newer.id === older.id));
}

function dropQueued(test, reason) {
  const keep = [];
  for (const c of state.queue) {
    if (test(c)) state.dropped.push({ code: c.code, counter: c.counter, recall: c.recall, reason });
    else keep.push(c);
  }
  state.queue = keep;
}

function markCurrent(test) {
  const cur = state.current;
  if (cur && !cur.superseded && test(cur)) {
    cur.superseded = true;
    wakeHold?.();
  }
}

function enqueue(call) {
  if (call.seq <= state.shownSeq || state.queue.some((c) => c.seq === call.seq)) return;
  remember(call);
  if (state.queue.some((c) => supersedes(c, call))) {
    // Heard late (a replay out of order): a newer call of its counter already waits.
    state.dropped.push({ code: call.code, counter: call.counter, recall: call.recall, reason: "superseded" });
    return;
  }
  dropQueued((c) => supersedes(call, c), "superseded");
  markCurrent((c) => supersedes(call, c));
  state.queue.push(call);
  state.queue.sort((a, b) => a.seq - b.seq);
  drain();
}

function onTicketEnded(ev) {
  const id = ev.data?.ticket?.id;
  if (id == null) return;
  const reason = ev.type.replace("ticket.", "");
  const ended = (c) => c.id === id && c.seq < ev.seq;
  dropQueued(ended, reason);
  markCurrent(ended);
}

// --- data -------------------------------------------------------------------------------------

let first = true;

function onSnapshot(data) {
  state.branch = data.branch;
  state.services = data.services;
  const calls = data.recent_calls.map(callFrom).sort((a, b) => b.seq - a.seq);
  if (first) {
    // What was called before this screen started is shown, not announced again.
    first = false;
    state.calls = calls;
    state.shownSeq = calls.length ? calls[0].seq : 0;
  } else {
    // A resync: the server's recent calls replace ours. Calls this screen has not shown are
    // announced if they still hold: their ticket is still at the counter that called it (the
    // events in between, a finish or the next call, were not heard).
    const atCounter = new Map((data.counters || []).map((c) => [c.id, c.current_ticket?.id ?? null]));
    const holds = (c) => c.counterId == null || !atCounter.has(c.counterId) || atCounter.get(c.counterId) === c.id;
    state.calls = calls;
    dropQueued((c) => !calls.some((x) => x.seq === c.seq), "resync");
    dropQueued((c) => !holds(c), "ended");
    for (const c of [...calls].reverse()) {
      if (c.seq <= state.shownSeq || state.queue.some((q) => q.seq === c.seq)) continue;
      if (holds(c)) enqueue(c);
      else state.dropped.push({ code: c.code, counter: c.counter, recall: c.recall, reason: "ended" });
    }
  }
  renderBranch();
  if (!state.playing) renderLatest(historyRows()[0]);
  renderHistory();
  renderWaiting();
}

function onEvent(ev) {
  if (ev.type === "ticket.called" || ev.type === "ticket.recalled") enqueue(callFrom(ev));
  if (ENDED.has(ev.type)) onTicketEnded(ev);
  if (ev.type === "branch.changed" && ev.data.branch) {
    state.branch = { ...state.branch, ...ev.data.branch };
    renderBranch();
    if (state.current) renderLatest(state.current);
    renderHistory();
  }
  if (QUEUE_EVENTS.has(ev.type)) refreshServicesSoon();
}

function refreshServicesSoon(delay = 300) {
  // Waiting counts come from the server (exact after transfers and cancels); a burst of
  // events costs one request.
  if (servicesTimer) return;
  servicesTimer = setTimeout(async () => {
    servicesTimer = null;
    try {
      state.services = await api.get(
        `/api/v1/branches/${encodeURIComponent(state.branch.code)}/services`,
      );
      renderWaiting();
    } catch (err) {
      if (!(err instanceof ApiError)) console.error(err);
    }
  }, delay);
}

function onStatus(status) {
  const offline = status === "offline" || status === "unauthorized";
  $("offline-marker").hidden = !offline;
  document.body.dataset.connection = status;
  if (status === "unauthorized") checkStillPaired();
  if (status === "open" && state.branch) refreshServicesSoon(0);
}

async function start(token) {
  api.setToken(token);
  let me;
  try {
    me = await api.get("/api/v1/auth/me");
  } catch (err) {
    if (err instanceof ApiError && err.offline) {
      setTimeout(() => start(token), 3000);
      return;
    }
    localStorage.removeItem(STORE_KEY);
    showPair("pair_invalid");
    return;
  }
  if (!SCREEN_ROLES.has(me.role)) {
    // A kiosk's or a teller's token would sign in, then fail in odd ways: say what it is.
    localStorage.removeItem(STORE_KEY);
    showPair(wrongTokenKey(me.role), "pair_need_display");
    return;
  }
  localStorage.setItem(STORE_KEY, token);
  $("view-pair").hidden = true;
  $("board").hidden = false;
  stream = new EventStream({ branch: me.branch, token, onSnapshot, onEvent, onStatus });
  stream.start();
  window.sira.stream = stream;
  setInterval(tick, 1000);
}

function wrongTokenKey(role) {
  if (role === "kiosk" || role === "agent") return `token_is_${role}`;
  return "token_is_staff";
}

/** The pairing screen: a code to enter in Settings (and its QR), the manual token form as a
 * fallback; `errorKeys` say why we are here (a refused or revoked token). */
function showPair(...errorKeys) {
  i18n.apply();
  $("board").hidden = true;
  $("view-pair").hidden = false;
  showPairingScreen({
    kind: "display",
    t: (k) => i18n.t(k),
    errorKeys,
    storeKey: STORE_KEY,
    onPaired: start,
  });
}

/** The stream was refused (4401): if the token itself is dead (revoked), back to pairing. */
async function checkStillPaired() {
  try {
    await api.get("/api/v1/auth/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      stream?.stop();
      stream = null;
      api.setToken(null);
      localStorage.removeItem(STORE_KEY);
      showPair("pair_revoked");
    }
  }
}

$("pair-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("pair-token").value.trim();
  if (!token) return;
  stopPairingScreen();
  start(token);
});
new ResizeObserver(() => fitHistory()).observe($("history"));
document.fonts?.ready.then(() => fitHistory());
// A TV without the autoplay flag: the first touch or key press unlocks sound.
for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, () => (state.audioBlocked = false), { passive: true });
}

const token = params.token || localStorage.getItem(STORE_KEY);
if (token) start(token);
else showPair();
