// Series hidden from a chart's legend are kept in the page's URL (`hide=<chart>/<series>`,
// repeatable; a `/` or `%` inside a name is percent-encoded once more), so a reload, a
// bookmark or a shared link shows the same series. The toggle itself is web.js's.
(function () {
  "use strict";
  var part = function (s) { return s.replace(/%/g, "%25").replace(/\//g, "%2F"); };
  var key = function (g) {
    var svg = g.ownerSVGElement;
    var title = svg.querySelector("text");
    var label = g.querySelector("text");
    return part(title ? title.textContent : "") + "/" + part(label ? label.textContent : "");
  };
  var hidden = function () { return new URLSearchParams(location.search).getAll("hide"); };
  // Hide what the URL names in the charts under `root` (their toggles are attached).
  var apply = function (root) {
    var want = hidden();
    if (!want.length) return;
    root.querySelectorAll("svg.chart g.legend[data-i]").forEach(function (g) {
      if (!g.classList.contains("off") && want.indexOf(key(g)) >= 0) g.dispatchEvent(new MouseEvent("click"));
    });
  };
  document.addEventListener("click", function (ev) {
    var g = ev.target.closest && ev.target.closest("svg.chart g.legend[data-i]");
    if (!g) return;
    var q = new URLSearchParams(location.search);
    var k = key(g), rest = q.getAll("hide").filter(function (h) { return h !== k; });
    q.delete("hide");
    rest.forEach(function (h) { q.append("hide", h); });
    if (g.classList.contains("off")) q.append("hide", k);
    var s = q.toString();
    history.replaceState(history.state, "", location.pathname + (s ? "?" + s : "") + location.hash);
  });
  // A form that reloads the page (the scalar view's Apply) keeps them too.
  document.querySelectorAll("form.filters").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.querySelectorAll("input.keep-hide").forEach(function (i) { i.remove(); });
      hidden().forEach(function (h) {
        var i = document.createElement("input");
        i.type = "hidden"; i.name = "hide"; i.value = h; i.className = "keep-hide";
        f.appendChild(i);
      });
    });
  });
  apply(document);
  // Chart groups loaded later get the same.
  if (window.MutationObserver) {
    new MutationObserver(function (list) {
      list.forEach(function (m) {
        m.addedNodes.forEach(function (n) { if (n.querySelectorAll) apply(n); });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
})();
