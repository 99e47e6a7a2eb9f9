/**
 * teller_ui/app.js — the counter console: sign in, choose a counter, call and serve customers,
 * log a service recovery when a wait broke the standard, follow the queue live.
 */

import { Api, ApiError } from "/ui/api.js";
import { EventStream } from "/ui/events.js";
import { $, el, loadJSON, StaffSession } from "/ui/staff.js";
import { duration, getLang, setLang, t, translatePage } from "./i18n.js";

const session = new StaffSession("sira.staff");
const COUNTER_KEY = "sira.teller.counter";
const RECOVERED_KEY = "sira.teller.recovered";
const RECOVERY_ACTIONS = [
  "apologized",
  "explained_delay",
  "fast_tracked",
  "manager_involved",
  "compensation",
  "other",
];
const PAUSE_REASONS = ["reason_break", "reason_lunch", "reason_cash", "reason_backoffice", "reason_meeting"];

const api = new Api();

const state = {
  session: null, // {token, role, branch, username}
  branch: null,
  snapshot: null, // snapshot data: {branch, services, counters, ...}
  counterId: null,
  counter: null, // counter_dict: {id, label, state, services, pause_reason, current_ticket}
  nobodyWaiting: false,
  busy: false,
  stream: null,
  live: "connecting",
  recoveryAction: null,
  lastCall: null, // call-next payload of the current ticket (waited_s, standard_wait_s)
};

// ---------------------------------------------------------------------------------- helpers

function recovered() {
  return new Set(loadJSON(sessionStorage, RECOVERED_KEY, []));
}

function markRecovered(ticketId) {
  const ids = recovered();
  ids.add(ticketId);
  sessionStorage.setItem(RECOVERED_KEY, JSON.stringify([...ids].slice(-200)));
}

function show(view) {
  for (const id of ["view-login", "view-pick", "view-console"]) $(id).hidden = id !== view;
  $("topbar-info").hidden = view !== "view-console";
  $("sign-out").hidden = view === "view-login";
}

function toast(message) {
  const node = el("div", { class: "toast", role: "status", text: message });
  $("toasts").append(node);
  setTimeout(() => node.remove(), 4000);
}

function showError(err, prefix = t("error_prefix")) {
  const detail = err instanceof ApiError ? err.detail : String(err?.message || err);
  $("error-text").textContent = `${prefix} ${detail}`;
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
}

function serviceRow(code) {
  return state.snapshot?.services.find((s) => s.code === code) || null;
}

function serviceName(code) {
  const row = serviceRow(code);
  if (!row) return code;
  return row.names?.[getLang()] || row.name || code;
}

function seconds(a, b) {
  return Math.max(0, Math.round((new Date(b) - new Date(a)) / 1000));
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
    state.session = await session.signIn(api, username, password);
    $("login-password").value = "";
    clearError();
    await afterSignIn();
  } catch (err) {
    showError(err, t("login_failed"));
  } finally {
    submit.disabled = false;
    submit.textContent = t("sign_in");
  }
}

async function signOut() {
  await session.signOut(api);
  stopStream();
  sessionStorage.removeItem(COUNTER_KEY);
  Object.assign(state, { session: null, branch: null, snapshot: null, counter: null, counterId: null });
  $("who").textContent = "";
  show("view-login");
  $("login-username").focus();
}

async function afterSignIn() {
  api.setToken(state.session.token);
  $("who").textContent = t("signed_in_as", { user: state.session.username });
  state.branch = state.session.branch;
  if (!state.branch) {
    // An administrator belongs to no branch: work in the first one.
    const branches = await api.get("/api/v1/admin/branches");
    state.branch = branches[0]?.code;
  }
  await refreshSnapshot();
  const stored = Number(sessionStorage.getItem(COUNTER_KEY));
  const counter = state.snapshot.counters.find((c) => c.id === stored);
  if (counter && counter.state !== "closed") {
    enterConsole(counter);
  } else {
    showPicker();
  }
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
  stopStream();
  state.counter = null;
  state.counterId = null;
  sessionStorage.removeItem(COUNTER_KEY);
  const grid = $("counter-grid");
  grid.replaceChildren();
  const counters = state.snapshot?.counters || [];
  if (!counters.length) grid.append(el("p", { class: "muted", text: t("no_counters") }));
  for (const c of counters) {
    const services = c.services.map((code) => `${code} · ${serviceName(code)}`).join(", ");
    grid.append(
      el(
        "button",
        {
          type: "button",
          class: `counter-choice state-${c.state}`,
          "data-testid": `counter-${c.label}`,
          onclick: () => pickCounter(c),
        },
        el("span", { class: "choice-label", text: t("counter_n", { label: c.label }) }),
        el("span", { class: `state-pill state-${c.state}`, text: t(`state_${c.state}`) }),
        el("span", { class: "choice-services", text: t("serves", { services }) }),
      ),
    );
  }
  show("view-pick");
}

async function pickCounter(counter) {
  clearError();
  try {
    let c = counter;
    if (c.state === "closed") {
      c = await api.post(`/api/v1/counters/${c.id}/open`);
      toast(t("opened_ok", { label: c.label }));
    }
    enterConsole(c);
  } catch (err) {
    if (!handleAuthFailure(err)) showError(err);
  }
}

// ---------------------------------------------------------------------------------- console

function enterConsole(counter) {
  state.counterId = counter.id;
  state.counter = counter;
  state.nobodyWaiting = false;
  sessionStorage.setItem(COUNTER_KEY, String(counter.id));
  show("view-console");
  startStream();
  render();
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
  refreshTimer = setTimeout(() => refreshSnapshot().catch(() => {}), 200);
}

async function refreshSnapshot() {
  try {
    const res = await api.get(`/api/v1/branches/${encodeURIComponent(state.branch)}/snapshot`);
    applySnapshot(res.data);
  } catch (err) {
    if (!handleAuthFailure(err)) throw err;
  }
}

function applySnapshot(data) {
  state.snapshot = data;
  const mine = data.counters.find((c) => c.id === state.counterId);
  if (mine) setCounter(mine);
  if (!$("view-console").hidden) render();
}

function onEvent(ev) {
  if (ev.type === "counter.changed" && ev.data?.counter?.id === state.counterId) {
    setCounter(ev.data.counter);
    render();
  }
  // Counts and counters come from one fresh snapshot: simple and always consistent.
  scheduleRefresh();
}

function setCounter(counter) {
  const before = state.counter?.current_ticket?.id;
  state.counter = counter;
  if (counter.current_ticket?.id !== before) {
    state.recoveryAction = null;
    if (state.lastCall && state.lastCall.ticket.id !== counter.current_ticket?.id) state.lastCall = null;
  }
  if (counter.current_ticket) state.nobodyWaiting = false;
}

function myWaiting() {
  const mine = new Set(state.counter?.services || []);
  return (state.snapshot?.services || []).filter((s) => mine.has(s.code)).reduce((n, s) => n + s.waiting, 0);
}

/** Wait and standard of the current ticket (the call's own figures when we have them). */
function waitInfo(ticket) {
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

function render() {
  const c = state.counter;
  if (!c) return;
  $("counter-badge").textContent = t("counter_n", { label: c.label });
  const pill = $("counter-state");
  pill.textContent = t(`state_${c.state}`);
  pill.className = `state-pill state-${c.state}`;
  renderLive();

  const paused = c.state === "paused";
  $("paused-banner").hidden = !paused;
  $("paused-reason-text").textContent = paused ? t("paused_because", { reason: c.pause_reason || "—" }) : "";

  const ticket = c.current_ticket;
  $("current-empty").hidden = Boolean(ticket);
  $("current-body").hidden = !ticket;
  if (!ticket) {
    const nobody = state.nobodyWaiting && myWaiting() === 0;
    $("empty-title").textContent = nobody ? t("nobody_waiting") : t("no_customer");
    $("empty-hint").textContent = nobody ? t("nobody_waiting_hint") : t("no_customer_hint");
    $("current-empty").dataset.state = nobody ? "nobody-waiting" : "idle";
  } else {
    $("current-code").textContent = ticket.code;
    const status = $("current-status");
    status.textContent = t(ticket.status === "serving" ? "status_serving" : "status_called");
    status.className = `status-chip status-${ticket.status}`;
    $("current-service").textContent = `${ticket.service} · ${serviceName(ticket.service)}`;
    const tags = [];
    if (ticket.priority) tags.push(t("priority_customer"));
    if (ticket.recall_count) tags.push(t("recalls", { n: ticket.recall_count }));
    if (ticket.transfer_count) tags.push(t("transferred_n", { n: ticket.transfer_count }));
    $("current-tags").textContent = tags.join(" · ");
    const { waited, standard } = waitInfo(ticket);
    $("current-wait").textContent = duration(waited);
    $("current-wait").classList.toggle("over", standard !== null && waited > standard);
    $("current-standard").textContent = standard !== null ? `(${t("standard_is", { standard: duration(standard) })})` : "";
    $("current-rule").textContent = ruleText(ticket.call_rule);
  }
  renderRecovery(ticket);
  renderButtons();
  renderQueue();
}

function renderLive() {
  const live = $("live");
  const ok = state.live === "open";
  live.textContent = ok ? t("live") : t("offline");
  live.className = `live-dot ${ok ? "is-live" : "is-offline"}`;
}

function renderButtons() {
  const c = state.counter;
  const ticket = c.current_ticket;
  const status = ticket?.status;
  const open = c.state === "open";
  const busy = state.busy;
  $("call-next").disabled = busy || !open;
  $("call-label").textContent = busy && state.calling ? t("calling") : t(ticket ? "call_next_finish" : "call_next");
  $("recall").disabled = busy || !open || status !== "called";
  $("serve").disabled = busy || status !== "called";
  $("finish").disabled = busy || !(status === "called" || status === "serving");
  $("no-show").disabled = busy || status !== "called";
  $("transfer").disabled = busy || !(status === "called" || status === "serving");
  $("reprint").disabled = busy || !status;
  $("pause").disabled = busy || !open;
  $("pause").hidden = c.state === "paused";
  $("close-counter").disabled = busy;
}

function renderQueue() {
  const services = state.snapshot?.services || [];
  const mine = state.counter?.services || [];
  const mineRows = mine.map((code) => services.find((s) => s.code === code)).filter(Boolean);
  const otherRows = services.filter((s) => !mine.includes(s.code));
  const total = services.reduce((n, s) => n + s.waiting, 0);
  $("queue-total").textContent = t("queue_total", { n: total });
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
        el("span", { class: "muted small", text: t("waiting_n") }),
      ),
    );
  $("queue-mine").replaceChildren(...mineRows.map(item));
  $("queue-others").replaceChildren(...otherRows.map(item));
  $("queue-others-title").hidden = otherRows.length === 0;
}

function renderRecovery(ticket) {
  const box = $("recovery-prompt");
  if (!ticket) {
    box.hidden = true;
    return;
  }
  const { waited, standard } = waitInfo(ticket);
  const missed = standard !== null && waited > standard;
  const done = recovered().has(ticket.id);
  box.hidden = !missed || done;
  if (box.hidden) return;
  $("recovery-title").textContent = t("recovery_title", { code: ticket.code });
  $("recovery-lead").textContent = t("recovery_lead", { waited: duration(waited), standard: duration(standard) });
  const row = $("recovery-actions");
  row.replaceChildren(
    ...RECOVERY_ACTIONS.map((action) =>
      el("button", {
        type: "button",
        class: "chip",
        "aria-pressed": String(state.recoveryAction === action),
        "data-testid": `recovery-action-${action}`,
        text: t(`act_${action}`),
        onclick: () => {
          state.recoveryAction = action;
          renderRecovery(state.counter.current_ticket);
        },
      }),
    ),
  );
  $("recovery-submit").disabled = state.busy;
}

// ---------------------------------------------------------------------------------- actions

async function act(fn, { calling = false } = {}) {
  if (state.busy) return;
  state.busy = true;
  state.calling = calling;
  renderButtons();
  try {
    await fn();
    clearError();
  } catch (err) {
    if (!handleAuthFailure(err)) showError(err);
    scheduleRefresh();
  } finally {
    state.busy = false;
    state.calling = false;
    if (state.counter) render();
  }
}

function updateCurrent(ticket) {
  const c = { ...state.counter };
  const atCounter = ticket && (ticket.status === "called" || ticket.status === "serving");
  c.current_ticket = atCounter ? ticket : null;
  setCounter(c);
}

function callNext() {
  if ($("call-next").disabled) return;
  return act(
    async () => {
      const res = await api.requestFull("POST", `/api/v1/counters/${state.counterId}/call-next`);
      if (res.status === 204) {
        state.nobodyWaiting = true;
        updateCurrent(null);
      } else {
        state.lastCall = res.data;
        updateCurrent(res.data.ticket);
        $("recovery-done").hidden = true;
      }
      scheduleRefresh();
    },
    { calling: true },
  );
}

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

function openTransfer() {
  const ticket = state.counter?.current_ticket;
  if (!ticket) return;
  $("transfer-title").textContent = t("transfer_title", { code: ticket.code });
  const choices = (state.snapshot?.services || []).filter((s) => s.code !== ticket.service);
  $("transfer-choices").replaceChildren(
    ...choices.map((s) =>
      el(
        "button",
        {
          type: "button",
          class: "service-choice",
          "data-testid": `transfer-service-${s.code}`,
          onclick: () => {
            $("transfer-dialog").close();
            transferTo(ticket, s.code);
          },
        },
        el("span", { class: "svc-code", text: s.code, "aria-hidden": "true" }),
        el("span", { class: "svc-name", text: s.names?.[getLang()] || s.name }),
        el("span", { class: "muted small", text: `${s.waiting} ${t("waiting_n")}` }),
      ),
    ),
  );
  $("transfer-dialog").showModal();
}

function transferTo(ticket, code) {
  return act(async () => {
    await api.post(`/api/v1/tickets/${ticket.id}/transfer`, { service: code });
    updateCurrent(null);
    toast(t("transfer_ok", { code: ticket.code, service: `${code} · ${serviceName(code)}` }));
    scheduleRefresh();
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
  const label = state.counter.label;
  return act(async () => {
    await api.post(`/api/v1/counters/${state.counterId}/close`);
    toast(t("closed_ok", { label }));
    await refreshSnapshot();
    showPicker();
  });
}

async function changeCounter() {
  clearError();
  try {
    await refreshSnapshot();
  } catch (err) {
    showError(err);
  }
  showPicker();
}

function submitRecovery() {
  const ticket = state.counter?.current_ticket;
  if (!ticket) return;
  const action = state.recoveryAction;
  if (!action) {
    showError(new Error(t("choose_action")), "");
    return;
  }
  const note = $("recovery-note").value.trim();
  return act(async () => {
    await api.post(`/api/v1/tickets/${ticket.id}/recovery`, { action, note });
    markRecovered(ticket.id);
    state.recoveryAction = null;
    $("recovery-note").value = "";
    const done = $("recovery-done");
    done.textContent = t("recovery_logged", { action: t(`act_${action}`) });
    done.hidden = false;
  });
}

// ------------------------------------------------------------------------------- keyboard

function onKey(event) {
  if ($("view-console").hidden || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest?.("input, textarea, select, [contenteditable], dialog")) return;
  if (document.querySelector("dialog[open]")) return;
  const handlers = { n: callNext, r: recall, s: () => ticketOp("serve"), f: () => ticketOp("finish", "done_ok") };
  const key = event.key.toLowerCase();
  const guard = { s: "serve", f: "finish" }[key];
  if (!(key in handlers)) return;
  event.preventDefault();
  if (guard && $(guard).disabled) return;
  handlers[key]();
}

// ---------------------------------------------------------------------------------- start

function applyLanguage() {
  translatePage();
  // The toggle names the other language in that language ("Türkçe" / "English").
  $("lang-toggle").lang = getLang() === "en" ? "tr" : "en";
  $("lang-toggle").title = t("lang_toggle_label");
  document.title = `Sira — ${t("app_title")}`;
  if (state.session) $("who").textContent = t("signed_in_as", { user: state.session.username });
  if (!$("view-pick").hidden) showPicker();
  if (state.counter && !$("view-console").hidden) render();
}

function wire() {
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("lang-toggle").addEventListener("click", () => {
    setLang(getLang() === "en" ? "tr" : "en");
    applyLanguage();
  });
  $("error-dismiss").addEventListener("click", clearError);
  $("call-next").addEventListener("click", callNext);
  $("recall").addEventListener("click", recall);
  $("serve").addEventListener("click", () => ticketOp("serve"));
  $("finish").addEventListener("click", () => ticketOp("finish", "done_ok"));
  $("no-show").addEventListener("click", () => ticketOp("no-show", "no_show_ok"));
  $("transfer").addEventListener("click", openTransfer);
  $("reprint").addEventListener("click", reprint);
  $("pause").addEventListener("click", openPause);
  $("pause-dialog").addEventListener("close", onPauseClosed);
  $("resume").addEventListener("click", resume);
  $("close-counter").addEventListener("click", closeCounter);
  $("change-counter").addEventListener("click", changeCounter);
  $("recovery-submit").addEventListener("click", submitRecovery);
  document.addEventListener("keydown", onKey);
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
