/**
 * manager_ui/settings/forms.js — what every Settings form shares: errors beside their field
 * (as the user types and from the server, in the user's language), a save that changes
 * nothing when it fails, the version check's refusal in words, confirmations, paging.
 *
 *   showErrors(form, err, t)   the server's errors beside each field ([data-error-for=name]);
 *                              the rest in the form's [data-form-error]; true if any was shown.
 *                              A problem whose `type` the dictionary knows (set_err_<type>,
 *                              with its `ctx` limits) is said in the user's language; any
 *                              other keeps the server's sentence
 *   serverText(problem, t)     that sentence for one {field, message, type, ctx}
 *   clearErrors(form)
 *   check(form, rules, t)      client-side rules {field: (value, form) => key|null}; shows
 *                              the first problem per field; true when all pass. Wire with
 *                              liveCheck(form, rules, t) to check as the user types.
 *   pager(items, page, size)   {rows, page, pages, total}
 *   pagerNav(state, onPage, t) a "‹ 1 / 3 ›" control
 *   matches(text, query)       a case- and accent-insensitive search in the user's locale
 */

import { ApiError } from "/ui/api.js";
import { el } from "/ui/staff.js";
import { plural, STRINGS } from "../i18n.js";

const fold = (s) =>
  String(s ?? "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLocaleLowerCase();

export function matches(text, query) {
  const q = fold(query).trim();
  return !q || fold(text).includes(q);
}

function slot(form, name) {
  return form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
}

function field(form, name) {
  return form.querySelector(`[name="${CSS.escape(name)}"]`);
}

export function clearErrors(form) {
  for (const s of form.querySelectorAll("[data-error-for]")) {
    s.textContent = "";
    s.hidden = true;
  }
  for (const f of form.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
  const general = form.querySelector("[data-form-error]");
  if (general) {
    general.textContent = "";
    general.hidden = true;
  }
}

function place(form, name, message) {
  const s = slot(form, name);
  if (!s) return false;
  s.textContent = message;
  s.hidden = false;
  const f = field(form, name);
  if (f) {
    f.setAttribute("aria-invalid", "true");
    if (s.id) f.setAttribute("aria-describedby", s.id);
  }
  return true;
}

export function serverText(problem, t) {
  const key = `set_err_${problem.type || ""}`;
  return Object.hasOwn(STRINGS.en, key) ? t(key, problem.ctx || {}) : problem.message;
}

/** A server refusal beside its field(s); what no field owns goes to the form's line. */
export function showErrors(form, err, t) {
  clearErrors(form);
  const general = form.querySelector("[data-form-error]");
  const rest = [];
  if (err instanceof ApiError && Array.isArray(err.errors)) {
    for (const e of err.errors) {
      const name = String(e.field || "").split(".")[0];
      const text = serverText(e, t);
      if (!place(form, name, text)) rest.push(text);
    }
  }
  if (!(err instanceof ApiError) || !Array.isArray(err.errors) || rest.length) {
    let text = rest.join(" ") || (err instanceof ApiError ? err.detail : String(err));
    if (err instanceof ApiError && err.code === "edited_elsewhere") text = t("set_edited_elsewhere");
    if (err instanceof ApiError && err.offline) text = t("set_offline");
    if (general) {
      general.textContent = text;
      general.hidden = false;
    }
  }
  form.querySelector("[aria-invalid='true']")?.focus();
  return true;
}

export function check(form, rules, t) {
  clearErrors(form);
  let ok = true;
  for (const [name, rule] of Object.entries(rules)) {
    const f = field(form, name);
    const problem = rule(f ? f.value : undefined, form);
    if (problem) {
      ok = false;
      place(form, name, t(problem));
    }
  }
  return ok;
}

/** Check one field as the user types (after they first leave it), all on submit. */
export function liveCheck(form, rules, t) {
  for (const [name, rule] of Object.entries(rules)) {
    const f = field(form, name);
    if (!f) continue;
    const run = () => {
      const s = slot(form, name);
      const problem = rule(f.value, form);
      if (s) {
        s.textContent = problem ? t(problem) : "";
        s.hidden = !problem;
      }
      if (problem) f.setAttribute("aria-invalid", "true");
      else f.removeAttribute("aria-invalid");
    };
    f.addEventListener("blur", () => {
      f.dataset.touched = "1";
      run();
    });
    f.addEventListener("input", () => f.dataset.touched && run());
  }
}

export function pager(items, page, size = 20) {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(1, page), pages);
  return { rows: items.slice((p - 1) * size, p * size), page: p, pages, total: items.length };
}

export function pagerNav({ page, pages, total }, onPage, t) {
  if (pages <= 1) return el("p", { class: "muted small set-count", text: plural("set_count", total) });
  return el(
    "nav",
    { class: "set-pager", "aria-label": t("set_pages") },
    el("button", {
      type: "button",
      class: "btn btn-small",
      text: "‹",
      "aria-label": t("set_prev"),
      disabled: page <= 1,
      onclick: () => onPage(page - 1),
    }),
    el("span", { class: "muted", text: t("set_page_of", { page, pages }) }),
    el("button", {
      type: "button",
      class: "btn btn-small",
      text: "›",
      "aria-label": t("set_next"),
      disabled: page >= pages,
      onclick: () => onPage(page + 1),
    }),
  );
}

/** A section's list: its table (a caption for screen readers) or what to say when nothing
 * matches, then the pager. Returns the nodes to put in the list's host. */
export function listView({ testid, caption, head, rows, empty, view, onPage, t }) {
  const table = rows.length
    ? el(
        "div",
        { class: "table-wrap" },
        el(
          "table",
          { class: "table cfg-table", "data-testid": testid },
          el("caption", { class: "sr-only", text: caption }),
          el("thead", {}, el("tr", {}, ...head)),
          el("tbody", {}, ...rows),
        ),
      )
    : el("p", { class: "muted", text: empty });
  return [table, pagerNav(view, onPage, t)];
}

/** A labelled field with its error slot: `fieldRow("name", t("label"), input)`. */
let uid = 0;
export function fieldRow(name, label, input, hint = null) {
  uid += 1;
  const id = `set-f-${name}-${uid}`;
  input.id = id;
  input.name = name;
  const err = el("p", { class: "field-error", id: `${id}-err`, "data-error-for": name, role: "alert", hidden: true });
  const hintEl = hint ? el("p", { class: "muted small field-hint", id: `${id}-hint`, text: hint }) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return el("div", { class: "field set-field" }, el("label", { for: id, text: label }), input, hintEl, err);
}
