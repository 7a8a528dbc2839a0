// Serval's own browser code, bundled by scripts/build-assets.mjs into vendor/serval.js.
//
// Our Content-Security-Policy forbids inline scripts, so every bit of page behaviour lives here
// (or in another file imported from here) and templates only carry data-* attributes.
//
// Keyboard shortcuts (ignored while typing in a field, and when Ctrl/Alt/Meta is held):
//   /      focus the global search box            <input id="global-search">
//   c      open the page's "create" link           <a data-shortcut="create" href="…">
//   g m    go to my work                           <a data-shortcut="my-work" href="…">
//   Esc    leave the search box
// A shortcut whose target is not on the page does nothing.
(() => {
  "use strict";

  // Two-key sequences: first key, then second key -> data-shortcut name of the link to follow.
  const SEQUENCES = {
    g: { m: "my-work" },
  };
  // Single keys -> data-shortcut name of the link to follow.
  const SINGLE = {
    c: "create",
  };
  const SEQUENCE_TIMEOUT_MS = 1500;

  let pending = null; // first key of a sequence, while waiting for the second
  let pendingTimer = 0;

  function isTyping(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function follow(name) {
    const link = document.querySelector(`a[data-shortcut="${name}"]`);
    if (!link) return false;
    link.click(); // a click keeps hx-boost and other handlers working, unlike location.assign
    return true;
  }

  function clearPending() {
    pending = null;
    window.clearTimeout(pendingTimer);
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.key === "Escape" && event.target instanceof Element && event.target.id === "global-search") {
      event.target.blur();
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey || isTyping(event.target)) return;

    const key = event.key;
    if (pending) {
      const name = SEQUENCES[pending][key];
      clearPending();
      if (name && follow(name)) event.preventDefault();
      return;
    }
    if (key === "/") {
      const search = document.getElementById("global-search");
      if (search) {
        event.preventDefault(); // don't type the "/" into the box
        search.focus();
        if (typeof search.select === "function") search.select();
      }
      return;
    }
    if (Object.hasOwn(SEQUENCES, key)) {
      pending = key;
      pendingTimer = window.setTimeout(clearPending, SEQUENCE_TIMEOUT_MS);
      return;
    }
    if (Object.hasOwn(SINGLE, key) && follow(SINGLE[key])) event.preventDefault();
  });

  // --- htmx ----------------------------------------------------------------------------------
  const htmx = window.htmx;
  if (htmx) {
    // htmx would inject a <style> element for its indicators, which style-src 'self' blocks;
    // the same rules live in app.css instead. (app.js must load after htmx.min.js.)
    htmx.config.includeIndicatorStyles = false;

    // Send Django's CSRF token with every htmx request that changes something.
    document.addEventListener("htmx:configRequest", (event) => {
      const verb = (event.detail.verb || "get").toUpperCase();
      if (verb === "GET" || verb === "HEAD") return;
      const meta = document.querySelector('meta[name="csrf-token"]');
      const token = meta ? meta.content : (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1];
      if (token) event.detail.headers["X-CSRFToken"] = decodeURIComponent(token);
    });
  }
})();
