/**
 * manager_ui/alerts.js — the live tab's alert list. Alerts follow the event stream:
 * `alert.raised` adds one, `alert.updated` rewrites it where it stands (same list item: a
 * screen reader or a pointer on it keeps its place), `alert.cleared` removes it.
 */

import { plural, STRINGS, t } from "./i18n.js";
import { $, clock, counterLabel, dateTime, duration, el, int, serviceLabel, word } from "./util.js";

const items = new Map(); // alert id -> its <li>, reused while the alert is open

/** The open alerts after one event (a new array; unknown event types leave it as it was). */
export function applyAlertEvent(alerts, ev) {
  const alert = ev.data?.alert;
  if (!alert) return alerts;
  const rest = alerts.filter((a) => a.id !== alert.id);
  if (ev.type === "alert.cleared" || alert.cleared_at) return rest;
  if (ev.type === "alert.updated") {
    const at = alerts.findIndex((a) => a.id === alert.id);
    if (at >= 0) return alerts.map((a) => (a.id === alert.id ? alert : a));
  }
  // Newest first, as GET …/alerts lists them.
  return [alert, ...rest];
}

/** The list on screen; `ctx`: {devices, counters} to phrase device and counter alerts. */
export function renderAlerts(alerts, ctx) {
  const open = new Set(alerts.map((a) => a.id));
  for (const id of items.keys()) if (!open.has(id)) items.delete(id);
  $("alerts").replaceChildren(...alerts.map((a) => alertItem(a, ctx)));
  $("alerts-empty").hidden = alerts.length > 0;
}

function alertItem(a, ctx) {
  const li = items.get(a.id) || el("li", { "data-testid": "alert-item" });
  items.set(a.id, li);
  li.className = `alert-item sev-${a.severity}`;
  li.dataset.key = a.key;
  li.replaceChildren(
    el(
      "div",
      { class: "alert-head" },
      el("span", { class: `sev-pill sev-${a.severity}`, text: word("sev_", a.severity) }),
      el("span", { class: "muted small", text: t("since", { time: clock(a.raised_at) }) }),
    ),
    ...alertBody(a, ctx),
  );
  return li;
}

function alertBody(a, ctx) {
  const { message, hints, server } = alertText(a, ctx);
  const source = server ? "server" : null;
  return [
    el("p", { class: "alert-msg", "data-source": source, text: message }),
    ...hints.map((h) => el("p", { class: "alert-hint", "data-source": source, text: `→ ${h}` })),
  ];
}

export function printerState(state) {
  const known = word("printer_", state);
  return known === state ? state.replaceAll("_", " ") : known;
}

/** A suggested action in words, or null when the counter or the action is unknown. */
function hint(s, counters) {
  const serves = counters.find((c) => c.label === s.counter)?.services;
  const vars = { counter: counterLabel(s.counter), service: serviceLabel(s.service) };
  if (s.action === "resume_counter") return t("hint_resume", vars);
  if (s.action === "add_service") return t("hint_add_service", vars);
  if (s.action === "open_counter" && serves) {
    return serves.includes(s.service) ? t("hint_open", vars) : t("hint_open_with", vars);
  }
  return null;
}

/** "A · Cash: 3 waiting customers will miss the 10 min wait standard; 1 already has." */
function riskText(d) {
  const vars = { service: serviceLabel(d.service), standard: duration(d.standard_wait_s) };
  const missed = d.missed || 0;
  if (!d.at_risk) return plural("alert_only_missed", missed, { ...vars, n: int(missed) });
  const risk = plural("alert_risk", d.at_risk, { ...vars, n: int(d.at_risk) });
  return missed ? `${risk} ${plural("alert_also_missed", missed, { n: int(missed) })}` : risk;
}

/**
 * An alert in the dashboard's language: the server writes its sentence in English, but the
 * known kinds carry their figures in `data` (docs/reports-api.md), so they are phrased here.
 * Anything else keeps the server's sentence (marked data-source="server").
 */
function alertText(a, { devices, counters }) {
  const d = a.data || {};
  const device = devices.find((x) => x.id === a.device_id);
  if (a.kind === "standard_risk" && typeof d.at_risk === "number" && typeof d.standard_wait_s === "number") {
    const hints = (d.suggestions || []).map((s) => hint(s, counters));
    if (!hints.includes(null)) return { message: riskText(d), hints };
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
