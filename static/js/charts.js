/* Draw the bar charts of a page with Apache ECharts (static/vendor/echarts).
 *
 * Each chart is a <div data-chart="ID"> whose numbers sit in <script type="application/json"
 * id="ID"> (Django's json_script), so the Content-Security-Policy needs no inline script. A
 * click in a bar's band opens the list behind it; narrow screens get smaller, wrapped labels.
 */
(function () {
  "use strict";

  var NARROW = 480;

  function valueText(spec) {
    return function (value) {
      var number = typeof value === "object" ? value.value : value;
      return number ? number + spec.unit : "";
    };
  }

  function option(spec, width) {
    var narrow = width < NARROW;
    var labelWidth = narrow ? Math.round(width * 0.34) : 220;
    var fontSize = narrow ? 11 : 12;
    var many = spec.series.length > 1;
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      name: spec.horizontal ? "" : spec.categoryAxis,
      nameLocation: "middle",
      nameGap: narrow ? 42 : 28,
      axisTick: { alignWithLabel: true },
      axisLabel: spec.horizontal
        ? { width: labelWidth, overflow: "break", fontSize: fontSize, lineHeight: fontSize + 3 }
        : { fontSize: fontSize, rotate: narrow && spec.categories.length > 6 ? 45 : 0, hideOverlap: true }
    };
    if (spec.horizontal) {
      categoryAxis.inverse = true;
    }
    var valueAxis = {
      type: "value",
      name: spec.valueAxis,
      nameLocation: "middle",
      nameGap: spec.horizontal ? 26 : 36,
      minInterval: 1,
      axisLabel: { fontSize: fontSize, formatter: "{value}" + spec.unit }
    };
    var series = spec.series.map(function (item, index) {
      return {
        type: "bar",
        name: item.name,
        data: item.values,
        stack: spec.stacked ? "total" : undefined,
        barMaxWidth: 28,
        cursor: spec.links.length ? "pointer" : "default",
        itemStyle: spec.colors[index] ? { color: spec.colors[index] } : undefined,
        label: {
          show: true,
          position: spec.stacked ? "inside" : (spec.horizontal ? "right" : "top"),
          fontSize: fontSize,
          formatter: function (params) { return valueText(spec)(params.value); }
        }
      };
    });
    return {
      animation: false,
      textStyle: { fontFamily: "inherit" },
      grid: { left: 8, right: spec.horizontal ? 36 : 12, top: many ? 40 : 16, bottom: spec.horizontal ? 36 : (narrow ? 56 : 44), containLabel: true },
      legend: many ? { top: 0, type: "scroll", textStyle: { fontSize: fontSize } } : undefined,
      // Rich text draws the tooltip on the canvas: ECharts' HTML tooltip carries inline styles.
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, valueFormatter: valueText(spec) },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: series
    };
  }

  // The category under a point of the canvas, or -1 outside the plot area.
  function categoryAt(chart, spec, point) {
    if (!chart.containPixel({ gridIndex: 0 }, point)) {
      return -1;
    }
    var value = chart.convertFromPixel({ seriesIndex: 0 }, point);
    var index = Math.round(value[spec.horizontal ? 1 : 0]);
    return index >= 0 && index < spec.categories.length ? index : -1;
  }

  // A click anywhere in a bar's band of the plot opens the list behind it: a finger needs a
  // bigger target than a thin bar. The browser's own click on the chart is read, not
  // ECharts' (zrender drops a click when the element under the pointer changed between
  // press and release, as when the tooltip drawn on the canvas appears in between).
  function follow(element, chart, spec) {
    element.addEventListener("click", function (event) {
      var box = (element.firstElementChild || element).getBoundingClientRect();
      var index = categoryAt(chart, spec, [event.clientX - box.left, event.clientY - box.top]);
      if (index >= 0 && spec.links[index]) {
        window.location.assign(spec.links[index]);
      }
    });
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var width = element.clientWidth;
    var rowHeight = width < NARROW ? 44 : 34;
    var height = spec.horizontal ? Math.max(160, spec.categories.length * rowHeight + 90) : 260;
    element.style.height = height + "px";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(spec, width));
    if (spec.links.length) {
      follow(element, chart, spec);
    }
    element.setAttribute("data-drawn", "true");
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        if (element.clientWidth && element.clientWidth !== width) {
          width = element.clientWidth;
          chart.setOption(option(spec, width), true);
          chart.resize();
        }
      }).observe(element);
    }
  }

  function start() {
    var charts = document.querySelectorAll("[data-chart]");
    for (var index = 0; index < charts.length; index += 1) {
      draw(charts[index]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
