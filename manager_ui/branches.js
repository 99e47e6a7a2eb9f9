// Branches side by side: GET /api/v1/branches/overview for a regional manager or an admin.
// Consistency of service across branches is the point, so the share within standard of each
// branch is shown against the group's.

import { plural, t } from "./i18n.js";
import { $, duration, el, int, pct } from "./util.js";

const EVERY_MS = 10000;
let ctx = null;
let timer = null;
let last = null; // the overview on screen, drawn again after a language switch

/** options: {api, onOpen(code), onError(err)} */
export function initBranches(options) {
  ctx = options;
}

/** The branches the caller may see, or null when they see one only. */
export async function visibleBranches(api) {
  const me = await api.get("/api/v1/auth/me");
  if (me.branches === null) return "all"; // an admin
  return me.branches.length > 1 ? me.branches : null;
}

export function showBranches() {
  hideBranches();
  const tick = async () => {
    try {
      render(await ctx.api.get("/api/v1/branches/overview"));
    } catch (err) {
      ctx.onError(err);
    }
  };
  tick();
  timer = setInterval(tick, EVERY_MS);
}

export function relabelBranches() {
  if (last) render(last);
}

export function hideBranches() {
  if (timer !== null) clearInterval(timer);
  timer = null;
}

function render(overview) {
  last = overview;
  const rows = overview.branches;
  let called = 0;
  let within = 0;
  for (const b of rows) {
    if (b.within_standard_pct !== null) {
      called += b.called_today;
      within += (b.within_standard_pct * b.called_today) / 100;
    }
  }
  const groupPct = called ? (100 * within) / called : null;
  $("branches-body").replaceChildren(
    ...rows.map((b) => {
      const below = groupPct !== null && b.within_standard_pct !== null && b.within_standard_pct < groupPct - 5;
      return el(
        "tr",
        { "data-testid": `branch-row-${b.branch}` },
        el("th", { scope: "row" }, el("span", { text: b.name }), el("span", { class: "muted small", text: ` ${b.branch}` })),
        el("td", { class: "num", "data-testid": `branch-waiting-${b.branch}`, text: int(b.waiting_total) }),
        el("td", { class: "num", text: duration(b.longest_wait_s) }),
        el("td", { class: "num", text: int(b.counters_open) }),
        el("td", { class: "num", "data-testid": `branch-served-${b.branch}`, text: int(b.served_today) }),
        el(
          "td",
          {
            class: below ? "num below" : "num",
            "data-testid": `branch-within-${b.branch}`,
            title: below ? t("below_group") : null,
          },
          b.within_standard_pct === null ? "–" : pct(b.within_standard_pct),
          below ? el("span", { "aria-hidden": "true", text: " ▼" }) : null,
          below ? el("span", { class: "sr-only", text: ` (${t("below_group")})` }) : null,
        ),
        el("td", { class: "num", text: int(b.alerts.length) }),
        el(
          "td",
          {},
          el("button", {
            type: "button",
            class: "btn btn-small",
            "data-testid": `open-branch-${b.branch}`,
            text: t("open_branch"),
            "aria-label": t("open_branch_label", { name: b.name }),
            onclick: () => ctx.onOpen(b.branch),
          }),
        ),
      );
    }),
  );
  const sum = (key) => rows.reduce((n, b) => n + b[key], 0);
  $("branches-total").replaceChildren(
    el(
      "tr",
      {},
      el("th", { scope: "row", text: plural("all_branches", rows.length, { n: int(rows.length) }) }),
      el("td", { class: "num", text: int(sum("waiting_total")) }),
      el("td", { class: "num", text: duration(Math.max(0, ...rows.map((b) => b.longest_wait_s))) }),
      el("td", { class: "num", text: int(sum("counters_open")) }),
      el("td", { class: "num", text: int(sum("served_today")) }),
      el("td", { class: "num", "data-testid": "branches-within-all", text: groupPct === null ? "–" : pct(groupPct) }),
      el("td", { class: "num", text: int(rows.reduce((n, b) => n + b.alerts.length, 0)) }),
      el("td", {}),
    ),
  );
}
