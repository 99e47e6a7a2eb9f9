/**
 * manager_ui/standards-errors.js — a refused service-cycle save in the words of the form.
 * The API names fields by path ("standards.A.wait.expected: Input should be less than or
 * equal to 86400", docs: a 422 with `errors: [{field, message}]`); a manager reads
 * "A · Cash and deposits — Waiting, expected: must be at most 1,440 min". What cannot be
 * recognised keeps the server's own sentence.
 */

import { t } from "./i18n.js";
import { overrideName } from "./overrides.js";
import { momentName, plainNumber, serviceLabel } from "./util.js";

const OVERRIDE_FIELDS = new Set(["label", "factor", "dates", "days_of_month", "moments"]);

/** "A · Cash and deposits — Waiting": one service's target for one moment. */
export function targetName(svc, moment, level = null) {
  const vars = { service: serviceLabel(svc), moment: momentName(moment) };
  return level ? t("err_target_level", { ...vars, level: t(`std_${level}`) }) : t("err_target", vars);
}

function overrideWhat(index, field) {
  const name = overrideName(index);
  const vars = { n: index + 1, name, field: OVERRIDE_FIELDS.has(field) ? t(`field_${field}`) : field || "" };
  const text = t(name ? "err_override" : "err_override_untitled", vars);
  return field ? text : text.replace(/,\s*$/, "");
}

/**
 * What a field path names, and how its numbers read: {what, amount(n)}; null when unknown.
 * `form`: {moments, targetWords(value, moment)} from the editor.
 */
function describe(path, form) {
  const [head, a, b, c] = path.split(".");
  if (head === "standards" && a && b) {
    const moment = form.moments.find((m) => m.key === b);
    const level = c === "expected" || c === "exclusive" ? c : null;
    return {
      what: targetName(a, b, level),
      amount: (n) => (moment ? form.targetWords(n, moment) : plainNumber(n)),
    };
  }
  if (head === "overrides" && /^\d+$/.test(a || "")) {
    return { what: overrideWhat(Number(a), b), amount: (n) => plainNumber(n) };
  }
  if (head === "moments" && /^\d+$/.test(a || "")) {
    const moment = form.moments[Number(a)];
    if (moment) return { what: t("err_moment", { moment: momentName(moment.key, moment.name) }), amount: plainNumber };
  }
  return null;
}

/** The problem in our words when it is one we know; else the server's words. */
function problem(text, amount) {
  const num = (m) => amount(Number(m[1]));
  let m;
  if ((m = /less than or equal to (-?[\d.]+)/i.exec(text))) return t("err_at_most", { max: num(m) });
  if ((m = /greater than or equal to (-?[\d.]+)/i.exec(text))) return t("err_not_below", { min: num(m) });
  if ((m = /greater than (-?[\d.]+)/i.exec(text))) return t("err_at_least", { min: num(m) });
  if (/field required|is required/i.test(text)) return t("err_required");
  if (/valid number/i.test(text)) return t("err_not_number");
  return text;
}

function fieldProblem(e, form) {
  const field = String(e.field || "");
  const message = String(e.message || e.msg || "");
  // The server starts its message with the path ("standards.A.wait.expected: …").
  const rest = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  const known = describe(field, form);
  if (!known) return message;
  return t("err_field", { what: known.what, problem: problem(rest, known.amount) });
}

const WORSE = /^service (\S+), moment (\w+): the exclusive target \(([\d.]+)\) must be better than the expected one \(([\d.]+)\)$/;

/** The whole refusal as one line of text. `form`: {moments, targetWords}. */
export function explainRefusal(err, form) {
  if (err?.offline) return t(err.code === "timeout" ? "err_timeout" : "err_network");
  const errors = err?.errors || [];
  if (errors.length) return errors.map((e) => fieldProblem(e, form)).join(" ");
  const detail = String(err?.detail || err?.message || err);
  const m = WORSE.exec(detail);
  const moment = m && form.moments.find((x) => x.key === m[2]);
  if (moment) {
    return t("std_exclusive_worse", {
      target: targetName(m[1], m[2]),
      exclusive: form.targetWords(Number(m[3]), moment),
      expected: form.targetWords(Number(m[4]), moment),
    });
  }
  return detail;
}
