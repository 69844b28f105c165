// twin dashboard client: hand-written, no framework, no build step.
// Lists studies, shows one study's report view for the metric and smoothing
// picked here, or two studies side by side, and reloads the view when the
// server says over server-sent events that it changed. The server sends each
// chart as its Vega-Lite spec (data by columns: spec-columns.js); this page
// draws it with vega and vega-lite, evaluating Vega's expressions with
// vega-interpreter (the page's Content-Security-Policy allows no eval). All
// three are loaded before this script, from the dashboard's own address.
"use strict";
(function () {
  var studiesEl = document.getElementById("studies");
  var viewEl = document.getElementById("view");
  var liveEl = document.getElementById("live");
  var compareEl = document.getElementById("compare");
  /** What is shown: { study: name } or { compare: [a, b] }. */
  var current = null;
  /** Per study: the metric and smoothing picked (default: the server's metric, no smoothing). */
  var picks = {};
  var loading = false;
  var again = false;
  /** The view shown: its URL (without `have`, which lists the keys of the charts drawn, so that an update is sent without their specs) and each chart's key. */
  var shownView = null;
  /** Charts drawn, by chart id: the element holding the drawing, its Vega view and its key. */
  var drawn = {};
  /** Bumped by each view shown: a drawing begun for an older one stops. */
  var drawing = 0;
  var studyNames = [];

  function text(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function variantsText(n) {
    return n + (n === 1 ? " variant" : " variants");
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body && body.error ? body.error : r.status + " " + r.statusText);
        return body;
      });
    });
  }

  // One word per state in the sidebar: logs say success/failure, the store finished/failed.
  var WORDS = { success: "finished", failure: "failed" };
  function statusText(st) {
    var merged = {};
    Object.keys(st).forEach(function (k) {
      var w = WORDS[k] || k;
      merged[w] = (merged[w] || 0) + st[k];
    });
    return Object.keys(merged).map(function (k) { return merged[k] + " " + k; }).join(", ");
  }

  function key() {
    return current ? (current.compare ? "compare:" + current.compare.join("|") : current.study) : "";
  }

  function fillCompare() {
    var selects = compareEl.querySelectorAll("select");
    Array.prototype.forEach.call(selects, function (sel, i) {
      var keep = sel.value;
      sel.innerHTML = studyNames.map(function (n) { return '<option value="' + text(n) + '">' + text(n) + "</option>"; }).join("");
      sel.value = keep || studyNames[Math.min(i, studyNames.length - 1)] || "";
    });
    compareEl.hidden = studyNames.length < 2;
  }

  function loadStudies() {
    return getJson("/api/studies").then(function (data) {
      studiesEl.innerHTML = "";
      studyNames = data.studies.map(function (s) { return s.name; });
      data.studies.forEach(function (s) {
        var li = document.createElement("li");
        li.dataset.study = s.name;
        if (current && s.name === current.study) li.className = "active";
        li.innerHTML = '<a href="#' + encodeURIComponent(s.name) + '">' + text(s.name) + "</a>" +
          '<span class="meta seeds">' + text(variantsText(s.variants.length) + " · " + (s.seedsText || s.seeds + " seeds") + " · " + s.runs + " runs") + "</span>" +
          '<span class="meta">' + text(statusText(s.status)) + "</span>";
        studiesEl.appendChild(li);
      });
      fillCompare();
      if (!current && data.studies.length > 0) {
        route(decodeURIComponent(location.hash.slice(1)) || data.studies[0].name);
      } else if (data.studies.length === 0) {
        viewEl.innerHTML = '<p class="muted">No studies in ' + text(data.source) + " yet. Start one; it appears here by itself.</p>";
      }
    });
  }

  function query(name) {
    var p = picks[name] || {};
    var q = [];
    if (p.metric) q.push("metric=" + encodeURIComponent(p.metric));
    if (p.smooth) q.push("smooth=" + encodeURIComponent(p.smooth));
    return q.join("&");
  }

  function toolbar(v, name) {
    var p = picks[name] || {};
    var options = (v.tags || []).map(function (t) {
      return '<option value="' + text(t) + '"' + (t === v.metric ? " selected" : "") + ">" + text(t) + "</option>";
    }).join("");
    var smooth = p.smooth || 0;
    return '<div class="toolbar"><label>metric <select id="metric">' + options + "</select></label>" +
      '<label>curve smoothing <input id="smooth" type="range" min="0" max="0.95" step="0.05" value="' + smooth + '">' +
      '<span id="smooth-value">' + (smooth > 0 ? "EMA weight " + smooth : "off") + "</span></label></div>";
  }

  function loadView() {
    if (!current) return;
    if (loading) { again = true; return; }
    loading = true;
    var shown = key();
    var name = current.study;
    var url = current.compare
      ? "/api/compare?a=" + encodeURIComponent(current.compare[0]) + "&b=" + encodeURIComponent(current.compare[1]) + (query(shown) ? "&" + query(shown) : "")
      : "/api/studies/" + encodeURIComponent(name) + (query(name) ? "?" + query(name) : "");
    var base = url;
    if (shownView && shownView.url === base) {
      var have = Object.keys(drawn).map(function (id) { return drawn[id].key; });
      if (have.length > 0) url += (url.indexOf("?") >= 0 ? "&" : "?") + "have=" + have.join(",");
    }
    getJson(url).then(function (v) {
      if (shown !== key()) return;
      var who = current.compare ? shown : name;
      var head = '<header><h1>' + text(v.name) + '</h1><p class="muted" id="updated" data-version="' + text(v.version) + '">' +
        (v.error ? "" : text(variantsText(v.variants.length) + " · " + (v.seedsText || v.seeds + " seeds") + " · " + v.runs + " runs · " + (v.partial ? "reading logs · " : v.metric ? "verdict on " + v.metric + " · " : "no verdict · "))) +
        "updated " + text(new Date(v.updatedAt).toLocaleTimeString()) + (v.stale ? " · updating…" : "") + "</p>" +
        (v.error || v.partial || !v.metric ? "" : toolbar(v, who)) + "</header>";
      // A partial view (the logs are being read) is asked for again: its progress, then the view once built.
      if (v.partial) setTimeout(function () { if (shown === key()) loadView(); }, 1000);
      // The list says the seeds as the view's header does (seeds set aside counted apart), once the view has said it.
      if (!current.compare && v.seedsText) {
        var li = studiesEl.querySelector('li[data-study="' + CSS.escape(name) + '"] .meta.seeds');
        if (li) li.textContent = variantsText(v.variants.length) + " · " + v.seedsText + " · " + v.runs + " runs";
      }
      viewEl.innerHTML = head + (v.error ? '<p class="warnings">Cannot show this study: ' + text(v.error) + "</p><p class=\"muted\">The view is made again as soon as its files change.</p>" : v.html);
      // A figure sent without its spec (data-kept) gets the drawing this page holds of it; the others are drawn
      // anew, an update's changed chart showing its previous drawing until the new one replaces it (no blank figure).
      var missing = false;
      var keep = {};
      var keys = {};
      var update = shownView !== null && shownView.url === base;
      (v.charts || []).forEach(function (c) { if (c.key) keys[c.id] = c.key; });
      Array.prototype.forEach.call(viewEl.querySelectorAll("figure[data-chart]"), function (f) {
        var id = f.getAttribute("data-chart");
        var d = drawn[id];
        if (f.hasAttribute("data-kept")) {
          if (d && d.key === keys[id]) {
            f.insertBefore(d.holder, f.firstChild);
            f.setAttribute("data-drawn", "true");
            keep[id] = d;
          } else missing = true;
          f.removeAttribute("data-kept");
        } else if (d && update) {
          var place = f.querySelector(".chart-view");
          if (place) {
            place.replaceWith(d.holder);
            keep[id] = d;
          }
        }
      });
      Object.keys(drawn).forEach(function (id) { if (!keep[id]) drawn[id].view.finalize(); });
      drawn = keep;
      shownView = { url: base, keys: keys };
      // A drawing that could not be kept (none held for that chart): the whole view again.
      if (missing) { shownView = null; again = true; }
      drawCharts(++drawing, keys);
      document.title = "twin · " + v.name;
      var metric = document.getElementById("metric");
      if (metric) metric.addEventListener("change", function () {
        picks[who] = picks[who] || {};
        picks[who].metric = metric.value;
        loadView();
      });
      var slider = document.getElementById("smooth");
      if (slider) slider.addEventListener("change", function () {
        picks[who] = picks[who] || {};
        picks[who].smooth = Number(slider.value) > 0 ? slider.value : "";
        loadView();
      });
    }).catch(function (e) {
      viewEl.innerHTML = '<p class="warnings">' + text(e.message) + "</p>";
    }).then(function () {
      loading = false;
      if (again) { again = false; loadView(); }
    });
  }

  /**
   * Draws each figure of the view that holds a spec, one after another (a
   * turn of the event loop between two); <main data-charts> says "drawing",
   * then "drawn", or "failed" (the figure says why).
   */
  function drawCharts(turn, keys) {
    var figures = viewEl.querySelectorAll("figure[data-chart]");
    var failed = 0;
    viewEl.setAttribute("data-charts", "drawing");
    var i = 0;
    function next() {
      if (turn !== drawing) return;
      if (i === figures.length) {
        viewEl.setAttribute("data-charts", failed > 0 ? "failed" : "drawn");
        return;
      }
      var figure = figures[i++];
      // What the figure shows until its drawing is done: the server's empty place, or the chart's previous drawing.
      var shown = figure.querySelector(".chart-view");
      var specEl = figure.querySelector("script.chart-spec");
      if (!shown || !specEl) return next();
      var id = figure.getAttribute("data-chart");
      var holder = document.createElement("div");
      holder.className = "chart-view";
      var view = null;
      var swap = function () {
        shown.replaceWith(holder);
        var previous = drawn[id];
        if (previous && previous.holder === shown) previous.view.finalize();
      };
      Promise.resolve().then(function () {
        var spec = vegaLite.compile(twinUnpackSpec(JSON.parse(specEl.textContent), "", "")).spec;
        view = new vega.View(vega.parse(spec, null, { ast: true }), { expr: vegaInterpreter, renderer: "svg", container: holder });
        return view.runAsync();
      }).then(function () {
        if (turn !== drawing) { view.finalize(); return; }
        swap();
        specEl.remove();
        figure.setAttribute("data-drawn", "true");
        drawn[id] = { holder: holder, view: view, key: keys[id] };
      }, function (e) {
        if (view) view.finalize();
        if (turn !== drawing) return;
        swap();
        delete drawn[id];
        failed++;
        holder.textContent = "This chart could not be drawn (" + (e && e.message ? e.message : e) + ").";
        console.error("twin dashboard: chart " + id + ": " + (e && e.message ? e.message : e));
      }).then(function () { setTimeout(next, 0); });
    }
    next();
  }

  /** Shows a study (`name`) or a comparison (`compare:a|b`). */
  function route(hash) {
    var m = /^compare:(.+)\|(.+)$/.exec(hash);
    current = m ? { compare: [m[1], m[2]] } : { study: hash };
    Array.prototype.forEach.call(studiesEl.children, function (li) {
      li.className = current.study && li.dataset.study === current.study ? "active" : "";
    });
    var want = "#" + encodeURIComponent(hash);
    if (location.hash !== want) history.replaceState(null, "", want);
    viewEl.innerHTML = '<p class="muted">Loading ' + text(m ? m[1] + " vs " + m[2] : hash) + "…</p>";
    loadView();
  }

  window.addEventListener("hashchange", function () {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h && h !== key()) route(h);
  });

  compareEl.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var s = compareEl.querySelectorAll("select");
    if (s[0].value && s[1].value && s[0].value !== s[1].value) route("compare:" + s[0].value + "|" + s[1].value);
  });

  function connect() {
    var es = new EventSource("/api/events");
    es.addEventListener("hello", function () {
      liveEl.textContent = "live";
      liveEl.className = "live on";
    });
    es.addEventListener("study", function (ev) {
      var d = JSON.parse(ev.data);
      if (current && (d.name === current.study || (current.compare && current.compare.indexOf(d.name) >= 0))) loadView();
    });
    es.addEventListener("studies", function () {
      loadStudies();
    });
    es.onerror = function () {
      liveEl.textContent = "reconnecting…";
      liveEl.className = "live off";
    };
  }

  loadStudies().catch(function (e) {
    viewEl.innerHTML = '<p class="warnings">' + text(e.message) + "</p>";
  });
  connect();
})();
