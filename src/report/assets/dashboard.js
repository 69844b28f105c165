// twin dashboard client: hand-written, no framework, no build step.
// Lists studies, shows one study's report view (rendered as SVG by the server),
// and reloads it when the server says over server-sent events that it changed.
"use strict";
(function () {
  var studiesEl = document.getElementById("studies");
  var viewEl = document.getElementById("view");
  var liveEl = document.getElementById("live");
  var current = null;
  var loading = false;
  var again = false;

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

  function statusText(st) {
    return Object.keys(st).map(function (k) { return st[k] + " " + k; }).join(", ");
  }

  function loadStudies() {
    return getJson("/api/studies").then(function (data) {
      studiesEl.innerHTML = "";
      data.studies.forEach(function (s) {
        var li = document.createElement("li");
        li.dataset.study = s.name;
        if (s.name === current) li.className = "active";
        li.innerHTML = '<a href="#' + encodeURIComponent(s.name) + '">' + text(s.name) + "</a>" +
          '<span class="meta">' + text(s.variants.length + " variants · " + s.seeds + " seeds · " + s.runs + " runs") + "</span>" +
          '<span class="meta">' + text(statusText(s.status)) + "</span>";
        studiesEl.appendChild(li);
      });
      if (!current && data.studies.length > 0) {
        var fromHash = decodeURIComponent(location.hash.slice(1));
        var pick = data.studies.some(function (s) { return s.name === fromHash; }) ? fromHash : data.studies[0].name;
        select(pick);
      } else if (data.studies.length === 0) {
        viewEl.innerHTML = '<p class="muted">No studies in ' + text(data.source) + " yet. Start one; it appears here by itself.</p>";
      }
    });
  }

  function loadStudy() {
    if (!current) return;
    if (loading) { again = true; return; }
    loading = true;
    var name = current;
    getJson("/api/studies/" + encodeURIComponent(name)).then(function (v) {
      if (name !== current) return;
      var head = '<header><h1>' + text(v.name) + '</h1><p class="muted" id="updated" data-signature="' + text(v.signature) + '">' +
        (v.error ? "" : text(v.variants.length + " variants · " + v.seeds.length + " seeds · " + v.runs.length + " runs · verdict on " + v.metric + " · ")) +
        "updated " + text(new Date(v.updatedAt).toLocaleTimeString()) + "</p></header>";
      viewEl.innerHTML = head + (v.error ? '<p class="warnings">Cannot show this study yet: ' + text(v.error) + "</p>" : v.html);
      document.title = "twin · " + v.name;
    }).catch(function (e) {
      viewEl.innerHTML = '<p class="warnings">' + text(e.message) + "</p>";
    }).then(function () {
      loading = false;
      if (again) { again = false; loadStudy(); }
    });
  }

  function select(name) {
    current = name;
    Array.prototype.forEach.call(studiesEl.children, function (li) {
      li.className = li.dataset.study === name ? "active" : "";
    });
    if (location.hash.slice(1) !== encodeURIComponent(name)) history.replaceState(null, "", "#" + encodeURIComponent(name));
    viewEl.innerHTML = '<p class="muted">Loading ' + text(name) + "…</p>";
    loadStudy();
  }

  window.addEventListener("hashchange", function () {
    var name = decodeURIComponent(location.hash.slice(1));
    if (name && name !== current) select(name);
  });

  function connect() {
    var es = new EventSource("/api/events");
    es.addEventListener("hello", function () {
      liveEl.textContent = "live";
      liveEl.className = "live on";
    });
    es.addEventListener("study", function (ev) {
      var d = JSON.parse(ev.data);
      if (d.name === current) loadStudy();
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
