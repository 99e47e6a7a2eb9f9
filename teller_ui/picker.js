/**
 * teller_ui/picker.js — choosing a counter: each shows who holds it; picking one opens it in
 * the teller's name, and a counter a colleague holds is taken over only after asking.
 */

import { ApiError } from "/ui/api.js";
import { $, el } from "/ui/staff.js";
import { t } from "./i18n.js";
import {
  api,
  ask,
  clearError,
  clearNotice,
  counterTitle,
  holderName,
  hooks,
  isMe,
  serviceTitle,
  showError,
  state,
  toast,
} from "./shared.js";

let picking = false;

/** Fill the counter grid from the snapshot; `onOpened(counter)` enters the console. */
export function renderPicker(onOpened) {
  const grid = $("counter-grid");
  const counters = state.snapshot?.counters || [];
  grid.replaceChildren(...counters.map((c) => choice(c, onOpened)));
  if (!counters.length) grid.append(el("p", { class: "muted", text: t("no_counters") }));
}

function choice(c, onOpened) {
  const held = c.state === "closed" ? null : c.held_by;
  const holder = held ? (isMe(held) ? t("held_by_you") : t("held_by", { name: holderName(held) })) : t("held_free");
  const holderClass = held ? (isMe(held) ? "is-mine" : "is-held") : "is-free";
  return el(
    "button",
    {
      type: "button",
      class: `counter-choice state-${c.state}`,
      "data-testid": `counter-${c.label}`,
      onclick: () => pick(c, onOpened),
    },
    el(
      "span",
      { class: "choice-head" },
      el("span", { class: "choice-label", text: counterTitle(c.label) }),
      el("span", { class: `state-pill state-${c.state}`, text: t(`state_${c.state}`) }),
    ),
    el("span", { class: `choice-holder ${holderClass}`, "data-testid": `holder-${c.label}`, text: holder }),
    el("span", { class: "choice-services", text: t("serves", { services: c.services.map(serviceTitle).join(", ") }) }),
  );
}

async function pick(counter, onOpened) {
  if (picking) return;
  picking = true;
  clearError();
  try {
    const opened = await open(counter);
    if (opened) {
      clearNotice();
      onOpened(opened);
    }
  } catch (err) {
    if (!hooks.authFailure(err)) showError(err);
  } finally {
    picking = false;
  }
}

/** POST open; when a colleague holds the counter (409), ask, then take it over. */
async function open(counter) {
  const path = `/api/v1/counters/${counter.id}/open`;
  try {
    const opened = await api.post(path);
    if (counter.state === "closed") toast(t("opened_ok", { counter: counterTitle(opened.label) }));
    return opened;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    // Who holds it now (the grid may be older than that).
    const now = await api.get(`/api/v1/counters/${counter.id}`);
    if (!now.held_by || isMe(now.held_by)) throw err; // another conflict: say it as it is
    const name = counterTitle(now.label);
    $("takeover-title").textContent = t("takeover_title", { counter: name });
    $("takeover-text").textContent = t("takeover_text", { counter: name, name: holderName(now.held_by) });
    if ((await ask($("takeover-dialog"))) !== "take") return null;
    const taken = await api.post(path, { take_over: true });
    toast(t("taken_over_ok", { counter: name }));
    return taken;
  }
}
