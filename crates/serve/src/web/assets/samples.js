// The debug samples viewer: the arrow keys follow its previous/next links, and the
// iteration slider shows its value while it moves and opens that iteration when let go.
// Every step is also a plain link or form, so the viewer works without this script.
(function () {
  "use strict";
  document.querySelectorAll("input#iter-slider").forEach(function (slider) {
    var out = slider.parentNode.querySelector("output");
    slider.addEventListener("input", function () { if (out) out.textContent = slider.value; });
    slider.addEventListener("change", function () { slider.form.submit(); });
  });
  if (!document.querySelector("a.step[data-key]")) return;
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || (t && t.closest && t.closest("input, select, textarea"))) return;
    var a = document.querySelector("a.step[data-key='" + ev.key + "']");
    if (a) { ev.preventDefault(); location.href = a.href; }
  });
})();
