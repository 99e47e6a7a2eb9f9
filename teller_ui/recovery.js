/**
 * teller_ui/recovery.js — the service recovery prompt: when the customer at the counter waited
 * past the standard, the teller logs what they did to put it right (every action they choose,
 * one logged entry each).
 */

import { loadJSON, $, el } from "/ui/staff.js";
import { duration, listOf, t } from "./i18n.js";
import { act, api, keepingFocus, showError, state } from "./shared.js";

const RECOVERED_KEY = "sira.teller.recovered";
const RECOVERY_ACTIONS = [
  "apologized",
  "explained_delay",
  "fast_tracked",
  "manager_involved",
  "compensation",
  "other",
];

function recovered() {
  return new Set(loadJSON(sessionStorage, RECOVERED_KEY, []));
}

function markRecovered(ticketId) {
  const ids = recovered();
  ids.add(ticketId);
  sessionStorage.setItem(RECOVERED_KEY, JSON.stringify([...ids].slice(-200)));
}

/** Show the prompt for `ticket` when its wait broke the standard (`wait`: {waited, standard}). */
export function renderRecovery(ticket, wait) {
  const box = $("recovery-prompt");
  const missed = Boolean(ticket) && wait.standard !== null && wait.waited > wait.standard;
  box.hidden = !missed || recovered().has(ticket.id);
  if (box.hidden) return;
  $("recovery-title").textContent = t("recovery_title", { code: ticket.code });
  $("recovery-lead").textContent = t("recovery_lead", {
    waited: duration(wait.waited),
    standard: duration(wait.standard),
  });
  const row = $("recovery-actions");
  keepingFocus(row, () => row.replaceChildren(...RECOVERY_ACTIONS.map(chip)));
  $("recovery-submit").disabled = state.busy;
}

/** A toggle: several actions may be chosen. */
function chip(action) {
  const chosen = state.recoveryActions;
  return el("button", {
    type: "button",
    class: "chip",
    "aria-pressed": String(chosen.has(action)),
    "data-testid": `recovery-action-${action}`,
    text: t(`act_${action}`),
    onclick: (event) => {
      if (chosen.has(action)) chosen.delete(action);
      else chosen.add(action);
      event.currentTarget.setAttribute("aria-pressed", String(chosen.has(action)));
    },
  });
}

/** Log every chosen action (the note with each); the confirmation names them all. */
export function submitRecovery() {
  const ticket = state.counter?.current_ticket;
  if (!ticket) return;
  // In the order the chips show, whatever order they were pressed in.
  const actions = RECOVERY_ACTIONS.filter((a) => state.recoveryActions.has(a));
  if (!actions.length) {
    showError(new Error(t("choose_action")), "");
    return;
  }
  const note = $("recovery-note").value.trim();
  return act(async () => {
    for (const action of actions) {
      await api.post(`/api/v1/tickets/${ticket.id}/recovery`, { action, note });
      // Logged: a retry after a failure further on must not log it twice.
      state.recoveryActions.delete(action);
    }
    markRecovered(ticket.id);
    $("recovery-note").value = "";
    const done = $("recovery-done");
    done.textContent = t("recovery_logged", { actions: listOf(actions.map((a) => t(`act_${a}`))) });
    done.hidden = false;
  });
}
