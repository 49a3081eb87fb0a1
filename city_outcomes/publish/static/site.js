// The site's one script (no inline scripts: the pages' Content-Security-Policy allows only files of the site).
// It draws every chart from the JSON spec beside it, and switches the high-contrast mode.
(function () {
  "use strict";
  // Tooltips are HTML: every value goes through the site's own sanitizer (city_outcomes/publish/safe_text.py).
  var sanitize = /*TOOLTIP_SANITIZER*/null;
  var highContrastConfig = /*HIGH_CONTRAST_CONFIG*/null;
  var STORAGE_KEY = "city-outcomes-high-contrast";

  function highContrast() {
    try { return window.localStorage.getItem(STORAGE_KEY) === "1"; } catch (e) { return false; }
  }

  function merge(base, extra) {
    var out = {}, key;
    for (key in base) { out[key] = base[key]; }
    for (key in extra) {
      out[key] = (out[key] && typeof out[key] === "object" && !Array.isArray(out[key]) && typeof extra[key] === "object")
        ? merge(out[key], extra[key]) : extra[key];
    }
    return out;
  }

  function drawAll() {
    var targets = document.querySelectorAll("[data-spec]");
    var pending = targets.length;
    document.body.setAttribute("data-charts-pending", String(pending));
    if (!pending) {
      window.__chartsDrawnAt = performance.now();
      document.body.setAttribute("data-rendered", "0");
    }
    targets.forEach(function (target) {
      var spec = JSON.parse(document.getElementById(target.getAttribute("data-spec")).textContent);
      if (highContrast()) { spec.config = merge(spec.config || {}, highContrastConfig); }
      // ast: true draws with Vega's expression interpreter, so no code is compiled from strings (CSP without 'unsafe-eval').
      vegaEmbed(target, spec, {actions: false, renderer: "svg", ast: true, tooltip: {sanitize: sanitize}})
        .catch(function (error) { target.textContent = "The chart could not be drawn: " + error; })
        .then(function () {
          pending -= 1;
          document.body.setAttribute("data-charts-pending", String(pending));
          if (pending === 0) {
            window.__chartsDrawnAt = performance.now();  // read by benchmarks/site_render.py
            document.body.setAttribute("data-rendered", String(targets.length));
          }
        });
    });
  }

  function setContrast(on) {
    document.documentElement.classList.toggle("high-contrast", on);
    var button = document.getElementById("contrast-toggle");
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setContrast(highContrast());
    var button = document.getElementById("contrast-toggle");
    if (button) {
      button.addEventListener("click", function () {
        var on = !highContrast();
        try { window.localStorage.setItem(STORAGE_KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
        setContrast(on);
        document.body.removeAttribute("data-rendered");
        drawAll();
      });
    }
    drawAll();
  });
})();
