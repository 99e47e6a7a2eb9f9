/**
 * manager_ui/app.js — the branch manager's dashboard: sign in, the live view (queue, counters,
 * alerts, devices; from the event stream plus a periodic refresh), and the tabs for reports
 * and standards (reports.js, standards.js).
 */

import { Api, ApiError } from "/ui/api.js";
import { EventStream } from "/ui/events.js";
import { StaffSession } from "/ui/staff.js";
import { hideBranches, initBranches, relabelBranches, showBranches, visibleBranches } from "./branches.js";
import { getLang, locale, otherLang, plural, setLang, STRINGS, t, translatePage } from "./i18n.js";
import { initReports, relabelReports, showReports } from "./reports.js";
import { relabelStandards, showStandards } from "./standards.js";
import {
  $,
  ago,
  clearError,
  clock,
  dateLabel,
  dateTime,
  duration,
  el,
  int,
  loadServiceNames,
  pct,
  relabelError,
  serviceName,
  showError,
  word,
} from "./util.js";

// Tellers have their console: this screen refuses them, said in the language on screen.
const session = new StaffSession("sira.manager", {
  refuse: (res) => (res.role === "teller" ? { status: 403, message: () => t("for_managers") } : null),
});
const METRICS_EVERY_MS = 15000;
const DEVICES_EVERY_MS = 30000;

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
  for (const name of ["branches", "live", "reports", "standards"]) $(`view-${name}`).hidden = view !== name;
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
    state.session = await session.signIn(api, username, password);
    $("login-password").value = "";
    clearError();
    await afterSignIn();
  } catch (err) {
    showError(err, "sign_in_failed");
  } finally {
    $("login-submit").disabled = false;
  }
}

async function signOut() {
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
  state.branch = state.session.branch;
  if (!state.branch) {
    const branches = await api.get("/api/v1/admin/branches");
    state.branch = branches[0]?.code;
  }
  await refreshAll();
  initReports({ api, branch: state.branch, businessDate: state.metrics?.business_date, token: () => state.session?.token });
  startLive();
  // A regional manager or an admin also sees their branches side by side.
  const several = await visibleBranches(api);
  $("tab-branches").hidden = several === null;
  initBranches({ api, onOpen: openBranch, onError: (err) => onAuthError(err) || showError(err) });
  go(several === null ? "live" : "branches");
}

async function openBranch(code) {
  stopLive();
  state.branch = code;
  await refreshAll();
  initReports({ api, branch: state.branch, businessDate: state.metrics?.business_date, token: () => state.session?.token });
  startLive();
  go("live");
}

function onAuthError(err) {
  if (err instanceof ApiError && err.status === 401 && state.session) {
    signOut();
    showError(err, "sign_in_again");
    return true;
  }
  return false;
}

// ----------------------------------------------------------------------------------- tabs

function go(view) {
  state.view = view;
  show(view);
  clearError();
  if (view === "branches") showBranches();
  else hideBranches();
  if (view === "reports") showReports();
  if (view === "standards") showStandards({ api, branch: state.branch });
}

// ----------------------------------------------------------------------------------- live

const base = () => `/api/v1/branches/${encodeURIComponent(state.branch)}`;

async function refreshMetrics() {
  const [metrics, snap] = await Promise.all([
    api.get(`${base()}/metrics/live`),
    api.get(`${base()}/snapshot`),
    // The services' names in the dashboard's language (the snapshot has the branch default's).
    loadServiceNames(api, state.branch).catch(() => null),
  ]);
  state.metrics = metrics;
  state.metricsAt = Date.now();
  state.snapshot = snap.data;
  $("branch-name").textContent = snap.data.branch.name;
  $("branch-name").title = snap.data.branch.name;
  renderLive();
}

async function refreshAlerts() {
  state.alerts = await api.get(`${base()}/alerts`);
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
        },
        {
          label: t("avg_wait_min"),
          data: rows.map((r) => (r.wait_avg_s === null ? null : Math.round(r.wait_avg_s / 6) / 10)),
          type: "line",
          borderColor: "#0f2a44",
          backgroundColor: "#0f2a44",
          yAxisID: "y2",
          spanGaps: true,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      locale: locale(),
      scales: {
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
  renderAlerts(); // phrased with the devices and counters now at hand
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
  if (ev.type.startsWith("alert.")) soon("alerts", refreshAlerts);
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
    onSnapshot: () => soon("metrics", refreshMetrics, 0),
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

/** The longest wait keeps growing between refreshes; so does "last seen". */
function tick() {
  if (!state.metrics || $("view-live").hidden) return;
  renderLongest();
  for (const node of document.querySelectorAll("[data-seen]")) {
    node.textContent = t("last_seen", { ago: ago(node.dataset.seen) });
  }
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
          el("span", { class: "svc-name", text: serviceName(state.branch, s.code, s.name) }),
          el("span", {
            class: "muted small",
            text: plural("svc_line", s.counters_open, {
              standard: duration(s.standard_wait_s),
              quoted: duration(s.estimated_wait_s),
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

  $("counters").replaceChildren(
    ...snap.counters.map((c) => {
      const stateText =
        c.state === "paused"
          ? t("state_paused", { reason: c.pause_reason || t("no_reason") })
          : c.state === "open"
            ? t("state_open")
            : t("state_closed");
      const ticket = c.current_ticket;
      return el(
        "tr",
        {},
        el("th", { scope: "row", text: t("counter_n", { label: c.label }) }),
        el(
          "td",
          {},
          el("span", { class: `state-pill state-${c.state}`, "data-testid": `counter-state-${c.label}`, text: stateText }),
        ),
        el(
          "td",
          { "data-testid": `counter-ticket-${c.label}` },
          ticket ? el("span", { class: "ticket-code-sm", text: ticket.code }) : el("span", { class: "muted", text: "—" }),
          ticket
            ? el("span", { class: "muted small", text: ` ${ticket.status === "serving" ? t("being_served") : t("called")}` })
            : null,
        ),
        el("td", { class: "muted", text: c.services.join(" · ") }),
      );
    }),
  );
  $("updated").textContent = t("updated", { time: clock(new Date().toISOString()), date: dateLabel(m.business_date) });
}

/**
 * An alert in the dashboard's language: the server writes its sentence in English, but the
 * known kinds carry their figures in `data` (docs/reports-api.md), so they are phrased here.
 * Anything else keeps the server's sentence (marked data-source="server").
 */
function alertText(a) {
  const d = a.data || {};
  const device = state.devices.find((x) => x.id === a.device_id);
  const hint = (s) => {
    const serves = state.snapshot?.counters.find((c) => c.label === s.counter)?.services;
    const vars = { counter: s.counter, service: s.service };
    if (s.action === "resume_counter") return t("hint_resume", vars);
    if (s.action === "add_service") return t("hint_add_service", vars);
    if (s.action === "open_counter" && serves) {
      return serves.includes(s.service) ? t("hint_open", vars) : t("hint_open_with", vars);
    }
    return null;
  };
  if (a.kind === "standard_risk" && typeof d.at_risk === "number" && typeof d.standard_wait_s === "number") {
    const hints = (d.suggestions || []).map(hint);
    if (!hints.includes(null)) {
      const vars = { service: d.service, n: int(d.at_risk), missed: int(d.missed), standard: duration(d.standard_wait_s) };
      const key = !d.missed ? "alert_risk" : d.at_risk ? "alert_risk_missed" : "alert_risk_only_missed";
      return { message: t(key, vars), hints };
    }
  }
  if (a.kind === "printer" && device && Object.hasOwn(STRINGS.en, `printer_${d.state}`)) {
    const text = t("alert_printer", { device: device.name, state: printerState(d.state) });
    return { message: d.detail ? `${text} (${d.detail})` : text, hints: [] };
  }
  if (a.kind === "device_offline" && device) {
    const when = d.last_seen_at ? dateTime(d.last_seen_at) : t("never");
    return { message: t("alert_offline", { device: device.name, kind: word("kind_", device.kind), when }), hints: [] };
  }
  return { message: a.message, hints: (d.suggestions || []).map((s) => s.text), server: true };
}

function renderAlerts() {
  const list = $("alerts");
  list.replaceChildren(
    ...state.alerts.map((a) =>
      el(
        "li",
        { class: `alert-item sev-${a.severity}`, "data-testid": "alert-item", "data-key": a.key },
        el(
          "div",
          { class: "alert-head" },
          el("span", { class: `sev-pill sev-${a.severity}`, text: word("sev_", a.severity) }),
          el("span", { class: "muted small", text: t("since", { time: clock(a.raised_at) }) }),
        ),
        ...alertBody(a),
      ),
    ),
  );
  $("alerts-empty").hidden = state.alerts.length > 0;
}

function printerState(state) {
  const known = word("printer_", state);
  return known === state ? state.replaceAll("_", " ") : known;
}

function alertBody(a) {
  const { message, hints, server } = alertText(a);
  const source = server ? "server" : null;
  return [
    el("p", { class: "alert-msg", "data-source": source, text: message }),
    ...hints.map((h) => el("p", { class: "alert-hint", "data-source": source, text: `→ ${h}` })),
  ];
}

function deviceStatus(d) {
  if (!d.active) return { word: t("dev_revoked"), cls: "off" };
  const parts = d.status || {};
  const printer = parts.printer?.state;
  // The device agent's control socket, or a browser screen's event stream.
  const agent = parts.agent?.state ?? parts.screen?.state;
  if (agent === "offline") return { word: t("dev_offline"), cls: "bad" };
  if (printer && printer !== "online") return { word: t("dev_printer", { state: printerState(printer) }), cls: "bad" };
  if (agent === "online" || printer === "online") return { word: t("dev_online"), cls: "ok" };
  if (!d.last_seen_at) return { word: t("dev_not_connected"), cls: "off" };
  return { word: t("dev_seen"), cls: "ok" };
}

function renderDevices() {
  $("devices").replaceChildren(
    ...state.devices.map((d) => {
      const st = deviceStatus(d);
      return el(
        "li",
        { class: "device-item", "data-testid": `device-${d.id}` },
        el(
          "span",
          { class: "device-text" },
          el("span", { class: "device-name", text: d.name }),
          el("span", { class: "muted small", text: word("kind_", d.kind) }),
        ),
        el(
          "span",
          { class: "device-state" },
          el("span", { class: `dev-pill dev-${st.cls}`, text: st.word }),
          el("span", {
            class: "muted small",
            "data-seen": d.last_seen_at || "",
            text: t("last_seen", { ago: ago(d.last_seen_at) }),
          }),
        ),
      );
    }),
  );
  if (!state.devices.length) $("devices").append(el("li", { class: "muted", text: t("no_devices") }));
}

// ------------------------------------------------------------------------------- language

/** Everything on the page in the chosen language: the markup, then the current data again. */
function applyLanguage() {
  translatePage();
  // The toggle names the other language in that language ("Türkçe" / "English").
  const toggle = $("lang-toggle");
  toggle.lang = otherLang();
  toggle.title = t("lang_toggle_label");
  document.title = `Sira — ${t("app_title")}`;
  if (window.Chart) Chart.defaults.locale = locale();
  renderStreamStatus();
  relabelError();
  relabelBranches();
  relabelReports();
  relabelStandards();
  if (!state.session) return;
  renderLive();
  renderAlerts();
  renderDevices();
  renderToday();
}

function switchLanguage() {
  setLang(otherLang());
  applyLanguage();
  // The services' names in the new language, then the views that show them.
  if (state.branch) {
    const lang = getLang();
    loadServiceNames(api, state.branch)
      .then(() => {
        if (getLang() !== lang) return;
        renderLive();
        relabelReports();
      })
      .catch(() => {});
  }
}

// ---------------------------------------------------------------------------------- start

async function start() {
  applyLanguage();
  $("lang-toggle").addEventListener("click", switchLanguage);
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("error-dismiss").addEventListener("click", clearError);
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
