// twin report: draws every chart of the page from its Vega-Lite spec with the
// vega and vega-lite runtimes inlined above this script (no network). Each
// figure holds its spec in a JSON script element of class "chart-spec" (its
// data by columns: spec-columns.js, inlined before this script);
// a drawn figure gets data-drawn="true", and <html data-charts> says "drawn"
// when every chart is drawn, or "failed" (the figure then says why).
"use strict";
(async function () {
  var failed = 0;
  var figures = document.querySelectorAll("figure[data-chart]");
  for (var i = 0; i < figures.length; i++) {
    var figure = figures[i];
    var holder = figure.querySelector(".chart-view");
    var specEl = figure.querySelector("script.chart-spec");
    if (!holder || !specEl) continue;
    try {
      var spec = vegaLite.compile(twinUnpackSpec(JSON.parse(specEl.textContent), "", "")).spec;
      var view = new vega.View(vega.parse(spec), { renderer: "svg", container: holder });
      await view.runAsync();
      figure.setAttribute("data-drawn", "true");
    } catch (e) {
      failed++;
      holder.textContent = "This chart could not be drawn here (" + (e && e.message ? e.message : e) + "); `twin report --png DIR` writes it as a PNG.";
      console.error("twin report: chart " + figure.getAttribute("data-chart") + ": " + (e && e.message ? e.message : e));
    }
  }
  document.documentElement.setAttribute("data-charts", failed > 0 ? "failed" : "drawn");
})();
