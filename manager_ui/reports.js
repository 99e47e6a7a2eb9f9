/**
 * manager_ui/reports.js — the Reports tab: a date range, a grouped table and the charts of
 * docs/reports-api.md (Chart.js, vendored), each printable on its own; CSV export.
 */

import { ApiError } from "/ui/api.js";
import { locale, plural, t } from "./i18n.js";
import {
  $,
  clearError,
  counterLabel,
  dateLabel,
  duration,
  el,
  int,
  isoDate,
  minutes,
  momentName,
  num,
  pct,
  pctLoose,
  serviceLabel,
  showError,
  weekdays,
  word,
  zoneLabel,
} from "./util.js";

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

let ctx = null; // {api, branch, token}
const charts = {};
let initialised = false;
let loadedOnce = false;
// What is on screen, kept to draw it again in the other language without asking the server.
const shown = { data: null, table: null, status: null };

/** The last seven business days up to `day` (the branch's own date, YYYY-MM-DD). */
function defaultRange(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || "");
  const today = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : new Date();
  const weekAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6);
  $("report-from").value = isoDate(weekAgo);
  $("report-to").value = isoDate(today);
}

/**
 * Bind the reports tab to a branch. `options.businessDate` is the branch's date in its own
 * time zone (the live metrics say it): the default range ends there, not on the browser's
 * calendar, which differs around midnight and for a branch in another zone.
 */
export function initReports(options) {
  // Another branch (a regional manager opened one): its reports are loaded on the next visit.
  const otherBranch = ctx && ctx.branch !== options.branch;
  if (otherBranch) {
    loadedOnce = false;
    shown.data = shown.table = shown.status = null;
  }
  ctx = options;
  if (!initialised || otherBranch) defaultRange(options.businessDate);
  if (initialised) return;
  initialised = true;
  $("report-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadReports();
  });
  $("report-by").addEventListener("change", () => loadTable());
  setTableTitle();
  $("report-csv").addEventListener("click", downloadCsv);
  for (const btn of document.querySelectorAll(".print-btn")) {
    btn.addEventListener("click", () => printCard(btn.closest(".chart-card")));
  }
  window.addEventListener("afterprint", () => {
    document.body.classList.remove("print-one");
    for (const card of document.querySelectorAll(".print-target")) card.classList.remove("print-target");
  });
  // A table wider than its card scrolls inside it; whether it does changes with the window.
  const observer = new ResizeObserver(() => keyboardScroll());
  for (const wrap of document.querySelectorAll("#report-grid .table-wrap")) observer.observe(wrap);
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
  setStatus({ key: "loading" });
  const q = range();
  const period = { from: $("report-from").value, to: $("report-to").value };
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
    estimatePoints: get(`/reports/estimates/points?${q}`),
    recovery: get(`/reports/recovery?${q}`),
    staffing: get(`/staffing?hours=4`),
  };
  const names = Object.keys(parts);
  const results = await Promise.allSettled(Object.values(parts));
  const data = {};
  const failed = [];
  names.forEach((name, i) => {
    const r = results[i];
    if (r.status === "fulfilled") data[name] = r.value;
    else failed.push([name, r.reason]);
  });
  shown.data = data;
  await loadTable(data);
  renderAll(data);
  if (failed.length) {
    const [, err] = failed[0];
    showError(err, "reports_failed");
  }
  const total = (data.service || []).reduce((n, r) => n + r.tickets, 0);
  setStatus({ key: "report_range", ...period, n: total });
}

function renderAll(data) {
  const render = {
    hour: () => chartHour(data.hour),
    moment: () => chartMoment(data.moment),
    service: () => chartService(data.service),
    counter: () => chartCounter(data.counter),
    teller: () => chartTeller(data.teller, data.tellerTime),
    breaks: () => renderBreaks(data.breaks),
    heatmap: () => renderHeatmap(data.heatmap),
    satisfaction: () => chartSatisfaction(data.satisfaction),
    estimates: () => renderEstimates(data.estimates, data.estimatePoints),
    recovery: () => renderRecovery(data.recovery),
    staffing: () => renderStaffing(data.staffing),
  };
  for (const [name, fn] of Object.entries(render)) {
    if (name in data && (name !== "teller" || "tellerTime" in data)) fn();
  }
  keyboardScroll();
}

/** A table that scrolls in its card can be scrolled from the keyboard: it takes focus, named
 * by its card's title. One that fits is no stop on the way through the page. */
function keyboardScroll() {
  for (const wrap of document.querySelectorAll("#report-grid .table-wrap")) {
    const title = wrap.closest(".chart-card")?.querySelector("h2[id]");
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      if (title) wrap.setAttribute("aria-labelledby", title.id);
    } else {
      for (const name of ["tabindex", "role", "aria-labelledby"]) wrap.removeAttribute(name);
    }
  }
}

/** The status line under the form; kept as a key and values to say it again after a switch. */
function setStatus(status) {
  shown.status = status;
  const node = $("report-status");
  if (!status) node.textContent = "";
  else if (status.key === "report_range") {
    node.textContent = plural("report_range", status.n, {
      from: dateLabel(status.from),
      to: dateLabel(status.to),
      n: int(status.n),
    });
  } else node.textContent = t(status.key);
}

function setTableTitle() {
  $("table-title").textContent = t(`table_title_${$("report-by").value}`);
  // Twelve "Print" buttons: each one's name says which card it prints.
  for (const btn of document.querySelectorAll(".print-btn")) {
    const title = btn.closest(".chart-card")?.querySelector("h2")?.textContent || "";
    btn.setAttribute("aria-label", t("print_label", { title }));
  }
}

/** Draw what is on screen again in the chosen language (no request). */
export function relabelReports() {
  setTableTitle();
  if (window.Chart) Chart.defaults.locale = locale();
  if (shown.status) setStatus(shown.status);
  if (shown.table) renderTable(...shown.table);
  if (shown.data) renderAll(shown.data);
}

async function loadTable(prefetched = {}) {
  const by = $("report-by").value;
  setTableTitle();
  try {
    const rows = prefetched[by] || (await ctx.api.get(path(`/reports?${range()}&by=${by}`)));
    renderTable(by, rows);
  } catch (err) {
    showError(err, "report_failed");
  }
}

function hourLabel(h) {
  return `${String(h).padStart(2, "0")}:00`;
}

/** The group a table row stands for. Tickets never at a counter (still waiting, cancelled,
 * or transferred and not called again) have no counter and no teller: the same group in both
 * tables, said in each one's words. */
function keyLabel(by, row) {
  if (by === "hour") return hourLabel(row.key);
  if (by === "moment") return momentName(row.key, row.label);
  if (row.key === null) return t(by === "teller" ? "no_teller" : by === "counter" ? "no_counter" : "not_called");
  if (by === "service") return serviceLabel(row.key, row.label);
  if (by === "counter") return counterLabel(row.key);
  if (by === "day") return dateLabel(row.key);
  return row.label || String(row.key);
}

function headLabel(by) {
  return by === "hour" ? t("by_hour_zone", { zone: zoneLabel() }) : t(`by_${by}`);
}

/** Under a table by counter or teller: what the row without one holds, and that the rows
 * add up to the period's tickets. */
function groupNote(by, rows) {
  const none = rows.find((r) => r.key === null);
  if (!none || (by !== "counter" && by !== "teller")) return null;
  const total = rows.reduce((n, r) => n + r.tickets, 0);
  return plural(`note_no_${by}`, none.tickets, { n: int(none.tickets), total: int(total) });
}

function renderTable(by, rows) {
  shown.table = [by, rows];
  const table = $("report-table");
  const head = [
    headLabel(by),
    t("col_tickets"),
    t("col_served"),
    t("col_no_show"),
    t("col_wait_avg"),
    t("col_wait_median"),
    t("col_wait_p90"),
    t("col_service_avg"),
    t("col_within"),
    t("col_feedback"),
  ];
  if (by === "moment") head.push(t("col_missed"), t("col_exclusive"));
  table.replaceChildren(
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))),
    el(
      "tbody",
      {},
      ...rows.map((r) =>
        el(
          "tr",
          { class: r.key === null ? "no-group" : null, "data-testid": r.key === null ? "report-row-none" : null },
          el("th", { scope: "row", class: by === "day" || by === "hour" ? "nowrap" : null, text: keyLabel(by, r) }),
          el("td", { class: "num", text: int(r.tickets) }),
          el("td", { class: "num", text: int(r.served) }),
          el("td", { class: "num", text: int(r.no_show) }),
          el("td", { class: "num", text: duration(r.wait_avg_s) }),
          el("td", { class: "num", text: duration(r.wait_p50_s) }),
          el("td", { class: "num", text: duration(r.wait_p90_s) }),
          el("td", { class: "num", text: duration(r.service_avg_s) }),
          el("td", { class: "num", text: pct(r.within_standard_pct) }),
          el("td", { class: "num", text: r.feedback_n ? `${num(r.feedback_avg)} (${int(r.feedback_n)})` : "–" }),
          by === "moment" ? el("td", { class: "num", text: int(r.missed) }) : null,
          by === "moment" ? el("td", { class: "num", text: int(r.met_exclusive) }) : null,
        ),
      ),
    ),
  );
  // Under the table, not in it: a wide table scrolls in its card, the note wraps.
  const note = rows.length ? groupNote(by, rows) : t("no_tickets");
  $("report-table-note").textContent = note || "";
  $("report-table-note").hidden = !note;
  keyboardScroll();
}

// ---------------------------------------------------------------------------------- charts

function draw(id, config) {
  if (!window.Chart) return;
  // The legend in the datasets' order (by default it follows their drawing `order`).
  const legend = { labels: { sort: (a, b) => a.datasetIndex - b.datasetIndex } };
  config.options = { locale: locale(), ...config.options, plugins: { legend, ...config.options?.plugins } };
  charts[id]?.destroy();
  charts[id] = new Chart($(id), config);
  $(id).dataset.rendered = String(config.data.labels.length);
}

// Chart.js draws the dataset with the highest `order` first: in a bar-and-line chart the
// bars go first, so no point of the line hides behind a bar.
const BARS = 2;
const LINE = 1;

const hourAxis = () => ({ title: { display: true, text: t("axis_hour_zone", { zone: zoneLabel() }) } });

const minutesAxis = () => ({ beginAtZero: true, title: { display: true, text: t("axis_minutes") } });

function chartHour(rows) {
  draw("chart-hour", {
    type: "line",
    data: {
      labels: rows.map((r) => hourLabel(r.key)),
      datasets: [
        { label: t("avg_wait"), data: rows.map((r) => minutes(r.wait_avg_s)), borderColor: COLORS.blue, backgroundColor: COLORS.blue, tension: 0.3 },
        { label: t("p90_wait"), data: rows.map((r) => minutes(r.wait_p90_s)), borderColor: COLORS.amber, backgroundColor: COLORS.amber, borderDash: [6, 4], tension: 0.3 },
      ],
    },
    options: { scales: { x: hourAxis(), y: minutesAxis() } },
  });
}

function chartMoment(rows) {
  draw("chart-moment", {
    type: "bar",
    data: {
      labels: rows.map((r) => momentName(r.key, r.label)),
      datasets: [
        { label: t("col_missed"), data: rows.map((r) => r.missed ?? 0), backgroundColor: COLORS.red },
        { label: t("met_expected"), data: rows.map((r) => r.met_expected ?? 0), backgroundColor: COLORS.sky },
        { label: t("col_exclusive"), data: rows.map((r) => r.met_exclusive ?? 0), backgroundColor: COLORS.green },
      ],
    },
    options: {
      indexAxis: "y",
      scales: { x: { stacked: true, title: { display: true, text: t("axis_tickets") } }, y: { stacked: true } },
    },
  });
}

function waitBars(id, rows, label) {
  draw(id, {
    type: "bar",
    data: {
      labels: rows.map(label),
      datasets: [
        { label: t("avg_wait"), data: rows.map((r) => minutes(r.wait_avg_s)), backgroundColor: COLORS.blue },
        { label: t("p90_wait"), data: rows.map((r) => minutes(r.wait_p90_s)), backgroundColor: COLORS.sky },
        { label: t("avg_service"), data: rows.map((r) => minutes(r.service_avg_s)), backgroundColor: COLORS.teal },
      ],
    },
    options: { scales: { y: minutesAxis() } },
  });
}

function chartService(rows) {
  waitBars("chart-service", rows, (r) => (r.key === null ? "–" : serviceLabel(r.key, r.label)));
}

// Tickets never at a counter had no wait at one and no service: not a bar.
function chartCounter(rows) {
  waitBars("chart-counter", rows.filter((r) => r.key !== null), (r) => counterLabel(r.key));
}

function chartTeller(rows, time) {
  const people = time.map((p) => p.teller);
  const served = Object.fromEntries(rows.filter((r) => r.key !== null).map((r) => [r.key, r.served]));
  const hours = (s) => Math.round((s / 3600) * 10) / 10;
  draw("chart-teller", {
    type: "bar",
    data: {
      labels: people,
      datasets: [
        { label: t("serving_h"), data: time.map((p) => hours(p.serving_s)), backgroundColor: COLORS.teal, stack: "time", order: BARS },
        { label: t("idle_h"), data: time.map((p) => hours(p.idle_s)), backgroundColor: COLORS.sky, stack: "time", order: BARS },
        { label: t("paused_h"), data: time.map((p) => hours(p.paused_s)), backgroundColor: COLORS.amber, stack: "time", order: BARS },
        { label: t("tickets_served"), data: time.map((p) => served[p.teller] ?? p.tickets), type: "line", yAxisID: "y2", borderColor: COLORS.navy, backgroundColor: COLORS.navy, order: LINE },
      ],
    },
    options: {
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: t("axis_hours") } },
        y2: { position: "right", beginAtZero: true, grid: { display: false }, title: { display: true, text: t("axis_tickets") } },
      },
    },
  });
}

/** A wait bucket from its bounds ("2–5 min" / "2–5 dk"); the API's own label otherwise. */
function bucketLabel(r) {
  const min = (s) => Math.round(s / 60);
  if (typeof r.from_s !== "number") return r.bucket;
  if (r.to_s === null || r.to_s === undefined) return t("bucket_open", { from: min(r.from_s) });
  return t("bucket_range", { from: min(r.from_s), to: min(r.to_s) });
}

function chartSatisfaction(rows) {
  draw("chart-satisfaction", {
    type: "bar",
    data: {
      labels: rows.map(bucketLabel),
      datasets: [
        { label: t("avg_score"), data: rows.map((r) => r.feedback_avg), backgroundColor: COLORS.blue, yAxisID: "y", order: BARS },
        { label: t("answers"), data: rows.map((r) => r.feedback_n), type: "line", borderColor: COLORS.amber, backgroundColor: COLORS.amber, yAxisID: "y2", order: LINE },
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: t("axis_wait") } },
        y: { min: 0, max: 5, title: { display: true, text: t("axis_score") } },
        y2: { position: "right", beginAtZero: true, grid: { display: false }, title: { display: true, text: t("axis_answers") } },
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
            el("span", { class: "break-num", text: `${int(r.missed)} · ${pct(r.share_pct)}` }),
          ),
        ),
      ),
      rows.length ? null : el("p", { class: "muted", text: t("nothing_measured") }),
    );
  const moment = (r) => momentName(r.key, r.label);
  $("breaks").replaceChildren(
    list(t("breaks_moments"), data.moments, (r) => (r.critical ? t("critical_suffix", { name: moment(r) }) : moment(r))),
    list(t("breaks_services"), data.services, (r) => serviceLabel(r.key)),
    list(t("breaks_hours"), data.hours, (r) => hourLabel(r.key)),
  );
}

function renderHeatmap(data) {
  const max = Math.max(1, ...data.arrivals.flat());
  const hours = [...Array(24).keys()];
  const table = $("heatmap");
  const days = weekdays();
  table.replaceChildren(
    el("caption", { class: "sr-only", text: t("heat_caption", { timezone: zoneLabel() }) }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("td", { class: "heat-zone", text: zoneLabel() }),
        ...hours.map((h) => el("th", { scope: "col", text: String(h) })),
      ),
    ),
    el(
      "tbody",
      {},
      ...data.arrivals.map((row, d) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: days[d] }),
          ...row.map((n, h) => {
            const missed = data.missed[d][h];
            const level = n ? 0.12 + 0.88 * (n / max) : 0;
            return el("td", {
              class: `${missed ? "has-missed" : ""} ${level > 0.55 ? "dark" : ""}`.trim(),
              style: n ? `background: rgb(10 92 168 / ${level.toFixed(2)})` : "",
              title: plural("heat_cell", n, { day: days[d], hour: h, n: int(n), missed: int(missed) }),
              text: n ? int(n) : "",
            });
          }),
        ),
      ),
    ),
  );
}

const ESTIMATE_COLUMNS = [
  "col_service",
  "col_tickets",
  "col_mean_error",
  "col_bias",
  "col_within_2",
  "col_within_target",
  "col_requotes",
  "col_requote_error",
  "col_requote_within",
];

/** A mean error with its direction: "+2 min 10 s" (waited longer than told), "−45 s". */
function signedDuration(s) {
  if (s === null || s === undefined) return "–";
  return `${s > 0 ? "+" : s < 0 ? "−" : ""}${duration(Math.abs(s))}`;
}

/** The group an estimates row stands for: a service, or all of them. */
function estimateKey(r) {
  return r.key === "*" ? t("all_services") : serviceLabel(r.key);
}

/** Quotes, re-quotes and drift by issued service; `points` (may be missing: that request
 * failed) draw the quoted-against-actual chart beside the table. */
function renderEstimates(rows, points) {
  $("estimates").replaceChildren(
    el("thead", {}, el("tr", {}, ...ESTIMATE_COLUMNS.map((k) => el("th", { scope: "col", text: t(k) })))),
    el(
      "tbody",
      {},
      ...rows.map((r) =>
        el(
          "tr",
          {
            class: [r.key === "*" ? "total" : "", r.drift ? `drift drift-${r.drift}` : ""].join(" ").trim(),
            "data-testid": `estimates-row-${r.key === "*" ? "all" : r.key}`,
          },
          el(
            "th",
            { scope: "row" },
            el("span", { class: "est-key", text: estimateKey(r) }),
            r.drift
              ? el("span", { class: "drift-flag", "data-testid": "drift-flag", text: t(`drift_${r.drift}`) })
              : null,
          ),
          el("td", { class: "num", text: int(r.tickets) }),
          el("td", { class: "num", text: duration(r.mae_s) }),
          el("td", { class: "num", text: signedDuration(r.bias_s) }),
          el("td", { class: "num", text: pct(r.within_2min_pct) }),
          el("td", { class: "num", "data-testid": "within-target", text: pct(r.within_target_pct) }),
          el("td", { class: "num", text: int(r.requotes ?? 0) }),
          el("td", { class: "num", text: duration(r.requote_mae_s) }),
          el("td", { class: "num", text: pct(r.requote_within_target_pct) }),
        ),
      ),
    ),
  );
  const flagged = rows.filter((r) => r.drift);
  const note = $("est-drift-note");
  note.replaceChildren(
    ...flagged.map((r) => {
      const words = { service: estimateKey(r), bias: duration(Math.abs(r.bias_s)), within: pct(r.within_target_pct) };
      return el("span", { class: "drift-line", text: t(`drift_${r.drift}_note`, words) });
    }),
  );
  note.hidden = !flagged.length;
  const target = $("est-target-note");
  target.hidden = !points;
  if (!points) {
    // That request failed (the error line says so): no chart of another range left behind.
    charts["chart-estimates"]?.destroy();
    delete charts["chart-estimates"];
    $("est-chart-note").textContent = $("est-chart-summary").textContent = "";
  } else {
    target.textContent = t("est_target_note", {
      min: duration(points.target_min_s),
      share: pctLoose(points.target_share * 100),
    });
    chartEstimates(points, rows);
  }
}

// One colour a service, in the order the services come; the band and the diagonal are not
// service colours.
const SERVICE_COLORS = [
  COLORS.blue,
  COLORS.amber,
  COLORS.teal,
  "#6b3fa0",
  COLORS.red,
  COLORS.navy,
  "#c0568f",
  COLORS.grey,
];

/** The target band's edges on the quoted (x) axis, in minutes: actual waits y with
 * |y − x| <= max(m, share × y), i.e. y from max(0, x − m) or x / (1 + share) up to x + m or
 * x / (1 − share), whichever band is wider (the API gives m and share). */
function bandEdges(max, m, share) {
  const upper = (x) => Math.max(x + m, share < 1 ? x / (1 - share) : Infinity);
  const lower = (x) => Math.max(0, Math.min(x - m, x / (1 + share)));
  // The edges bend where the share takes over from the minimum (x = m/share ∓ m) and where
  // the lower one reaches zero (x = m).
  const xs = [0, m, m / share - m, m / share + m, max].filter((x) => x >= 0 && x <= max).sort((a, b) => a - b);
  return {
    upper: xs.map((x) => ({ x, y: Math.min(upper(x), max * 1.5) })),
    lower: xs.map((x) => ({ x, y: lower(x) })),
  };
}

function chartEstimates(data, rows) {
  const byService = new Map();
  for (const p of data.points) {
    if (!byService.has(p.service)) byService.set(p.service, []);
    byService.get(p.service).push({ x: minutes(p.quoted_s), y: minutes(p.actual_s) });
  }
  const codes = [...byService.keys()].sort();
  const highest = Math.max(0, ...data.points.flatMap((p) => [p.quoted_s, p.actual_s]));
  const max = Math.max(5, Math.ceil((highest / 60) * 1.05));
  const band = bandEdges(max, data.target_min_s / 60, data.target_share);
  const bandLabel = t("est_band", { min: duration(data.target_min_s), share: pctLoose(data.target_share * 100) });
  const datasets = [
    ...codes.map((code, i) => {
      const color = SERVICE_COLORS[i % SERVICE_COLORS.length];
      return {
        type: "scatter",
        label: serviceLabel(code),
        data: byService.get(code),
        backgroundColor: `${color}b3`,
        borderColor: color,
        pointStyle: "circle",
        pointRadius: 3,
        pointHoverRadius: 5,
        order: LINE,
      };
    }),
    {
      type: "line",
      label: t("est_diagonal"),
      data: [
        { x: 0, y: 0 },
        { x: max, y: max },
      ],
      borderColor: COLORS.navy,
      borderWidth: 1.5,
      borderDash: [6, 4],
      pointStyle: "line",
      pointRadius: 0,
      order: BARS,
    },
    {
      type: "line",
      label: bandLabel,
      data: band.upper,
      borderColor: "rgb(23 104 63 / 0.5)",
      backgroundColor: "rgb(23 104 63 / 0.12)",
      borderWidth: 1,
      pointStyle: "rect",
      pointRadius: 0,
      fill: "+1",
      order: BARS + 1,
    },
    {
      type: "line",
      label: "",
      data: band.lower,
      borderColor: "rgb(23 104 63 / 0.5)",
      borderWidth: 1,
      pointRadius: 0,
      fill: false,
      order: BARS + 1,
    },
  ];
  const axis = (key) => ({ type: "linear", min: 0, max, title: { display: true, text: t(key) } });
  draw("chart-estimates", {
    type: "scatter",
    data: { labels: [], datasets },
    options: {
      scales: { x: axis("axis_quoted"), y: axis("axis_actual") },
      plugins: {
        legend: {
          labels: {
            sort: (a, b) => a.datasetIndex - b.datasetIndex,
            filter: (item) => Boolean(item.text),
            usePointStyle: true,
            boxHeight: 8,
            pointStyleWidth: 18,
          },
        },
        tooltip: {
          filter: (item) => item.dataset.type === "scatter",
          callbacks: {
            label: (item) =>
              t("est_point", {
                service: item.dataset.label,
                quoted: duration(item.parsed.x * 60),
                actual: duration(item.parsed.y * 60),
              }),
          },
        },
      },
    },
  });
  $("chart-estimates").dataset.rendered = String(data.points.length);
  $("est-chart-note").textContent = data.sampled
    ? t("est_sampled", { n: int(data.points.length), total: int(data.total) })
    : plural("est_points", data.total, { n: int(data.total) });
  $("est-chart-summary").textContent = estimatesSummary(data, rows);
}

/** What the chart shows, in words (for a screen reader; the table holds the figures). */
function estimatesSummary(data, rows) {
  if (!data.total) return t("est_summary_none");
  const lines = [plural("est_summary", data.total, { n: int(data.total) })];
  for (const r of rows) {
    if (!r.tickets) continue;
    const key = r.bias_s > 0 ? "est_summary_longer" : r.bias_s < 0 ? "est_summary_shorter" : "est_summary_even";
    lines.push(
      t(key, {
        service: estimateKey(r),
        bias: duration(Math.abs(r.bias_s ?? 0)),
        within: pct(r.within_target_pct),
      }),
    );
  }
  return lines.join(" ");
}

/** A logged recovery action by its key (the teller console's choices); unknown keys as sent. */
function actionName(key) {
  const known = word("act_", key);
  return known === key ? key.replaceAll("_", " ") : known;
}

function renderRecovery(r) {
  const actions = Object.entries(r.actions || {}).sort((a, b) => b[1] - a[1]);
  $("recovery").replaceChildren(
    el(
      "div",
      { class: "mini-kpis" },
      el("div", {}, el("strong", { text: int(r.missed) }), el("span", { class: "muted", text: t("rec_missed") })),
      el("div", {}, el("strong", { text: int(r.recovered) }), el("span", { class: "muted", text: t("rec_recovered") })),
      el("div", {}, el("strong", { text: pct(r.recovered_pct) }), el("span", { class: "muted", text: t("rec_pct") })),
    ),
    el(
      "p",
      { class: "muted" },
      t("rec_feedback", { with: num(r.feedback_avg_recovered), without: num(r.feedback_avg_unrecovered) }),
    ),
    actions.length
      ? el("ul", { class: "plain" }, ...actions.map(([k, n]) => el("li", { text: `${actionName(k)}: ${int(n)}` })))
      : el("p", { class: "muted", text: t("no_recovery") }),
  );
}

function renderStaffing(data) {
  const services = Object.keys(data.open_now || {});
  const fmtHour = (h) => hourLabel(h.local_hour);
  $("staffing").replaceChildren(
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col", text: t("col_hour_zone", { zone: zoneLabel() }) }),
        ...services.map((s) => el("th", { scope: "col", text: serviceLabel(s) })),
        el("th", { scope: "col", text: t("col_counters_needed") }),
      ),
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
            return el("td", {
              class: "num",
              text: s ? t("per_hour", { n: int(s.counters_needed), rate: num(s.arrivals_per_h) }) : "–",
            });
          }),
          el("td", { class: "num strong", text: int(h.counters_needed) }),
        ),
      ),
    ),
    el("caption", { class: "muted", text: plural("open_now", data.counters_open, { n: int(data.counters_open) }) }),
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
    showError(err, "csv_failed");
  } finally {
    btn.disabled = false;
  }
}
