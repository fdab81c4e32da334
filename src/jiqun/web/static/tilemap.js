/* Jiqun maps: a tile-grid map of China's provincial-level units (or, where the deployment
 * configured an approved boundary file, real choropleths), coloured by the measure chosen in the
 * page, with the cities of the selected province beside it. No inline scripts (CSP
 * script-src 'self'): each map is a [data-tilemap] element holding its JSON (from
 * jiqun.services.maps.map_data), drawn here with the vendored ECharts. */
(function () {
  "use strict";

  var RAMP = ["#eff6ff", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"];
  var NO_DATA = "#e5e7eb";
  var HIGHLIGHT = "#dc2626";

  function fmt(v) {
    if (v === null || v === undefined) { return "—"; }
    return Number(v).toLocaleString(undefined, { maximumFractionDigits: 1 });
  }

  function measureOf(d, key) {
    for (var i = 0; i < d.measures.length; i++) { if (d.measures[i].key === key) { return d.measures[i]; } }
    return d.measures[0];
  }

  function maxOf(values) {
    var m = 0;
    for (var i = 0; i < values.length; i++) { if (values[i] !== null && values[i] > m) { m = values[i]; } }
    return m > 0 ? m : 1;
  }

  function font() { return "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"; }

  function visualMap(max, meas, bottom) {
    return {
      type: "continuous", min: 0, max: max, dimension: 2, seriesIndex: 0, calculable: false,
      orient: "horizontal", left: "center", bottom: bottom, itemWidth: 10, itemHeight: 110,
      text: [fmt(max) + " " + meas.unit, "0"], textStyle: { fontSize: 11 },
      inRange: { color: RAMP }
    };
  }

  /* the tile grid: x = column, y = row (0 at the top) */
  function tileOption(d, st, el) {
    var meas = measureOf(d, st.measure);
    var w = el.clientWidth || 300;
    var h = el.clientHeight || 300;
    var cell = Math.max(18, Math.min((w - 8) / 9, (h - 80) / 8)) * 0.94;
    var withData = [];
    var withoutData = [];
    var noData = [];
    var values = [];
    d.tiles.forEach(function (t) {
      var v = t.values[st.measure];
      var item = {
        value: [t.col, t.row, v === null ? 0 : v], code: t.code, name: t.name, short: t.short,
        noData: t.no_data, raw: v,
        itemStyle: t.code === st.selected ? { borderColor: "#111827", borderWidth: 2.5 } : {}
      };
      if (t.no_data) { noData.push(item); } else if (v === null) { withoutData.push(item); } else { withData.push(item); values.push(v); }
    });
    var top = maxOf(values);
    withData.forEach(function (item) {
      // dark tiles get light text (the ramp's two darkest steps)
      item.label = { color: item.raw / top > 0.55 ? "#ffffff" : "#111827" };
    });
    var label = {
      show: true, fontSize: cell < 34 ? 10 : 12,
      formatter: function (p) { return p.data.short; }
    };
    var gridW = cell * 9 / 0.94;
    return {
      animation: false,
      textStyle: { fontFamily: font() },
      tooltip: {
        confine: true,
        formatter: function (p) {
          var t = p.data;
          var v = t.noData ? d.labels.no_data : (t.raw === null ? d.labels.suppressed : fmt(t.raw) + " " + meas.unit);
          return "<b>" + t.name + "</b><br>" + meas.label + ": " + v;
        }
      },
      grid: { left: Math.max(4, (w - gridW) / 2), width: gridW, top: 4, height: cell * 8 / 0.94 },
      xAxis: { type: "value", min: -0.5, max: 8.5, show: false },
      yAxis: { type: "value", min: -0.5, max: 7.5, inverse: true, show: false },
      visualMap: visualMap(top, meas, 0),
      series: [
        { type: "scatter", name: meas.label, symbol: "rect", symbolSize: cell, data: withData, label: label,
          emphasis: { itemStyle: { borderColor: "#111827", borderWidth: 2 } } },
        { type: "scatter", name: d.labels.suppressed, symbol: "rect", symbolSize: cell, data: withoutData,
          label: label, itemStyle: { color: NO_DATA, borderColor: "#9ca3af", borderType: "dashed", borderWidth: 1 } },
        { type: "scatter", name: d.labels.no_data, symbol: "rect", symbolSize: cell, data: noData,
          label: label, itemStyle: { color: "#ffffff", borderColor: "#9ca3af", borderType: "dotted", borderWidth: 1.5 } }
      ],
      legend: {
        data: [d.labels.suppressed, d.labels.no_data], bottom: 28, left: "center", itemWidth: 12, itemHeight: 12,
        selectedMode: false, textStyle: { fontSize: 11 }
      }
    };
  }

  /* the cities of the selected province as bubbles at their seats */
  function cityOption(d, st, el) {
    var meas = measureOf(d, st.measure);
    var pts = d.points.filter(function (p) { return p.province === st.selected && !p.detail; });
    var values = pts.map(function (p) { return p.values[st.measure]; });
    var max = maxOf(values);
    var tile = null;
    d.tiles.forEach(function (t) { if (t.code === st.selected) { tile = t; } });
    var title = (tile ? tile.name : "") + d.labels.cities;
    var hl = {};
    (d.highlight || []).forEach(function (c) { hl[c] = true; });
    var data = pts.map(function (p) {
      var v = p.values[st.measure];
      var mark = hl[p.code] || hl[p.code.slice(0, 4) + "00"];
      return {
        value: [p.lon, p.lat, v === null ? 0 : v], name: p.name, raw: v, clusters: p.clusters,
        symbolSize: v === null || v === 0 ? 6 : 8 + 30 * Math.sqrt(v / max),
        itemStyle: {
          color: v === null || v === 0 ? "rgba(255,255,255,0.9)" : "rgba(37, 99, 235, 0.6)",
          borderColor: mark ? HIGHLIGHT : "#1e3a8a", borderWidth: mark ? 3 : 1
        },
        label: { show: true, position: "right", fontSize: 10, color: mark ? HIGHLIGHT : "#374151",
          fontWeight: mark ? "bold" : "normal" }
      };
    });
    return {
      animation: false,
      textStyle: { fontFamily: font() },
      title: { text: title, left: "center", top: 0, textStyle: { fontSize: 13 } },
      tooltip: {
        confine: true,
        formatter: function (p) {
          var v = p.data.raw === null ? d.labels.suppressed : fmt(p.data.raw) + " " + meas.unit;
          var s = "<b>" + p.data.name + "</b><br>" + meas.label + ": " + v;
          if (p.data.clusters) { s += "<br>" + d.labels.clusters + ": " + String(p.data.clusters).slice(0, 120); }
          return s;
        }
      },
      grid: { left: 12, right: 64, top: 34, bottom: 12, containLabel: false },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      series: [{
        type: "scatter", name: meas.label, data: data,
        label: { show: true, position: "right", formatter: function (p) { return p.data.name; } }
      }]
    };
  }

  /* approved boundaries: a choropleth of one level, optionally inside one region */
  function boundaryUrl(level, within) {
    return "/maps/boundary/" + level + ".geojson" + (within ? "?within=" + encodeURIComponent(within) : "");
  }

  function choroplethOption(d, st, mapName, items, title) {
    var meas = measureOf(d, st.measure);
    var values = items.map(function (x) { return x.raw; });
    return {
      animation: false,
      textStyle: { fontFamily: font() },
      title: title ? { text: title, left: "center", top: 0, textStyle: { fontSize: 13 } } : undefined,
      tooltip: {
        confine: true,
        formatter: function (p) {
          var x = p.data || {};
          var v = x.noData ? d.labels.no_data : (x.raw === null || x.raw === undefined ? d.labels.suppressed : fmt(x.raw) + " " + meas.unit);
          return "<b>" + (x.label || p.name) + "</b><br>" + meas.label + ": " + v;
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: maxOf(values), seriesIndex: 0, orient: "horizontal",
        left: "center", bottom: 20, itemWidth: 10, itemHeight: 110, calculable: false,
        text: [fmt(maxOf(values)) + " " + meas.unit, "0"], textStyle: { fontSize: 11 },
        inRange: { color: RAMP }, outOfRange: { color: NO_DATA }
      },
      graphic: [{
        type: "text", left: 4, bottom: 2,
        style: { text: d.labels.approval + "：" + d.approval, fontSize: 11, fill: "#374151" }
      }],
      series: [{
        type: "map", map: mapName, nameProperty: "code", roam: false, top: title ? 28 : 8, bottom: 50,
        data: items, selectedMode: false,
        itemStyle: { areaColor: NO_DATA, borderColor: "#ffffff" },
        label: { show: !!title, fontSize: 10, formatter: function (p) { return p.data ? p.data.label : ""; } }
      }]
    };
  }

  var loaded = {};
  function loadMap(name, url, done) {
    if (loaded[name]) { done(true); return; }
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (geo) {
      if (!geo.features || !geo.features.length) { done(false); return; }
      echarts.registerMap(name, geo);
      loaded[name] = true;
      done(true);
    }).catch(function () { done(false); });
  }

  function provinceItems(d, st) {
    return d.tiles.map(function (t) {
      var v = t.values[st.measure];
      var item = { name: t.code, label: t.name, value: v === null ? null : v, raw: v, noData: t.no_data };
      if (t.code === st.selected) { item.itemStyle = { borderColor: "#111827", borderWidth: 2 }; }
      return item;
    });
  }

  function areaItems(d, st, counties) {
    var hl = {};
    (d.highlight || []).forEach(function (c) { hl[c] = true; });
    return d.points.filter(function (p) {
      return counties ? p.detail : (p.province === st.selected && !p.detail);
    }).map(function (p) {
      var v = p.values[st.measure];
      var item = { name: p.code, label: p.name, value: v === null ? null : v, raw: v };
      if (hl[p.code]) { item.itemStyle = { borderColor: HIGHLIGHT, borderWidth: 2.5 }; }
      return item;
    });
  }

  function drawLeft(box, d, st) {
    var c = echarts.getInstanceByDom(box.left) || echarts.init(box.left, null, { renderer: "canvas" });
    if (d.mode === "geojson") {
      loadMap("jiqun-province", boundaryUrl("province"), function (ok) {
        if (ok) {
          c.setOption(choroplethOption(d, st, "jiqun-province", provinceItems(d, st)), true);
        } else {
          c.setOption(tileOption(d, st, box.left), true);
        }
        box.left.setAttribute("data-map-ready", "1");
      });
    } else {
      c.setOption(tileOption(d, st, box.left), true);
      box.left.setAttribute("data-map-ready", "1");
    }
    return c;
  }

  function drawRight(box, d, st) {
    var c = echarts.getInstanceByDom(box.right) || echarts.init(box.right, null, { renderer: "canvas" });
    var fallback = function () { c.setOption(cityOption(d, st, box.right), true); box.right.setAttribute("data-map-ready", "1"); };
    // a city's page: its counties where the file has them; else the province's cities
    var counties = !!d.detail && d.levels.indexOf("county") >= 0 && st.selected === d.detail.slice(0, 2) + "0000";
    var level = counties ? "county" : "prefecture";
    if (d.mode === "geojson" && d.levels.indexOf(level) >= 0 && st.selected) {
      var within = counties ? d.detail : st.selected;
      var name = "jiqun-" + level + "-" + within;
      loadMap(name, boundaryUrl(level, within), function (ok) {
        if (!ok) { fallback(); return; }
        var title = "";
        if (counties) {
          d.points.forEach(function (p) { if (p.code === d.detail && !p.detail) { title = p.name; } });
          title += d.labels.counties;
        } else {
          d.tiles.forEach(function (t) { if (t.code === st.selected) { title = t.name; } });
          title += d.labels.cities;
        }
        c.setOption(choroplethOption(d, st, name, areaItems(d, st, counties), title), true);
        box.right.setAttribute("data-map-ready", "1");
      });
    } else {
      fallback();
    }
    return c;
  }

  function setup(root) {
    if (root.getAttribute("data-tilemap-ready") === "1" || typeof echarts === "undefined") { return; }
    var d;
    try { d = JSON.parse(root.getAttribute("data-tilemap") || "{}"); } catch (e) { return; }
    if (!d.tiles) { return; }
    var select = root.querySelector("select.tm-measure");
    var basisEl = root.querySelector(".tm-basis-text");
    var st = { measure: select ? select.value : d.measures[0].key, selected: d.selected };
    var box = { left: root.querySelector(".tm-tiles"), right: root.querySelector(".tm-cities") };
    function basis() { if (basisEl) { basisEl.textContent = d.basis[st.measure] || ""; } }
    var left = drawLeft(box, d, st);
    drawRight(box, d, st);
    basis();
    left.on("click", function (p) {
      var code = p.data && (p.data.code || p.data.name);
      if (!code || !/^\d{6}$/.test(code)) { return; }
      st.selected = code;
      drawLeft(box, d, st);
      drawRight(box, d, st);
    });
    if (select) {
      select.addEventListener("change", function () {
        st.measure = select.value;
        drawLeft(box, d, st);
        drawRight(box, d, st);
        basis();
      });
    }
    var t = null;
    window.addEventListener("resize", function () {
      if (t) { clearTimeout(t); }
      t = setTimeout(function () {
        var a = echarts.getInstanceByDom(box.left);
        var b = echarts.getInstanceByDom(box.right);
        if (a) { a.resize(); if (d.mode !== "geojson") { a.setOption(tileOption(d, st, box.left), true); } }
        if (b) { b.resize(); }
      }, 150);
    });
    root.setAttribute("data-tilemap-ready", "1");
  }

  function start() {
    var els = document.querySelectorAll("[data-tilemap]");
    for (var i = 0; i < els.length; i++) { setup(els[i]); }
  }

  // ECharts is loaded by app.js without blocking the page: set up again once it has run
  document.addEventListener("jiqun:echarts", start);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
