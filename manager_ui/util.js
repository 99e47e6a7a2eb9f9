/** manager_ui/util.js — small DOM and formatting helpers for the dashboard. */

import { ApiError } from "/ui/api.js";

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** Seconds as words: "45 s", "12 min", "1 h 05 min". */
export function duration(total) {
  if (total === null || total === undefined) return "–";
  const s = Math.max(0, Math.round(total));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h} h ${String(m).padStart(2, "0")} min`;
  const rest = s % 60;
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

export function minutes(total) {
  return total === null || total === undefined ? null : Math.round((total / 60) * 10) / 10;
}

export function pct(value) {
  return value === null || value === undefined ? "–" : `${Number(value).toFixed(1)}%`;
}

export function num(value, digits = 1) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

/** "3 min ago" for an ISO time. */
export function ago(iso, now = Date.now()) {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - new Date(iso)) / 1000));
  if (s < 10) return "just now";
  return `${duration(s)} ago`;
}

export function clock(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function showError(err, prefix = "Could not do that:") {
  const detail = err instanceof ApiError ? err.detail : String(err?.message || err);
  $("error-text").textContent = `${prefix} ${detail}`;
  $("error").hidden = false;
}

export function clearError() {
  $("error").hidden = true;
}

/** A local date as YYYY-MM-DD. */
export function isoDate(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
