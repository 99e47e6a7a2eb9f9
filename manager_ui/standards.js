/**
 * manager_ui/standards.js — the Standards tab: the branch's service-cycle map
 * (GET/PUT /api/v1/branches/{b}/service-cycle), expected and exclusive targets per service
 * and moment, and which moments are critical.
 */

import { $, clearError, el, showError } from "./util.js";

let current = null;
let ctx = null;

export async function showStandards(options) {
  ctx = options;
  const form = $("standards-form");
  if (!form.dataset.wired) {
    form.dataset.wired = "1";
    form.addEventListener("submit", save);
  }
  try {
    current = await ctx.api.get(`/api/v1/branches/${encodeURIComponent(ctx.branch)}/service-cycle`);
    render();
  } catch (err) {
    showError(err, "The standards could not be loaded:");
  }
}

function unit(moment) {
  return moment.measure === "score" ? "score" : "s";
}

function render() {
  const moments = current.moments;
  const services = Object.keys(current.standards);
  const input = (svc, m, level) => {
    const value = current.standards[svc]?.[m.key]?.[level];
    const score = m.measure === "score";
    return el("input", {
      type: "number",
      class: "std-input",
      min: score ? 1 : 1,
      max: score ? 5 : 86400,
      step: 1,
      value: value ?? "",
      required: level === "expected",
      "aria-label": `Service ${svc}, ${m.name}, ${level} (${unit(m)})`,
      "data-testid": `std-${svc}-${m.key}-${level}`,
      "data-svc": svc,
      "data-moment": m.key,
      "data-level": level,
    });
  };
  $("standards").replaceChildren(
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col", rowspan: "2", text: "Service" }),
        ...moments.map((m) =>
          el(
            "th",
            { scope: "colgroup", colspan: "2", class: "moment-head" },
            el("span", { text: `${m.name} (${unit(m)})` }),
            el(
              "label",
              { class: "crit" },
              el("input", {
                type: "checkbox",
                checked: m.critical,
                "data-critical": m.key,
                "data-testid": `std-critical-${m.key}`,
              }),
              " critical",
            ),
          ),
        ),
      ),
      el(
        "tr",
        {},
        ...moments.flatMap(() => [
          el("th", { scope: "col", class: "sub", text: "expected" }),
          el("th", { scope: "col", class: "sub", text: "exclusive" }),
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
          el("th", { scope: "row", text: svc }),
          ...moments.flatMap((m) => [
            el("td", {}, input(svc, m, "expected")),
            el("td", {}, input(svc, m, "exclusive")),
          ]),
        ),
      ),
    ),
  );
  $("standards-status").textContent = current.updated_at
    ? `Last changed ${new Date(current.updated_at).toLocaleString()}`
    : "";
}

async function save(event) {
  event.preventDefault();
  clearError();
  const standards = {};
  for (const node of document.querySelectorAll(".std-input")) {
    const { svc, moment, level } = node.dataset;
    standards[svc] ??= {};
    standards[svc][moment] ??= {};
    standards[svc][moment][level] = node.value === "" ? null : Number(node.value);
  }
  const moments = [...document.querySelectorAll("[data-critical]")].map((box) => ({
    key: box.dataset.critical,
    critical: box.checked,
  }));
  const btn = $("standards-save");
  btn.disabled = true;
  try {
    current = await ctx.api.request("PUT", `/api/v1/branches/${encodeURIComponent(ctx.branch)}/service-cycle`, {
      body: { moments, standards, overrides: current.overrides || [] },
    });
    render();
    $("standards-status").textContent = "Saved.";
  } catch (err) {
    const fields = err.errors ? ` (${err.errors.map((e) => e.msg || e.message || "").join("; ")})` : "";
    showError({ message: `${err.detail || err.message}${fields}` }, "The standards were not saved:");
  } finally {
    btn.disabled = false;
  }
}
