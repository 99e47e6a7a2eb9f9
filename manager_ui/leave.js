/**
 * manager_ui/leave.js — asking before unsaved edits are lost: the dashboard's own dialog when
 * the person switches tab or branch or signs out (#leave-dialog), and the browser's question
 * when the page itself is left (beforeunload).
 */

import { $ } from "./util.js";

/** Ask whether to leave and lose the edits: resolves true (discard) or false (stay). */
export function confirmLeave() {
  const dialog = $("leave-dialog");
  if (dialog.open) return Promise.resolve(false);
  return new Promise((resolve) => {
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "discard"), { once: true });
    dialog.showModal();
    // The safe choice has the focus: Enter or Escape keeps the edits.
    $("leave-stay").focus();
  });
}

/** While `unsaved()` says so, leaving the page (reload, close, another address) asks first. */
export function guardUnload(unsaved) {
  window.addEventListener("beforeunload", (event) => {
    if (!unsaved()) return;
    event.preventDefault();
    event.returnValue = ""; // older Chromium needs it set to show the question
  });
}
