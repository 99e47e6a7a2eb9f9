/**
 * ui_common/logo.js — the branch's logo in a device screen's header (kiosk, display).
 *
 *   showBranchLogo({ img, mark, branch });
 *
 * `branch.logo_url` (from the snapshot or a branch.changed event) is loaded into `img`, whose
 * alt text is the branch's name; `mark` (Sira's own mark) shows instead while there is no
 * logo, until it has loaded, and when it fails to load, so the header never shows a broken
 * image. The address changes with the image, so calling this again with the same branch
 * costs nothing.
 */

export function showBranchLogo({ img, mark, branch }) {
  const url = (branch && branch.logo_url) || "";
  img.alt = (branch && branch.name) || "";
  const shown = (ok) => {
    img.hidden = !ok;
    // The attribute, not the property: the display's mark is an <svg>, which has none.
    if (mark) mark.toggleAttribute("hidden", ok);
  };
  if (!url) {
    img.removeAttribute("src");
    shown(false);
    return;
  }
  if (img.getAttribute("src") === url) return;
  img.onload = () => shown(img.getAttribute("src") === url);
  img.onerror = () => shown(false);
  img.src = url;
}
