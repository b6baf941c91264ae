// The web UI's one script (no build step): chart hover, console follow mode, and
// selection for compare. Text from the server is set with textContent, never as HTML.
(function () {
  "use strict";

  // Hover on a scalar chart: a dashed cursor and the nearest value of every series.
  function chartHover(svg) {
    var box = svg.parentNode;
    var tip = document.createElement("div");
    tip.className = "tip";
    box.appendChild(tip);
    var plot = svg.getAttribute("data-plot").split(" ").map(Number);
    var x0 = +svg.getAttribute("data-x0"), x1 = +svg.getAttribute("data-x1");
    var y0 = +svg.getAttribute("data-y0"), y1 = +svg.getAttribute("data-y1");
    var ns = "http://www.w3.org/2000/svg";
    var cursor = document.createElementNS(ns, "line");
    cursor.setAttribute("class", "cursor");
    cursor.setAttribute("y1", plot[1]);
    cursor.setAttribute("y2", plot[1] + plot[3]);
    cursor.style.display = "none";
    svg.appendChild(cursor);
    var lines = Array.prototype.map.call(svg.querySelectorAll("polyline"), function (p) {
      var pts = p.getAttribute("points").trim().split(" ").filter(Boolean).map(function (s) {
        var xy = s.split(",");
        return [+xy[0], +xy[1]];
      });
      return { pts: pts, color: p.getAttribute("stroke"), label: p.getAttribute("data-label") || "" };
    });
    function toData(px, py) {
      return [x0 + (px - plot[0]) / plot[2] * (x1 - x0), y0 + (plot[1] + plot[3] - py) / plot[3] * (y1 - y0)];
    }
    svg.addEventListener("mousemove", function (ev) {
      var r = svg.getBoundingClientRect();
      var scale = svg.viewBox.baseVal.width / r.width;
      var px = (ev.clientX - r.left) * scale;
      if (px < plot[0] || px > plot[0] + plot[2]) { tip.style.display = "none"; cursor.style.display = "none"; return; }
      cursor.setAttribute("x1", px); cursor.setAttribute("x2", px); cursor.style.display = "";
      var label = box.getAttribute("data-xfmt") === "time"
        ? new Date(toData(px, 0)[0]).toISOString().substr(11, 8) : toData(px, 0)[0].toPrecision(6);
      var text = [label];
      lines.forEach(function (l) {
        var best = null;
        l.pts.forEach(function (p) { if (best === null || Math.abs(p[0] - px) < Math.abs(best[0] - px)) best = p; });
        if (best) text.push(l.label + ": " + Number(toData(best[0], best[1])[1].toPrecision(6)));
      });
      tip.textContent = text.join("\n");
      tip.style.display = "block";
      tip.style.left = (ev.clientX - box.getBoundingClientRect().left + 14) + "px";
      tip.style.top = (ev.clientY - box.getBoundingClientRect().top + 10) + "px";
    });
    svg.addEventListener("mouseleave", function () { tip.style.display = "none"; cursor.style.display = "none"; });
  }
  document.querySelectorAll("svg.chart[data-plot]").forEach(chartHover);

  // Console follow mode: fetch the log's tail as text every few seconds.
  var log = document.getElementById("log");
  if (log && log.getAttribute("data-follow") === "1") {
    var url = log.getAttribute("data-src");
    var tick = function () {
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (t) {
        if (t === null) return;
        var atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
        log.textContent = t;
        if (atEnd) log.scrollTop = log.scrollHeight;
      }).catch(function () {});
    };
    log.scrollTop = log.scrollHeight;
    setInterval(tick, 3000);
  } else if (log) {
    log.scrollTop = log.scrollHeight;
  }

  // Pages that ask for it reload themselves (workers, running pipelines).
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) setTimeout(function () { location.reload(); }, 1000 * +refresh.getAttribute("data-refresh"));

  // The compare button counts the selected experiments and holds to the compare page's
  // limit (its data-max), so it never opens a page that refuses the selection.
  var form = document.getElementById("select");
  if (form) {
    var btn = form.querySelector("button.compare");
    var max = +btn.getAttribute("data-max") || Infinity;
    var update = function () {
      var n = form.querySelectorAll("input[name=ids]:checked").length;
      btn.disabled = n < 2 || n > max;
      btn.textContent = "Compare" + (n ? " (" + n + ")" : "") + (n > max ? ": at most " + max : "");
    };
    form.addEventListener("change", update);
    update();
  }
})();
