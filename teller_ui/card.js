/**
 * teller_ui/card.js — drawing the console of the counter being worked: its badge and state,
 * the paused banner, the current customer (code, service, wait against the standard, rule,
 * language, transfer note), the call buttons (one, or two while the customer is only called)
 * and which of the other buttons may be used now.
 */

import { $, el } from "/ui/staff.js";
import { callNext } from "./calls.js";
import { duration, plural, t } from "./i18n.js";
import { priorityText } from "./queue.js";
import { renderRecovery } from "./recovery.js";
import { counterTitle, langName, seconds, serviceRow, serviceTitle, state } from "./shared.js";

function myWaiting() {
  const mine = new Set(state.counter?.services || []);
  return (state.snapshot?.services || []).filter((s) => mine.has(s.code)).reduce((n, s) => n + s.waiting, 0);
}

/** Wait and standard of the current ticket (the call's own figures when we have them). */
function waitInfo(ticket) {
  if (!ticket) return { waited: 0, standard: null };
  if (state.lastCall && state.lastCall.ticket.id === ticket.id) {
    return { waited: state.lastCall.waited_s, standard: state.lastCall.standard_wait_s };
  }
  const waited = ticket.first_called_at ? seconds(ticket.issued_at, ticket.first_called_at) : 0;
  const standard = serviceRow(ticket.original_service)?.standard_wait_s ?? null;
  return { waited, standard };
}

function ruleText(rule) {
  if (!rule) return "—";
  const key = `rule_${rule}`;
  const text = t(key);
  return text === key ? t("rule_unknown", { rule }) : text;
}

function pauseReasonText(reason) {
  return reason === "signed_out" ? t("reason_signed_out") : reason || "—";
}

/** The console for `state.counter`; `renderCounts`/`renderWaiting` follow in app.js. */
export function renderCard() {
  const c = state.counter;
  if (!c) return;
  $("counter-badge").textContent = counterTitle(c.label);
  const pill = $("counter-state");
  pill.textContent = t(`state_${c.state}`);
  pill.className = `state-pill state-${c.state}`;
  renderLive();
  const paused = c.state === "paused";
  $("paused-banner").hidden = !paused;
  $("paused-reason-text").textContent = paused ? t("paused_because", { reason: pauseReasonText(c.pause_reason) }) : "";
  const ticket = c.current_ticket;
  $("current-empty").hidden = Boolean(ticket);
  $("current-body").hidden = !ticket;
  if (ticket) renderTicket(ticket);
  else renderEmpty();
  renderRecovery(ticket, waitInfo(ticket));
  renderControls();
}

function renderTicket(ticket) {
  $("current-code").textContent = ticket.code;
  const status = $("current-status");
  status.textContent = t(ticket.status === "serving" ? "status_serving" : "status_called");
  status.className = `status-chip status-${ticket.status}`;
  $("current-service").textContent = serviceTitle(ticket.service);
  const tags = [];
  if (ticket.priority) tags.push(priorityText(ticket));
  if (ticket.recall_count) tags.push(plural("recalls", ticket.recall_count));
  if (ticket.transfer_count) tags.push(plural("transferred", ticket.transfer_count));
  $("current-tags").textContent = tags.join(" · ");
  const { waited, standard } = waitInfo(ticket);
  const over = standard !== null && waited > standard;
  $("current-wait").textContent = duration(waited);
  $("current-wait").classList.toggle("over", over);
  $("current-over").hidden = !over;
  $("current-standard").textContent = standard !== null ? `(${t("standard_is", { standard: duration(standard) })})` : "";
  $("current-rule").textContent = ruleText(ticket.call_rule);
  const lang = $("current-lang");
  lang.textContent = langName(ticket.lang);
  lang.lang = ticket.lang;
  $("current-note").hidden = !ticket.transfer_note;
  $("current-note-text").textContent = ticket.transfer_note || "";
}

function renderEmpty() {
  const nobody = state.nobodyWaiting && myWaiting() === 0;
  $("empty-title").textContent = nobody ? t("nobody_waiting") : t("no_customer");
  $("empty-hint").textContent = nobody ? t("nobody_waiting_hint") : t("no_customer_hint");
  $("current-empty").dataset.state = nobody ? "nobody-waiting" : "idle";
  // Nobody waits for this counter: offer the services that do have customers waiting.
  const mine = new Set(state.counter.services);
  const others = nobody ? (state.snapshot?.services || []).filter((s) => !mine.has(s.code) && s.waiting > 0) : [];
  $("borrow").hidden = others.length === 0;
  $("borrow-choices").replaceChildren(
    ...others.map((s) =>
      el(
        "button",
        {
          type: "button",
          class: "btn borrow-choice",
          "data-testid": `call-from-${s.code}`,
          disabled: state.busy || state.counter.state !== "open",
          onclick: () => callNext({ service: s.code }),
        },
        el("span", { text: t("call_from", { service: serviceTitle(s.code) }) }),
        el("span", { class: "muted small", text: plural("waiting_count", s.waiting) }),
      ),
    ),
  );
}

export function renderLive() {
  const live = $("live");
  const ok = state.live === "open";
  live.textContent = ok ? t("live") : t("offline");
  live.className = `live-dot ${ok ? "is-live" : "is-offline"}`;
}

export function renderControls() {
  const c = state.counter;
  if (!c) return;
  const ticket = c.current_ticket;
  const status = ticket?.status;
  const open = c.state === "open";
  const busy = state.busy;
  // Called but not served yet: did they come? Two buttons, never a silent "served".
  const asking = status === "called";
  $("call-next").hidden = asking;
  $("call-pair").hidden = !asking;
  if (!asking) $("call-pair").classList.remove("is-asking");
  $("call-next").disabled = busy || !open;
  const calling = busy && state.calling;
  $("call-label").textContent = calling ? t("calling") : t(status === "serving" ? "call_next_finish" : "call_next");
  $("call-choice-hint").textContent = asking ? t("call_choice_hint", { code: ticket.code }) : "";
  $("call-next-done").disabled = busy || !open;
  $("call-next-no-show").disabled = busy || !open;
  $("call-next-done").textContent = calling ? t("calling") : t("call_next_served");
  $("recall").disabled = busy || !open || status !== "called";
  $("serve").disabled = busy || status !== "called";
  $("finish").disabled = busy || !(status === "called" || status === "serving");
  $("no-show").disabled = busy || status !== "called";
  $("transfer").disabled = busy || !(status === "called" || status === "serving");
  $("reprint").disabled = busy || !status;
  $("pause").disabled = busy || !open;
  $("pause").hidden = c.state === "paused";
  $("close-counter").disabled = busy;
  for (const b of $("borrow-choices").querySelectorAll("button")) b.disabled = busy || !open;
  for (const b of $("waiting-list").querySelectorAll("button[data-testid^='call-']")) if (busy) b.disabled = true;
}

/** A button that vanished under the focus (the call button became two): focus the card. */
export function rescueFocus() {
  const active = document.activeElement;
  if (active && active !== document.body && $("view-console").contains(active) && !active.offsetParent) {
    $("current-card").focus();
  }
}
