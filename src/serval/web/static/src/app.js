import "./calendar.js";
// Serval's own browser code, bundled by scripts/build-assets.mjs into vendor/serval.js.
//
// Our Content-Security-Policy forbids inline scripts, so every bit of page behaviour lives here
// (or in another file imported from here) and templates only carry data-* attributes.
//
// Keyboard shortcuts (ignored while typing in a field, and when Ctrl/Alt/Meta is held):
//   /      focus the global search box            <input id="global-search">
//   c      open the page's "create" link           <a data-shortcut="create" href="…">
//   g m    go to my work                           <a data-shortcut="my-work" href="…">
//   g i    go to incidents                         <a data-shortcut="incidents" href="…">
//   g q    go to team queues                       <a data-shortcut="queues" href="…">
//   r      reply: focus the comment box            <textarea data-shortcut-focus="reply">
//   ?      show the shortcuts help                 <dialog id="shortcuts-dialog">
//   Esc    leave the search box (dialogs close themselves)
// A shortcut whose target is not on the page does nothing.
(() => {
  "use strict";

  // Two-key sequences: first key, then second key -> data-shortcut name of the link to follow.
  const SEQUENCES = {
    g: { m: "my-work", i: "incidents", q: "queues" },
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
    if (key === "?") {
      if (openDialog("shortcuts-dialog")) event.preventDefault();
      return;
    }
    if (key === "r") {
      const box = document.querySelector('[data-shortcut-focus="reply"]');
      if (box) {
        event.preventDefault();
        box.scrollIntoView({ block: "center" });
        box.focus();
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

  // --- dialogs -------------------------------------------------------------------------------
  // <button data-dialog-open="ID"> opens <dialog id="ID"> as a modal (focus is trapped and Esc
  // closes it natively); [data-dialog-close] inside closes it; a dialog marked
  // data-open-on-load opens when the page loads (a form in it came back with errors). A dialog
  // with data-dialog-src holds only its title until it first opens, then fetches its form
  // (with the item version the page holds): the page does not draw forms it may never show.
  function focusFirst(dialog) {
    const first = dialog.querySelector("[autofocus], select, textarea, input:not([type=hidden]), button:not([data-dialog-close])");
    if (first) first.focus();
  }

  // Fetches the HTML at the URL in `element`'s `attr`, once, with the item version the page
  // holds; `place(html, status)` puts it in. On failure the element's `statusSelector` line
  // says so (its data-failed text). Resolves true once the HTML is in.
  function fetchInto(element, attr, statusSelector, place) {
    if (element.hasAttribute("data-loading")) return Promise.resolve(false);
    element.setAttribute("data-loading", "");
    const url = new URL(element.getAttribute(attr), window.location.href);
    const version = document.querySelector("input[data-item-version]");
    if (version) url.searchParams.set("version", version.value);
    const status = element.querySelector(statusSelector);
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then((html) => {
        place(html, status);
        element.removeAttribute(attr);
        if (window.htmx) window.htmx.process(element);
        return true;
      })
      .catch(() => {
        if (status) status.textContent = status.getAttribute("data-failed") || "";
        return false;
      })
      .finally(() => element.removeAttribute("data-loading"));
  }

  function loadDialog(dialog) {
    fetchInto(dialog, "data-dialog-src", "[data-dialog-status]", (html) => {
      dialog.innerHTML = html;
    }).then((loaded) => {
      if (loaded && dialog.open) focusFirst(dialog);
    });
  }

  // A panel with data-fill-src (a form a page does not draw until it is wanted) is filled
  // with the HTML at that URL the first time it is shown, in place of its [data-fill-status]
  // line.
  function focusField(panel) {
    const field = panel.querySelector("input:not([type=hidden]), textarea, select");
    if (field) field.focus();
  }

  function fillPanel(panel) {
    fetchInto(panel, "data-fill-src", "[data-fill-status]", (html, status) => {
      const holder = document.createElement("div");
      holder.innerHTML = html;
      if (status) status.replaceWith(...holder.childNodes);
      else panel.append(...holder.childNodes);
    }).then((loaded) => {
      if (loaded && !panel.hidden) focusField(panel);
    });
  }

  function openDialog(id) {
    const dialog = document.getElementById(id);
    if (!(dialog instanceof HTMLDialogElement)) return false;
    if (!dialog.open) dialog.showModal();
    if (dialog.hasAttribute("data-dialog-src")) loadDialog(dialog);
    else focusFirst(dialog);
    return true;
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const opener = target.closest("[data-dialog-open]");
    if (opener) {
      event.preventDefault();
      openDialog(opener.getAttribute("data-dialog-open"));
      return;
    }
    const closer = target.closest("[data-dialog-close]");
    if (closer) {
      const dialog = closer.closest("dialog");
      if (dialog) dialog.close();
      return;
    }
    // A click on the backdrop lands on the <dialog> itself (its card fills the box): close it.
    if (target instanceof HTMLDialogElement && target.open) {
      target.close();
      return;
    }
    const toggler = target.closest("[data-toggle-hidden]");
    if (toggler) {
      const panel = document.getElementById(toggler.getAttribute("data-toggle-hidden"));
      if (panel) {
        panel.hidden = !panel.hidden;
        toggler.setAttribute("aria-expanded", String(!panel.hidden));
        if (!panel.hidden && panel.hasAttribute("data-fill-src")) fillPanel(panel);
        else if (!panel.hidden) focusField(panel);
      }
      return;
    }
    const copier = target.closest("[data-copy]");
    if (copier) {
      const field = document.getElementById(copier.getAttribute("data-copy"));
      if (field && navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(() => {
          copier.classList.add("copied");
        }, () => {});
      } else if (field) {
        field.select();
      }
    }
  });

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  onReady(() => {
    const pending = document.querySelector("dialog[data-open-on-load]");
    if (pending) openDialog(pending.id);
  });

  // Files over the size limit are refused before they are uploaded (the server checks again).
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    const max = Number(input.getAttribute("data-max-bytes") || 0);
    const file = input.files && input.files[0];
    if (max && file && file.size > max) {
      input.setCustomValidity(input.getAttribute("data-too-big") || "Too big");
      input.reportValidity();
    } else {
      input.setCustomValidity("");
    }
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

    // A write that bumped the item's version says so in a header; keep every form's hidden
    // version current so the next save is not refused as stale by our own earlier write.
    document.addEventListener("htmx:afterRequest", (event) => {
      const xhr = event.detail.xhr;
      if (!xhr) return;
      const version = xhr.getResponseHeader("Serval-Version");
      if (version) {
        document.querySelectorAll("input[data-item-version]").forEach((input) => {
          input.value = version;
        });
      }
      const form = event.detail.elt;
      if (event.detail.successful && form instanceof HTMLFormElement &&
          form.hasAttribute("data-reset-on-success") && !xhr.getResponseHeader("HX-Retarget")) {
        form.reset();
      }
    });

    // Impact and urgency redraw the read-only priority; the assignment group reloads the
    // assignee choices. Forms say where to ask with data-priority-url / data-assignees-url.
    document.addEventListener("change", (event) => {
      const field = event.target;
      if (!(field instanceof HTMLSelectElement) || !field.form) return;
      const form = field.form;
      if (field.hasAttribute("data-priority-source") && form.dataset.priorityUrl) {
        const target = form.querySelector("[data-priority-target]");
        const impact = form.querySelector('[name="impact"]');
        const urgency = form.querySelector('[name="urgency"]');
        if (target && impact && urgency) {
          // The target stays in place (innerHTML) and carries hx-sync="this:queue last": a
          // quick second change waits for the first request and only the latest is sent, so
          // answers never race and nothing is aborted (htmx reports aborts as errors).
          htmx.ajax("GET", form.dataset.priorityUrl, {
            source: target,
            target,
            swap: "innerHTML",
            values: { impact: impact.value, urgency: urgency.value },
          });
        }
      }
      if (field.hasAttribute("data-assignee-source") && form.dataset.assigneesUrl) {
        const assignee = form.querySelector('select[name="assignee"]');
        if (assignee) {
          htmx.ajax("GET", form.dataset.assigneesUrl, {
            source: assignee,
            target: assignee,
            swap: "innerHTML",
            values: { assignment_group: field.value, assignee: assignee.value },
          });
        }
      }
    });
  }
})();

// --- SLA countdowns --------------------------------------------------------------------------
// <time data-deadline="ISO" data-future="in {t}" data-past="overdue by {t}"> shows the time
// left to a deadline, rewritten every second (the server renders the first text).
(() => {
  "use strict";

  function span(total) {
    const seconds = Math.abs(Math.trunc(total));
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    if (days) return hours ? `${days} d ${hours} h` : `${days} d`;
    if (hours) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
    if (minutes) return `${minutes} min`;
    return `${seconds % 60} s`;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach((el) => {
      const deadline = Date.parse(el.getAttribute("data-deadline") || "");
      if (Number.isNaN(deadline)) return;
      const left = (deadline - now) / 1000;
      const template = left >= 0 ? el.getAttribute("data-future") : el.getAttribute("data-past");
      const text = (template || "{t}").replace("{t}", span(left));
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("is-overdue", left < 0);
    });
  }

  let timer = 0;
  function start() {
    if (!document.querySelector("[data-deadline]")) return;
    tick();
    if (!timer) timer = window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // htmx swaps (queue results, timeline) may bring new countdowns: update them right away.
  document.addEventListener("htmx:afterSettle", start);
})();
