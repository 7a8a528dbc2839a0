// The change calendar's keys and date picker (serval.changes.views.calendar_pages).
//   p / n / t    previous, next, today          <a data-calendar-nav="prev|next|today">
//   m / w / l    month, week, list view          <a data-calendar-view="month|week|list">
// Only on a page with [data-change-calendar]; ignored while typing or with Ctrl/Alt/Meta.
// Choosing a date in <input data-calendar-date> submits its form (the Go button does too).
(() => {
  "use strict";

  const NAV = { p: "prev", n: "next", t: "today" };
  const VIEW = { m: "month", w: "week", l: "list" };

  function typing(target) {
    if (!(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    return ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    if (!document.querySelector("[data-change-calendar]")) return;
    let link = null;
    if (Object.hasOwn(NAV, event.key)) {
      link = document.querySelector(`a[data-calendar-nav="${NAV[event.key]}"]`);
    } else if (Object.hasOwn(VIEW, event.key)) {
      link = document.querySelector(`a[data-calendar-view="${VIEW[event.key]}"]`);
    }
    if (link) {
      event.preventDefault();
      link.click();
    }
  });

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-calendar-date")) return;
    if (input.value && input.form && typeof input.form.requestSubmit === "function") {
      input.form.requestSubmit();
    }
  });
})();
