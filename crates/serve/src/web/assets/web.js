// The web UI's one script (no build step): chart hover, legend toggles and drag-to-zoom,
// scalar groups loaded when opened, console follow mode, and selection for compare. Text
// from the server is set with textContent; only a chart group's fragment, rendered and
// escaped by this server's own templates, is inserted as markup.
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
      return { el: p, pts: pts, color: p.getAttribute("stroke"), label: p.getAttribute("data-label") || "" };
    });
    var ylog = svg.getAttribute("data-ylog") === "1";
    function toData(px, py) {
      var f = (plot[1] + plot[3] - py) / plot[3];
      var y = ylog ? Math.pow(10, Math.log10(y0) + f * (Math.log10(y1) - Math.log10(y0))) : y0 + f * (y1 - y0);
      return [x0 + (px - plot[0]) / plot[2] * (x1 - x0), y];
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
        if (l.el.classList.contains("off")) return;
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
    legendToggles(svg);
    dragZoom(svg, plot, function (px) { return toData(px, 0)[0]; });
  }

  // A click on a legend entry hides its series (line and markers), another shows it.
  function legendToggles(svg) {
    svg.querySelectorAll("g.legend[data-i]").forEach(function (g) {
      var toggle = function () {
        var off = !g.classList.contains("off");
        g.classList.toggle("off", off);
        svg.querySelectorAll("[data-i='" + g.getAttribute("data-i") + "']:not(.legend)").forEach(function (el) {
          el.classList.toggle("off", off);
        });
      };
      g.addEventListener("click", toggle);
      g.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); } });
    });
  }

  // Dragging across a scalar chart zooms to that x range: the page reloads with
  // xmin/xmax in its URL, so the zoom is a link.
  function dragZoom(svg, plot, xOf) {
    if (!document.querySelector("form.filters input[name=xmin]")) return;
    var start = null;
    var band = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    band.setAttribute("class", "zoomband");
    band.setAttribute("y", plot[1]);
    band.setAttribute("height", plot[3]);
    band.style.display = "none";
    svg.appendChild(band);
    var px = function (ev) {
      var r = svg.getBoundingClientRect();
      var x = (ev.clientX - r.left) * svg.viewBox.baseVal.width / r.width;
      return Math.min(Math.max(x, plot[0]), plot[0] + plot[2]);
    };
    svg.addEventListener("mousedown", function (ev) {
      if (ev.button !== 0 || ev.target.closest("g.legend")) return;
      start = px(ev);
      ev.preventDefault();
    });
    svg.addEventListener("mousemove", function (ev) {
      if (start === null) return;
      var x = px(ev);
      band.setAttribute("x", Math.min(start, x));
      band.setAttribute("width", Math.abs(x - start));
      band.style.display = "";
    });
    window.addEventListener("mouseup", function (ev) {
      if (start === null) return;
      var a = start, b = px(ev);
      start = null;
      band.style.display = "none";
      if (Math.abs(b - a) < 5) return;
      var q = new URLSearchParams(location.search);
      q.set("xmin", Number(xOf(Math.min(a, b)).toPrecision(8)));
      q.set("xmax", Number(xOf(Math.max(a, b)).toPrecision(8)));
      location.search = q.toString();
    });
  }
  document.querySelectorAll("svg.chart[data-plot]").forEach(chartHover);
  document.querySelectorAll("svg.chart").forEach(function (svg) {
    if (!svg.hasAttribute("data-plot")) legendToggles(svg);
  });

  // Scalar groups not drawn with the page are fetched when first opened.
  document.querySelectorAll("details.lazy[data-src]").forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (!d.open || d.getAttribute("data-loaded")) return;
      d.setAttribute("data-loaded", "1");
      var link = d.querySelector("a.nojs");
      if (link) link.remove();
      var box = document.createElement("div");
      box.className = "charts";
      box.textContent = "Loading…";
      d.appendChild(box);
      fetch(d.getAttribute("data-src"), { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.text() : Promise.reject(r.status);
      }).then(function (html) {
        box.innerHTML = html;
        box.querySelectorAll("svg.chart[data-plot]").forEach(chartHover);
      }).catch(function (e) { box.textContent = "Could not load this group (" + e + ")."; });
    });
  });

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
