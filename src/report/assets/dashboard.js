// twin dashboard client: hand-written, no framework, no build step.
// Lists studies, shows one study's report view (rendered as SVG by the server)
// for the metric and smoothing picked here, or two studies side by side, and
// reloads the view when the server says over server-sent events that it changed.
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
  /** The view shown: its URL (without `have`) and each chart's drawing key, so that an update is sent without the drawings shown already. */
  var shownView = null;
  var studyNames = [];

  function text(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
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
          '<span class="meta">' + text(s.variants.length + " variants · " + s.seeds + " seeds · " + s.runs + " runs") + "</span>" +
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
      var have = Object.keys(shownView.keys).map(function (id) { return shownView.keys[id]; });
      if (have.length > 0) url += (url.indexOf("?") >= 0 ? "&" : "?") + "have=" + have.join(",");
    }
    getJson(url).then(function (v) {
      if (shown !== key()) return;
      var who = current.compare ? shown : name;
      var head = '<header><h1>' + text(v.name) + '</h1><p class="muted" id="updated" data-version="' + text(v.version) + '">' +
        (v.error ? "" : text(v.variants.length + " variants · " + (v.seedsText || v.seeds + " seeds") + " · " + v.runs + " runs · " + (v.partial ? "reading logs · " : "verdict on " + v.metric + " · "))) +
        "updated " + text(new Date(v.updatedAt).toLocaleTimeString()) + (v.stale ? " · updating…" : "") + "</p>" +
        (v.error || v.partial ? "" : toolbar(v, who)) + "</header>";
      // A partial view (the logs are being read) is asked for again: its progress, then the view once built.
      if (v.partial) setTimeout(function () { if (shown === key()) loadView(); }, 1000);
      // Drawings shown already, by chart: a figure sent without its drawing (data-kept) gets it back.
      var drawings = {};
      Array.prototype.forEach.call(viewEl.querySelectorAll("figure[data-chart]"), function (f) {
        var svg = f.firstElementChild;
        if (svg && svg.tagName.toLowerCase() === "svg") drawings[f.getAttribute("data-chart")] = svg;
      });
      viewEl.innerHTML = head + (v.error ? '<p class="warnings">Cannot show this yet: ' + text(v.error) + "</p>" : v.html);
      var missing = false;
      Array.prototype.forEach.call(viewEl.querySelectorAll("figure[data-kept]"), function (f) {
        var svg = drawings[f.getAttribute("data-chart")];
        if (svg) f.insertBefore(svg, f.firstChild);
        else missing = true;
        f.removeAttribute("data-kept");
      });
      shownView = { url: base, keys: {} };
      (v.charts || []).forEach(function (c) { if (c.key) shownView.keys[c.id] = c.key; });
      // A drawing that could not be kept (none shown under that chart): the whole view again.
      if (missing) { shownView = null; again = true; }
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
