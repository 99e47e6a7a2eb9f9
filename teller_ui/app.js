/**
 * teller_ui/app.js — the counter console: sign in, choose a counter (held in the teller's
 * name), call and serve customers, follow the queue live, and leave the counter paused or
 * closed on sign-out. The parts live beside it: picker.js (choosing a counter), card.js (the
 * console's drawing), calls.js (calling), queue.js (who is waiting), transfer.js, recovery.js;
 * shared.js holds the state.
 */

import { ApiError } from "/ui/api.js";
import { EventStream } from "/ui/events.js";
import { mountLangPicker } from "/ui/langpick.js";
import { askNewPassword } from "/ui/password.js";
import { $, el, StaffSession } from "/ui/staff.js";
import { callChosen, callNext, clearUndo, markNoShow } from "./calls.js";
import { renderCard, renderControls, renderLive, rescueFocus } from "./card.js";
import { store, t, translatePage } from "./i18n.js";
import { renderPicker } from "./picker.js";
import { initWaiting, refreshWaiting, renderCounts, renderWaiting } from "./queue.js";
import { submitRecovery } from "./recovery.js";
import {
  act,
  api,
  ask,
  clearError,
  clearNotice,
  counterTitle,
  holderName,
  hooks,
  isMe,
  setCounter,
  showError,
  showNotice,
  state,
  toast,
  updateCurrent,
} from "./shared.js";
import { openTransfer } from "./transfer.js";

const session = new StaffSession("sira.staff");
const COUNTER_KEY = "sira.teller.counter";
const PAUSE_REASONS = ["reason_break", "reason_lunch", "reason_cash", "reason_backoffice", "reason_meeting"];
// How often the waiting list's waits are redrawn (they grow while nobody is called).
const WAITS_REDRAW_MS = 15_000;
let langPicker = null; // the language picker in the top bar (wire)

function show(view) {
  for (const id of ["view-login", "view-pick", "view-console"]) $(id).hidden = id !== view;
  $("topbar-info").hidden = view !== "view-console";
  $("sign-out").hidden = view === "view-login";
}

// ------------------------------------------------------------------------------ the session

async function signIn(event) {
  event.preventDefault();
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  if (!username || !password) {
    (username ? $("login-password") : $("login-username")).focus();
    return;
  }
  const submit = $("login-submit");
  submit.disabled = true;
  submit.textContent = t("signing_in");
  try {
    // The login answer says whether a temporary password must be replaced first.
    let login = null;
    const post = async (path, body) => (login = await api.post(path, body));
    state.session = await session.signIn({ post }, username, password);
    $("login-password").value = "";
    clearError();
    if (login?.must_change_password) {
      api.setToken(state.session.token);
      if (!(await askNewPassword({ api, t, current: password, username: state.session.username }))) {
        await signOut();
        return;
      }
    }
    await afterSignIn();
  } catch (err) {
    showError(err, t("login_failed"));
  } finally {
    submit.disabled = false;
    submit.textContent = t("sign_in");
  }
}

/** The counter this teller holds (open or paused), if any: sign-out asks what becomes of it. */
function heldCounter() {
  const mine = (c) => c && c.state !== "closed" && isMe(c.held_by);
  if (mine(state.counter)) return state.counter;
  return (state.snapshot?.counters || []).find(mine) || null;
}

/** Ask what becomes of the counter being left ("pause" | "close"), or null when cancelled.
 * `purpose` "signout" | "leave" picks the dialog's title and button. */
async function askLeave(held, purpose) {
  $("signout-title").textContent = t(`${purpose}_title`);
  $("signout-confirm").textContent = t(`${purpose}_confirm`);
  $("signout-lead").textContent = t("signout_lead", { counter: counterTitle(held.label) });
  $("signout-busy").hidden = !held.current_ticket;
  $("signout-pause").checked = true;
  if ((await ask($("signout-dialog"))) !== "signout") return null;
  return $("signout-close").checked ? "close" : "pause";
}

async function requestSignOut() {
  const held = heldCounter();
  if (!held) return signOut();
  const counter = await askLeave(held, "signout");
  if (counter) return signOut(counter);
}

/** Sign out; `counter` ("pause" | "close") says what becomes of the counter held. */
async function signOut(counter = null) {
  leaveCounter();
  // StaffSession posts the logout and forgets the session; this adapter adds the body.
  await session.signOut({ post: (path) => api.post(path, counter ? { counter } : undefined) });
  Object.assign(state, { session: null, me: null, branch: null, snapshot: null });
  $("who").textContent = "";
  show("view-login");
  $("login-username").focus();
}

async function afterSignIn() {
  api.setToken(state.session.token);
  $("who").textContent = t("signed_in_as", { user: state.session.username });
  state.branch = state.session.branch;
  // Who "me" is, to tell my counters from a colleague's (by user id; the username if unknown).
  state.me = await api.get("/api/v1/auth/me").catch((err) => {
    if (err instanceof ApiError && err.status === 401) throw err;
    return null;
  });
  // The language this person chose last time (on any machine), unless they just chose one.
  if (langPicker.adopt(state.me)) applyLanguage();
  // A reloaded page whose temporary password is still to be replaced (the current one asked).
  if (state.me?.must_change_password && !(await askNewPassword({ api, t, username: state.session.username }))) {
    await signOut();
    return;
  }
  if (!state.branch) {
    // An administrator belongs to no branch: work in the first one.
    const branches = await api.get("/api/v1/admin/branches");
    state.branch = branches[0]?.code;
  }
  await refreshSnapshot();
  const stored = Number(sessionStorage.getItem(COUNTER_KEY));
  const counter = state.snapshot.counters.find((c) => c.id === stored);
  if (counter && counter.state !== "closed" && isMe(counter.held_by)) {
    enterConsole(counter);
    return;
  }
  if (counter?.held_by) {
    showNotice(t("counter_lost", { name: holderName(counter.held_by), counter: counterTitle(counter.label) }));
  }
  showPicker();
}

function handleAuthFailure(err) {
  if (err instanceof ApiError && err.status === 401 && state.session) {
    signOut();
    showError(err, t("login_failed"));
    return true;
  }
  return false;
}

// --------------------------------------------------------------------------- counter choice

function showPicker() {
  leaveCounter();
  renderPicker(enterConsole);
  show("view-pick");
}

function leaveCounter() {
  stopStream();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  clearUndo();
  Object.assign(state, { counter: null, counterId: null, queue: null, lastCall: null });
  sessionStorage.removeItem(COUNTER_KEY);
}

/** Our counter went to a colleague (or was closed): say so at once and go back to the picker. */
function loseCounter(message) {
  showNotice(message);
  showPicker();
  refreshSnapshot()
    .then(() => {
      if (!$("view-pick").hidden) renderPicker(enterConsole);
    })
    .catch(() => {});
}

// ---------------------------------------------------------------------------------- console

function enterConsole(counter) {
  state.counterId = counter.id;
  state.counter = counter;
  state.nobodyWaiting = false;
  state.queue = null;
  sessionStorage.setItem(COUNTER_KEY, String(counter.id));
  show("view-console");
  startStream();
  render();
  refreshWaiting().catch(() => {});
  $("call-next").focus();
}

function startStream() {
  stopStream();
  state.stream = new EventStream({
    branch: state.branch,
    token: state.session.token,
    onSnapshot: (data) => applySnapshot(data),
    onEvent: (ev) => onEvent(ev),
    onStatus: (status) => {
      state.live = status;
      renderLive();
    },
  });
  state.stream.start();
}

function stopStream() {
  if (state.stream) state.stream.stop();
  state.stream = null;
}

let refreshTimer = null;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshSnapshot().catch(() => {});
    refreshWaiting().catch((err) => handleAuthFailure(err));
  }, 200);
}

async function refreshSnapshot() {
  const asked = state.counterId;
  const acted = state.acted || 0;
  try {
    const res = await api.get(`/api/v1/branches/${encodeURIComponent(state.branch)}/snapshot`);
    // A snapshot asked for before we chose this counter may still show its former holder,
    // and one asked for before our last action answered, the counter as it was before it
    // (its refresh, asked after, brings the counter).
    const fresh = asked === state.counterId && acted === (state.acted || 0) && !state.busy;
    applySnapshot(res.data, { followCounter: fresh });
  } catch (err) {
    if (!handleAuthFailure(err)) throw err;
  }
}

function applySnapshot(data, { followCounter = true } = {}) {
  state.snapshot = data;
  const mine = data.counters.find((c) => c.id === state.counterId);
  if (mine && followCounter && !follow(mine)) return;
  if (!$("view-console").hidden) render();
}

function onEvent(ev) {
  if (ev.type === "counter.changed" && ev.data?.counter?.id === state.counterId) {
    if (!follow(ev.data.counter, ev.data.taken_over_from)) return;
    render();
  }
  // Counts, counters and the waiting list are read fresh: simple and always consistent.
  scheduleRefresh();
}

/** Take the server's word on our counter; false when it is ours no more (then we left it). */
function follow(counter, takenFrom = null) {
  const lostTo = counter.held_by && !isMe(counter.held_by) ? counter.held_by : null;
  if (lostTo || isMe(takenFrom)) {
    const name = holderName(lostTo);
    loseCounter(t("counter_lost", { name, counter: counterTitle(counter.label) }));
    return false;
  }
  // Closed by someone else (a manager); our own Close is an action in progress (busy).
  if (counter.state === "closed" && !state.busy) {
    loseCounter(t("counter_closed_msg", { counter: counterTitle(counter.label) }));
    return false;
  }
  setCounter(counter);
  return true;
}

function render() {
  if (!state.counter) return;
  renderCard();
  renderCounts();
  renderWaiting();
  rescueFocus();
}

// ---------------------------------------------------------------------------------- actions

function ticketOp(op, okKey) {
  const ticket = state.counter?.current_ticket;
  if (!ticket) return;
  return act(async () => {
    const res = await api.post(`/api/v1/tickets/${ticket.id}/${op}`);
    updateCurrent(res.ticket);
    if (okKey) toast(t(okKey, { code: ticket.code }));
    scheduleRefresh();
  });
}

// A new paper ticket for the current customer (lost or unreadable), on the kiosk that issued it.
function reprint() {
  const ticket = state.counter?.current_ticket;
  if (!ticket) return;
  return act(async () => {
    const res = await api.post(`/api/v1/tickets/${ticket.id}/reprint`);
    const vars = { code: ticket.code, reason: res.print_error || "" };
    const key = { printed: "reprint_ok", queued: "reprint_queued" }[res.print_status] || "reprint_failed";
    toast(t(key, vars));
  });
}

function recall() {
  if ($("recall").disabled) return;
  return act(async () => {
    const res = await api.post(`/api/v1/counters/${state.counterId}/recall`);
    updateCurrent(res.ticket);
  });
}

function openPause() {
  if ($("pause").disabled) return;
  $("pause-reason").value = "";
  $("pause-choices").replaceChildren(
    ...PAUSE_REASONS.map((key) =>
      el("button", {
        type: "button",
        class: "chip",
        "data-testid": `pause-choice-${key.replace("reason_", "")}`,
        text: t(key),
        onclick: () => {
          $("pause-reason").value = t(key);
          $("pause-confirm").focus();
        },
      }),
    ),
  );
  $("pause-dialog").returnValue = "";
  $("pause-dialog").showModal();
  $("pause-reason").focus();
}

function onPauseClosed() {
  if ($("pause-dialog").returnValue !== "pause") return;
  const reason = $("pause-reason").value.trim() || t("reason_break");
  act(async () => {
    const counter = await api.post(`/api/v1/counters/${state.counterId}/pause`, { reason });
    setCounter(counter);
    toast(t("paused_ok"));
  });
}

function resume() {
  return act(async () => {
    const counter = await api.post(`/api/v1/counters/${state.counterId}/resume`);
    setCounter(counter);
    toast(t("resumed_ok"));
    $("call-next").focus();
  });
}

function closeCounter() {
  const name = counterTitle(state.counter.label);
  return act(async () => {
    await api.post(`/api/v1/counters/${state.counterId}/close`);
    toast(t("closed_ok", { counter: name }));
    leaveCounter();
    await refreshSnapshot();
    showPicker();
  });
}

/** Walk away from this counter to pick another: it is paused (or closed) and held by nobody,
 * so it stops counting as open and a colleague can open it. */
async function changeCounter() {
  clearError();
  const held = heldCounter();
  if (held?.current_ticket) {
    // Not while a customer is here: the server says what to do first, in words.
    await act(() => api.post(`/api/v1/counters/${held.id}/leave`, { counter: "pause" }));
    return;
  }
  if (held) {
    const counter = await askLeave(held, "leave");
    if (!counter) return;
    let left = false;
    await act(async () => {
      await api.post(`/api/v1/counters/${held.id}/leave`, { counter });
      left = true;
    });
    if (!left) return;
  }
  leaveCounter();
  try {
    await refreshSnapshot();
  } catch (err) {
    showError(err);
  }
  showPicker();
}

// ------------------------------------------------------------------------------- keyboard

/** N: call next, but never finish a called customer as served unasked: offer the choice. */
function callKey() {
  if (state.counter?.current_ticket?.status !== "called") return callNext();
  const pair = $("call-pair");
  pair.classList.remove("is-asking");
  void pair.offsetWidth; // restart the highlight
  pair.classList.add("is-asking");
  $("call-next-done").focus();
}

const KEYS = {
  n: { run: callKey, ok: () => !state.busy && state.counter?.state === "open" },
  r: { run: recall, ok: () => !$("recall").disabled },
  s: { run: () => ticketOp("serve"), ok: () => !$("serve").disabled },
  f: { run: () => ticketOp("finish", "done_ok"), ok: () => !$("finish").disabled },
};

function onKey(event) {
  if ($("view-console").hidden || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest?.("input, textarea, select, [contenteditable], dialog")) return;
  if (document.querySelector("dialog[open]")) return;
  const key = KEYS[event.key.toLowerCase()];
  if (!key) return;
  event.preventDefault();
  if (key.ok()) key.run();
}

// ---------------------------------------------------------------------------------- start

function applyLanguage() {
  translatePage();
  langPicker.sync();
  document.title = `Sira — ${t("app_title")}`;
  if (state.session) $("who").textContent = t("signed_in_as", { user: state.session.username });
  if (!$("view-pick").hidden) renderPicker(enterConsole);
  if (state.counter && !$("view-console").hidden) render();
}

function wire() {
  Object.assign(hooks, { render, renderControls, refresh: scheduleRefresh, authFailure: handleAuthFailure });
  initWaiting({ call: callChosen });
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", requestSignOut);
  langPicker = mountLangPicker($("lang-pick"), store, {
    onChange: applyLanguage,
    api,
    signedIn: () => Boolean(state.session),
  });
  $("error-dismiss").addEventListener("click", clearError);
  $("notice-dismiss").addEventListener("click", clearNotice);
  $("call-next").addEventListener("click", () => callNext());
  $("call-next-done").addEventListener("click", () => callNext({ previous: "done" }));
  $("call-next-no-show").addEventListener("click", () => callNext({ previous: "no_show" }));
  $("call-pair").addEventListener("animationend", () => $("call-pair").classList.remove("is-asking"));
  $("recall").addEventListener("click", recall);
  $("serve").addEventListener("click", () => ticketOp("serve"));
  $("finish").addEventListener("click", () => ticketOp("finish", "done_ok"));
  $("no-show").addEventListener("click", markNoShow);
  $("transfer").addEventListener("click", openTransfer);
  $("reprint").addEventListener("click", reprint);
  $("pause").addEventListener("click", openPause);
  $("pause-dialog").addEventListener("close", onPauseClosed);
  $("resume").addEventListener("click", resume);
  $("close-counter").addEventListener("click", closeCounter);
  $("change-counter").addEventListener("click", changeCounter);
  $("recovery-submit").addEventListener("click", submitRecovery);
  document.addEventListener("keydown", onKey);
  setInterval(() => {
    if (state.counterId && state.queue) renderWaiting();
  }, WAITS_REDRAW_MS);
}

async function start() {
  wire();
  applyLanguage();
  state.session = session.load();
  if (!state.session) {
    show("view-login");
    $("login-username").focus();
    return;
  }
  try {
    await afterSignIn();
  } catch (err) {
    if (!handleAuthFailure(err)) {
      show("view-login");
      showError(err);
    }
  }
}

start();
