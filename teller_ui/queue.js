/**
 * teller_ui/queue.js — who is waiting: the count per service (side panel, from the snapshot)
 * and the waiting list of GET /counters/{id}/queue (the counter's own services, then the
 * others folded away), each ticket with a Call button.
 */

import { $, el } from "/ui/staff.js";
import { duration, getLang, plural, t } from "./i18n.js";
import { api, keepingFocus, langName, serviceTitle, state } from "./shared.js";

// ------------------------------------------------------------------ counts per service

export function renderCounts() {
  const services = state.snapshot?.services || [];
  const mine = state.counter?.services || [];
  const mineRows = mine.map((code) => services.find((s) => s.code === code)).filter(Boolean);
  const otherRows = services.filter((s) => !mine.includes(s.code));
  const total = services.reduce((n, s) => n + s.waiting, 0);
  $("queue-total").textContent = plural("queue_total", total);
  const item = (s) =>
    el(
      "li",
      { class: `queue-item${s.waiting ? "" : " is-empty"}`, "data-testid": `queue-${s.code}`, "data-count": s.waiting },
      el("span", { class: "svc-code", text: s.code, "aria-hidden": "true" }),
      el(
        "span",
        { class: "svc-text" },
        el("span", { class: "svc-name", text: s.names?.[getLang()] || s.name }),
        el("span", { class: "svc-std muted", text: t("std_short", { standard: duration(s.standard_wait_s) }) }),
      ),
      el(
        "span",
        { class: "svc-count" },
        el("strong", { "data-testid": `queue-${s.code}-count`, text: String(s.waiting) }),
        el("span", { class: "muted small", "data-testid": `queue-${s.code}-label`, text: plural("waiting_label", s.waiting) }),
      ),
    );
  $("queue-mine").replaceChildren(...mineRows.map(item));
  $("queue-others").replaceChildren(...otherRows.map(item));
  $("queue-others-title").hidden = otherRows.length === 0;
}

// ------------------------------------------------------------------------ waiting list

/** Read the counter's waiting list again (the caller debounces). */
export async function refreshWaiting() {
  const id = state.counterId;
  if (!id) return;
  const list = await api.get(`/api/v1/counters/${id}/queue`);
  if (state.counterId !== id) return; // left the counter meanwhile
  state.queue = list;
  state.queueAt = Date.now();
  renderWaiting();
}

let onCall = () => {};

/** `call(waiting)` is what a Call button does (app.js sets it once). */
export function initWaiting({ call }) {
  onCall = call;
}

/**
 * Draw the list. Redrawn on every change and every few seconds (the waits grow), so the
 * focused Call button is found again afterwards.
 */
export function renderWaiting() {
  keepingFocus($("waiting-list"), drawWaiting);
}

function drawWaiting() {
  const q = state.queue;
  const open = state.counter?.state === "open" && !state.busy;
  const mine = q?.mine || [];
  const others = q?.others || [];
  $("waiting-mine").replaceChildren(...mine.map((w) => row(w, open)));
  $("waiting-empty").hidden = !q || mine.length > 0;
  // Another service's customer only while nobody waits for this counter's own services.
  $("waiting-others").replaceChildren(...others.map((w) => row(w, open && mine.length === 0)));
  $("waiting-others-box").hidden = others.length === 0;
  $("waiting-others-summary").textContent = plural("list_others", others.length);
  $("waiting-others-locked").hidden = mine.length === 0;
  $("waiting-truncated").hidden = !q?.truncated;
}

/** The wait now: the server's figure plus the time since it was read. */
function waitedNow(w) {
  return w.waited_s + Math.max(0, Math.round((Date.now() - state.queueAt) / 1000));
}

export function priorityText(ticket) {
  if (!ticket.priority) return "";
  const reason = ticket.priority_reason;
  return reason ? t("priority_with_reason", { reason: t(`prio_${reason}`) }) : t("priority_customer");
}

function row(w, callable) {
  const ticket = w.ticket;
  // A ticket called before (transferred, or a no-show taken back) keeps the wait it had then.
  const growing = !ticket.first_called_at;
  const waited = growing ? waitedNow(w) : w.waited_s;
  const over = growing ? w.standard_wait_s !== null && waited > w.standard_wait_s : w.over_standard;
  const note = w.transfer_note || ticket.transfer_note;
  const facts = [
    el("span", { lang: ticket.lang, text: langName(ticket.lang) }),
    el("span", { class: "wait-time", text: t(growing ? "waiting_for" : "waited_first", { time: duration(waited) }) }),
    over && el("strong", { class: "tag tag-over", text: t("over_standard") }),
    ticket.priority && el("strong", { class: "tag tag-priority", text: priorityText(ticket) }),
  ].filter(Boolean);
  return el(
    "li",
    { class: `wait-item${over ? " is-over" : ""}`, "data-testid": `wait-${ticket.code}` },
    el("span", { class: "wait-code", text: ticket.code }),
    el(
      "span",
      { class: "wait-text" },
      el("span", { class: "wait-service", text: serviceTitle(ticket.service) }),
      el("span", { class: "wait-facts" }, ...facts),
      note && el("span", { class: "wait-note", "data-testid": `wait-${ticket.code}-note`, text: t("note_is", { note }) }),
    ),
    el("button", {
      type: "button",
      class: "btn btn-small",
      disabled: !callable,
      "aria-label": t("call_code", { code: ticket.code }),
      "data-testid": `call-${ticket.code}`,
      text: t("call_this"),
      onclick: () => onCall(w),
    }),
  );
}
