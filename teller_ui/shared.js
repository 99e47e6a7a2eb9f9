/**
 * teller_ui/shared.js — what the parts of the console share: the API client, the one state
 * object, feedback (toasts, the error and notice banners, modal questions), how services,
 * counters, people and languages are named, and `act`, which runs one teller action at a time.
 *
 * app.js fills `hooks` at start: the parts redraw and refresh the console through them
 * instead of importing app.js (no import cycle).
 */

import { Api, ApiError } from "/ui/api.js";
import { LANG_NAMES } from "/ui/i18n.js";
import { $, el } from "/ui/staff.js";
import { counterName } from "/ui/words.js";
import { getLang, t } from "./i18n.js";

export const api = new Api();

export const state = {
  session: null, // {token, role, branch, username}
  me: null, // GET /auth/me: {user_id, name, ...}
  branch: null,
  snapshot: null, // snapshot data: {branch, services, counters, ...}
  counterId: null,
  counter: null, // CounterPublic: {id, label, state, services, held_by, current_ticket, ...}
  queue: null, // GET /counters/{id}/queue: {mine, others, truncated}
  queueAt: 0, // when `queue` was read (Date.now()): waits shown grow from there
  nobodyWaiting: false,
  busy: false,
  calling: false,
  stream: null,
  live: "connecting",
  recoveryActions: new Set(),
  lastCall: null, // call payload of the current ticket (waited_s, standard_wait_s)
};

export const hooks = {
  render: () => {}, // the whole console
  renderControls: () => {}, // its buttons only (enabled or not)
  refresh: () => {}, // snapshot and waiting list, debounced
  authFailure: () => false, // true when the error was a lapsed session (handled)
};

// ------------------------------------------------------------------------------ feedback

/** A short message at the bottom of the screen, for a few seconds. */
export function toast(message) {
  const node = el("div", { class: "toast", role: "status", text: message });
  $("toasts").append(node);
  setTimeout(() => node.remove(), 4000);
}

export function showError(err, prefix = t("error_prefix")) {
  const detail = err instanceof ApiError ? err.detail : String(err?.message || err);
  $("error-text").textContent = prefix ? `${prefix} ${detail}` : detail;
  $("error").hidden = false;
}

export function clearError() {
  $("error").hidden = true;
}

/** A message that stays until dismissed (the counter was taken over, or closed). */
export function showNotice(message) {
  $("notice-text").textContent = message;
  $("notice").hidden = false;
}

export function clearNotice() {
  $("notice").hidden = true;
}

/**
 * Redraw the inside of `container` with `draw()`, then focus again the element that had the
 * focus (found by its data-testid): a redraw must not throw a keyboard user out.
 */
export function keepingFocus(container, draw) {
  const focused = document.activeElement?.closest?.("[data-testid]");
  const testid = container.contains(focused) ? focused.dataset.testid : null;
  draw();
  if (testid) container.querySelector(`[data-testid="${testid}"]`)?.focus();
}

/** Show a modal <dialog>; resolves with the value of the button that closed it ("" for Esc). */
export function ask(dialog) {
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
    dialog.showModal();
  });
}

// --------------------------------------------------------------------------------- names

export function serviceRow(code) {
  return state.snapshot?.services.find((s) => s.code === code) || null;
}

export function serviceName(code) {
  const row = serviceRow(code);
  if (!row) return code;
  return row.names?.[getLang()] || row.name || code;
}

/** "A · Cash and deposits" */
export function serviceTitle(code) {
  return `${code} · ${serviceName(code)}`;
}

/** "Counter 3" for a bare label, "Gişe 1" as it is (one rule on every screen). */
export function counterTitle(label) {
  return counterName(label, t("counter_n", { label: "{label}" }));
}

/** A language's own name ("Türkçe"), or its code when the console does not know it. */
export function langName(code) {
  const text = String(code || "");
  return LANG_NAMES[text] || LANG_NAMES[text.split("-")[0]] || text;
}

export function holderName(held) {
  return held?.name || held?.username || t("someone");
}

/** Whether `held` (a counter's held_by) is the person signed in here. */
export function isMe(held) {
  if (!held) return false;
  if (state.me?.user_id != null) return held.id === state.me.user_id;
  return held.username === state.session?.username;
}

export function seconds(a, b) {
  return Math.max(0, Math.round((new Date(b) - new Date(a)) / 1000));
}

// ------------------------------------------------------------------------- the counter

/** Take a fresh copy of our counter; a new customer at it resets what belonged to the last. */
export function setCounter(counter) {
  const before = state.counter?.current_ticket?.id;
  state.counter = counter;
  if (counter.current_ticket?.id !== before) {
    state.recoveryActions = new Set();
    if (state.lastCall && state.lastCall.ticket.id !== counter.current_ticket?.id) state.lastCall = null;
  }
  if (counter.current_ticket) state.nobodyWaiting = false;
}

/** The ticket an action answered with: at the counter still (called, serving) or gone. */
export function updateCurrent(ticket) {
  const c = { ...state.counter };
  const atCounter = ticket && (ticket.status === "called" || ticket.status === "serving");
  c.current_ticket = atCounter ? ticket : null;
  setCounter(c);
}

/** Run one teller action: one at a time, buttons disabled meanwhile, errors shown. */
export async function act(fn, { calling = false } = {}) {
  if (state.busy) return;
  state.busy = true;
  state.calling = calling;
  hooks.renderControls();
  try {
    await fn();
    clearError();
  } catch (err) {
    if (!hooks.authFailure(err)) showError(err);
    hooks.refresh();
  } finally {
    // A snapshot asked for before this action answered may still show our counter as it
    // was (the customer just finished as the one at it): it must not undo the answer.
    state.acted = (state.acted || 0) + 1;
    state.busy = false;
    state.calling = false;
    if (state.counter) hooks.render();
  }
}
