/* GridDesk console behaviour: draws ECharts charts from the JSON API and wires the print
 * button. Loaded as an external script so the Content-Security-Policy needs no 'unsafe-inline'. */
(function () {
  "use strict";

  function num(v) {
    var n = parseFloat(v);
    return isFinite(n) ? n : 0;
  }

  function historyOption(h, el) {
    var months = h.monthly || [];
    var kwh = el.dataset.labelKwh || "kWh";
    var amount = el.dataset.labelAmount || "CNY";
    return {
      animationDuration: 300,
      color: ["#3b7dd8", "#e8833a"],
      grid: { left: 64, right: 72, top: 44, bottom: 48 },
      tooltip: { trigger: "axis" },
      legend: { data: [kwh, amount], top: 4 },
      xAxis: {
        type: "category",
        data: months.map(function (m) { return m.period; }),
        axisLabel: { interval: "auto", rotate: 0 }
      },
      yAxis: [
        { type: "value", name: "kWh", splitLine: { lineStyle: { color: "#eef1f5" } } },
        { type: "value", name: "¥", splitLine: { show: false } }
      ],
      series: [
        {
          name: kwh,
          type: "bar",
          barMaxWidth: 18,
          itemStyle: { borderRadius: [3, 3, 0, 0] },
          data: months.map(function (m) { return num(m.consumption_kwh); })
        },
        {
          name: amount,
          type: "line",
          yAxisIndex: 1,
          smooth: true,
          symbolSize: 5,
          data: months.map(function (m) { return num(m.amount); })
        }
      ]
    };
  }

  function loadOption(h, el) {
    var curves = (h.load_curves || []).slice(-7);
    var slots = [];
    for (var i = 0; i < 96; i++) {
      var hh = Math.floor(i / 4), mm = (i % 4) * 15;
      slots.push((hh < 10 ? "0" : "") + hh + ":" + (mm === 0 ? "00" : mm));
    }
    return {
      animationDuration: 300,
      grid: { left: 64, right: 24, top: 76, bottom: 48 },
      tooltip: { trigger: "axis" },
      legend: { top: 4, type: "scroll" },
      xAxis: { type: "category", data: slots, axisLabel: { interval: 11 } },
      yAxis: { type: "value", name: el.dataset.labelLoad || "kW" },
      series: curves.map(function (c, idx) {
        return {
          name: c.curve_date,
          type: "line",
          showSymbol: false,
          lineStyle: { width: idx === curves.length - 1 ? 2.5 : 1, opacity: idx === curves.length - 1 ? 1 : 0.45 },
          data: (c.points_kw || []).map(num)
        };
      })
    };
  }

  function hasData(option) {
    return option.series.some(function (s) {
      return s.data.length > 0 && s.data.some(function (v) { return v !== 0; });
    });
  }

  function drawChart(el) {
    if (el.dataset.rendered || typeof echarts === "undefined") {
      return;
    }
    el.dataset.rendered = "pending";
    fetch(el.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (h) {
        var option = el.dataset.chart === "load" ? loadOption(h, el) : historyOption(h, el);
        if (!hasData(option)) {
          el.textContent = el.dataset.empty || "-";
          el.dataset.rendered = "empty";
          return;
        }
        el.textContent = "";
        var chart = echarts.init(el, null, { renderer: "canvas" });
        chart.setOption(option);
        el.dataset.rendered = "true";
        window.addEventListener("resize", function () { chart.resize(); });
      })
      .catch(function (e) {
        el.textContent = el.dataset.empty || "-";
        el.dataset.rendered = "error";
        if (window.console) { window.console.warn("chart failed", e); }
      });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(drawChart);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { init(ev.target); });
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t && t.closest && t.closest("[data-print]")) {
      ev.preventDefault();
      window.print();
    }
  });
})();
