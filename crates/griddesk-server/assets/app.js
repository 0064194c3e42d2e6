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

  function labelOf(l, el) {
    if (!l) { return el.dataset.labelNone || "-"; }
    return el.dataset.lang === "en" ? l.en : l.zh;
  }

  /* Pareto chart of complaint causes: bars by count, the cumulative share as a line, the
   * vital few (first 80 %) in the strong colour. */
  function paretoOption(a, el) {
    var bars = a.pareto || [];
    return {
      animationDuration: 300,
      grid: { left: 48, right: 56, top: 40, bottom: 72 },
      tooltip: { trigger: "axis" },
      legend: { top: 4, data: [el.dataset.labelCount || "n", el.dataset.labelCumulative || "%"] },
      xAxis: { type: "category", data: bars.map(function (b) { return labelOf(b.cause, el); }), axisLabel: { rotate: 30 } },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: [
        {
          name: el.dataset.labelCount || "n",
          type: "bar",
          barMaxWidth: 28,
          data: bars.map(function (b) {
            return { value: b.count, itemStyle: { color: b.vital ? "#d9534f" : "#9aa8b8" } };
          })
        },
        {
          name: el.dataset.labelCumulative || "%",
          type: "line",
          yAxisIndex: 1,
          symbolSize: 6,
          data: bars.map(function (b) { return Math.round(b.cumulative * 1000) / 10; })
        }
      ]
    };
  }

  function countsOption(rows, el, type) {
    return {
      animationDuration: 300,
      grid: { left: 48, right: 24, top: 24, bottom: 56 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: rows.map(function (r) { return r.key || el.dataset.labelNone || "-"; }), axisLabel: { rotate: type === "bar" ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: el.dataset.labelCount || "n", type: type, barMaxWidth: 28, smooth: true, data: rows.map(function (r) { return r.count; }) }]
    };
  }

  /* Reliability of each group (area type or unit, by data-group): SAIDI hours as bars, ASAI
   * (供电可靠率) as a line on the right axis with the commitment marked. */
  function reliabilityOption(r, el) {
    var rows = r[el.dataset.group || "by_unit"] || [];
    var pct = function (v) { return Math.round(v * 100000) / 1000; };
    return {
      animationDuration: 300,
      grid: { left: 56, right: 64, top: 40, bottom: 56 },
      tooltip: { trigger: "axis" },
      legend: { top: 4, data: [el.dataset.labelSaidi || "SAIDI", el.dataset.labelAsai || "ASAI"] },
      xAxis: { type: "category", data: rows.map(function (g) { return g.name; }), axisLabel: { rotate: rows.length > 4 ? 30 : 0 } },
      yAxis: [
        { type: "value", name: "h" },
        { type: "value", scale: true, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: [
        { name: el.dataset.labelSaidi || "SAIDI", type: "bar", barMaxWidth: 28, data: rows.map(function (g) { return Math.round(g.indices.saidi_hours * 1000) / 1000; }) },
        {
          name: el.dataset.labelAsai || "ASAI",
          type: "line",
          yAxisIndex: 1,
          symbolSize: 6,
          data: rows.map(function (g) { return pct(g.indices.asai); }),
          markLine: { symbol: "none", data: [{ yAxis: pct(r.commitment), name: "99.9%" }], lineStyle: { color: "#d9534f", type: "dashed" } }
        }
      ]
    };
  }

  /* The value matrix (D4.4): one scatter series per quadrant, current value on x, potential
   * on y, and the origin lines. */
  function valueMatrixOption(m, el) {
    var names = {};
    (el.dataset.labels || "").split("|").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { names[kv.slice(0, i)] = kv.slice(i + 1); }
    });
    var order = ["vip", "growth", "maintain", "abandon"];
    var series = order.map(function (q, k) {
      var s = {
        name: names[q] || q, type: "scatter", symbolSize: 6,
        data: (m.items || []).filter(function (r) { return r.quadrant === q; })
          .map(function (r) { return [r.current, r.potential, r.customer_no]; })
      };
      if (k === 0) {
        s.markLine = {
          silent: true, symbol: "none", lineStyle: { type: "dashed" },
          data: [{ xAxis: m.origin_current }, { yAxis: m.origin_potential }]
        };
      }
      return s;
    });
    return {
      tooltip: { formatter: function (p) { return p.value[2] + "<br>" + p.value[0].toFixed(3) + " / " + p.value[1].toFixed(3); } },
      legend: { top: 0 },
      xAxis: { type: "value", name: el.dataset.labelCurrent || "current", scale: true },
      yAxis: { type: "value", name: el.dataset.labelPotential || "potential", scale: true },
      series: series
    };
  }

  /* Movement of a grading between two periods (D4.5): a sankey from the earlier period's
   * grades to the later one's, from the page's own data-json. No flows, no chart. */
  function gradeSankeyOption(m) {
    var links = m.links || [];
    return {
      animationDuration: 300,
      tooltip: { trigger: "item" },
      series: [{
        type: "sankey", left: 8, right: 150, top: 16, bottom: 16, nodeGap: 10,
        emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", curveness: 0.5 },
        data: links.length ? (m.nodes || []) : [], links: links
      }]
    };
  }

  /* Reduction per measure of an orderly-use plan (shift peak, avoid peak, limit, disconnect),
   * as bars in kW, from the page's own data-json (the plan is computed by the request). */
  function orderlyMeasuresOption(p, el) {
    var rows = p.subtotals_kw || [];
    return {
      animationDuration: 300,
      grid: { left: 64, right: 24, top: 24, bottom: 40 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: rows.map(function (r) { return r.measure; }) },
      yAxis: { type: "value", name: "kW" },
      series: [{ name: el.dataset.labelKw || "kW", type: "bar", barMaxWidth: 40, data: rows.map(function (r) { return num(r.kw); }) }]
    };
  }

  /* Chart kinds by the element's data-chart: each builds an ECharts option from the JSON of
   * its data-src (or of its data-json, for data the page already holds). */
  var CHARTS = {
    history: historyOption,
    load: loadOption,
    pareto: paretoOption,
    reliability: reliabilityOption,
    "complaint-months": function (a, el) { return countsOption(a.by_month || [], el, "line"); },
    "complaint-units": function (a, el) { return countsOption(a.by_unit || [], el, "bar"); },
    "value-matrix": valueMatrixOption,
    "grade-sankey": gradeSankeyOption,
    "orderly-measures": orderlyMeasuresOption
  };

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
    var data = el.dataset.json !== undefined
      ? Promise.resolve().then(function () { return JSON.parse(el.dataset.json); })
      : fetch(el.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { throw new Error("HTTP " + r.status); }
          return r.json();
        });
    data
      .then(function (h) {
        var build = CHARTS[el.dataset.chart] || historyOption;
        var option = build(h, el);
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

  /* Countdowns to deadlines: "剩余 1:05:09" / "超期 0:12:00", ticking every second. */
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (!isFinite(due)) { return; }
      var secs = Math.round((due - now) / 1000);
      var a = Math.abs(secs);
      var hms = Math.floor(a / 3600) + ":" + pad(Math.floor(a / 60) % 60) + ":" + pad(a % 60);
      var word = secs < 0 ? el.dataset.overdue : el.dataset.left;
      var zh = document.documentElement.lang !== "en";
      el.textContent = zh ? word + hms : hms + " " + word;
      el.classList.toggle("overdue", secs < 0);
    });
  }
  setInterval(tick, 1000);

  /* Photos from a crew's phone: shrunk to at most 1600 px and about 1 MiB as JPEG in the
   * browser, then posted to the order's attachments with the session's CSRF token. */
  var MAX_SIDE = 1600, MAX_BYTES = 1000000;
  function shrink(file) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale);
        c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(img.src);
        (function attempt(q) {
          c.toBlob(function (b) {
            if (!b) { reject(new Error("encode")); return; }
            if (b.size > MAX_BYTES && q > 0.4) { attempt(q - 0.15); } else { resolve(b); }
          }, "image/jpeg", q);
        })(0.85);
      };
      img.onerror = function () { reject(new Error("not an image")); };
      img.src = URL.createObjectURL(file);
    });
  }
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input || !input.matches || !input.matches("input[data-photo]") || !input.files.length) { return; }
    var box = input.closest("[data-upload]");
    var status = box.querySelector("[data-photo-status]");
    var note = box.querySelector("[data-photo-note]");
    status.textContent = "…";
    shrink(input.files[0]).then(function (blob) {
      var url = box.dataset.upload + "?file_name=photo.jpg&note=" + encodeURIComponent(note ? note.value : "");
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "image/jpeg", "X-CSRF-Token": box.dataset.csrf },
        body: blob
      });
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      window.location.reload();
    }).catch(function (e) {
      status.textContent = "✗ " + e.message;
    });
  });

  // An outage plan file (CSV or xlsx) goes to the import API as it is; the problem's detail
  // lists the bad rows, each with its row and column.
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input || !input.matches || !input.matches("input[data-plan-file]") || !input.files.length) { return; }
    var box = input.closest("[data-plan-upload]");
    var status = box.querySelector("[data-plan-status]");
    var file = input.files[0];
    var xlsx = /\.xlsx$/i.test(file.name);
    status.textContent = "…";
    fetch(box.dataset.planUpload + "?file_name=" + encodeURIComponent(file.name), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv",
        "X-CSRF-Token": box.dataset.csrf
      },
      body: file
    }).then(function (r) {
      if (r.ok) { window.location.reload(); return null; }
      return r.json().then(function (p) { throw new Error(p.detail || ("HTTP " + r.status)); });
    }).catch(function (e) {
      status.textContent = "✗ " + e.message;
    });
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); tick(); });
  document.addEventListener("htmx:afterSwap", function (ev) { init(ev.target); });
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t && t.closest && t.closest("[data-print]")) {
      ev.preventDefault();
      window.print();
    }
  });
})();
