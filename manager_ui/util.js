/** manager_ui/util.js — small DOM and formatting helpers for the dashboard (words and numbers in
 * the chosen language: ./i18n.js and Intl). */

import { ApiError } from "/ui/api.js";
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

export function clock(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
}

/** A business date "2026-03-02" in words ("2 Mar 2026" / "2 Mar 2026"), no timezone shift. */
export function dateLabel(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || "");
  if (!m) return ymd || "–";
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.toLocaleDateString(locale(), { day: "numeric", month: "short", year: "numeric" });
}

export function dateTime(iso) {
  return new Date(iso).toLocaleString(locale(), { dateStyle: "medium", timeStyle: "short" });
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

// ----------------------------------------------------------------------- service names

// The services' names in the chosen language (GET …/services?lang=), per branch.
const NAMES_TTL_MS = 5 * 60 * 1000;
const serviceNames = new Map(); // "branch|lang" -> {at, names: {code: name}}

export async function loadServiceNames(api, branch) {
  const key = `${branch}|${getLang()}`;
  const got = serviceNames.get(key);
  if (got && Date.now() - got.at < NAMES_TTL_MS) return got.names;
  const rows = await api.get(`/api/v1/branches/${encodeURIComponent(branch)}/services?lang=${getLang()}`);
  const names = Object.fromEntries(rows.map((r) => [r.code, r.name]));
  serviceNames.set(key, { at: Date.now(), names });
  return names;
}

export function serviceName(branch, code, fallback) {
  return serviceNames.get(`${branch}|${getLang()}`)?.names[code] ?? fallback ?? code;
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
