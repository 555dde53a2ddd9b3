/* 对口 console: CSRF header for htmx, typeahead picks, and charts from inert JSON blocks. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var palette = ["#a61b1b", "#2f5d8a", "#4d7c3a", "#8a5a00", "#6b4c9a", "#3a7d7c", "#9a4c6b", "#555"];
  var chinaMap = null;

  document.body.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf;
  });

  /* A typeahead pick fills its field (and an optional hidden code field). */
  document.body.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-fill]");
    if (!pick) return;
    var input = document.getElementById(pick.dataset.fill);
    if (!input) return;
    input.value = input.dataset.fillWith === "label" ? pick.dataset.label : pick.dataset.value;
    var box = document.getElementById(pick.dataset.fill + "-suggest");
    if (box) box.innerHTML = "";
    input.focus();
  });

  /* Long work (plans, imports) says it is under way, and cannot be sent twice. */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.busy) return;
    var button = form.querySelector('button[type="submit"]');
    if (button) { button.disabled = true; button.textContent = form.dataset.busy; }
    var note = form.querySelector(".busy-note");
    if (note) note.hidden = false;
  });

  function china() {
    if (!chinaMap) {
      chinaMap = fetch("/static/vendor/china-map/china.json")
        .then(function (r) { return r.json(); })
        .then(function (json) { echarts.registerMap("china", json); });
    }
    return chinaMap;
  }

  function tooltip(params) {
    return (params.data && params.data.tip) || params.name || "";
  }

  function mapOption(data) {
    var series = data.series.map(function (s, k) {
      var colour = s.accent ? palette[0] : palette[(k % (palette.length - 1)) + 1];
      if (s.type === "lines") {
        return { name: s.name, type: "lines", coordinateSystem: "geo", data: s.items, zlevel: 1,
          lineStyle: { color: colour, width: 1.6, opacity: 0.75, curveness: 0.15, type: k % 2 ? "solid" : "dashed" },
          emphasis: { lineStyle: { width: 3 } } };
      }
      return { name: s.name, type: "scatter", coordinateSystem: "geo", data: s.items, zlevel: 2,
        symbol: s.symbol || "circle", symbolSize: s.size || 7,
        itemStyle: { color: colour, borderColor: "#fff", borderWidth: 0.5 },
        label: { show: !!s.accent && s.items.length <= 12, formatter: "{b}", position: "right", fontSize: 11, color: "#333" } };
    });
    return {
      tooltip: { trigger: "item", formatter: tooltip, confine: true },
      legend: { bottom: 0, type: "scroll" },
      geo: { map: "china", roam: true, zoom: (data.view && data.view.zoom) || 1.15,
        center: (data.view && data.view.center) || [106, 34],
        itemStyle: { areaColor: "#f1f2f4", borderColor: "#b9bec5" },
        emphasis: { itemStyle: { areaColor: "#e7e9ec" }, label: { show: false } } },
      series: series
    };
  }

  function barsOption(data) {
    return {
      tooltip: { trigger: "axis", confine: true },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 24, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 8 ? 40 : 0 } },
      yAxis: { type: "value", name: data.unit || "", max: data.max },
      series: data.series.map(function (s, k) {
        return { name: s.name, type: "bar", data: s.values, itemStyle: { color: palette[k % palette.length] },
          decal: { show: k > 0 } };
      }),
      aria: { enabled: true, decal: { show: true } }
    };
  }

  function draw(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (typeof echarts === "undefined") return;
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var old = echarts.getInstanceByDom(el);
      if (old) old.dispose();
      if (el.dataset.chart === "map") {
        china().then(function () {
          echarts.init(el, null, { renderer: "canvas" }).setOption(mapOption(data));
          el.dataset.drawn = "true";
        });
      } else {
        echarts.init(el).setOption(barsOption(data));
        el.dataset.drawn = "true";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
})();
