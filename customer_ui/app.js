// The customer's phone page (/t/{token}, from the ticket's QR code): live place in the queue,
// "it's your turn: counter 3" with a buzz and a tone, then "How was everything?".
// Polls the ticket every few seconds (#poll=S to change; default 4): the page has no event
// stream of its own, so each state is drawn from the answer alone, whole (a transferred ticket
// never keeps a counter from the state before).

import { Api, ApiError, hashParams } from "/ui/api.js";
import { createI18n } from "/ui/i18n.js";
import { createPlural } from "/ui/plural.js";
import { fillWait } from "/ui/wait.js";
import { counterName } from "/ui/words.js";
import { PLURALS, STRINGS } from "./strings.js";

const FACES = {
  1: "M16 34c2-4 5-6 8-6s6 2 8 6",
  2: "M17 33c2-2 4-3 7-3s5 1 7 3",
  3: "M17 31h14",
  4: "M17 29c2 2 4 3 7 3s5-1 7-3",
  5: "M16 28c2 4 5 6 8 6s6-2 8-6",
};
const FINAL = new Set(["no_show", "cancelled"]);
const params = hashParams();
const POLL_MS = (Number(params.poll) > 0 ? Number(params.poll) : 4) * 1000;

const $ = (id) => document.getElementById(id);
const i18n = createI18n(STRINGS);
const plural = createPlural(PLURALS, i18n);
const api = new Api({ timeoutMs: 8000 });
const token = decodeURIComponent(
  location.pathname.match(/\/t\/([^/]+)/)?.[1] || new URLSearchParams(location.search).get("t") || "",
);
const state = { ticket: null, score: null, alertedAt: null, feedbackDone: false, sending: false };
let pollTimer = null;
// What screen readers were last told of the ticket (null until its first drawing).
const spoken = { key: null, timer: 0 };

window.sira = { i18n, state };

function buildFaces() {
  const faces = Object.entries(FACES).map(([score, mouth]) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "face";
    b.dataset.score = score;
    b.dataset.testid = `feedback-score-${score}`;
    b.setAttribute("aria-pressed", "false");
    b.innerHTML = `<svg viewBox="0 0 48 48" aria-hidden="true"><circle cx="24" cy="24" r="21" fill="currentColor" opacity=".16"/><circle cx="24" cy="24" r="21" fill="none" stroke="currentColor" stroke-width="3"/><circle cx="17" cy="19" r="2.6" fill="currentColor"/><circle cx="31" cy="19" r="2.6" fill="currentColor"/><path d="${mouth}" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"/></svg><span class="face-label"></span>`;
    return b;
  });
  $("faces").replaceChildren(...faces);
}

function renderFaceLabels() {
  for (const b of document.querySelectorAll(".face")) {
    const label = i18n.t(`score_${b.dataset.score}`);
    b.querySelector(".face-label").textContent = label;
    b.setAttribute("aria-label", `${b.dataset.score} – ${label}`);
  }
  fitFaces();
}

/** Five faces across while every label's words fit its face; else a list, a face and its
 * words on each row (Polish or Greek on a narrow phone, any language zoomed in): a word is
 * never cut in two nor the row wider than the screen. */
function fitFaces() {
  const faces = $("faces");
  if (!faces.offsetWidth) return; // hidden: fitted when shown
  faces.classList.remove("faces-list");
  const tight =
    faces.scrollWidth > faces.clientWidth + 1 ||
    [...faces.children].some((f) => f.scrollWidth > f.clientWidth + 1);
  faces.classList.toggle("faces-list", tight);
}

let fitFrame = 0;
function refitFaces() {
  cancelAnimationFrame(fitFrame);
  fitFrame = requestAnimationFrame(fitFaces);
}

/** Tell screen readers what changed, through a live region that is always on the page (one
 * that appears with its words is not read reliably); emptied first, then filled a moment
 * later, so the same words (a second call) are read again. */
function announce(text, { urgent = false } = {}) {
  clearTimeout(spoken.timer);
  $("live").textContent = "";
  $("live-alert").textContent = "";
  spoken.timer = setTimeout(() => {
    $(urgent ? "live-alert" : "live").textContent = text;
  }, 100);
}

/** What the ticket's state says, once drawn: [key (changes when there is news), the words,
 * urgent]. A call (and a recall) interrupts; the rest waits its turn. */
function news(t) {
  const sentences = (...parts) => parts.filter(Boolean).join(". ");
  const text = (id) => $(id).textContent;
  switch (t.status) {
    case "waiting":
    case "transferred": {
      // News when the place moves or a counter starts (or stops) serving the queue; not
      // each time the quote is worded again.
      const place = sentences(
        `${i18n.t("position_label")}: ${t.position ?? "–"}`,
        text("ahead"),
        `${i18n.t("wait_label")}: ${text("wait")}`,
      );
      const moved = t.status === "transferred" ? `${text("note")} ` : "";
      return [`${t.status}|${t.service}|${t.position}|${t.served_now !== false}`, moved + place];
    }
    case "called":
      return [
        `called|${t.called_at}|${t.recall_count ?? 0}|${t.counter}`,
        sentences(i18n.t("your_turn"), `${text("turn-lead")} ${text("turn-counter")}`.trim()),
        true,
      ];
    case "serving":
      return [`serving|${t.counter}`, `${text("serving-lead")} ${text("serving-counter")}`.trim()];
    case "done":
      return [
        "done",
        sentences(i18n.t("status_done"), $("feedback").hidden ? "" : i18n.t("rate_below")),
      ];
    default:
      return [t.status, sentences(i18n.t(`status_${t.status}`), text("note"))];
  }
}

function alertTurn() {
  // Buzz and a short two-tone where the phone allows (some need a touch on the page first).
  try {
    navigator.vibrate?.([300, 150, 300, 150, 500]);
  } catch {
    /* not allowed */
  }
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const now = ctx.currentTime;
    [880, 1175].forEach((hz, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, now + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.35 + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + i * 0.35);
      osc.stop(now + i * 0.35 + 0.32);
    });
    setTimeout(() => ctx.close(), 1200);
  } catch {
    /* no audio */
  }
}

/** The counter as the branch names it: "Counter 3", or "Gişe 1" as it is; its last two
 * words joined by a no-break space, so a number never wraps away from its word. */
function counterLabel(label) {
  return label ? counterName(label, i18n.t("counter_name")).replace(/\s+(?=\S+$)/u, "\u00a0") : "";
}

/** The ticket's service: its name when the server gives one, else "Service B" (kept on
 * one line). */
function serviceLabel(t) {
  if (t.service_name) return t.service_name;
  return t.service ? i18n.t("service_code", { code: t.service }).replace(/\s+(?=\S+$)/u, "\u00a0") : "";
}

function renderQueue(t) {
  const ahead = Math.max(0, (t.position || 1) - 1);
  $("position").textContent = String(t.position ?? "–");
  $("ahead").textContent = ahead === 0 ? i18n.t("position_next") : plural("people_ahead", ahead);
  const wait = $("wait");
  wait.dataset.level = t.served_now === false ? "unserved" : "";
  if (t.served_now === false) {
    // Nobody serves this now: no "any moment now", no quote that cannot hold.
    wait.textContent = i18n.t("wait_unserved");
  } else if (!t.estimated_wait_s && !t.estimated_wait_range_s) {
    // Next with a free counter. Next while every counter is busy still quotes a wait.
    wait.textContent = i18n.t("wait_soon");
  } else {
    // Worded as the kiosk and the paper word it (a range when given, "rough estimate" when
    // rough, on a line of its own); a number never wraps away from its unit.
    fillWait(wait, i18n.lang, t.estimated_wait_s, {
      range: t.estimated_wait_range_s ?? null,
      rough: Boolean(t.estimate_rough),
    });
  }
}

function render() {
  const t = state.ticket;
  $("loading").hidden = true;
  $("ticket").hidden = false;
  $("branch-name").textContent = t.branch?.name || "";
  $("code").textContent = t.code;
  const status = $("status");
  status.textContent = i18n.t(`status_${t.status}`);
  status.dataset.status = t.status;
  $("service-name").textContent = serviceLabel(t);
  $("priority").hidden = !t.priority;

  const queued = t.status === "waiting" || t.status === "transferred";
  $("queue").hidden = !queued;
  $("keep-open").hidden = !queued;
  if (queued) renderQueue(t);

  // A counter is named only while the ticket is at it: called, then being served.
  const called = t.status === "called";
  const serving = t.status === "serving";
  const counter = called || serving ? counterLabel(t.counter) : "";
  $("your-turn").hidden = !called;
  $("ticket").classList.toggle("is-called", called);
  $("turn-lead").textContent = i18n.t(counter ? "go_to" : "go_to_shown");
  $("turn-counter").textContent = called ? counter : "";
  $("turn-counter").hidden = !counter;
  $("serving").hidden = !serving;
  $("serving-lead").textContent = i18n.t(counter ? "serving_at" : "serving_now");
  $("serving-counter").textContent = serving ? counter : "";
  $("serving-counter").hidden = !counter;
  if (called) {
    // A new call or a recall: alert (again).
    const key = `${t.called_at}|${t.recall_count ?? 0}`;
    if (state.alertedAt !== key) {
      state.alertedAt = key;
      alertTurn();
    }
  }

  const note = $("note");
  note.dataset.kind = t.status;
  if (t.status === "transferred") {
    note.textContent = i18n.t("transferred_note", { service: serviceLabel(t) });
  } else if (t.status === "no_show" || t.status === "cancelled") {
    note.textContent = i18n.t(`${t.status}_note`);
  } else {
    note.textContent = "";
  }
  note.hidden = !note.textContent;
  const done = t.status === "done";
  const thanks = done && (t.feedback_given || state.feedbackDone);
  $("feedback").hidden = !done || thanks;
  $("feedback-thanks").hidden = !thanks;
  if (!$("feedback").hidden) fitFaces();

  // The page as first drawn is read as a page; every change after it is announced.
  const [key, words, urgent] = news(t);
  if (spoken.key !== null && key !== spoken.key) announce(words, { urgent });
  spoken.key = key;
}

async function poll() {
  clearTimeout(pollTimer);
  try {
    const t = await api.get(`/api/v1/tickets/by-token/${encodeURIComponent(token)}`);
    $("offline").hidden = true;
    if (!state.ticket || state.ticket.lang !== t.lang) {
      i18n.setLang(t.lang || "en");
      i18n.apply();
      document.title = `${i18n.t("doc_title")} ${t.code}`;
      renderFaceLabels();
    }
    state.ticket = t;
    render();
    // Nothing changes after a final state or once the feedback is in.
    if (FINAL.has(t.status) || (t.status === "done" && (t.feedback_given || state.feedbackDone))) {
      return;
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      $("loading").hidden = true;
      $("not-found").hidden = false;
      $("ticket").hidden = true;
      return;
    }
    if ($("offline").hidden) announce(i18n.t("offline"));
    $("offline").hidden = false;
  }
  pollTimer = setTimeout(poll, POLL_MS);
}

async function sendFeedback(e) {
  e.preventDefault();
  const err = $("feedback-error");
  if (!state.score) {
    err.textContent = i18n.t("choose_score");
    err.hidden = false;
    announce(err.textContent, { urgent: true });
    return;
  }
  if (state.sending) return;
  state.sending = true;
  $("feedback-submit").disabled = true;
  err.hidden = true;
  try {
    const comment = $("feedback-comment").value.trim();
    await api.post(`/api/v1/tickets/by-token/${encodeURIComponent(token)}/feedback`, {
      score: state.score,
      comment: comment || null,
    });
    state.feedbackDone = true;
  } catch (e2) {
    if (e2 instanceof ApiError && e2.status === 409) {
      state.feedbackDone = true; // already given (another tab): thank them all the same
    } else {
      err.textContent = i18n.t("send_failed");
      err.hidden = false;
      announce(err.textContent, { urgent: true });
    }
  } finally {
    state.sending = false;
    $("feedback-submit").disabled = false;
  }
  if (state.feedbackDone) {
    clearTimeout(pollTimer);
    render();
    // The form (and the button that had the focus) is gone: the focus goes to the thanks,
    // where a screen reader reads them.
    $("feedback-thanks").focus();
  }
}

buildFaces();
i18n.apply();
// Refit the faces when the page's width or their words' size changes (zoom, a turned
// phone, a user's text spacing or font), after the change is drawn.
const faceWatch = new ResizeObserver(refitFaces);
faceWatch.observe($("feedback-form"));
for (const label of document.querySelectorAll(".face-label")) faceWatch.observe(label);
document.fonts?.ready.then(fitFaces);
$("faces").addEventListener("click", (e) => {
  const b = e.target.closest(".face");
  if (!b) return;
  state.score = Number(b.dataset.score);
  for (const f of document.querySelectorAll(".face")) {
    f.setAttribute("aria-pressed", String(f === b));
  }
  $("feedback-error").hidden = true;
});
$("feedback-form").addEventListener("submit", sendFeedback);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.ticket) poll();
});
window.addEventListener("online", () => poll());
if (token) poll();
else {
  $("loading").hidden = true;
  $("not-found").hidden = false;
}
