// The call display (waiting-room TV): the latest call very large, recent calls, waiting per
// service, clock and the branch's message; a chime and the spoken call for each call.
// Fragment parameters: #token=DEVICE_TOKEN (stored for the next start), hold=S (seconds each
// call stays the featured one before the next queued call, default 6).

import { Api, ApiError, hashParams } from "/ui/api.js";
import { EventStream } from "/ui/events.js";
import { createI18n, formatTime } from "/ui/i18n.js";
import { STRINGS } from "./strings.js";

const STORE_KEY = "sira.display.token";
const CHIME_URL = "/api/v1/announcements/chime.wav";
const HISTORY_SIZE = 8;
const params = hashParams();
const HOLD_MS = (Number(params.hold) > 0 ? Number(params.hold) : 6) * 1000;
const CHIME_MAX_MS = 5000;
const SPEECH_MAX_MS = 15000;
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
  history: [], // [{seq, id, code, counter, recall}], newest first (what the screen shows)
  queue: [], // calls waiting to be announced, oldest first
  shownSeq: 0, // seq of the newest call placed on screen
  playing: false,
  audioBlocked: false,
  announced: [], // [{code, counter, recall, chime, speech}] for support and tests
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
    counter: d.counter?.label ?? "",
    recall: ev.type === "ticket.recalled",
    announcement: d.announcement || null,
  };
}

function renderLatest(call, { fresh = false } = {}) {
  $("latest-body").hidden = !call;
  $("latest-empty").hidden = Boolean(call);
  if (!call) return;
  $("latest-code").textContent = call.code;
  $("latest-counter").textContent = call.counter;
  $("recall-cue").hidden = !call.recall;
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

function renderHistory() {
  const items = state.history.slice(0, HISTORY_SIZE).map((c, i) => {
    const li = document.createElement("li");
    li.className = `history-item${i === 0 ? " current" : ""}${c.recall ? " recall" : ""}`;
    li.dataset.testid = "history-item";
    li.dataset.code = c.code;
    li.dataset.counter = c.counter;
    const code = Object.assign(document.createElement("span"), {
      className: "h-code num",
      textContent: c.code,
    });
    const counter = Object.assign(document.createElement("span"), { className: "h-counter" });
    const label = Object.assign(document.createElement("span"), {
      className: "h-label",
      textContent: i18n.t("counter"),
    });
    const num = Object.assign(document.createElement("span"), {
      className: "num",
      textContent: c.counter,
    });
    counter.append(label, " ", num);
    li.append(code, counter);
    return li;
  });
  $("history").replaceChildren(...items);
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
}

function renderBranch() {
  const b = state.branch;
  i18n.setLang(b.default_lang);
  i18n.apply();
  document.title = `${i18n.t("doc_title")} · ${b.name}`;
  $("branch-name").textContent = b.name;
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
  state.announced.push(record);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function drain() {
  if (state.playing) return;
  state.playing = true;
  try {
    while (state.queue.length) {
      const call = state.queue.shift();
      show(call);
      await Promise.all([announce(call), sleep(HOLD_MS)]);
    }
  } finally {
    state.playing = false;
  }
}

function show(call) {
  state.shownSeq = Math.max(state.shownSeq, call.seq);
  state.history = [call, ...state.history.filter((c) => c.id !== call.id)];
  renderLatest(call, { fresh: true });
  renderHistory();
}

function enqueue(call) {
  if (call.seq <= state.shownSeq || state.queue.some((c) => c.seq === call.seq)) return;
  state.queue.push(call);
  state.queue.sort((a, b) => a.seq - b.seq);
  drain();
}

// --- data -------------------------------------------------------------------------------------

let first = true;

function onSnapshot(data) {
  state.branch = data.branch;
  state.services = data.services;
  const calls = [];
  for (const ev of data.recent_calls) {
    const c = callFrom(ev);
    if (!calls.some((x) => x.id === c.id)) calls.push(c);
  }
  if (first) {
    // What was called before this screen started is shown, not announced again.
    first = false;
    state.history = calls;
    state.shownSeq = calls.length ? calls[0].seq : 0;
  } else {
    // A resync: calls this screen has not shown yet are announced, the rest match the server.
    state.history = calls.filter((c) => c.seq <= state.shownSeq);
    state.queue = state.queue.filter((c) => calls.some((x) => x.seq === c.seq));
    for (const c of [...calls].reverse()) if (c.seq > state.shownSeq) enqueue(c);
  }
  renderBranch();
  if (!state.playing) renderLatest(state.history[0]);
  renderHistory();
  renderWaiting();
}

function onEvent(ev) {
  if (ev.type === "ticket.called" || ev.type === "ticket.recalled") enqueue(callFrom(ev));
  if (ev.type === "branch.changed" && ev.data.branch) {
    state.branch = { ...state.branch, ...ev.data.branch };
    renderBranch();
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
  if (status === "open" && state.branch) refreshServicesSoon(0);
}

async function start(token) {
  api.setToken(token);
  try {
    const me = await api.get("/api/v1/auth/me");
    localStorage.setItem(STORE_KEY, token);
    $("view-pair").hidden = true;
    $("board").hidden = false;
    stream = new EventStream({ branch: me.branch, token, onSnapshot, onEvent, onStatus });
    stream.start();
    window.sira.stream = stream;
    setInterval(tick, 1000);
  } catch (err) {
    if (err instanceof ApiError && err.offline) {
      setTimeout(() => start(token), 3000);
      return;
    }
    localStorage.removeItem(STORE_KEY);
    showPair(true);
  }
}

function showPair(error = false) {
  i18n.apply();
  $("board").hidden = true;
  $("view-pair").hidden = false;
  $("pair-error").hidden = !error;
}

$("pair-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("pair-token").value.trim();
  if (token) start(token);
});
// A TV without the autoplay flag: the first touch or key press unlocks sound.
for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, () => (state.audioBlocked = false), { passive: true });
}

const token = params.token || localStorage.getItem(STORE_KEY);
if (token) start(token);
else showPair();
