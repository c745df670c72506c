(function () {
  "use strict";
  var PHASES = ["main", "timers", "pending", "idle", "prepare", "poll", "check", "close"];
  var PAGE = 500; // tick rows drawn at a time
  var status = document.getElementById("status");
  var root = document.getElementById("timeline");
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var all = data.events || [];
  var hosts = (data.header && data.header.hosts) || [];

  // The loops of the trace: the one loop, or in a world's trace each run of each
  // host's loop (a restart, the world's log "restart NAME", begins another run),
  // in the order of the header's hosts. The grid and the chart show one of them.
  function splitRuns() {
    var world = hosts.length > 0 || all.some(function (e) { return !!e.host; });
    if (!world) return [{ label: "", events: all }];
    var cur = {}, out = [], order = [];
    function start(h) {
      if (order.indexOf(h) < 0) order.push(h);
      var r = { host: h, n: cur[h] ? cur[h].n + 1 : 1, events: [] };
      cur[h] = r;
      out.push(r);
      return r;
    }
    hosts.forEach(start);
    all.forEach(function (e) {
      if (!e.host) {
        if (e.kind === "log" && e.msg && e.msg.indexOf("restart ") === 0) start(e.msg.slice(8));
        return;
      }
      (cur[e.host] || start(e.host)).events.push(e);
    });
    out.sort(function (a, b) { return order.indexOf(a.host) - order.indexOf(b.host) || a.n - b.n; });
    out.forEach(function (r) { r.label = r.host + (cur[r.host].n > 1 ? " · run " + r.n : ""); });
    return out;
  }
  var runs = splitRuns();
  var current = 0;
  var events = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  var SVG = "http" + "://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function dur(ns) {
    if (ns < 0) return "forever";
    if (ns === 0) return "0";
    if (ns < 1e3) return ns + " ns";
    if (ns < 1e6) return (ns / 1e3).toFixed(ns < 1e4 ? 1 : 0) + " µs";
    if (ns < 1e9) return (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1) + " ms";
    return (ns / 1e9).toFixed(3) + " s";
  }
  function ms(ns) { return (ns / 1e6).toFixed(3) + " ms"; }
  var colors = {};
  function srcColor(src) {
    if (!(src in colors)) {
      var v = getComputedStyle(document.documentElement).getPropertyValue("--" + src);
      colors[src] = v && v.trim() ? v.trim() : "#495057";
    }
    return colors[src];
  }

  // named is the label of an event a host runtime named: "setTimeout at app.js:12".
  function named(name, site) { return site ? name + " at " + site : name; }
  function callbackLabel(e) {
    var s = (e.source || "callback") + " #" + e.id;
    if (e.name || e.site) s = named((e.source || "callback") + " " + (e.name || ""), e.site);
    if (e.source === "op" && ops[e.id]) {
      var o = ops[e.id];
      s += " " + (o.op || "");
      if (o.err) s += " " + o.err; else if (o.bytes) s += " " + o.bytes + " B";
    } else if ((e.source === "timer" || e.source === "interval") && timers[e.id]) {
      s += " " + dur(timers[e.id].repeat || timers[e.id].delay || 0);
    } else if (e.source === "pool" && pool[e.id] && pool[e.id].worker) {
      s += " · w" + pool[e.id].worker;
      if (started[e.id] !== undefined) s += " " + dur(pool[e.id].t - started[e.id]);
      if (pool[e.id].err) s += " " + pool[e.id].err;
    }
    return s;
  }
  function minorLabel(e) {
    if (e.name) return "+ " + named(e.name, e.site) + (e.kind === "timer_start" ? " " + dur(e.repeat || e.delay || 0) : "");
    switch (e.kind) {
      case "timer_start": return "+ " + (e.repeat ? "interval" : "timer") + " #" + e.id + " " + dur(e.repeat || e.delay || 0);
      case "timer_clear": return "× timer #" + e.id;
      case "immediate_queue": return "+ immediate #" + e.id;
      case "immediate_clear": return "× immediate #" + e.id;
      case "tick_queue": return "+ nextTick #" + e.id;
      case "microtask_queue": return "+ microtask #" + e.id;
      case "pool_submit": return "→ pool #" + e.id;
      case "pool_cancel": return "× pool #" + e.id + (e.canceled ? " canceled" : " too late");
      case "op_start": return "→ " + (e.op || "op") + " #" + e.id + (e.handle ? " on " + e.handle : "");
      case "close": return "close #" + e.id;
      case "watcher": return (e.active ? "+ " : "− ") + (e.source || "watcher") + " #" + e.id;
      case "stop": return "stop";
      case "end": return "end of " + (e.mode || "run") + (e.err ? ": " + e.err : "");
      case "clock": return "clock " + ms(e.t);
      default: return e.kind + (e.id ? " #" + e.id : "");
    }
  }
  // Kinds whose story a callback label or the wait bar already tells.
  var FOLDED = { choice: 1, input: 1, tick: 1, phase: 1, poll: 1, wake: 1, pool_start: 1, pool_done: 1, op_complete: 1, callback: 1, log: 1, clock: 1 };

  // What the trace says about each id, to label callbacks, and its ticks: of the
  // loop shown.
  var ops, timers, pool, started, ticks, byTick, used, total, maxTick;
  function index(evs) {
    events = evs;
    ops = {}; timers = {}; pool = {}; started = {};
    events.forEach(function (e) {
      if (e.kind === "op_start" || e.kind === "op_complete") {
        var o = ops[e.id] || (ops[e.id] = {});
        if (e.op) o.op = e.op;
        if (e.kind === "op_complete") { o.bytes = e.bytes || 0; o.err = e.err || ""; }
      } else if (e.kind === "timer_start") {
        timers[e.id] = e;
      } else if (e.kind === "pool_start") {
        started[e.id] = e.started;
      } else if (e.kind === "pool_done") {
        pool[e.id] = e;
      }
    });

    // Group the events into ticks.
    ticks = []; byTick = {};
    events.forEach(function (e, i) {
      var t = byTick[e.tick];
      if (!t) {
        t = byTick[e.tick] = { tick: e.tick, events: [], start: e.t, first: i, cells: {}, used: {} };
        ticks.push(t);
      }
      t.events.push(e);
      if (e.kind === "poll") {
        t.wait = (t.wait || 0);
        t.polls = (t.polls || []);
        t.polls.push(e);
      }
    });
    ticks.forEach(function (t, k) {
      var last = t.events[t.events.length - 1];
      var next = ticks[k + 1];
      t.end = next ? next.start : last.t;
      t.pending = last.pending;
    });
    // The poll wait is the time between the phase before poll and the poll event.
    events.forEach(function (e, i) {
      if (e.kind !== "poll") return;
      var j = i - 1;
      // Phase and input events can sit between the work before the wait and the
      // wait's end; the wait began at the last event before them.
      while (j >= 0 && (events[j].kind === "phase" || events[j].kind === "choice" || events[j].kind === "input" || events[j].kind === "clock")) j--;
      var from = j >= 0 ? events[j].t : e.t;
      var t = byTick[e.tick];
      t.wait += Math.max(0, e.t - from);
    });
    used = {};
    events.forEach(function (e) { if (e.kind === "callback" || e.kind === "phase") used[e.phase] = true; });
    total = events.length ? events[events.length - 1].t - events[0].t : 0;
    maxTick = 1;
    ticks.forEach(function (t) { maxTick = Math.max(maxTick, t.end - t.start); });
  }
  index(runs[0].events);

  // The pending chart.
  var axis = "event";
  function drawChart(box) {
    box.textContent = "";
    var W = Math.max(300, box.clientWidth - 8 || 1000), H = 110, L = 34, R = 8, T = 10, B = 20;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", role: "img" });
    s.appendChild(svg("title", {})).textContent = "pending count after each event";
    var maxP = 1;
    events.forEach(function (e) { maxP = Math.max(maxP, e.pending); });
    var t0 = events.length ? events[0].t : 0;
    function x(i) {
      var f;
      if (axis === "time") f = total > 0 ? (events[i].t - t0) / total : 0;
      else f = events.length > 1 ? i / (events.length - 1) : 0;
      return L + f * (W - L - R);
    }
    function y(p) { return T + (1 - p / maxP) * (H - T - B); }
    s.appendChild(svg("line", { "class": "axis", x1: L, y1: y(0), x2: W - R, y2: y(0) }));
    s.appendChild(svg("line", { "class": "axis", x1: L, y1: T, x2: L, y2: y(0) }));
    s.appendChild(svg("text", { "class": "ylabel", x: L - 4, y: y(maxP) + 4, "text-anchor": "end" })).textContent = String(maxP);
    s.appendChild(svg("text", { "class": "ylabel", x: L - 4, y: y(0) + 3, "text-anchor": "end" })).textContent = "0";
    var lastLabel = -1e9;
    ticks.forEach(function (t) {
      if (t.tick === 0) return;
      var xx = x(t.first);
      s.appendChild(svg("line", { "class": "tickline", x1: xx, y1: T, x2: xx, y2: y(0) }));
      // Label a tick only where it does not run into the label before it.
      if (xx - lastLabel >= 8 + 7 * String(t.tick).length) {
        lastLabel = xx;
        s.appendChild(svg("text", { "class": "ticklabel", x: xx, y: H - 6, "text-anchor": "middle" })).textContent = String(t.tick);
      }
    });
    if (events.length) {
      var d = "M" + x(0) + " " + y(events[0].pending);
      for (var i = 1; i < events.length; i++) {
        d += " H" + x(i).toFixed(1) + " V" + y(events[i].pending).toFixed(1);
      }
      var area = d + " H" + x(events.length - 1).toFixed(1) + " V" + y(0) + " H" + x(0) + " Z";
      s.appendChild(svg("path", { "class": "parea", d: area }));
      s.appendChild(svg("path", { "class": "pline", d: d, "vector-effect": "non-scaling-stroke" }));
    }
    box.appendChild(s);
  }

  function detailRow(t) {
    var tr = el("tr", "detail");
    var td = el("td");
    td.colSpan = PHASES.length + 3;
    var tb = el("table");
    var head = el("tr");
    ["seq", "t", "phase", "kind", "id", "pending", "fields"].forEach(function (h) { head.appendChild(el("th", null, h)); });
    tb.appendChild(head);
    t.events.forEach(function (e) {
      var r = el("tr");
      var rest = [];
      for (var k in e) {
        if (["seq", "tick", "t", "phase", "kind", "id", "pending"].indexOf(k) < 0) rest.push(k + "=" + JSON.stringify(e[k]));
      }
      [e.seq, ms(e.t), e.phase, e.kind, e.id, e.pending, rest.join(" ")].forEach(function (v) { r.appendChild(el("td", null, v)); });
      tb.appendChild(r);
    });
    td.appendChild(tb);
    tr.appendChild(td);
    return tr;
  }

  function tickRow(t) {
    var tr = el("tr", "tick");
    tr.setAttribute("data-tick", String(t.tick));
    var tn = el("td", "tn", t.tick === 0 ? "main" : "tick " + t.tick);
    tn.appendChild(el("small", null, "+" + ms(t.start - (events.length ? events[0].t : 0))));
    tr.appendChild(tn);
    var len = el("td", "num", dur(t.end - t.start));
    var bar = el("div", "bar"), fill = el("div");
    fill.style.width = Math.max(1, Math.round(100 * (t.end - t.start) / maxTick)) + "%";
    bar.appendChild(fill);
    len.appendChild(bar);
    tr.appendChild(len);
    var cells = {};
    PHASES.forEach(function (p) {
      var c = el("td");
      c.setAttribute("data-phase", p);
      cells[p] = c;
      tr.appendChild(c);
    });
    // In each phase's cell: what happened before the first callback, then each
    // callback with what it scheduled after it.
    var into = {};
    t.events.forEach(function (e) {
      var c = cells[e.phase];
      if (!c) return;
      var box = into[e.phase] || c;
      if (e.kind === "phase") {
        c.classList.add("ran");
      } else if (e.kind === "callback") {
        var row = el("div", "cbrow");
        var b = el("span", "cb", callbackLabel(e));
        b.style.background = srcColor(e.source || "main");
        b.title = "seq " + e.seq + " · " + (e.source || "callback") + " #" + e.id + " · pending after " + e.pending;
        row.appendChild(b);
        c.appendChild(row);
        into[e.phase] = row;
      } else if (e.kind === "poll") {
        var w = el("div", "wait");
        var frac = t.end > t.start ? Math.min(1, (t.wait || 0) / Math.max(1, t.end - t.start)) : 0;
        var f = el("div");
        f.style.width = Math.round(frac * 100) + "%";
        w.appendChild(f);
        var text = "waited " + dur(t.wait || 0) + " of " + dur(e.timeout) + " · " + e.completions + (e.completions === 1 ? " op" : " ops");
        w.appendChild(el("span", null, text));
        w.title = "the poller waited " + dur(t.wait || 0) + " (timeout " + dur(e.timeout) + ") and returned " + e.completions + " completions";
        c.appendChild(w);
      } else if (e.kind === "wake") {
        box.appendChild(el("span", "minor", "woken for " + e.items + " posted"));
      } else if (e.kind === "log") {
        box.appendChild(el("span", "log", "“" + e.msg + "”"));
      } else if (!FOLDED[e.kind]) {
        var m = el("span", "minor", minorLabel(e));
        m.title = "seq " + e.seq + " · " + e.kind;
        box.appendChild(m);
      }
    });
    var pn = el("td", "num pn", t.pending);
    tr.appendChild(pn);
    var open = null;
    tr.addEventListener("click", function () {
      if (open) { open.remove(); open = null; return; }
      open = detailRow(t);
      tr.after(open);
    });
    return tr;
  }

  var chart = document.getElementById("pending-chart");
  function render() {
    if (chart) {
      var bar = el("div", "toolbar");
      var byEvent = el("button", "on", "by event"), byTime = el("button", null, "by time");
      bar.appendChild(el("span", null, "x axis:"));
      bar.appendChild(byEvent);
      bar.appendChild(byTime);
      bar.appendChild(el("span", "sub", "dashed lines and numbers mark where each tick starts"));
      chart.parentNode.insertBefore(bar, chart);
      drawChart(chart);
      byEvent.addEventListener("click", function () { axis = "event"; byEvent.className = "on"; byTime.className = ""; drawChart(chart); });
      byTime.addEventListener("click", function () { axis = "time"; byTime.className = "on"; byEvent.className = ""; drawChart(chart); });
    }
    renderGrid();
  }

  // renderGrid draws the tick grid of the loop shown; in a world's trace, a choice
  // of the loop shown comes first.
  function renderGrid() {
    root.textContent = "";
    if (runs.length > 1 || runs[0].label) {
      var pick = el("div", "toolbar");
      pick.appendChild(el("span", null, "loop shown (grid and pending chart):"));
      var sel = el("select");
      sel.id = "loop-shown";
      runs.forEach(function (r, k) {
        var o = el("option", null, r.label + " (" + r.events.length + " events)");
        o.value = String(k);
        if (k === current) o.selected = true;
        sel.appendChild(o);
      });
      sel.addEventListener("change", function () {
        current = Number(sel.value);
        index(runs[current].events);
        if (chart) drawChart(chart);
        renderGrid();
      });
      pick.appendChild(sel);
      root.appendChild(pick);
    }
    root.appendChild(el("h2", null, runs[current].label ? "Ticks by phase · " + runs[current].label : "Ticks by phase"));
    var tools = el("div", "toolbar");
    var search = el("input");
    search.type = "search";
    search.placeholder = "highlight: timer #5, pool, read…";
    tools.appendChild(search);
    var legend = el("div", "legend");
    var seen = {};
    events.forEach(function (e) { if (e.kind === "callback") seen[e.source || "main"] = true; });
    Object.keys(seen).sort().forEach(function (s) {
      var item = el("span");
      var sw = el("i");
      sw.style.background = srcColor(s);
      item.appendChild(sw);
      item.appendChild(document.createTextNode(s));
      legend.appendChild(item);
    });
    tools.appendChild(legend);
    tools.appendChild(el("span", "sub", "click a row for its events"));
    root.appendChild(tools);

    var table = el("table", "grid");
    var cols = el("colgroup");
    var widths = [6.5, 6.5];
    PHASES.forEach(function (p) { widths.push(used[p] ? 0 : 5); });
    widths.push(6);
    var fixed = 0, flex = 0;
    widths.forEach(function (w) { if (w) fixed += w; else flex++; });
    widths.forEach(function (w) {
      var c = el("col");
      c.style.width = (w || (100 - fixed) / Math.max(1, flex)) + "%";
      cols.appendChild(c);
    });
    table.appendChild(cols);
    var head = el("tr");
    head.appendChild(el("th", null, "tick"));
    head.appendChild(el("th", null, "length"));
    PHASES.forEach(function (p) { head.appendChild(el("th", used[p] ? null : "unused", p)); });
    head.appendChild(el("th", null, "pending after"));
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    table.appendChild(body);
    root.appendChild(table);

    var shown = 0;
    var more = el("button", "more");
    function showMore() {
      var frag = document.createDocumentFragment();
      var stop = Math.min(ticks.length, shown + PAGE);
      for (; shown < stop; shown++) frag.appendChild(tickRow(ticks[shown]));
      body.appendChild(frag);
      if (shown < ticks.length) more.textContent = "show " + Math.min(PAGE, ticks.length - shown) + " more ticks of " + (ticks.length - shown);
      else more.remove();
      applySearch();
    }
    more.addEventListener("click", showMore);
    root.appendChild(more);

    function applySearch() {
      var q = search.value.trim().toLowerCase();
      var rows = body.querySelectorAll("tr.tick");
      for (var i = 0; i < rows.length; i++) {
        var chips = rows[i].querySelectorAll(".cb, .minor, .log");
        var any = false;
        for (var j = 0; j < chips.length; j++) {
          var hit = q !== "" && chips[j].textContent.toLowerCase().indexOf(q) >= 0;
          chips[j].classList.toggle("hit", hit);
          any = any || hit;
        }
        rows[i].classList.toggle("dim", q !== "" && !any);
      }
    }
    search.addEventListener("input", applySearch);
    showMore();
  }

  render();
  if (status) status.remove();
})();
