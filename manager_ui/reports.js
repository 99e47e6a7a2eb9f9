/**
 * manager_ui/reports.js — the Reports tab: a date range, a grouped table and the charts of
 * docs/reports-api.md (Chart.js, vendored), each printable on its own; CSV export.
 */

import { ApiError } from "/ui/api.js";
import { $, clearError, duration, el, isoDate, minutes, num, pct, showError } from "./util.js";

const COLORS = {
  navy: "#0f2a44",
  blue: "#0a5ca8",
  sky: "#7fb2e5",
  teal: "#1d7f7a",
  amber: "#b7791f",
  red: "#b42318",
  green: "#17683f",
  grey: "#9aa6b2",
};
const MOMENT_NAMES = {
  kiosk: "Taking the ticket",
  wait: "Waiting",
  walk: "Walking to the counter",
  service: "Service",
  feedback: "Feedback",
};
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const BY_NAMES = {
  day: "day",
  hour: "hour of day",
  service: "service",
  counter: "counter",
  teller: "teller",
  moment: "moment of truth",
};

let ctx = null; // {api, branch, token}
const charts = {};
let initialised = false;
let loadedOnce = false;

export function initReports(options) {
  ctx = options;
  if (initialised) return;
  initialised = true;
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  $("report-from").value = isoDate(weekAgo);
  $("report-to").value = isoDate(today);
  $("report-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadReports();
  });
  $("report-by").addEventListener("change", () => loadTable());
  $("report-csv").addEventListener("click", downloadCsv);
  for (const btn of document.querySelectorAll(".print-btn")) {
    btn.addEventListener("click", () => printCard(btn.closest(".chart-card")));
  }
  window.addEventListener("afterprint", () => {
    document.body.classList.remove("print-one");
    for (const card of document.querySelectorAll(".print-target")) card.classList.remove("print-target");
  });
  if (window.Chart) {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#3c4855";
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
  }
}

export function showReports() {
  if (!loadedOnce) loadReports();
}

function range() {
  const params = new URLSearchParams({ from: $("report-from").value, to: $("report-to").value });
  return params.toString();
}

function path(suffix) {
  return `/api/v1/branches/${encodeURIComponent(ctx.branch)}${suffix}`;
}

async function loadReports() {
  loadedOnce = true;
  clearError();
  const status = $("report-status");
  status.textContent = "Loading…";
  const q = range();
  const get = (suffix) => ctx.api.get(path(suffix));
  const parts = {
    hour: get(`/reports?${q}&by=hour`),
    moment: get(`/reports?${q}&by=moment`),
    service: get(`/reports?${q}&by=service`),
    counter: get(`/reports?${q}&by=counter`),
    teller: get(`/reports?${q}&by=teller`),
    tellerTime: get(`/reports/teller-time?${q}`),
    breaks: get(`/reports/breaks?${q}`),
    heatmap: get(`/reports/heatmap?${q}`),
    satisfaction: get(`/reports/satisfaction?${q}`),
    estimates: get(`/reports/estimates?${q}`),
    recovery: get(`/reports/recovery?${q}`),
    staffing: get(`/staffing?hours=4`),
  };
  const names = Object.keys(parts);
  const results = await Promise.allSettled(Object.values(parts));
  const data = {};
  const failed = [];
  results.forEach((r, i) => {
    if (r.status === "fulfilled") data[names[i]] = r.value;
    else failed.push([names[i], r.reason]);
  });
  await loadTable(data);
  const render = {
    hour: () => chartHour(data.hour),
    moment: () => chartMoment(data.moment),
    service: () => chartService(data.service),
    counter: () => chartCounter(data.counter),
    teller: () => chartTeller(data.teller, data.tellerTime),
    breaks: () => renderBreaks(data.breaks),
    heatmap: () => renderHeatmap(data.heatmap),
    satisfaction: () => chartSatisfaction(data.satisfaction),
    estimates: () => renderEstimates(data.estimates),
    recovery: () => renderRecovery(data.recovery),
    staffing: () => renderStaffing(data.staffing),
  };
  for (const [name, fn] of Object.entries(render)) {
    if (name in data && (name !== "teller" || "tellerTime" in data)) fn();
  }
  if (failed.length) {
    const [, err] = failed[0];
    showError(err, "Some reports could not be loaded:");
  }
  const total = (data.service || []).reduce((n, r) => n + r.tickets, 0);
  status.textContent = `${$("report-from").value} to ${$("report-to").value}: ${total} tickets.`;
}

async function loadTable(prefetched = {}) {
  const by = $("report-by").value;
  $("table-by").textContent = BY_NAMES[by];
  try {
    const rows = prefetched[by] || (await ctx.api.get(path(`/reports?${range()}&by=${by}`)));
    renderTable(by, rows);
  } catch (err) {
    showError(err, "The report could not be loaded:");
  }
}

function keyLabel(by, row) {
  if (by === "hour") return `${String(row.key).padStart(2, "0")}:00`;
  if (by === "moment") return MOMENT_NAMES[row.key] || row.key;
  if (row.key === null) return "not called";
  if (by === "service") return `${row.key} · ${row.label || ""}`;
  if (by === "counter") return `Counter ${row.key}`;
  return row.label || String(row.key);
}

function renderTable(by, rows) {
  const table = $("report-table");
  const head = ["", "Tickets", "Served", "No-show", "Wait avg", "Wait median", "Wait p90", "Service avg", "Within standard", "Feedback"];
  if (by === "moment") head.push("Missed", "Exclusive");
  table.replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", { scope: "col", text: i ? h : BY_NAMES[by] })))),
    el(
      "tbody",
      {},
      ...rows.map((r) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: keyLabel(by, r) }),
          el("td", { class: "num", text: String(r.tickets) }),
          el("td", { class: "num", text: String(r.served) }),
          el("td", { class: "num", text: String(r.no_show) }),
          el("td", { class: "num", text: duration(r.wait_avg_s) }),
          el("td", { class: "num", text: duration(r.wait_p50_s) }),
          el("td", { class: "num", text: duration(r.wait_p90_s) }),
          el("td", { class: "num", text: duration(r.service_avg_s) }),
          el("td", { class: "num", text: pct(r.within_standard_pct) }),
          el("td", { class: "num", text: r.feedback_n ? `${num(r.feedback_avg)} (${r.feedback_n})` : "–" }),
          by === "moment" ? el("td", { class: "num", text: String(r.missed ?? "–") }) : null,
          by === "moment" ? el("td", { class: "num", text: String(r.met_exclusive ?? "–") }) : null,
        ),
      ),
    ),
  );
  if (!rows.length) table.append(el("caption", { class: "muted", text: "No tickets in this range." }));
}

// ---------------------------------------------------------------------------------- charts

function draw(id, config) {
  if (!window.Chart) return;
  charts[id]?.destroy();
  charts[id] = new Chart($(id), config);
  $(id).dataset.rendered = String(config.data.labels.length);
}

const minutesAxis = { beginAtZero: true, title: { display: true, text: "minutes" } };

function chartHour(rows) {
  draw("chart-hour", {
    type: "line",
    data: {
      labels: rows.map((r) => `${String(r.key).padStart(2, "0")}:00`),
      datasets: [
        { label: "Average wait", data: rows.map((r) => minutes(r.wait_avg_s)), borderColor: COLORS.blue, backgroundColor: COLORS.blue, tension: 0.3 },
        { label: "90% waited less than", data: rows.map((r) => minutes(r.wait_p90_s)), borderColor: COLORS.amber, backgroundColor: COLORS.amber, borderDash: [6, 4], tension: 0.3 },
      ],
    },
    options: { scales: { y: minutesAxis } },
  });
}

function chartMoment(rows) {
  draw("chart-moment", {
    type: "bar",
    data: {
      labels: rows.map((r) => MOMENT_NAMES[r.key] || r.key),
      datasets: [
        { label: "Missed", data: rows.map((r) => r.missed ?? 0), backgroundColor: COLORS.red },
        { label: "Met expected", data: rows.map((r) => r.met_expected ?? 0), backgroundColor: COLORS.sky },
        { label: "Exclusive", data: rows.map((r) => r.met_exclusive ?? 0), backgroundColor: COLORS.green },
      ],
    },
    options: {
      indexAxis: "y",
      scales: { x: { stacked: true, title: { display: true, text: "tickets" } }, y: { stacked: true } },
    },
  });
}

function waitBars(id, rows, label) {
  draw(id, {
    type: "bar",
    data: {
      labels: rows.map(label),
      datasets: [
        { label: "Average wait", data: rows.map((r) => minutes(r.wait_avg_s)), backgroundColor: COLORS.blue },
        { label: "90% waited less than", data: rows.map((r) => minutes(r.wait_p90_s)), backgroundColor: COLORS.sky },
        { label: "Average service", data: rows.map((r) => minutes(r.service_avg_s)), backgroundColor: COLORS.teal },
      ],
    },
    options: { scales: { y: minutesAxis } },
  });
}

function chartService(rows) {
  waitBars("chart-service", rows, (r) => (r.key === null ? "–" : `${r.key} · ${r.label || ""}`));
}

function chartCounter(rows) {
  waitBars("chart-counter", rows.filter((r) => r.key !== null), (r) => `Counter ${r.key}`);
}

function chartTeller(rows, time) {
  const people = time.map((t) => t.teller);
  const served = Object.fromEntries(rows.filter((r) => r.key !== null).map((r) => [r.key, r.served]));
  const hours = (s) => Math.round((s / 3600) * 10) / 10;
  draw("chart-teller", {
    type: "bar",
    data: {
      labels: people,
      datasets: [
        { label: "Serving (h)", data: time.map((t) => hours(t.serving_s)), backgroundColor: COLORS.teal, stack: "time" },
        { label: "Idle while open (h)", data: time.map((t) => hours(t.idle_s)), backgroundColor: COLORS.sky, stack: "time" },
        { label: "Paused (h)", data: time.map((t) => hours(t.paused_s)), backgroundColor: COLORS.amber, stack: "time" },
        { label: "Tickets served", data: time.map((t) => served[t.teller] ?? t.tickets), type: "line", yAxisID: "y2", borderColor: COLORS.navy, backgroundColor: COLORS.navy },
      ],
    },
    options: {
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: "hours" } },
        y2: { position: "right", beginAtZero: true, grid: { display: false }, title: { display: true, text: "tickets" } },
      },
    },
  });
}

function chartSatisfaction(rows) {
  draw("chart-satisfaction", {
    type: "bar",
    data: {
      labels: rows.map((r) => r.bucket),
      datasets: [
        { label: "Average score (1–5)", data: rows.map((r) => r.feedback_avg), backgroundColor: COLORS.blue, yAxisID: "y" },
        { label: "Answers", data: rows.map((r) => r.feedback_n), type: "line", borderColor: COLORS.amber, backgroundColor: COLORS.amber, yAxisID: "y2" },
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: "wait" } },
        y: { min: 0, max: 5, title: { display: true, text: "score" } },
        y2: { position: "right", beginAtZero: true, grid: { display: false }, title: { display: true, text: "answers" } },
      },
    },
  });
}

// ----------------------------------------------------------------------------- other views

function renderBreaks(data) {
  const list = (title, rows, label) =>
    el(
      "div",
      { class: "break-list" },
      el("h3", { text: title }),
      el(
        "ol",
        {},
        ...rows.slice(0, 5).map((r) =>
          el(
            "li",
            {},
            el("span", { class: "break-name", text: label(r) }),
            el(
              "span",
              { class: "break-bar", "aria-hidden": "true" },
              el("span", { style: `width:${Math.min(100, r.share_pct || 0)}%` }),
            ),
            el("span", { class: "break-num", text: `${r.missed} · ${pct(r.share_pct)}` }),
          ),
        ),
      ),
      rows.length ? null : el("p", { class: "muted", text: "Nothing measured yet." }),
    );
  $("breaks").replaceChildren(
    list("Moments", data.moments, (r) => `${MOMENT_NAMES[r.key] || r.key}${r.critical ? " (critical)" : ""}`),
    list("Services", data.services, (r) => `Service ${r.key}`),
    list("Hours", data.hours, (r) => `${String(r.key).padStart(2, "0")}:00`),
  );
}

function renderHeatmap(data) {
  const max = Math.max(1, ...data.arrivals.flat());
  const hours = [...Array(24).keys()];
  const table = $("heatmap");
  table.replaceChildren(
    el("caption", { class: "sr-only", text: `Tickets by weekday and hour (${data.timezone})` }),
    el("thead", {}, el("tr", {}, el("td"), ...hours.map((h) => el("th", { scope: "col", text: String(h) })))),
    el(
      "tbody",
      {},
      ...data.arrivals.map((row, d) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: WEEKDAYS[d] }),
          ...row.map((n, h) => {
            const missed = data.missed[d][h];
            const level = n ? 0.12 + 0.88 * (n / max) : 0;
            return el("td", {
              class: `${missed ? "has-missed" : ""} ${level > 0.55 ? "dark" : ""}`.trim(),
              style: n ? `background: rgb(10 92 168 / ${level.toFixed(2)})` : "",
              title: `${WEEKDAYS[d]} ${h}:00 — ${n} tickets, ${missed} missed a standard`,
              text: n ? String(n) : "",
            });
          }),
        ),
      ),
    ),
  );
}

function renderEstimates(rows) {
  $("estimates").replaceChildren(
    el(
      "thead",
      {},
      el("tr", {}, ...["Service", "Tickets", "Mean error", "Bias", "Within ±2 min"].map((h) => el("th", { scope: "col", text: h }))),
    ),
    el(
      "tbody",
      {},
      ...rows.map((r) =>
        el(
          "tr",
          { class: r.key === "*" ? "total" : "" },
          el("th", { scope: "row", text: r.key === "*" ? "All services" : r.key }),
          el("td", { class: "num", text: String(r.tickets) }),
          el("td", { class: "num", text: duration(r.mae_s) }),
          el("td", {
            class: "num",
            text: r.bias_s === null ? "–" : `${r.bias_s > 0 ? "+" : r.bias_s < 0 ? "−" : ""}${duration(Math.abs(r.bias_s))}`,
          }),
          el("td", { class: "num", text: pct(r.within_2min_pct) }),
        ),
      ),
    ),
  );
}

function renderRecovery(r) {
  const actions = Object.entries(r.actions || {}).sort((a, b) => b[1] - a[1]);
  $("recovery").replaceChildren(
    el(
      "div",
      { class: "mini-kpis" },
      el("div", {}, el("strong", { text: String(r.missed) }), el("span", { class: "muted", text: "waits over standard" })),
      el("div", {}, el("strong", { text: String(r.recovered) }), el("span", { class: "muted", text: "with a recovery" })),
      el("div", {}, el("strong", { text: pct(r.recovered_pct) }), el("span", { class: "muted", text: "recovered" })),
    ),
    el(
      "p",
      { class: "muted" },
      `Feedback after a recovery: ${num(r.feedback_avg_recovered)} · without one: ${num(r.feedback_avg_unrecovered)}`,
    ),
    actions.length
      ? el("ul", { class: "plain" }, ...actions.map(([k, n]) => el("li", { text: `${k.replaceAll("_", " ")}: ${n}` })))
      : el("p", { class: "muted", text: "No recovery actions logged in this range." }),
  );
}

function renderStaffing(data) {
  const services = Object.keys(data.open_now || {});
  const fmtHour = (h) => `${String(h.local_hour).padStart(2, "0")}:00`;
  $("staffing").replaceChildren(
    el(
      "thead",
      {},
      el("tr", {}, el("th", { scope: "col", text: "Hour" }), ...services.map((s) => el("th", { scope: "col", text: `Service ${s}` })), el("th", { scope: "col", text: "Counters needed" })),
    ),
    el(
      "tbody",
      {},
      ...data.hours.map((h) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: fmtHour(h) }),
          ...services.map((code) => {
            const s = h.services.find((x) => x.service === code);
            return el("td", { class: "num", text: s ? `${s.counters_needed} (${num(s.arrivals_per_h)}/h)` : "–" });
          }),
          el("td", { class: "num strong", text: String(h.counters_needed) }),
        ),
      ),
    ),
    el("caption", { class: "muted", text: `Open now: ${data.counters_open} counters.` }),
  );
}

// ------------------------------------------------------------------------- print and CSV

function printCard(card) {
  document.body.classList.add("print-one");
  card.classList.add("print-target");
  for (const chart of Object.values(charts)) chart.resize();
  window.print();
}

async function downloadCsv() {
  clearError();
  const btn = $("report-csv");
  btn.disabled = true;
  try {
    const res = await fetch(path(`/tickets.csv?${range()}`), {
      headers: { Authorization: `Bearer ${ctx.token()}` },
    });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw new ApiError({ status: res.status, detail: body.detail || res.statusText });
    }
    const blob = await res.blob();
    const match = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
    const link = el("a", {
      href: URL.createObjectURL(blob),
      download: match ? match[1] : `tickets-${ctx.branch}.csv`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (err) {
    showError(err, "The CSV could not be downloaded:");
  } finally {
    btn.disabled = false;
  }
}
