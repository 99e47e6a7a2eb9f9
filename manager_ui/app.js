/**
 * manager_ui/app.js — the branch manager's dashboard: sign in, the live view (queue, counters,
 * alerts, devices; from the event stream plus a periodic refresh), and the tabs for reports
 * and standards (reports.js, standards.js; alerts.js and devices.js draw those two lists).
 * Unsaved standards are not lost without a question (leave.js).
 */

import { Api, ApiError } from "/ui/api.js";
import { EventStream } from "/ui/events.js";
import { mountLangPicker } from "/ui/langpick.js";
import { askNewPassword } from "/ui/password.js";
import { StaffSession } from "/ui/staff.js";
import { applyAlertEvent, renderAlerts as drawAlerts } from "./alerts.js";
import { hideSettings, relabelSettings, showSettings } from "./settings/shell.js";
import { hideBranches, initBranches, relabelBranches, showBranches, visibleBranches } from "./branches.js";
import { renderDevices as drawDevices, tickDevices } from "./devices.js";
import { getLang, locale, plural, setLang, STRINGS, t, translatePage } from "./i18n.js";
import { confirmLeave, guardUnload } from "./leave.js";
import { initReports, relabelReports, showReports } from "./reports.js";
import { discardStandards, hasUnsavedStandards, relabelStandards, showStandards } from "./standards.js";
import {
  $,
  clearError,
  clock,
  counterLabel,
  dateLabel,
  duration,
  el,
  int,
  pct,
  relabelError,
  serviceLabel,
  serviceName,
  setBranchZone,
  setServices,
  showError,
  zoneLabel,
} from "./util.js";

// Tellers have their console: this screen refuses them, said in the language on screen.
const session = new StaffSession("sira.manager", {
  refuse: (res) => (res.role === "teller" ? { status: 403, message: () => t("for_managers") } : null),
});
const METRICS_EVERY_MS = 15000;
const DEVICES_EVERY_MS = 30000;
let langPicker = null; // the language picker in the top bar (start)

export const api = new Api();
const state = {
  session: null,
  branch: null,
  metrics: null,
  metricsAt: 0,
  snapshot: null,
  alerts: [],
  devices: [],
  stream: null,
  timers: [],
  view: "live",
  streamStatus: null,
  todayRows: null,
};

function show(view) {
  $("view-login").hidden = view !== "login";
  for (const name of ["branches", "live", "reports", "standards", "settings"]) {
    $(`view-${name}`).hidden = view !== name;
  }
  $("tabs").hidden = view === "login";
  $("sign-out").hidden = view === "login";
  $("live").hidden = view === "login";
  for (const tab of document.querySelectorAll(".tab")) {
    if (tab.dataset.view === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

// ------------------------------------------------------------------------------- session

async function signIn(event) {
  event.preventDefault();
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  if (!username || !password) return;
  $("login-submit").disabled = true;
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
        await signOut({ ask: false });
        return;
      }
    }
    await afterSignIn();
  } catch (err) {
    showError(err, "sign_in_failed");
  } finally {
    $("login-submit").disabled = false;
  }
}

/** Sign out; `ask`: first ask about unsaved standards (not when the session has expired). */
async function signOut({ ask = true } = {}) {
  if (ask && !(await mayLeaveStandards())) return;
  discardStandards();
  hideBranches();
  await session.signOut(api);
  stopLive();
  state.session = null;
  $("branch-name").textContent = "";
  $("branch-name").title = "";
  show("login");
}

async function afterSignIn() {
  api.setToken(state.session.token);
  // The language this person chose last time (on any machine), unless they just chose one.
  const me = await api.get("/api/v1/auth/me").catch((err) => {
    if (err instanceof ApiError && err.status === 401) throw err;
    return null;
  });
  if (langPicker.adopt(me)) applyLanguage();
  // A reloaded page whose temporary password is still to be replaced (the current one asked).
  if (me?.must_change_password) {
    if (!(await askNewPassword({ api, t, username: state.session.username }))) {
      await signOut({ ask: false });
      return;
    }
  }
  state.me = me || { role: state.session.role, branch: state.session.branch, branches: null };
  state.branch = state.session.branch;
  if (!state.branch) {
    const branches = await api.get("/api/v1/admin/branches");
    state.branch = branches[0]?.code;
  }
  if (!state.branch) {
    // A new installation: no branch yet. Settings is where the first one is made.
    for (const tab of ["live", "reports", "standards", "branches"]) $(`tab-${tab}`).hidden = true;
    go("settings");
    return;
  }
  for (const tab of ["live", "reports", "standards"]) $(`tab-${tab}`).hidden = false;
  const settingsLink = /^#(pair=|settings\/)/.test(location.hash);
  await refreshAll();
  initReports({ api, branch: state.branch, businessDate: state.metrics?.business_date, token: () => state.session?.token });
  startLive();
  // A regional manager or an admin also sees their branches side by side.
  const several = await visibleBranches(api);
  $("tab-branches").hidden = several === null;
  initBranches({ api, onOpen: openBranch, onError: (err) => onAuthError(err) || showError(err) });
  // A link into Settings (a device's pairing QR, a bookmarked section) opens it.
  go(settingsLink ? "settings" : several === null ? "live" : "branches");
}

async function openBranch(code) {
  if (!(await mayLeaveStandards())) return;
  stopLive();
  state.branch = code;
  await refreshAll();
  initReports({ api, branch: state.branch, businessDate: state.metrics?.business_date, token: () => state.session?.token });
  startLive();
  go("live");
}

function onAuthError(err) {
  if (err instanceof ApiError && err.status === 401 && state.session) {
    signOut({ ask: false });
    showError(err, "sign_in_again");
    return true;
  }
  return false;
}

// ----------------------------------------------------------------------------------- tabs

/** Unsaved standards are not dropped silently: the person chooses (true: go ahead). */
async function mayLeaveStandards() {
  if (state.view !== "standards" || !hasUnsavedStandards()) return true;
  const leave = await confirmLeave();
  if (leave) discardStandards();
  return leave;
}

async function go(view) {
  if (view !== state.view && !(await mayLeaveStandards())) return;
  state.view = view;
  show(view);
  clearError();
  if (view === "branches") showBranches();
  else hideBranches();
  if (view === "reports") showReports();
  if (view === "standards") showStandards({ api, branch: state.branch });
  if (view === "settings") showSettings({ api, me: state.me, branch: state.branch }).catch(showError);
  else hideSettings();
}

// ----------------------------------------------------------------------------------- live

const base = () => `/api/v1/branches/${encodeURIComponent(state.branch)}`;

async function refreshMetrics() {
  const [metrics, snap] = await Promise.all([api.get(`${base()}/metrics/live`), api.get(`${base()}/snapshot`)]);
  state.metrics = metrics;
  state.metricsAt = Date.now();
  state.snapshot = snap.data;
  // The branch's clock and its services' names (every language) for every tab.
  setBranchZone(snap.data.branch.timezone);
  setServices(snap.data.services, snap.data.branch.default_lang);
  $("branch-name").textContent = snap.data.branch.name;
  $("branch-name").title = snap.data.branch.name;
  renderLive();
}

// Alert events that arrive while GET …/alerts is on its way are laid over its answer: a list
// read just before an alert was raised (or cleared) must not undo the event on screen.
const alertReads = new Set();

async function refreshAlerts() {
  const during = [];
  alertReads.add(during);
  try {
    const listed = await api.get(`${base()}/alerts`);
    state.alerts = during.reduce(applyAlertEvent, listed);
  } finally {
    alertReads.delete(during);
  }
  $("alerts").dataset.reads = String(Number($("alerts").dataset.reads || 0) + 1);
  renderAlerts();
}

async function refreshDevices() {
  const all = await api.get("/api/v1/admin/devices");
  state.devices = all.filter((d) => d.branch === state.branch);
  renderDevices();
  renderAlerts();
}

async function refreshToday() {
  const day = state.metrics?.business_date;
  if (!day || !window.Chart) return;
  state.todayRows = await api.get(`${base()}/reports?from=${day}&to=${day}&by=hour`);
  renderToday();
}

function renderToday() {
  const got = state.todayRows;
  if (!got || !window.Chart) return;
  // The usual banking day (08–18, branch time) plus any hour that had tickets.
  const keys = got.map((r) => r.key);
  const first = Math.min(8, ...keys);
  const last = Math.max(18, ...keys);
  const byKey = Object.fromEntries(got.map((r) => [r.key, r]));
  const rows = [];
  for (let h = first; h <= last; h++) rows.push(byKey[h] || { key: h, tickets: 0, wait_avg_s: null });
  const labels = rows.map((r) => `${String(r.key).padStart(2, "0")}:00`);
  const config = {
    type: "bar",
    data: {
      labels,
      datasets: [
        {
          label: t("tickets_issued"),
          data: rows.map((r) => r.tickets),
          backgroundColor: "#7fb2e5",
          maxBarThickness: 56,
          yAxisID: "y",
          order: 2, // drawn first: the line and its points stay on top (a lower order draws later)
        },
        {
          label: t("avg_wait_min"),
          data: rows.map((r) => (r.wait_avg_s === null ? null : Math.round(r.wait_avg_s / 6) / 10)),
          type: "line",
          borderColor: "#0f2a44",
          backgroundColor: "#0f2a44",
          yAxisID: "y2",
          spanGaps: true,
          order: 1,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      locale: locale(),
      // The legend in the datasets' order (by default it follows their drawing order).
      plugins: { legend: { labels: { sort: (a, b) => a.datasetIndex - b.datasetIndex } } },
      scales: {
        x: { title: { display: true, text: t("axis_hour_zone", { zone: zoneLabel() }) } },
        y: { beginAtZero: true, title: { display: true, text: t("axis_tickets") } },
        y2: {
          position: "right",
          beginAtZero: true,
          grid: { display: false },
          title: { display: true, text: t("axis_minutes") },
        },
      },
    },
  };
  state.todayChart?.destroy();
  state.todayChart = new Chart($("chart-today"), config);
  $("chart-today").dataset.rendered = String(labels.length);
}

async function refreshAll() {
  await Promise.all([refreshMetrics(), refreshAlerts(), refreshDevices()]);
  // Again with the branch's clock, devices and counters now at hand.
  renderAlerts();
  renderDevices();
  await refreshToday().catch(() => {});
}

function quietly(fn) {
  return () =>
    fn().catch((err) => {
      if (!onAuthError(err)) console.warn("refresh failed", err);
    });
}

const debounced = {};
function soon(name, fn, ms = 250) {
  clearTimeout(debounced[name]);
  debounced[name] = setTimeout(quietly(fn), ms);
}

function onEvent(ev) {
  if (ev.type.startsWith("alert.")) {
    for (const during of alertReads) during.push(ev);
    state.alerts = applyAlertEvent(state.alerts, ev);
    renderAlerts();
  }
  if (ev.type === "device.changed") soon("devices", refreshDevices);
  if (ev.type.startsWith("ticket.") || ev.type === "counter.changed" || ev.type.startsWith("alert.")) {
    soon("metrics", refreshMetrics);
  }
  if (ev.type === "ticket.issued" || ev.type === "ticket.called") soon("today", refreshToday, 3000);
}

function startLive() {
  stopLive();
  state.stream = new EventStream({
    branch: state.branch,
    token: state.session.token,
    // A (re)sync: alerts raised or cleared while away come with the list, not as events.
    onSnapshot: () => {
      soon("metrics", refreshMetrics, 0);
      soon("alerts", refreshAlerts, 0);
    },
    onEvent,
    onStatus: (status) => {
      state.streamStatus = status;
      renderStreamStatus();
    },
  });
  state.stream.start();
  state.timers = [
    setInterval(quietly(refreshMetrics), METRICS_EVERY_MS),
    setInterval(quietly(refreshDevices), DEVICES_EVERY_MS),
    setInterval(quietly(refreshToday), 60000),
    setInterval(tick, 1000),
  ];
}

function renderStreamStatus() {
  if (state.streamStatus === null) return;
  const live = $("live");
  const ok = state.streamStatus === "open";
  live.textContent = ok ? t("live") : t("offline");
  live.className = `live-dot ${ok ? "is-live" : "is-offline"}`;
}

function stopLive() {
  if (state.stream) state.stream.stop();
  state.stream = null;
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
}

/** The longest wait keeps growing between refreshes; so does a device's last contact. */
function tick() {
  if (!state.metrics || $("view-live").hidden) return;
  renderLongest();
  tickDevices(state.devices);
}

function renderLongest() {
  const m = state.metrics;
  const grown = m.waiting_total ? Math.round((Date.now() - state.metricsAt) / 1000) : 0;
  const longest = m.longest_wait_s + grown;
  $("longest-wait").textContent = m.waiting_total ? duration(longest) : "–";
  $("longest-note").textContent = m.waiting_total ? t("oldest_waiting") : t("nobody_waiting");
}

function renderLive() {
  const m = state.metrics;
  const snap = state.snapshot;
  if (!m || !snap) return;
  $("waiting-total").textContent = int(m.waiting_total);
  $("waiting-note").textContent = plural("across_services", snap.services.length);
  renderLongest();
  $("served-today").textContent = int(m.served_today);
  $("called-note").textContent = t("called_today", { n: int(m.called_today) });
  $("within-standard").textContent = m.within_standard_pct === null ? "–" : pct(m.within_standard_pct);
  $("within-standard").classList.toggle("bad", m.within_standard_pct !== null && m.within_standard_pct < 80);
  $("counters-open").textContent = `${int(m.counters_open)} / ${int(snap.counters.length)}`;
  $("counters-note").textContent = m.counters_paused ? t("n_paused", { n: int(m.counters_paused) }) : t("none_paused");

  $("services").replaceChildren(
    ...snap.services.map((s) => {
      const waiting = m.waiting[s.code] || 0;
      return el(
        "div",
        { class: "svc-row" },
        el("span", { class: "svc-code", text: s.code, "aria-hidden": "true" }),
        el(
          "span",
          { class: "svc-text" },
          el("span", { class: "svc-name", text: serviceName(s.code, s.name) }),
          el("span", {
            class: "muted small",
            text: plural("svc_line", s.counters_open, {
              standard: duration(s.standard_wait_s),
              // In whole minutes, rounded up, as the kiosk tells the customer.
              quoted: duration(s.estimated_wait_s && Math.ceil(s.estimated_wait_s / 60) * 60),
            }),
          }),
        ),
        el(
          "span",
          { class: "svc-count" },
          el("strong", { "data-testid": `waiting-${s.code}`, text: int(waiting) }),
          el("span", { class: "muted small", text: t("waiting_word") }),
        ),
      );
    }),
  );

  $("counters").replaceChildren(...snap.counters.map(counterRow));
  $("updated").textContent = t("updated", { time: clock(new Date().toISOString()), date: dateLabel(m.business_date) });
}

/** One counter: its name, state, who holds it, the ticket at it and what it serves. */
function counterRow(c) {
  const stateText =
    c.state === "paused"
      ? t("state_paused", { reason: c.pause_reason || t("no_reason") })
      : c.state === "open"
        ? t("state_open")
        : t("state_closed");
  const ticket = c.current_ticket;
  const holder = c.held_by ? c.held_by.name || c.held_by.username : null;
  return el(
    "tr",
    {},
    el("th", { scope: "row", text: counterLabel(c.label) }),
    el(
      "td",
      {},
      el("span", { class: `state-pill state-${c.state}`, "data-testid": `counter-state-${c.label}`, text: stateText }),
    ),
    el(
      "td",
      { "data-testid": `counter-holder-${c.label}` },
      holder ? el("span", { class: "holder", text: holder }) : el("span", { class: "muted", text: "—" }),
    ),
    el(
      "td",
      { "data-testid": `counter-ticket-${c.label}` },
      ticket ? el("span", { class: "ticket-code-sm", text: ticket.code }) : el("span", { class: "muted", text: "—" }),
      ticket
        ? el("span", { class: "muted small", text: ` ${ticket.status === "serving" ? t("being_served") : t("called")}` })
        : null,
    ),
    el(
      "td",
      { class: "counter-services" },
      ...c.services.map((code) => el("span", { class: "svc-tag", text: serviceLabel(code) })),
    ),
  );
}

function renderAlerts() {
  drawAlerts(state.alerts, { devices: state.devices, counters: state.snapshot?.counters || [] });
}

function renderDevices() {
  drawDevices(state.devices);
}

// ------------------------------------------------------------------------------- language

/** Everything on the page in the chosen language: the markup, then the current data again. */
function applyLanguage() {
  translatePage();
  langPicker.sync();
  document.title = `Sira — ${t("app_title")}`;
  if (window.Chart) Chart.defaults.locale = locale();
  renderStreamStatus();
  relabelError();
  relabelBranches();
  relabelReports();
  relabelStandards();
  relabelSettings();
  if (!state.session) return;
  renderLive();
  renderAlerts();
  renderDevices();
  renderToday();
}

// ---------------------------------------------------------------------------------- start

async function start() {
  langPicker = mountLangPicker($("lang-pick"), { strings: STRINGS, t, getLang, setLang }, {
    onChange: applyLanguage,
    api,
    signedIn: () => Boolean(state.session),
  });
  applyLanguage();
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("error-dismiss").addEventListener("click", clearError);
  guardUnload(hasUnsavedStandards);
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => go(tab.dataset.view));
  state.session = session.load();
  if (!state.session) {
    show("login");
    $("login-username").focus();
    return;
  }
  try {
    await afterSignIn();
  } catch (err) {
    if (!onAuthError(err)) {
      show("login");
      showError(err);
    }
  }
}

start();
