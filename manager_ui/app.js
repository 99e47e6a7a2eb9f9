/**
 * manager_ui/app.js — the branch manager's dashboard: sign in, the live view (queue, counters,
 * alerts, devices; from the event stream plus a periodic refresh), and the tabs for reports
 * and standards (reports.js, standards.js).
 */

import { Api, ApiError } from "/ui/api.js";
import { EventStream } from "/ui/events.js";
import { hideBranches, initBranches, showBranches, visibleBranches } from "./branches.js";
import { initReports, showReports } from "./reports.js";
import { showStandards } from "./standards.js";
import { $, ago, clearError, clock, duration, el, pct, showError } from "./util.js";

const SESSION_KEY = "sira.manager";
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
    const res = await api.post("/api/v1/auth/login", { username, password });
    if (res.role === "teller") {
      throw new ApiError({ status: 403, detail: "this dashboard is for managers; tellers use /teller/" });
    }
    state.session = { token: res.access_token, role: res.role, branch: res.branch, username: res.username };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
    $("login-password").value = "";
    clearError();
    await afterSignIn();
  } catch (err) {
    showError(err, "Sign-in failed:");
  } finally {
    $("login-submit").disabled = false;
  }
}

async function signOut() {
  hideBranches();
  try {
    await api.post("/api/v1/auth/logout");
  } catch {
    // already expired: signing out here is what matters
  }
  stopLive();
  sessionStorage.removeItem(SESSION_KEY);
  state.session = null;
  $("branch-name").textContent = "";
  show("login");
}

async function afterSignIn() {
  api.setToken(state.session.token);
  state.branch = state.session.branch;
  if (!state.branch) {
    const branches = await api.get("/api/v1/admin/branches");
    state.branch = branches[0]?.code;
  }
  initReports({ api, branch: state.branch, token: () => state.session?.token });
  await refreshAll();
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
  initReports({ api, branch: state.branch, token: () => state.session?.token });
  await refreshAll();
  startLive();
  go("live");
}

function onAuthError(err) {
  if (err instanceof ApiError && err.status === 401 && state.session) {
    signOut();
    showError(err, "Please sign in again:");
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
  const [metrics, snap] = await Promise.all([api.get(`${base()}/metrics/live`), api.get(`${base()}/snapshot`)]);
  state.metrics = metrics;
  state.metricsAt = Date.now();
  state.snapshot = snap.data;
  $("branch-name").textContent = snap.data.branch.name;
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
}

async function refreshToday() {
  const day = state.metrics?.business_date;
  if (!day || !window.Chart) return;
  const got = await api.get(`${base()}/reports?from=${day}&to=${day}&by=hour`);
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
          label: "Tickets issued",
          data: rows.map((r) => r.tickets),
          backgroundColor: "#7fb2e5",
          maxBarThickness: 56,
          yAxisID: "y",
        },
        {
          label: "Average wait (min)",
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
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "tickets" } },
        y2: { position: "right", beginAtZero: true, grid: { display: false }, title: { display: true, text: "minutes" } },
      },
    },
  };
  state.todayChart?.destroy();
  state.todayChart = new Chart($("chart-today"), config);
  $("chart-today").dataset.rendered = String(labels.length);
}

async function refreshAll() {
  await Promise.all([refreshMetrics(), refreshAlerts(), refreshDevices()]);
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
      const live = $("live");
      const ok = status === "open";
      live.textContent = ok ? "Live" : "Reconnecting…";
      live.className = `live-dot ${ok ? "is-live" : "is-offline"}`;
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
  for (const node of document.querySelectorAll("[data-seen]")) node.textContent = ago(node.dataset.seen);
}

function renderLongest() {
  const m = state.metrics;
  const grown = m.waiting_total ? Math.round((Date.now() - state.metricsAt) / 1000) : 0;
  const longest = m.longest_wait_s + grown;
  $("longest-wait").textContent = m.waiting_total ? duration(longest) : "–";
  $("longest-note").textContent = m.waiting_total ? "oldest ticket still waiting" : "nobody is waiting";
}

function renderLive() {
  const m = state.metrics;
  const snap = state.snapshot;
  if (!m || !snap) return;
  $("waiting-total").textContent = String(m.waiting_total);
  $("waiting-note").textContent = `across ${snap.services.length} services`;
  renderLongest();
  $("served-today").textContent = String(m.served_today);
  $("called-note").textContent = `${m.called_today} called today`;
  $("within-standard").textContent = m.within_standard_pct === null ? "–" : pct(m.within_standard_pct);
  $("within-standard").classList.toggle("bad", m.within_standard_pct !== null && m.within_standard_pct < 80);
  $("counters-open").textContent = `${m.counters_open} / ${snap.counters.length}`;
  $("counters-note").textContent = m.counters_paused ? `${m.counters_paused} paused` : "none paused";

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
          el("span", { class: "svc-name", text: s.name }),
          el("span", {
            class: "muted small",
            text: `Standard ${duration(s.standard_wait_s)} · quoted now ${duration(s.estimated_wait_s)} · ${s.counters_open} counter${s.counters_open === 1 ? "" : "s"} open`,
          }),
        ),
        el(
          "span",
          { class: "svc-count" },
          el("strong", { "data-testid": `waiting-${s.code}`, text: String(waiting) }),
          el("span", { class: "muted small", text: "waiting" }),
        ),
      );
    }),
  );

  $("counters").replaceChildren(
    ...snap.counters.map((c) => {
      const stateText =
        c.state === "paused" ? `Paused — ${c.pause_reason || "no reason given"}` : c.state === "open" ? "Open" : "Closed";
      const t = c.current_ticket;
      return el(
        "tr",
        {},
        el("th", { scope: "row", text: `Counter ${c.label}` }),
        el(
          "td",
          {},
          el("span", { class: `state-pill state-${c.state}`, "data-testid": `counter-state-${c.label}`, text: stateText }),
        ),
        el(
          "td",
          { "data-testid": `counter-ticket-${c.label}` },
          t ? el("span", { class: "ticket-code-sm", text: t.code }) : el("span", { class: "muted", text: "—" }),
          t ? el("span", { class: "muted small", text: ` ${t.status === "serving" ? "being served" : "called"}` }) : null,
        ),
        el("td", { class: "muted", text: c.services.join(" · ") }),
      );
    }),
  );
  $("updated").textContent = `Updated ${clock(new Date().toISOString())} · business date ${m.business_date}`;
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
          el("span", { class: `sev-pill sev-${a.severity}`, text: a.severity }),
          el("span", { class: "muted small", text: `since ${clock(a.raised_at)}` }),
        ),
        el("p", { class: "alert-msg", text: a.message }),
        ...(a.data?.suggestions || []).map((s) => el("p", { class: "alert-hint", text: `→ ${s.text}` })),
      ),
    ),
  );
  $("alerts-empty").hidden = state.alerts.length > 0;
}

function deviceStatus(d) {
  if (!d.active) return { word: "revoked", cls: "off" };
  const parts = d.status || {};
  const printer = parts.printer?.state;
  // The device agent's control socket, or a browser screen's event stream.
  const agent = parts.agent?.state ?? parts.screen?.state;
  if (agent === "offline") return { word: "offline", cls: "bad" };
  if (printer && printer !== "online") return { word: `printer: ${printer.replaceAll("_", " ")}`, cls: "bad" };
  if (agent === "online" || printer === "online") return { word: "online", cls: "ok" };
  if (!d.last_seen_at) return { word: "not connected yet", cls: "off" };
  return { word: "seen", cls: "ok" };
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
          el("span", { class: "muted small", text: d.kind }),
        ),
        el(
          "span",
          { class: "device-state" },
          el("span", { class: `dev-pill dev-${st.cls}`, text: st.word }),
          el(
            "span",
            { class: "muted small" },
            "last seen ",
            el("span", { "data-seen": d.last_seen_at || "", text: ago(d.last_seen_at) }),
          ),
        ),
      );
    }),
  );
  if (!state.devices.length) $("devices").append(el("li", { class: "muted", text: "No devices registered." }));
}

// ---------------------------------------------------------------------------------- start

async function start() {
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("error-dismiss").addEventListener("click", clearError);
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => go(tab.dataset.view));
  try {
    state.session = JSON.parse(sessionStorage.getItem(SESSION_KEY));
  } catch {
    state.session = null;
  }
  if (!state.session?.token || state.session.role === "teller") {
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
