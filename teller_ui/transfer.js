/**
 * teller_ui/transfer.js — sending the customer at the counter elsewhere: to another service's
 * queue, or to one chosen counter (only it calls them), with an optional note for whoever
 * calls them next.
 */

import { $, el } from "/ui/staff.js";
import { getLang, plural, t } from "./i18n.js";
import { act, api, counterTitle, hooks, serviceTitle, state, toast, updateCurrent } from "./shared.js";

export function openTransfer() {
  const ticket = state.counter?.current_ticket;
  if (!ticket) return;
  $("transfer-title").textContent = t("transfer_title", { code: ticket.code });
  $("transfer-note").value = "";
  const close = (where) => () => {
    const note = $("transfer-note").value.trim();
    $("transfer-dialog").close();
    transfer(ticket, { ...where, ...(note ? { note } : {}) });
  };
  const services = (state.snapshot?.services || []).filter((s) => s.code !== ticket.service);
  $("transfer-choices").replaceChildren(
    ...services.map((s) =>
      el(
        "button",
        { type: "button", class: "service-choice", "data-testid": `transfer-service-${s.code}`, onclick: close({ service: s.code }) },
        el("span", { class: "svc-code", text: s.code, "aria-hidden": "true" }),
        el("span", { class: "svc-name", text: s.names?.[getLang()] || s.name }),
        el("span", { class: "muted small", text: plural("waiting_count", s.waiting) }),
      ),
    ),
  );
  const counters = (state.snapshot?.counters || []).filter((c) => c.id !== state.counterId);
  $("transfer-counters").replaceChildren(
    ...counters.map((c) =>
      el(
        "button",
        { type: "button", class: "counter-target", "data-testid": `transfer-counter-${c.label}`, onclick: close({ counter: c.id }) },
        el("span", { class: "svc-name", text: counterTitle(c.label) }),
        el("span", { class: `state-pill state-${c.state}`, text: t(`state_${c.state}`) }),
        el("span", { class: "muted small target-services", text: t("serves", { services: c.services.join(", ") }) }),
      ),
    ),
  );
  $("transfer-counters-box").hidden = counters.length === 0;
  $("transfer-dialog").showModal();
}

function transfer(ticket, body) {
  return act(async () => {
    await api.post(`/api/v1/tickets/${ticket.id}/transfer`, body);
    updateCurrent(null);
    const counter = body.counter && state.snapshot?.counters.find((c) => c.id === body.counter);
    toast(
      counter
        ? t("transfer_counter_ok", { code: ticket.code, counter: counterTitle(counter.label) })
        : t("transfer_ok", { code: ticket.code, service: serviceTitle(body.service) }),
    );
    hooks.refresh();
  });
}
