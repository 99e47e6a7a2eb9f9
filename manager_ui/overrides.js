/**
 * manager_ui/overrides.js — the calendar overrides of the Standards tab: each override is a
 * card (label, factor, moments, days of the month, dates) that scales the time targets on its
 * days (stricter on paydays, looser before a holiday). Cards are drafts until the standards
 * form is saved; `collectOverrides()` checks them and gives the list the API takes.
 */

import { t } from "./i18n.js";
import { $, el, momentName, pctLoose, plainNumber, showError } from "./util.js";

const MAX_OVERRIDES = 50;
const MAX_LABEL = 80;
const FACTOR_MIN = 0.1;
const FACTOR_MAX = 10;

// Every sentence the overrides editor shows, in the chosen language (./i18n.js, keys ovr_*).
const range = () => ({ min: plainNumber(FACTOR_MIN), max: plainNumber(FACTOR_MAX) });
const T = {
  untitled: (n) => t("ovr_untitled", { n }),
  empty: () => t("ovr_empty"),
  label: () => t("ovr_label"),
  labelPlaceholder: () => t("ovr_label_placeholder"),
  factor: () => t("ovr_factor"),
  factorSame: (f) => t("ovr_factor_same", { f }),
  factorStricter: (f, pct) => t("ovr_factor_stricter", { f, pct: pctLoose(pct) }),
  factorLooser: (f, pct) => t("ovr_factor_looser", { f, pct: pctLoose(pct) }),
  factorTimes: (f) => t("ovr_factor_times", { f }),
  factorBad: () => t("ovr_factor_bad", range()),
  appliesTo: () => t("ovr_applies_to"),
  appliesNote: () => t("ovr_applies_note"),
  days: () => t("ovr_days"),
  daysPlaceholder: () => t("ovr_days_placeholder"),
  daysHelp: () => t("ovr_days_help"),
  dates: () => t("ovr_dates"),
  dateInput: (name) => t("ovr_date_input", { name }),
  addDate: () => t("ovr_add_date"),
  noDates: () => t("ovr_no_dates"),
  removeDate: (date) => t("ovr_remove_date", { date }),
  pickDate: () => t("ovr_pick_date"),
  remove: () => t("ovr_remove"),
  removeNamed: (label, n) => t("ovr_remove_named", { name: label || n }),
  full: (max) => t("ovr_full", { max }),
  needsDays: (name) => t("ovr_needs_days", { name }),
  badFactor: (name) => t("ovr_bad_factor", { name, ...range() }),
  badDays: (name, bad) => t("ovr_bad_days", { name, bad }),
  longLabel: (name) => t("ovr_long_label", { name, max: MAX_LABEL }),
};

// The overrides being edited: {uid, label, factor, moments: Set, daysText, dates: [], shown: []}.
let drafts = [];
let nextUid = 1;
// The standards editor's: the cycle's moments, and what to do when a card changes.
let hooks = { moments: () => [], changed: () => {} };

/** Once: `moments()` gives the cycle's moments; `changed()` marks the form unsaved. */
export function initOverrides(options) {
  hooks = options;
  $("override-add").addEventListener("click", addOverride);
}

/** The stored overrides as cards (after a load or a save). */
export function loadOverrides(list) {
  drafts = (list || []).map(draftFrom);
  renderOverrides();
}

/** The cards again in the chosen language, keeping what is typed and the messages shown. */
export function relabelOverrides() {
  const typed = new Map(drafts.map((d) => [d.uid, $(`ovr-${d.uid}-date`)?.value || ""]));
  for (const d of drafts) {
    const fields = new Set(d.shown.map((e) => e.field));
    d.shown = [
      ...cardErrors(d).filter((e) => fields.has(e.field)),
      ...(fields.has("date") ? [{ field: "date", text: T.pickDate() }] : []),
    ];
  }
  renderOverrides();
  for (const [uid, value] of typed) {
    const input = $(`ovr-${uid}-date`);
    if (input) input.value = value;
  }
}

/** The n-th card's name as the person reads it (for the server's messages about it). */
export function overrideName(index) {
  const d = drafts[index];
  return d ? d.label.trim() : "";
}

// ------------------------------------------------------------------------ the cards

/** The time moments an override can scale (feedback is a score: never). */
function timeMoments() {
  return (hooks.moments() || []).filter((m) => m.measure !== "score");
}

function draftFrom(o) {
  return {
    uid: nextUid++,
    label: o.label || "",
    factor: o.factor === undefined || o.factor === null ? "" : String(o.factor),
    moments: new Set(o.moments || []),
    daysText: formatDays(o.days_of_month || []),
    dates: [...new Set(o.dates || [])].sort(),
    shown: [], // the error messages shown under the card
  };
}

/** "1, 15, 28-31" -> {days: [1, 15, 28, 29, 30, 31], bad: []}; wrong pieces land in bad. */
export function parseDays(text) {
  const days = new Set();
  const bad = [];
  const tidy = String(text || "")
    .replace(/\s*[-–—]\s*/g, "-")
    .trim();
  if (!tidy) return { days: [], bad };
  for (const part of tidy.split(/[\s,;]+/)) {
    if (!part) continue;
    const range = /^(\d{1,2})-(\d{1,2})$/.exec(part);
    const single = /^\d{1,2}$/.test(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (from < 1 || to > 31 || from > to) bad.push(part);
      else for (let d = from; d <= to; d++) days.add(d);
    } else if (single && Number(part) >= 1 && Number(part) <= 31) {
      days.add(Number(part));
    } else {
      bad.push(part);
    }
  }
  return { days: [...days].sort((a, b) => a - b), bad };
}

/** [1, 15, 28, 29, 30, 31] -> "1, 15, 28-31" (runs of three or more as a range). */
export function formatDays(days) {
  const sorted = [...new Set(days.map(Number))].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j - i >= 2) out.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) out.push(String(sorted[k]));
    i = j + 1;
  }
  return out.join(", ");
}

function factorOk(raw) {
  const f = Number(raw);
  return raw !== "" && Number.isFinite(f) && f >= FACTOR_MIN && f <= FACTOR_MAX;
}

/** The factor in plain words: "0.8 = 20% stricter", "1.5 = 50% looser". */
export function factorHint(raw) {
  if (!factorOk(raw)) return T.factorBad();
  const f = Number(raw);
  const shown = plainNumber(Math.round(f * 1000) / 1000);
  const pct = Math.round(Math.abs(1 - f) * 1000) / 10;
  if (pct === 0) return T.factorSame(shown);
  if (f >= 2) return T.factorTimes(shown);
  return f < 1 ? T.factorStricter(shown, pct) : T.factorLooser(shown, pct);
}

function nameOf(d) {
  return d.label.trim() || T.untitled(drafts.indexOf(d) + 1);
}

function removeName(d) {
  return T.removeNamed(d.label.trim(), drafts.indexOf(d) + 1);
}

function addOverride() {
  if (drafts.length >= MAX_OVERRIDES) {
    showError({ message: () => T.full(MAX_OVERRIDES) }, "ovr_not_added");
    return;
  }
  drafts.push(draftFrom({ label: "", factor: 1 }));
  renderOverrides();
  hooks.changed();
  $(`ovr-${drafts.at(-1).uid}-label`).focus();
}

function removeOverride(d) {
  const i = drafts.indexOf(d);
  drafts.splice(i, 1);
  renderOverrides();
  hooks.changed();
  // Focus where the removed card was: the next card, else the previous one, else Add.
  const next = drafts[i] || drafts[i - 1];
  (next ? $(`ovr-${next.uid}-remove`) : $("override-add")).focus();
}

function renderOverrides() {
  const list = $("overrides");
  list.replaceChildren(...drafts.map((d, i) => overrideCard(d, i)));
  for (const d of drafts) paintErrors(d);
  $("overrides-empty").textContent = T.empty();
  $("overrides-empty").hidden = drafts.length > 0;
  const add = $("override-add");
  add.disabled = drafts.length >= MAX_OVERRIDES;
  add.title = add.disabled ? T.full(MAX_OVERRIDES) : "";
}

/**
 * One override's card. Each field is built by its own function below; `ids` names the
 * card's elements (stable across re-renders by the draft's uid; test ids by position), and
 * `refs` holds the elements a field updates in another (a new label renames the card).
 */
function overrideCard(d, index) {
  const ids = {
    id: (part) => `ovr-${d.uid}-${part}`,
    tid: (part) => `ovr-${index}-${part}`,
  };
  const refs = {};
  refs.title = el("h3", { class: "ovr-title", id: ids.id("title"), text: nameOf(d) });
  refs.remove = el(
    "button",
    {
      type: "button",
      class: "btn btn-small btn-quiet-danger",
      id: ids.id("remove"),
      "aria-label": removeName(d),
      "data-testid": ids.tid("remove"),
      onclick: () => removeOverride(d),
    },
    T.remove(),
  );
  const dates = datesField(d, ids);
  refs.dateInput = dates.input;
  return el(
    "div",
    { class: "ovr-card", role: "group", "aria-labelledby": ids.id("title"), "data-testid": "override" },
    el(
      "div",
      { class: "ovr-head" },
      el("span", { class: "ovr-num", "aria-hidden": "true", text: index + 1 }),
      refs.title,
      refs.remove,
    ),
    el(
      "div",
      { class: "ovr-grid" },
      labelField(d, ids, refs),
      factorField(d, ids),
      momentsField(d, ids),
      daysField(d, ids),
      dates.field,
    ),
    el("p", {
      class: "ovr-error",
      id: ids.id("error"),
      "aria-live": "polite",
      "data-testid": ids.tid("error"),
      hidden: true,
    }),
  );
}

/** The override's name; typing renames the card, its Remove button and its date picker. */
function labelField(d, { id, tid }, refs) {
  const input = el("input", {
    id: id("label"),
    class: "ovr-input",
    type: "text",
    maxlength: MAX_LABEL,
    autocomplete: "off",
    placeholder: T.labelPlaceholder(),
    value: d.label,
    "data-testid": tid("label"),
    oninput: (e) => {
      d.label = e.target.value;
      updateErrors(d, ["label"]);
      refs.title.textContent = nameOf(d);
      refs.remove.setAttribute("aria-label", removeName(d));
      refs.dateInput.setAttribute("aria-label", T.dateInput(nameOf(d)));
    },
  });
  return el("div", { class: "field ovr-field ovr-label" }, el("label", { for: id("label"), text: T.label() }), input);
}

/** The factor, with a hint that says in words whether it makes the standard stricter. */
function factorField(d, { id, tid }) {
  const hint = el("span", { class: "ovr-hint", id: id("factor-hint"), "data-testid": tid("factor-hint") });
  const showHint = () => {
    hint.textContent = factorHint(d.factor);
    hint.classList.toggle("is-bad", !factorOk(d.factor));
    hint.classList.toggle("is-stricter", factorOk(d.factor) && Number(d.factor) < 1);
    hint.classList.toggle("is-looser", factorOk(d.factor) && Number(d.factor) > 1);
  };
  const input = el("input", {
    id: id("factor"),
    class: "ovr-input ovr-factor",
    type: "number",
    inputmode: "decimal",
    min: FACTOR_MIN,
    max: FACTOR_MAX,
    step: 0.05,
    value: d.factor,
    "aria-describedby": `${id("factor-hint")} ${id("error")}`,
    "data-testid": tid("factor"),
    oninput: (e) => {
      d.factor = e.target.value;
      showHint();
      updateErrors(d, ["factor"]);
    },
  });
  showHint();
  return el(
    "div",
    { class: "field ovr-field ovr-factor-field" },
    el("label", { for: id("factor"), text: T.factor() }),
    el("div", { class: "ovr-factor-row" }, input, hint),
  );
}

/** The time moments the factor applies to, one checkbox each. */
function momentsField(d, { id, tid }) {
  const check = (m) =>
    el(
      "label",
      { class: "ovr-check" },
      el("input", {
        type: "checkbox",
        checked: d.moments.has(m.key),
        "data-testid": tid(`moment-${m.key}`),
        onchange: (e) => {
          if (e.target.checked) d.moments.add(m.key);
          else d.moments.delete(m.key);
        },
      }),
      el("span", { text: momentName(m.key, m.name) }),
    );
  return el(
    "fieldset",
    { class: "ovr-moments", "aria-describedby": id("moments-note") },
    el("legend", { text: T.appliesTo() }),
    el("div", { class: "ovr-checks" }, ...timeMoments().map(check)),
    el("p", { class: "ovr-note", id: id("moments-note"), text: T.appliesNote() }),
  );
}

/** Days of the month (paydays) as text: "1, 15, 30". */
function daysField(d, { id, tid }) {
  const input = el("input", {
    id: id("days"),
    class: "ovr-input",
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
    placeholder: T.daysPlaceholder(),
    value: d.daysText,
    "aria-describedby": `${id("days-help")} ${id("error")}`,
    "data-testid": tid("days"),
    oninput: (e) => {
      d.daysText = e.target.value;
      updateErrors(d, ["days"]);
    },
    // No message on leaving the field: it would push Save down under a pointer about to click.
  });
  return el(
    "div",
    { class: "field ovr-field ovr-days" },
    el("label", { for: id("days"), text: T.days() }),
    input,
    el("span", { class: "ovr-note", id: id("days-help"), text: T.daysHelp() }),
  );
}

/** Single dates: a date picker, Add, and the chosen dates as chips that remove themselves. */
function datesField(d, { id, tid }) {
  const chips = el("div", { class: "chip-row ovr-chips", "data-testid": tid("dates") });
  const input = el("input", {
    id: id("date"),
    class: "ovr-input ovr-date",
    type: "date",
    "aria-label": T.dateInput(nameOf(d)),
    "data-testid": tid("date-input"),
    // Enter adds the date instead of saving the whole form.
    onkeydown: (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        addDate();
      }
    },
  });
  const chip = (date, k) =>
    el(
      "button",
      {
        type: "button",
        class: "chip ovr-chip",
        "aria-label": T.removeDate(date),
        "data-testid": `${tid("date")}-${date}`,
        onclick: () => {
          d.dates.splice(k, 1);
          hooks.changed();
          updateErrors(d, ["days"]);
          drawChips(k);
        },
      },
      el("span", { text: date }),
      el("span", { class: "ovr-chip-x", "aria-hidden": "true", text: "×" }),
    );
  function drawChips(focusAt = null) {
    chips.replaceChildren(
      ...(d.dates.length ? d.dates.map(chip) : [el("span", { class: "muted ovr-none", text: T.noDates() })]),
    );
    if (focusAt !== null) {
      const buttons = chips.querySelectorAll("button");
      (buttons[Math.min(focusAt, buttons.length - 1)] || input).focus();
    }
  }
  function addDate() {
    const value = input.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      d.shown = [...d.shown.filter((e) => e.field !== "date"), { field: "date", text: T.pickDate() }];
      paintErrors(d);
      input.focus();
      return;
    }
    if (!d.dates.includes(value)) {
      d.dates.push(value);
      d.dates.sort();
    }
    input.value = "";
    hooks.changed();
    drawChips();
    updateErrors(d, ["date", "days"]);
    input.focus();
  }
  drawChips();
  const field = el(
    "fieldset",
    { class: "ovr-dates" },
    el("legend", { text: T.dates() }),
    el(
      "div",
      { class: "ovr-date-row" },
      input,
      el("button", { type: "button", class: "btn ovr-add-date", "data-testid": tid("add-date"), onclick: addDate }, T.addDate()),
    ),
    chips,
  );
  return { field, input };
}

/** What is wrong with one override: [{field, text}] (empty when it can be saved). */
function cardErrors(d) {
  const name = `“${nameOf(d)}”`;
  const errors = [];
  const { days, bad } = parseDays(d.daysText);
  if (bad.length) errors.push({ field: "days", text: T.badDays(name, bad.join(", ")) });
  else if (!days.length && !d.dates.length) errors.push({ field: "days", text: T.needsDays(name) });
  if (!factorOk(d.factor)) errors.push({ field: "factor", text: T.badFactor(name) });
  if (d.label.trim().length > MAX_LABEL) errors.push({ field: "label", text: T.longLabel(name) });
  return errors;
}

/**
 * Recheck some fields of one card while it is edited: a message shown by Save follows the
 * value and goes once it is fixed; new messages wait for the next Save.
 */
function updateErrors(d, fields) {
  const now = cardErrors(d).filter((e) => fields.includes(e.field));
  const had = new Set(d.shown.map((e) => e.field));
  d.shown = [...d.shown.filter((e) => !fields.includes(e.field)), ...now.filter((e) => had.has(e.field))];
  paintErrors(d);
}

/** Mark the fields of one card and say what is wrong under it. */
function paintErrors(d) {
  const fields = new Set(d.shown.map((e) => e.field));
  for (const part of ["label", "factor", "days", "date"]) {
    const node = $(`ovr-${d.uid}-${part}`);
    if (!node) continue;
    if (fields.has(part)) node.setAttribute("aria-invalid", "true");
    else node.removeAttribute("aria-invalid");
  }
  const box = $(`ovr-${d.uid}-error`);
  if (!box) return;
  box.textContent = d.shown.map((e) => e.text).join(" ");
  box.hidden = d.shown.length === 0;
}

/** The overrides as the API takes them, or null after saying what is wrong. */
export function collectOverrides() {
  const keys = timeMoments().map((m) => m.key);
  const messages = [];
  let first = null;
  for (const d of drafts) {
    const errors = cardErrors(d);
    d.shown = errors;
    paintErrors(d);
    if (errors.length && !first) first = $(`ovr-${d.uid}-${errors[0].field}`);
    messages.push(...errors.map((e) => e.text));
  }
  if (messages.length) {
    // Said again in the new language on a switch: the cards' messages as they are then.
    showError({ message: () => drafts.flatMap((d) => cardErrors(d).map((e) => e.text)).join(" ") }, "not_saved");
    first?.focus();
    return null;
  }
  return drafts.map((d) => ({
    label: d.label.trim(),
    dates: [...d.dates],
    days_of_month: parseDays(d.daysText).days,
    moments: keys.filter((k) => d.moments.has(k)),
    factor: Number(d.factor),
  }));
}
