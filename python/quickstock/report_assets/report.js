// quickstock report: the page script, inlined into every report by quickstock/reporting.py.
// Reads the JSON in #qs-data, fills the drill-down lists, draws the fan chart as SVG and
// filters the tables. No network access.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("qs-data").textContent);
  var cols = D.columns, S = D.series, nc = cols.length;
  var sel = {}; // column -> value; "" or missing = all
  var current = -1; // node shown
  var byKey = {};
  function keyOf(vals, uid) { return JSON.stringify([vals, uid]); }
  S.forEach(function (s, i) { byKey[keyOf(s.k, s.b ? s.id : null)] = i; });
  var chains = [D.geo, D.product];
  function setVals() { return cols.map(function (c) { return sel[c] ? sel[c] : null; }); }
  function matches(s) {
    for (var j = 0; j < nc; j++) { var v = sel[cols[j]]; if (v && s.k[j] !== v) return false; }
    return true;
  }
  function findNode() {
    if (sel.__series) { return D.index[sel.__series]; }
    var k = keyOf(setVals(), null);
    if (k in byKey) return byKey[k];
    var hits = S.filter(function (s) { return s.b && matches(s); });
    if (hits.length === 1) return D.index[hits[0].id];
    return -1;
  }
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    return v.toFixed(2);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function sv(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function idx(c, key) {
    var t = c[key];
    if (!t) return [];
    if (c[key + "c"]) { var out = []; for (var i = 0; i < t[1]; i++) out.push(t[0] + i); return out; }
    return t;
  }
  var COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
  function drawChart(box, s) {
    box.textContent = "";
    var c = s.c;
    if (!c) {
      box.appendChild(el("p", {"class": "muted"}, "No chart embedded for this series (the report embeds at most " +
        D.max_charts + " charts: aggregates first, then the series with the most recent demand). Its numbers are in the tables below."));
      return;
    }
    var W = 860, H = 300, L = 56, R = 12, T = 12, B = 34;
    var ht = idx(c, "ht"), ft = idx(c, "ft"), q = c.q || {}, qc = D.quantiles;
    var ts = ht.concat(ft);
    var t0 = Math.min.apply(null, ts), t1 = Math.max.apply(null, ts);
    var ymax = 0;
    (c.hy || []).forEach(function (v) { ymax = Math.max(ymax, v); });
    qc.forEach(function (k) { (q[k] || []).forEach(function (v) { ymax = Math.max(ymax, v); }); });
    Object.keys(c.o || {}).forEach(function (k) { c.o[k].forEach(function (v) { ymax = Math.max(ymax, v); }); });
    if (!(ymax > 0)) ymax = 1;
    ymax *= 1.05;
    function X(t) { return L + (t1 > t0 ? (t - t0) / (t1 - t0) : 0.5) * (W - L - R); }
    function Y(v) { return T + (1 - v / ymax) * (H - T - B); }
    var svg = sv("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "fan chart of " + s.id});
    for (var g = 0; g <= 4; g++) {
      var v = ymax * g / 4, y = Y(v);
      svg.appendChild(sv("line", {x1: L, x2: W - R, y1: y, y2: y, stroke: "#e3e6ea"}));
      var tx = sv("text", {x: L - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#566"});
      tx.textContent = fmt(v); svg.appendChild(tx);
    }
    var ticks = [t0, ft.length ? ft[0] : t1, t1];
    ticks.forEach(function (t, j) {
      var tx = sv("text", {x: X(t), y: H - 12, "text-anchor": j === 0 ? "start" : (j === 2 ? "end" : "middle"),
        "font-size": 11, fill: "#566"});
      tx.textContent = D.axis[t]; svg.appendChild(tx);
    });
    if (ft.length) {
      svg.appendChild(sv("line", {x1: X(ft[0]), x2: X(ft[0]), y1: T, y2: H - B, stroke: "#999", "stroke-dasharray": "3,3"}));
    }
    var nb = Math.floor(qc.length / 2);
    for (var b = 0; b < nb; b++) {
      var lo = q[qc[b]], hi = q[qc[qc.length - 1 - b]];
      if (!lo || !hi) continue;
      var d = "";
      ft.forEach(function (t, i) { d += (i ? "L" : "M") + X(t).toFixed(1) + "," + Y(hi[i]).toFixed(1); });
      for (var i = ft.length - 1; i >= 0; i--) d += "L" + X(ft[i]).toFixed(1) + "," + Y(lo[i]).toFixed(1);
      svg.appendChild(sv("path", {d: d + "Z", fill: COLOURS[0], "fill-opacity": (0.15 + 0.12 * b).toFixed(2),
        "class": "band", "data-band": qc[b] + "-" + qc[qc.length - 1 - b]}));
    }
    function line(ts2, vs, colour, dash, cls) {
      if (!vs || !vs.length) return;
      var d = "";
      ts2.forEach(function (t, i) { d += (i ? "L" : "M") + X(t).toFixed(1) + "," + Y(vs[i]).toFixed(1); });
      var a = {d: d, fill: "none", stroke: colour, "stroke-width": 1.6, "class": cls};
      if (dash) a["stroke-dasharray"] = "5,3";
      svg.appendChild(sv("path", a));
    }
    line(ht, c.hy, "#1d2430", false, "history");
    var mid = q[D.centre] || c.m;
    Object.keys(c.o || {}).forEach(function (k, j) { line(ft, c.o[k], COLOURS[(j + 1) % COLOURS.length], true, "other"); });
    line(ft, mid, COLOURS[0], false, "centre");
    box.appendChild(svg);
    var lg = el("div", {"class": "legend"});
    function key(colour, text) { var sp = el("span"); sp.appendChild(el("i", {"class": "sw", style: "background:" + colour})); sp.appendChild(document.createTextNode(text)); lg.appendChild(sp); }
    key("#1d2430", "history");
    key(COLOURS[0], D.primary + " " + (D.centre === "mean" ? "mean" : "P50"));
    for (var b2 = 0; b2 < nb; b2++) key("rgba(31,119,180," + (0.15 + 0.12 * b2).toFixed(2) + ")", qc[b2].toUpperCase() + "–" + qc[qc.length - 1 - b2].toUpperCase());
    Object.keys(c.o || {}).forEach(function (k, j) { key(COLOURS[(j + 1) % COLOURS.length], k + " (dashed)"); });
    box.appendChild(lg);
  }
  function options(c) {
    var j = cols.indexOf(c), vals = {};
    var chain = D.geo.indexOf(c) >= 0 ? D.geo : D.product;
    var below = chain.slice(chain.indexOf(c)); // c and its finer levels do not restrict c's values
    var fixed = cols.filter(function (d) { return sel[d] && below.indexOf(d) < 0; });
    S.forEach(function (s) {
      if (!s.b || s.k[j] === null) return;
      for (var a = 0; a < fixed.length; a++) { if (s.k[cols.indexOf(fixed[a])] !== sel[fixed[a]]) return; }
      vals[s.k[j]] = 1;
    });
    return Object.keys(vals).sort();
  }
  function fill(select, values, value, allText) {
    select.textContent = "";
    select.appendChild(el("option", {value: ""}, allText));
    values.forEach(function (v) { var o = el("option", {value: v}, v); if (v === value) o.selected = true; select.appendChild(o); });
  }
  function choose(c, v) {
    if (c === "__series") { sel.__series = v; render(); return; }
    sel[c] = v; delete sel.__series;
    var chain = D.geo.indexOf(c) >= 0 ? D.geo : D.product, j = chain.indexOf(c);
    chain.slice(j + 1).forEach(function (d) { delete sel[d]; });
    if (v) { // a chosen value fixes its ancestors
      var s = S.filter(function (x) { return x.b && x.k[cols.indexOf(c)] === v; })[0];
      if (s) chain.slice(0, j).forEach(function (a) { sel[a] = s.k[cols.indexOf(a)]; });
    }
    render();
  }
  function select(uid) {
    var s = S[D.index[uid]];
    if (!s) return;
    if (s.b) { cols.forEach(function (c, j) { sel[c] = s.k[j]; }); sel.__series = uid; }
    else { sel = {}; cols.forEach(function (c, j) { if (s.k[j] !== null) sel[c] = s.k[j]; }); }
    render();
  }
  function render() {
    cols.forEach(function (c) { fill(document.getElementById("sel-" + c), options(c), sel[c] || "", "all"); });
    var ids = S.filter(function (s) { return s.b && matches(s); }).map(function (s) { return s.id; });
    fill(document.getElementById("sel-__series"), ids, sel.__series || "", "all (" + ids.length + ")");
    current = findNode();
    var s = current >= 0 ? S[current] : null;
    var title = document.getElementById("chart-title");
    var parts = cols.filter(function (c) { return sel[c]; }).map(function (c) { return c + " = " + sel[c]; });
    title.textContent = s ? (s.b ? s.id : (parts.length ? parts.join(", ") : "All series (total)")) : "No single series for this selection";
    title.setAttribute("data-node", s ? s.id : "");
    var box = document.getElementById("chart");
    if (s) { drawChart(box, s); } else { box.textContent = ""; box.appendChild(el("p", {"class": "muted"}, "Pick a value in the lists above.")); }
    var sm = document.getElementById("summary");
    if (s) {
      var d1 = s.d1 || [];
      sm.textContent = "Expected demand over the next " + D.h + " periods: " + fmt(s.e) + " (last " + D.h + " periods: " + fmt(s.r) + "). First period: " +
        D.quantiles.map(function (qn, i) { return qn.toUpperCase() + " " + fmt(d1[i]); }).join(" · ") + (s.a ? ". Alerts: " + s.a : "");
    } else sm.textContent = "";
    breakdown();
    var shown = 0;
    document.querySelectorAll("#series-table tbody tr, #alerts-table tbody tr").forEach(function (tr) {
      var t = S[+tr.getAttribute("data-n")];
      var ok = matches(t) && (!sel.__series || t.id === sel.__series);
      tr.style.display = ok ? "" : "none";
      if (ok && tr.parentNode.parentNode.id === "series-table") shown++;
    });
    document.getElementById("series-count").textContent = shown + " series";
    var crumbs = document.getElementById("crumbs");
    crumbs.textContent = "";
    var all = el("a", {"data-reset": "1"}, "All");
    all.addEventListener("click", function () { sel = {}; render(); });
    crumbs.appendChild(all);
    cols.filter(function (c) { return sel[c]; }).forEach(function (c) { crumbs.appendChild(document.createTextNode(" › " + c + ": " + sel[c])); });
    if (sel.__series) crumbs.appendChild(document.createTextNode(" › " + sel.__series));
  }
  function breakdown() {
    var box = document.getElementById("breakdown");
    box.textContent = "";
    chains.forEach(function (chain) {
      var next = null;
      for (var j = 0; j < chain.length; j++) if (!sel[chain[j]]) { next = chain[j]; break; }
      if (!next || sel.__series) return;
      var want = setVals(); var jn = cols.indexOf(next);
      var rows = S.filter(function (s) {
        if (s.k[jn] === null) return false;
        for (var j = 0; j < nc; j++) { if (j !== jn && s.k[j] !== want[j]) return false; }
        return true;
      });
      if (!rows.length) return;
      box.appendChild(el("h3", {style: "font-size:14px;margin:8px 0 4px"}, "By " + next));
      var t = el("table", {"class": "breakdown", "data-column": next});
      var hr = el("tr");
      [next, "expected next " + D.h, "last " + D.h, "change"].forEach(function (x, i) { hr.appendChild(el("th", i ? {"class": "n"} : null, x)); });
      var th = el("thead"); th.appendChild(hr); t.appendChild(th);
      var tb = el("tbody");
      rows.sort(function (a, b) { return (b.e || 0) - (a.e || 0); }).forEach(function (s) {
        var tr = el("tr", {"class": "click", "data-value": s.k[jn]});
        tr.appendChild(el("td", null, s.k[jn]));
        tr.appendChild(el("td", {"class": "n"}, fmt(s.e)));
        tr.appendChild(el("td", {"class": "n"}, fmt(s.r)));
        tr.appendChild(el("td", {"class": "n"}, s.r > 0 ? ((s.e / s.r - 1) * 100).toFixed(0) + "%" : "–"));
        tr.addEventListener("click", function () { choose(next, s.k[jn]); });
        tb.appendChild(tr);
      });
      t.appendChild(tb); box.appendChild(t);
    });
    if (!box.childNodes.length) box.appendChild(el("p", {"class": "muted"}, "Nothing finer to break down."));
  }
  cols.concat(["__series"]).forEach(function (c) {
    document.getElementById("sel-" + c).addEventListener("change", function (ev) { choose(c, ev.target.value); });
  });
  document.querySelectorAll("#series-table tbody tr, #alerts-table tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () { select(S[+tr.getAttribute("data-n")].id); });
  });
  document.querySelectorAll("table.sortable").forEach(function (t) {
    t.querySelectorAll("th").forEach(function (th, j) {
      th.addEventListener("click", function () {
        var tb = t.tBodies[0], rows = Array.prototype.slice.call(tb.rows);
        var num = th.classList.contains("n"), dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
        th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
        rows.sort(function (a, b) {
          var x = a.cells[j].getAttribute("data-v") || a.cells[j].textContent, y = b.cells[j].getAttribute("data-v") || b.cells[j].textContent;
          if (num) { x = parseFloat(x); y = parseFloat(y); return dir * ((isNaN(x) ? -1e300 : x) - (isNaN(y) ? -1e300 : y)); }
          return dir * (x < y ? -1 : x > y ? 1 : 0);
        });
        rows.forEach(function (r) { tb.appendChild(r); });
      });
    });
  });
  document.getElementById("reset").addEventListener("click", function () { sel = {}; render(); });
  render();
  document.body.setAttribute("data-ready", "1");
})();
