// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Forms with data-confirm ask before submitting (for destructive actions).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Inputs with data-autosubmit submit their form when changed (filters).
  document.querySelectorAll("[data-autosubmit]").forEach((input) => {
    input.addEventListener("change", () => input.form && input.form.requestSubmit());
  });
  // A table wider than the screen scrolls sideways inside its .table-wrap: a keyboard user reaches
  // the hidden columns by focusing the wrapper (arrow keys scroll it), so an overflowing wrapper
  // without a tabindex of its own gets one, named after its table's caption or the heading above.
  const reachable = () => {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const overflows = wrap.scrollWidth > wrap.clientWidth + 1;
      if (overflows && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        const caption = wrap.querySelector("caption");
        let heading = wrap.previousElementSibling;
        while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
        const name = (caption || heading || {}).textContent;
        if (name && name.trim()) wrap.setAttribute("aria-label", name.trim());
        wrap.dataset.madeFocusable = "1";
      } else if (!overflows && wrap.dataset.madeFocusable) {
        ["tabindex", "role", "aria-label", "data-made-focusable"].forEach((name) => wrap.removeAttribute(name));
      }
    });
  };
  reachable();
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(reachable, 150);
  });
  // A folded table (<details>) opened later may overflow: check again.
  document.querySelectorAll("details").forEach((details) => details.addEventListener("toggle", reachable));
});
