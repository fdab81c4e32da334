/* Jiqun web UI behaviour. No inline scripts anywhere (CSP script-src 'self'):
 * charts are described by data-chart (kind) and data-chart-data (JSON) attributes and drawn
 * here with the vendored ECharts; HTMX swaps re-run the same initialisation. */
(function () {
  "use strict";

  var PALETTE = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777",
    "#65a30d", "#9333ea", "#0f766e", "#b45309", "#475569"];

  function small() { return window.matchMedia("(max-width: 700px)").matches; }

  var measureCtx = null;
  /* width in px of a label at the charts' 12 px font (rotated labels need room on the left) */
  function textWidth(s) {
    if (!measureCtx) { measureCtx = document.createElement("canvas").getContext("2d"); }
    measureCtx.font = "12px system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif";
    return measureCtx.measureText(String(s)).width;
  }

  function shorten(s, n) {
    s = String(s);
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  function base() {
    return {
      color: PALETTE,
      animation: false,
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" },
      tooltip: { confine: true },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true }
    };
  }

  var builders = {
    /* {categories, series:[{name, data}], yName, horizontal, markLine} */
    bar: function (d) {
      var o = base();
      var horizontal = !!d.horizontal;
      var cat = {
        type: "category", data: d.categories,
        axisLabel: { interval: 0, formatter: function (v) { return shorten(v, horizontal ? (small() ? 10 : 20) : (small() ? 8 : 13)); },
          rotate: horizontal ? 0 : (d.categories.length > 4 ? 30 : 0) }
      };
      var val = horizontal
        ? { type: "value", name: d.yName || "", nameLocation: "middle", nameGap: 26 }
        : { type: "value", name: d.yName || "", nameTextStyle: { align: "left" } };
      o.tooltip.trigger = "axis";
      o.tooltip.axisPointer = { type: "shadow" };
      o.xAxis = horizontal ? val : cat;
      o.yAxis = horizontal ? cat : val;
      if (d.series.length < 2) { o.legend.show = false; o.grid.top = (!horizontal && d.yName) ? 34 : 24; }
      /* a vertical value axis writes its name (with the unit) above the plot: below the legend */
      else if (!horizontal && d.yName) { o.grid.top = 56; }
      if (!horizontal && d.categories.length > 4) {
        /* the first label, rotated 30°, reaches left of the plot by about cos 30° of its width:
           leave that room, or its start is clipped at the chart's edge */
        var first = shorten(d.categories[0], small() ? 8 : 13);
        o.grid.left = Math.max(50, Math.round(textWidth(first) * 0.87) - 30);
      }
      if (horizontal && d.yName) { o.grid.bottom = 26; }
      if (horizontal) { o.grid.left = 18; }
      o.series = d.series.map(function (s, i) {
        var ser = { type: "bar", name: s.name, data: s.data, barMaxWidth: 28 };
        if (i === 0 && d.markLine !== undefined && d.markLine !== null) {
          ser.markLine = { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#64748b" },
            data: [horizontal ? { xAxis: d.markLine } : { yAxis: d.markLine }] };
        }
        return ser;
      });
      return o;
    },

    /* {points:[[lon, lat, n, name, clusters]], xName, yName, sizeName} */
    geo: function (d) {
      var o = base();
      o.legend.show = false;
      o.grid.top = 24;
      o.xAxis = { type: "value", name: d.xName, min: 73, max: 135, splitLine: { lineStyle: { type: "dotted" } } };
      o.yAxis = { type: "value", name: d.yName, min: 18, max: 54, nameTextStyle: { align: "left" },
        splitLine: { lineStyle: { type: "dotted" } } };
      o.tooltip.formatter = function (p) {
        var v = p.data;
        return "<b>" + v[3] + "</b><br>" + d.sizeName + ": " + v[2] + "<br>" + shorten(v[4], 120);
      };
      o.series = [{
        type: "scatter", name: d.sizeName, data: d.points,
        symbolSize: function (v) { return 6 + 5 * Math.sqrt(v[2]); },
        itemStyle: { color: "rgba(37, 99, 235, 0.55)", borderColor: "#1e3a8a" }
      }];
      return o;
    },

    /* {series:[{name, data:[[x, y, size, label]]}], xName, yName, eci} */
    scatter: function (d) {
      var o = base();
      o.xAxis = { type: "value", name: d.xName, nameLocation: "middle", nameGap: 28, scale: true };
      o.yAxis = { type: "value", name: d.yName, scale: true, nameTextStyle: { align: "left" } };
      o.grid.bottom = 30;
      o.tooltip.formatter = function (p) {
        var v = p.data;
        return "<b>" + v[3] + "</b><br>" + p.seriesName + "<br>density " + v[0] + " · PCI " + v[1] + " · COG " + v[2];
      };
      o.series = d.series.map(function (s) {
        return {
          type: "scatter", name: s.name, data: s.data,
          symbolSize: function (v) { return 5 + 14 * Math.min(1, Math.abs(v[2]) * 4); }
        };
      });
      if (d.eci !== null && d.eci !== undefined && o.series.length) {
        o.series[0].markLine = { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#64748b" },
          label: { formatter: "ECI" }, data: [{ yAxis: d.eci }] };
      }
      return o;
    },

    /* {nodes:[{id, name, x, y, category, value, position}], links:[{source, target}], categories} */
    graph: function (d) {
      var o = base();
      o.color = ["#059669", "#dc2626"];
      o.tooltip.formatter = function (p) {
        if (p.dataType === "edge") { return ""; }
        return "<b>" + p.data.name + "</b><br>" + p.data.position + " · " + p.data.value;
      };
      o.series = [{
        type: "graph", layout: "none", roam: true, draggable: false,
        data: d.nodes.map(function (n) {
          return { id: n.id, name: n.name, x: n.x, y: n.y, value: n.value, category: n.category,
            position: n.position, symbolSize: 18 + Math.min(40, 4 * Math.sqrt(n.value || 0)) };
        }),
        links: d.links, categories: d.categories,
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
        lineStyle: { color: "#94a3b8", width: 1.5, curveness: 0.15 },
        label: { show: true, position: "bottom", formatter: function (p) { return shorten(p.name, small() ? 6 : 12); } }
      }];
      return o;
    },

    /* {x, y, data:[[i, j, v]], name, min, max} */
    heatmap: function (d) {
      var o = base();
      o.legend.show = false;
      o.grid.top = 16;
      o.grid.bottom = 48;
      o.xAxis = { type: "category", data: d.x, axisLabel: { rotate: 35, interval: 0 } };
      o.yAxis = { type: "category", data: d.y, axisLabel: { interval: 0 } };
      o.visualMap = { min: d.min, max: d.max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
        itemHeight: 120, inRange: { color: ["#eff6ff", "#2563eb", "#7f1d1d"] } };
      o.series = [{ type: "heatmap", name: d.name, data: d.data, label: { show: d.x.length <= 6 } }];
      return o;
    }
  };

  function draw(el) {
    if (el.getAttribute("data-chart-ready") === "1" || typeof echarts === "undefined") { return; }
    var kind = el.getAttribute("data-chart");
    var build = builders[kind];
    if (!build) { return; }
    var data;
    try { data = JSON.parse(el.getAttribute("data-chart-data") || "{}"); } catch (e) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(data));
    el.setAttribute("data-chart-ready", "1");
  }

  function initCharts(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var els = scope.querySelectorAll("[data-chart]");
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
    if (scope.matches && scope.matches("[data-chart]")) { draw(scope); }
  }

  function resizeAll() {
    var els = document.querySelectorAll("[data-chart-ready]");
    for (var i = 0; i < els.length; i++) {
      var c = echarts.getInstanceByDom(els[i]);
      if (c) { c.resize(); }
    }
  }

  function navToggle() {
    var btn = document.querySelector(".nav-toggle");
    var nav = document.getElementById("main-nav");
    if (!btn || !nav) { return; }
    btn.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function uploadProgress() {
    document.body.addEventListener("htmx:xhr:progress", function (evt) {
      var bar = document.getElementById("import-progress");
      if (bar && evt.detail && evt.detail.lengthComputable) {
        bar.value = Math.round(100 * evt.detail.loaded / evt.detail.total);
      }
    });
  }

  function start() {
    navToggle();
    uploadProgress();
    initCharts(document);
    if (window.htmx) { window.htmx.onLoad(function (el) { initCharts(el); }); }
    var t = null;
    window.addEventListener("resize", function () {
      if (t) { clearTimeout(t); }
      t = setTimeout(resizeAll, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
