/**
 * teller_ui/calls.js — calling customers: the next one (finishing whoever is at the counter
 * as served, or as a no-show), one chosen from the waiting list, one from another service
 * when nobody waits for this counter; and a no-show taken back within the minute.
 */

import { $, el } from "/ui/staff.js";
import { t } from "./i18n.js";
import { act, api, ask, hooks, showError, state, toast, updateCurrent } from "./shared.js";

// The server takes a no-show back for 5 minutes; the console offers it for about one.
const UNDO_MS = 60_000;

/** The counter's ticket the teller has called but not started serving, if any. */
function calledTicket() {
  const ticket = state.counter?.current_ticket;
  return ticket?.status === "called" ? ticket : null;
}

/** The answer of a call: the new customer at the counter, or nobody (204). */
function applyCall(res, { before, previous }) {
  if (res.status === 204) {
    state.nobodyWaiting = true;
    updateCurrent(null);
  } else {
    state.lastCall = res.data;
    updateCurrent(res.data.ticket);
    $("recovery-done").hidden = true;
    dropFromWaiting(res.data.ticket.id);
  }
  if (before && previous === "no_show") offerUndo(before);
  hooks.refresh();
}

/**
 * POST call-next. `previous`: what became of the customer at the counter ("done" or
 * "no_show"); `service`: call from a service this counter does not serve.
 */
export function callNext({ previous = "done", service = null } = {}) {
  if (!state.counter || state.counter.state !== "open") return;
  const before = state.counter.current_ticket;
  const body = {};
  if (previous !== "done") body.previous = previous;
  if (service) body.service = service;
  return act(
    async () => {
      const path = `/api/v1/counters/${state.counterId}/call-next`;
      const res = await api.requestFull("POST", path, Object.keys(body).length ? { body } : {});
      applyCall(res, { before, previous });
    },
    { calling: true },
  );
}

/** Call the ticket the teller chose from the waiting list (asking first about a called one). */
export async function callChosen(waiting) {
  if (state.busy) return;
  const before = calledTicket();
  let previous = "done";
  if (before) {
    previous = await askPrevious(before, waiting.ticket);
    if (!previous) return;
  }
  return act(
    async () => {
      const path = `/api/v1/counters/${state.counterId}/call`;
      const res = await api.requestFull("POST", path, { body: { ticket: waiting.ticket.id, previous } });
      applyCall(res, { before, previous });
    },
    { calling: true },
  );
}

/** The called ticket leaves the waiting list at once (the list is read again right after). */
function dropFromWaiting(ticketId) {
  const q = state.queue;
  if (!q) return;
  const keep = (w) => w.ticket.id !== ticketId;
  state.queue = { ...q, mine: q.mine.filter(keep), others: q.others.filter(keep) };
}

async function askPrevious(current, next) {
  const vars = { code: current.code, next: next.code };
  $("previous-title").textContent = t("previous_title", vars);
  $("previous-lead").textContent = t("previous_lead", vars);
  $("previous-done").textContent = t("previous_done", vars);
  $("previous-no-show").textContent = t("previous_no_show", vars);
  const answer = await ask($("previous-dialog"));
  return answer === "done" || answer === "no_show" ? answer : null;
}

/** The No-show button: the called customer never came. */
export function markNoShow() {
  const ticket = calledTicket();
  if (!ticket) return;
  return act(async () => {
    const res = await api.post(`/api/v1/tickets/${ticket.id}/no-show`);
    updateCurrent(res.ticket);
    offerUndo(ticket);
    hooks.refresh();
  });
}

/** Beside the call buttons, for a minute: "A012 marked as a no-show. [Undo]". */
function offerUndo(ticket) {
  const item = el(
    "p",
    { class: "undo-item", "data-testid": `undo-${ticket.code}-offer` },
    el("span", { text: t("no_show_ok", { code: ticket.code }) }),
    el("button", {
      type: "button",
      class: "btn btn-small",
      "aria-label": t("undo_label", { code: ticket.code }),
      "data-testid": `undo-${ticket.code}`,
      text: t("undo"),
      onclick: () => {
        item.remove();
        undoNoShow(ticket);
      },
    }),
  );
  $("undo-area").append(item);
  setTimeout(() => item.remove(), UNDO_MS);
}

/** Offers of another counter's customers make no sense there: the picker clears them. */
export function clearUndo() {
  $("undo-area").replaceChildren();
}

async function undoNoShow(ticket) {
  try {
    await api.post(`/api/v1/tickets/${ticket.id}/undo-no-show`);
    toast(t("undo_ok", { code: ticket.code }));
    hooks.refresh();
  } catch (err) {
    if (!hooks.authFailure(err)) showError(err);
  }
}
