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

  // ECharts (1.1 MB) is loaded only once a page has a chart, and without holding back
  // DOMContentLoaded: the sections' requests go out while it is parsed, and every chart that
  // arrived meanwhile is drawn when it has run
  var echartsState = 0; // 0 not requested, 1 loading, 2 ready
  function withECharts() {
    if (typeof echarts !== "undefined") { return true; }
    if (echartsState === 0) {
      echartsState = 1;
      var s = document.createElement("script");
      s.src = "/static/vendor/echarts.min.js";
      s.addEventListener("load", function () {
        echartsState = 2;
        initCharts(document);
        document.dispatchEvent(new Event("jiqun:echarts")); // tilemap.js draws its maps then
      });
      document.head.appendChild(s);
    }
    return false;
  }

  function draw(el) {
    if (el.getAttribute("data-chart-ready") === "1" || !withECharts()) { return; }
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


  /* ---------------------------------------------------------------------------------------
   * Long tables: every table of more than PAGE_ROWS rows (or marked data-sortable) gets
   * sortable column headers and, above PAGE_ROWS rows, a pager. The server renders every row
   * (without JavaScript the whole table shows); tables paged by the server carry
   * data-server-paged and are left alone. A cell may give its sort value in data-v. */
  var PAGE_ROWS = 50;

  function label(key, vars) {
    var s = document.body.getAttribute("data-t-" + key) || key;
    if (vars) { for (var k in vars) { s = s.replace("{" + k + "}", vars[k]); } }
    return s;
  }

  function sortValue(cell) {
    if (!cell) { return null; }
    var raw = cell.getAttribute("data-v");
    var t = (raw !== null ? raw : cell.textContent).trim();
    if (t === "" || t === "—" || t === "·" || t === "-") { return null; }
    if (/^[★☆]+$/.test(t)) { return (t.match(/★/g) || []).length; }
    if (t === "✓") { return 1; }
    var n = t.replace(/[,\s%∞]/g, "");
    if (/^[-+]?\d*\.?\d+(e[-+]?\d+)?$/i.test(n)) { return parseFloat(n); }
    return t;
  }

  function compareValues(a, b) {
    if (a === null && b === null) { return 0; }
    if (a === null) { return 1; }   /* missing values last, whatever the direction */
    if (b === null) { return -1; }
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    return String(a).localeCompare(String(b), document.documentElement.lang || "zh-CN", { numeric: true });
  }

  function enhanceTable(tbl) {
    if (tbl.getAttribute("data-enhanced") === "1" || tbl.hasAttribute("data-server-paged")) { return; }
    var body = tbl.tBodies[0];
    var head = tbl.tHead && tbl.tHead.rows[0];
    if (!body || !head) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    if (rows.length <= PAGE_ROWS && !tbl.hasAttribute("data-sortable")) { return; }
    if (rows.length < 2) { return; }
    tbl.setAttribute("data-enhanced", "1");
    var state = { page: 0, all: false, col: -1, dir: 1 };
    var pager = null;

    function show() {
      var pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
      if (state.page >= pages) { state.page = pages - 1; }
      var start = state.page * PAGE_ROWS, end = start + PAGE_ROWS;
      for (var i = 0; i < rows.length; i++) { rows[i].hidden = !state.all && (i < start || i >= end); }
      if (!pager) { return; }
      pager.querySelector(".pg-info").textContent = state.all
        ? label("page", { p: 1, n: 1, r: rows.length })
        : label("page", { p: state.page + 1, n: pages, r: rows.length });
      pager.querySelector(".pg-prev").disabled = state.all || state.page === 0;
      pager.querySelector(".pg-next").disabled = state.all || state.page >= pages - 1;
      pager.querySelector(".pg-all").setAttribute("aria-pressed", state.all ? "true" : "false");
    }

    function sortBy(col) {
      state.dir = state.col === col ? -state.dir : 1;
      state.col = col;
      var keyed = rows.map(function (r, i) { return { r: r, i: i, v: sortValue(r.cells[col]) }; });
      keyed.sort(function (a, b) {
        var c = compareValues(a.v, b.v);
        if (a.v !== null && b.v !== null) { c = c * state.dir; }
        return c || a.i - b.i;
      });
      rows = keyed.map(function (k) { return k.r; });
      for (var i = 0; i < rows.length; i++) { body.appendChild(rows[i]); }
      var ths = head.cells;
      for (var j = 0; j < ths.length; j++) {
        if (j === col) { ths[j].setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending"); }
        else { ths[j].removeAttribute("aria-sort"); }
      }
      state.page = 0;
      show();
    }

    Array.prototype.forEach.call(head.cells, function (th, col) {
      if (th.colSpan > 1) { return; }
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "sort";
      btn.title = label("sort");
      while (th.firstChild) { btn.appendChild(th.firstChild); }
      th.appendChild(btn);
      btn.addEventListener("click", function () { sortBy(col); });
    });

    if (rows.length > PAGE_ROWS) {
      pager = document.createElement("div");
      pager.className = "table-pager";
      pager.innerHTML = '<button type="button" class="pg-prev"></button> <span class="pg-info" aria-live="polite"></span> ' +
        '<button type="button" class="pg-next"></button> <button type="button" class="pg-all link" aria-pressed="false"></button>';
      pager.querySelector(".pg-prev").textContent = "← " + label("prev");
      pager.querySelector(".pg-next").textContent = label("next") + " →";
      pager.querySelector(".pg-all").textContent = label("all");
      pager.querySelector(".pg-prev").addEventListener("click", function () { state.page--; show(); });
      pager.querySelector(".pg-next").addEventListener("click", function () { state.page++; show(); });
      pager.querySelector(".pg-all").addEventListener("click", function () { state.all = !state.all; show(); });
      var wrap = tbl.parentNode && tbl.parentNode.classList && tbl.parentNode.classList.contains("scroll") ? tbl.parentNode : tbl;
      wrap.parentNode.insertBefore(pager, wrap.nextSibling);
    }
    show();
  }

  function initTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var els = scope.querySelectorAll("table");
    for (var i = 0; i < els.length; i++) { enhanceTable(els[i]); }
    if (scope.tagName === "TABLE") { enhanceTable(scope); }
  }

  /* The in-page section bar (nav.tabs of anchors, usable without JavaScript): the link of the
   * section being read is marked, so the reader knows where they are on a long page. */
  function sectionNav() {
    if (!("IntersectionObserver" in window)) { return; }
    var navs = document.querySelectorAll("nav.tabs");
    Array.prototype.forEach.call(navs, function (nav) {
      var links = nav.querySelectorAll('a[href^="#"]');
      var byId = {};
      var obs = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (!e.isIntersecting) { return; }
          for (var i = 0; i < links.length; i++) { links[i].removeAttribute("aria-current"); }
          var a = byId[e.target.id];
          if (a) { a.setAttribute("aria-current", "location"); }
        });
      }, { rootMargin: "-15% 0px -70% 0px" });
      for (var i = 0; i < links.length; i++) {
        var id = links[i].getAttribute("href").slice(1);
        var el = document.getElementById(id);
        if (el && el.tagName === "SECTION") { byId[id] = links[i]; obs.observe(el); }
      }
    });
  }

  /* Pickers: an input with data-suggest="region|industry|firm|cluster" completes from
   * /api/v1/suggest into its datalist (the value is the code the form needs). With
   * data-suggest="@kind" the kind is the checked radio button "kind" of the form, translated
   * by data-suggest-map (JSON). Without JavaScript the field is an ordinary text field. */
  var suggestSeq = 0;

  function suggestKind(input) {
    var k = input.getAttribute("data-suggest") || "";
    if (k.charAt(0) !== "@") { return k; }
    var form = input.form;
    var picked = form && form.querySelector('input[name="' + k.slice(1) + '"]:checked');
    var v = picked ? picked.value : "";
    try { v = JSON.parse(input.getAttribute("data-suggest-map") || "{}")[v] || v; } catch (e) { /* keep v */ }
    return v;
  }

  function picker(input) {
    if (input.getAttribute("data-suggest-ready") === "1") { return; }
    input.setAttribute("data-suggest-ready", "1");
    input.setAttribute("autocomplete", "off");
    var listId = input.getAttribute("list");
    var list = listId && document.getElementById(listId);
    if (!list) {
      list = document.createElement("datalist");
      list.id = (input.id || input.name || "pick") + "-suggest-" + (++suggestSeq);
      input.parentNode.insertBefore(list, input.nextSibling);
      input.setAttribute("list", list.id);
    }
    var timer = null, last = "";
    function fetchNow() {
      var q = input.value.trim();
      var kind = suggestKind(input);
      var key = kind + "|" + q;
      if (!q || !kind || key === last) { return; }
      last = key;
      var url = "/api/v1/suggest?kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(q) + "&limit=10";
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          if (last !== key) { return; }
          list.textContent = "";
          (data.items || []).forEach(function (it) {
            var o = document.createElement("option");
            o.value = it.value;
            o.label = it.label;
            o.textContent = it.label;
            list.appendChild(o);
          });
          input.setAttribute("data-suggest-count", String((data.items || []).length));
        })
        .catch(function () { /* no completion offline: the field still takes a typed code */ });
    }
    input.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(fetchNow, 200);
    });
  }

  function initPickers(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var els = scope.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < els.length; i++) { picker(els[i]); }
  }

  function start() {
    navToggle();
    uploadProgress();
    initCharts(document);
    initTables(document);
    initPickers(document);
    sectionNav();
    if (window.htmx) {
      window.htmx.onLoad(function (el) { initCharts(el); initTables(el); initPickers(el); });
    }
    // sections still loading may hold charts: parse ECharts while their requests are out
    if (document.querySelector("[hx-trigger~='load'], [data-tilemap]")) { withECharts(); }
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
