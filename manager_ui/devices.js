/**
 * manager_ui/devices.js — the live tab's device list: each kiosk, display and agent with its
 * state and when the branch last heard from it. A device with an open link (an agent's socket,
 * a screen's event stream) or any request in the last minute is "Online now"; otherwise the
 * last contact is said as a time ago and on the branch's clock ("2 h ago · 09:14 (TSİ)").
 */

import { printerState } from "./alerts.js";
import { t } from "./i18n.js";
import { $, ago, clock, dateTime, el, sameBranchDay, word } from "./util.js";

// A device heard from this recently is online whatever its link says (a kiosk that issued a
// ticket over HTTP just now); the server refreshes an open screen's contact about every 15 s.
const ONLINE_WITHIN_MS = 60000;

function link(d) {
  const parts = d.status || {};
  // The device agent's control socket, or a browser screen's event stream.
  return parts.agent?.state ?? parts.screen?.state ?? null;
}

function isOnline(d, now = Date.now()) {
  if (!d.active) return false;
  const heard = d.last_seen_at ? now - Date.parse(d.last_seen_at) : Infinity;
  return link(d) === "online" || heard <= ONLINE_WITHIN_MS;
}

/** The pill: what is wrong, else whether it is connected. */
function pill(d, now) {
  if (!d.active) return { word: t("dev_revoked"), cls: "off" };
  const online = isOnline(d, now);
  // Offline first: a printer state it reported before it went quiet may be stale.
  if (!online && link(d) === "offline") return { word: t("dev_offline"), cls: "bad" };
  const printer = d.status?.printer?.state;
  if (printer && printer !== "online") return { word: t("dev_printer", { state: printerState(printer) }), cls: "bad" };
  if (online) return { word: t("dev_online"), cls: "ok" };
  if (!d.last_seen_at) return { word: t("dev_not_connected"), cls: "off" };
  return { word: t("dev_quiet"), cls: "off" };
}

/** Today on the branch's clock: the time is enough; an earlier day needs its date. */
function contactTime(iso, now) {
  return sameBranchDay(iso, now) ? clock(iso) : dateTime(iso);
}

/** "Online now", "Last contact 7 min ago · 14:05 (TSİ)" or "Never connected". */
function contactLine(d, now = Date.now()) {
  if (isOnline(d, now)) return t("online_now");
  if (!d.last_seen_at) return t("never_connected");
  return t("last_contact", { ago: ago(d.last_seen_at, now), time: contactTime(d.last_seen_at, now) });
}

export function renderDevices(devices) {
  const now = Date.now();
  $("devices").replaceChildren(
    ...devices.map((d) => {
      const st = pill(d, now);
      return el(
        "li",
        { class: "device-item", "data-testid": `device-${d.id}` },
        el(
          "span",
          { class: "device-text" },
          el("span", { class: "device-name", text: d.name }),
          el("span", { class: "muted small", text: word("kind_", d.kind) }),
        ),
        el(
          "span",
          { class: "device-state" },
          el("span", { class: `dev-pill dev-${st.cls}`, "data-testid": `device-pill-${d.id}`, text: st.word }),
          el("span", {
            class: "muted small device-contact",
            "data-testid": `device-contact-${d.id}`,
            text: contactLine(d, now),
          }),
        ),
      );
    }),
  );
  if (!devices.length) $("devices").append(el("li", { class: "muted", text: t("no_devices") }));
}

/** Every second: the "ago" keeps counting between refreshes. */
export function tickDevices(devices) {
  const now = Date.now();
  for (const d of devices) {
    const node = document.querySelector(`[data-testid="device-contact-${d.id}"]`);
    if (node) node.textContent = contactLine(d, now);
  }
}
