/**
 * manager_ui/standards.js — the Standards tab: the branch's service-cycle map
 * (GET/PUT /api/v1/branches/{b}/service-cycle), expected and exclusive targets per service
 * and moment, which moments are critical, and the calendar overrides (./overrides.js).
 * One form, one Save button: the PUT carries moments, standards and the whole overrides list.
 *
 * Waiting and service are edited in minutes, as every other screen shows them; taking the
 * ticket and walking to the counter take seconds, so they stay in seconds; feedback is a
 * score. The API keeps seconds. Edits not yet saved are known (`hasUnsavedStandards`): the
 * dashboard asks before they are lost.
 */

import { t } from "./i18n.js";
import { collectOverrides, initOverrides, loadOverrides, relabelOverrides } from "./overrides.js";
import { explainRefusal, targetName } from "./standards-errors.js";
import { $, clearError, dateTime, el, momentName, plainNumber, serviceLabel, showError } from "./util.js";

// The time moments a person thinks of in minutes; the others in seconds.
const IN_MINUTES = new Set(["wait", "service"]);

let current = null;
let ctx = null;
let dirty = false;
// The status line as a key (and time) to say it again in another language: unsaved, saved, changed.
let status = null;

function setStatus(next) {
  status = next;
  const node = $("standards-status");
  if (!next) node.textContent = "";
  else if (next.key === "std_last_changed") node.textContent = t(next.key, { when: dateTime(next.at) });
  else node.textContent = t(next.key);
}

function markDirty() {
  dirty = true;
  setStatus({ key: "unsaved" });
}

/** Whether the form holds edits that are not saved. */
export function hasUnsavedStandards() {
  return dirty && current !== null;
}

/** Forget the edits (the person chose to leave): the next visit loads the stored map. */
export function discardStandards() {
  dirty = false;
}

export async function showStandards(options) {
  ctx = options;
  const form = $("standards-form");
  if (!form.dataset.wired) {
    form.dataset.wired = "1";
    form.addEventListener("submit", save);
    form.addEventListener("input", markDirty);
    initOverrides({ moments: () => current?.moments || [], changed: markDirty });
  }
  try {
    current = await ctx.api.get(`/api/v1/branches/${encodeURIComponent(ctx.branch)}/service-cycle`);
    render();
  } catch (err) {
    showError(err, "std_load_failed");
  }
}

// ---------------------------------------------------------------------------- units

/** "min", "s" or "score": what a moment's targets are typed in. */
function unitOf(moment) {
  if (moment.measure === "score") return "score";
  return IN_MINUTES.has(moment.key) ? "min" : "s";
}

function unitWord(moment) {
  return t(`unit_${unitOf(moment)}`);
}

/** A stored target (seconds, or a score) as the field shows it: 600 -> "10" minutes. */
function toField(value, unit) {
  if (value === null || value === undefined) return "";
  return String(unit === "min" ? Math.round((value / 60) * 100) / 100 : value);
}

/** What a field holds, as the API takes it: "7.5" minutes -> 450 seconds. */
function fromField(text, unit) {
  if (text === "") return null;
  return unit === "min" ? Math.round(Number(text) * 60) : Number(text);
}

/** A target in words with its unit, for messages ("10 min", "90 s", "4"). */
function targetWords(value, moment) {
  const unit = unitOf(moment);
  if (unit === "score") return plainNumber(value);
  const shown = unit === "min" ? Math.round((value / 60) * 100) / 100 : value;
  return `${plainNumber(shown)}\u00a0${unitWord(moment)}`;
}

// ---------------------------------------------------------------------------- the table

/** The standards again in the chosen language, keeping what is being edited. */
export function relabelStandards() {
  if (!current) return;
  const values = new Map([...document.querySelectorAll(".std-input")].map((n) => [n.dataset.testid, n.value]));
  const critical = new Map([...document.querySelectorAll("[data-critical]")].map((n) => [n.dataset.critical, n.checked]));
  renderTable();
  for (const node of document.querySelectorAll(".std-input")) {
    if (values.has(node.dataset.testid)) node.value = values.get(node.dataset.testid);
  }
  for (const box of document.querySelectorAll("[data-critical]")) {
    if (critical.has(box.dataset.critical)) box.checked = critical.get(box.dataset.critical);
  }
  relabelOverrides();
  setStatus(status);
}

function render() {
  renderTable();
  loadOverrides(current.overrides);
  dirty = false;
  setStatus(current.updated_at ? { key: "std_last_changed", at: current.updated_at } : null);
}

/** One target's field: in the moment's unit, the stored value kept to send back untouched. */
function targetInput(svc, m, level) {
  const value = current.standards[svc]?.[m.key]?.[level];
  const unit = unitOf(m);
  const shown = toField(value, unit);
  const limits = {
    score: { min: 1, max: 5, step: 1 },
    min: { min: 0.01, max: 1440, step: "any" },
    s: { min: 1, max: 86400, step: 1 },
  }[unit];
  return el("input", {
    type: "number",
    class: "std-input",
    inputmode: unit === "min" ? "decimal" : "numeric",
    ...limits,
    value: shown,
    required: level === "expected",
    "aria-label": t("std_input_label", {
      service: serviceLabel(svc),
      moment: momentName(m.key, m.name),
      level: t(`std_${level}`),
      unit: unitWord(m),
    }),
    "data-testid": `std-${svc}-${m.key}-${level}`,
    "data-svc": svc,
    "data-moment": m.key,
    "data-level": level,
    "data-unit": unit,
    "data-stored": value ?? "",
    "data-shown": shown,
  });
}

function momentHead(m) {
  return el(
    "th",
    { scope: "colgroup", colspan: "2", class: "moment-head" },
    el("span", { text: t("std_moment_head", { moment: momentName(m.key, m.name), unit: unitWord(m) }) }),
    el(
      "label",
      { class: "crit" },
      el("input", { type: "checkbox", checked: m.critical, "data-critical": m.key, "data-testid": `std-critical-${m.key}` }),
      ` ${t("std_critical")}`,
    ),
  );
}

function renderTable() {
  const moments = current.moments;
  const services = Object.keys(current.standards);
  $("standards").replaceChildren(
    el(
      "thead",
      {},
      el("tr", {}, el("th", { scope: "col", rowspan: "2", text: t("std_service") }), ...moments.map(momentHead)),
      el(
        "tr",
        {},
        ...moments.flatMap(() => [
          el("th", { scope: "col", class: "sub", text: t("std_expected") }),
          el("th", { scope: "col", class: "sub", text: t("std_exclusive") }),
        ]),
      ),
    ),
    el(
      "tbody",
      {},
      ...services.map((svc) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", class: "std-service", text: serviceLabel(svc) }),
          ...moments.flatMap((m) => [
            el("td", {}, targetInput(svc, m, "expected")),
            el("td", {}, targetInput(svc, m, "exclusive")),
          ]),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------- saving

/** A field's value for the API: the stored number when the field was not touched. */
function wireValue(node) {
  if (node.value === node.dataset.shown && node.dataset.stored !== "") return Number(node.dataset.stored);
  return fromField(node.value, node.dataset.unit);
}

function collectTargets() {
  const standards = {};
  for (const node of document.querySelectorAll(".std-input")) {
    const { svc, moment, level } = node.dataset;
    standards[svc] ??= {};
    standards[svc][moment] ??= {};
    standards[svc][moment][level] = wireValue(node);
  }
  return standards;
}

/**
 * An exclusive target no better than the expected one, said before anything is sent
 * (the server refuses it too): {message, field} or null.
 */
function worseExclusive(standards) {
  for (const [svc, per] of Object.entries(standards)) {
    for (const m of current.moments) {
      const { expected, exclusive } = per[m.key] || {};
      if (expected === null || expected === undefined || exclusive === null || exclusive === undefined) continue;
      const better = m.measure === "score" ? exclusive >= expected : exclusive <= expected;
      if (better) continue;
      const message = () =>
        t("std_exclusive_worse", {
          target: targetName(svc, m.key),
          exclusive: targetWords(exclusive, m),
          expected: targetWords(expected, m),
        });
      return { message, field: $("standards").querySelector(`[data-testid="std-${svc}-${m.key}-exclusive"]`) };
    }
  }
  return null;
}

async function save(event) {
  event.preventDefault();
  clearError();
  for (const node of document.querySelectorAll(".std-input[aria-invalid]")) node.removeAttribute("aria-invalid");
  // The form is novalidate (the overrides are checked here, with sentences); the targets
  // table keeps the browser's own checks.
  const invalid = [...document.querySelectorAll(".std-input")].find((node) => !node.checkValidity());
  if (invalid) {
    invalid.reportValidity();
    return;
  }
  const standards = collectTargets();
  const worse = worseExclusive(standards);
  if (worse) {
    showError({ message: worse.message }, "not_saved");
    worse.field?.setAttribute("aria-invalid", "true");
    worse.field?.focus();
    return;
  }
  const overrides = collectOverrides();
  if (!overrides) return;
  const moments = [...document.querySelectorAll("[data-critical]")].map((box) => ({
    key: box.dataset.critical,
    critical: box.checked,
  }));
  const btn = $("standards-save");
  btn.disabled = true;
  try {
    current = await ctx.api.request("PUT", `/api/v1/branches/${encodeURIComponent(ctx.branch)}/service-cycle`, {
      body: { moments, standards, overrides },
    });
    render();
    setStatus({ key: "saved" });
  } catch (err) {
    // In the dashboard's words (field paths named as the form names them), said again
    // after a language switch; the server's sentence where nothing better is known.
    const moments = current.moments;
    showError({ message: () => explainRefusal(err, { moments, targetWords }) }, "not_saved");
  } finally {
    btn.disabled = false;
  }
}
