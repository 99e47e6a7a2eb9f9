/** manager_ui/util.js — small DOM and formatting helpers for the dashboard (words and numbers in
 * the chosen language: ./i18n.js and Intl). */

import { ApiError } from "/ui/api.js";
import { counterName } from "/ui/words.js";
import { getLang, locale, STRINGS, t } from "./i18n.js";

// The DOM helpers are the staff screens' shared ones (used here too, and by the tabs).
import { $, el } from "/ui/staff.js";

export { $, el };

/** Seconds as words: "45 s", "12 min", "1 h 05 min" ("45 sn", "12 dk", "1 sa 05 dk"). */
export function duration(total) {
  if (total === null || total === undefined) return "–";
  const s = Math.max(0, Math.round(total));
  if (s < 60) return t("dur_s", { s });
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return t("dur_h_min", { h, m: String(m).padStart(2, "0") });
  const rest = s % 60;
  return rest ? t("dur_min_s", { m, s: rest }) : t("dur_min", { m });
}

export function minutes(total) {
  return total === null || total === undefined ? null : Math.round((total / 60) * 10) / 10;
}

const formats = new Map();
function fmt(kind, options) {
  const key = `${locale()}|${kind}`;
  if (!formats.has(key)) formats.set(key, new Intl.NumberFormat(locale(), options));
  return formats.get(key);
}

/** A share in percent (87.5 -> "87.5%" / "%87,5"), one decimal. */
export function pct(value, digits = 1) {
  if (value === null || value === undefined) return "–";
  // Rounded first, as toFixed does: the percent formatter only places the sign.
  const rounded = Number(Number(value).toFixed(digits)) / 100;
  return fmt(`pct${digits}`, {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(rounded);
}

/** A whole percent as words use it ("20%" / "%20"), up to one decimal. */
export function pctLoose(value) {
  return fmt("pctLoose", { style: "percent", maximumFractionDigits: 1 }).format(Number(value) / 100);
}

/** A number with fixed decimals in the language's way ("4.2" / "4,2"). */
export function num(value, digits = 1) {
  if (value === null || value === undefined) return "–";
  return fmt(`num${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    Number(value),
  );
}

/** A count ("1,234" / "1.234"). */
export function int(value) {
  if (value === null || value === undefined) return "–";
  return fmt("int", { maximumFractionDigits: 0 }).format(Number(value));
}

/** A number as short as it is ("0.8", "1.25" / "0,8", "1,25"). */
export function plainNumber(value, maxDigits = 3) {
  return fmt(`plain${maxDigits}`, { maximumFractionDigits: maxDigits }).format(Number(value));
}

/** "3 min ago" for an ISO time. */
export function ago(iso, now = Date.now()) {
  if (!iso) return t("never");
  const s = Math.max(0, Math.round((now - new Date(iso)) / 1000));
  if (s < 10) return t("just_now");
  return t("ago", { duration: duration(s) });
}

// ------------------------------------------------------------------- the branch's clock

// Every time on the dashboard is the branch's wall clock (its IANA zone, from the snapshot),
// never the browser's: a regional manager may sit in another zone, and a branch's day is
// its own. Times carry the zone's name so nobody mistakes one for their own clock.
let branchZone = null;

export function setBranchZone(zone) {
  branchZone = zone || null;
}

function zoned(options) {
  const key = `${locale()}|${branchZone}|${JSON.stringify(options)}`;
  if (!formats.has(key)) {
    let f;
    try {
      f = new Intl.DateTimeFormat(locale(), { ...options, timeZone: branchZone || undefined });
    } catch {
      f = new Intl.DateTimeFormat(locale(), options); // an unknown zone: the browser's
    }
    formats.set(key, f);
  }
  return formats.get(key);
}

/** The branch's zone in words ("Türkiye Time" / "TSİ"), or its offset ("GMT+3"). */
export function zoneLabel(at = new Date()) {
  for (const timeZoneName of ["shortGeneric", "short"]) {
    try {
      const part = zoned({ hour: "numeric", timeZoneName })
        .formatToParts(at)
        .find((p) => p.type === "timeZoneName");
      if (part) return part.value;
    } catch {
      // this browser lacks the style: the next one
    }
  }
  return branchZone || "";
}

/** "14:05" on the branch's clock, without the zone (where a heading names it). */
export function clockBare(iso) {
  if (!iso) return "–";
  return zoned({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

/** "14:05 (Türkiye Time)": a time on the branch's clock, labelled with its zone. */
export function clock(iso) {
  if (!iso) return "–";
  return t("time_in_zone", { time: clockBare(iso), zone: zoneLabel(new Date(iso)) });
}

/** Whether two moments fall on the same calendar day on the branch's clock. */
export function sameBranchDay(a, b) {
  const day = zoned({ year: "numeric", month: "2-digit", day: "2-digit" });
  return day.format(new Date(a)) === day.format(new Date(b));
}

/** "2 Mar 2026, 14:05 (Türkiye Time)" on the branch's clock. */
export function dateTime(iso) {
  if (!iso) return "–";
  const day = zoned({ day: "numeric", month: "short", year: "numeric" }).format(new Date(iso));
  return t("date_time_in_zone", { date: day, time: clockBare(iso), zone: zoneLabel(new Date(iso)) });
}

/** A business date "2026-03-02" in words ("2 Mar 2026" / "2 Mar 2026"), no timezone shift. */
export function dateLabel(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || "");
  if (!m) return ymd || "–";
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.toLocaleDateString(locale(), { day: "numeric", month: "short", year: "numeric" });
}

/** Short weekday names, Monday first ("Mon" … / "Pzt" …). */
export function weekdays() {
  // 2024-01-01 was a Monday.
  return [...Array(7).keys()].map((i) =>
    new Date(2024, 0, 1 + i).toLocaleDateString(locale(), { weekday: "short" }),
  );
}

/** A moment of the service cycle by its key; an unknown key keeps the API's name. */
export function momentName(key, fallback) {
  const k = `moment_${key}`;
  return Object.hasOwn(STRINGS.en, k) ? t(k) : fallback || String(key);
}

/** A word for an API value (severity, device kind, …): `${prefix}${value}` when known. */
export function word(prefix, value) {
  const k = `${prefix}${value}`;
  return Object.hasOwn(STRINGS.en, k) ? t(k) : String(value ?? "");
}

// ------------------------------------------------------------------ services and counters

// The branch's services from its snapshot: each carries its names per language.
let services = new Map(); // code -> {name, names}
let defaultLang = null;

export function setServices(rows, branchDefaultLang) {
  services = new Map((rows || []).map((s) => [s.code, { name: s.name, names: s.names || {} }]));
  defaultLang = branchDefaultLang || null;
}

/** A service's name in the dashboard's language ("Cash and deposits"), else the branch's. */
export function serviceName(code, fallback) {
  const s = services.get(code);
  const names = s?.names || {};
  return names[getLang()] || names[defaultLang] || s?.name || fallback || String(code ?? "");
}

/** "A · Cash and deposits": a service's code (what tickets and screens show) and its name. */
export function serviceLabel(code, fallback) {
  const name = serviceName(code, fallback);
  return name && name !== code ? `${code} · ${name}` : String(code ?? "");
}

/** A counter by its label: "Counter 3" for "3", "Gişe 1" as it is (ui_common/words.js). */
export function counterLabel(label) {
  return counterName(label, t("counter_n"));
}

// ------------------------------------------------------------------------------ errors

let lastError = null; // {err, prefix}: shown again in the new language on a switch

function detailOf(err) {
  if (err instanceof ApiError) {
    // The fetch wrapper's own sentences (no server reached): ours to translate.
    if (err.offline) return t(err.code === "timeout" ? "err_timeout" : "err_network");
    return err.detail;
  }
  const message = err?.message;
  return String(typeof message === "function" ? message() : message || err);
}

/** Show an error line: the prefix is a key of ./i18n.js; err.message may be a function
 * (a sentence of ours, said again in the new language after a switch). */
export function showError(err, prefix = "error_prefix") {
  lastError = { err, prefix };
  $("error-text").textContent = `${t(prefix)} ${detailOf(err)}`;
  $("error").hidden = false;
}

export function clearError() {
  lastError = null;
  $("error").hidden = true;
}

export function relabelError() {
  if (lastError && !$("error").hidden) showError(lastError.err, lastError.prefix);
}

/** A local date as YYYY-MM-DD. */
export function isoDate(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
