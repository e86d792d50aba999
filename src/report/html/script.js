// Row filters. Without JS every row shows; with it, the filters (and the URL:
// ?outcome=fail,error&level=MUST&role=issuer&q=text, or the same after #) set
// the `hidden` attribute on rows that do not match.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.req"));
  var role = document.getElementById("f-role");
  var q = document.getElementById("f-q");
  var count = document.getElementById("f-count");
  var boxes = function (name) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name=" + name + "]"));
  };
  var checked = function (name) {
    return boxes(name).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  };
  function apply() {
    var outcomes = checked("outcome"), levels = checked("level");
    var r = role.value, text = q.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (row) {
      var ok = outcomes.indexOf(row.getAttribute("data-outcome")) >= 0 &&
        levels.indexOf(row.getAttribute("data-level")) >= 0 &&
        (!r || row.getAttribute("data-roles").split(" ").indexOf(r) >= 0) &&
        (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " shown";
    document.body.setAttribute("data-shown", String(shown));
  }
  function reset() {
    boxes("outcome").concat(boxes("level")).forEach(function (b) { b.checked = true; });
    role.value = "";
    q.value = "";
    apply();
  }
  function fromUrl() {
    var raw = location.search.slice(1);
    if (!raw && location.hash.indexOf("=") >= 0) { raw = location.hash.slice(1); }
    if (!raw) { return; }
    var params = new URLSearchParams(raw);
    ["outcome", "level"].forEach(function (name) {
      if (!params.has(name)) { return; }
      var want = params.get(name).split(",");
      boxes(name).forEach(function (b) { b.checked = want.indexOf(b.value) >= 0; });
    });
    if (params.has("role")) { role.value = params.get("role"); }
    if (params.has("q")) { q.value = params.get("q"); }
  }
  // A link to a row the filters hide shows everything again.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.hidden) { reset(); el.scrollIntoView(); }
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("f-reset").addEventListener("click", reset);
  var expand = document.getElementById("f-expand");
  expand.addEventListener("click", function () {
    var open = expand.textContent === "Expand all";
    document.querySelectorAll("tr.req details").forEach(function (d) { d.open = open; });
    expand.textContent = open ? "Collapse all" : "Expand all";
  });
  window.addEventListener("hashchange", reveal);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  fromUrl();
  apply();
  document.body.setAttribute("data-filters", "ready");
})();
