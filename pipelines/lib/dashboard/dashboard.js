// Lays out the panels Python sent (data + Vega-Lite specs), draws each chart with vega-embed,
// and keeps the charts, notes and tables in step with the two pickers.
(function () {
  "use strict";
  var PAGE = JSON.parse(document.getElementById("dashboard-data").textContent);
  var DATA = {};
  Object.keys(PAGE.data).forEach(function (k) {  // lists of rows arrive as columns + rows
    var v = PAGE.data[k];
    DATA[k] = v && v.columns && v.rows ? v.rows.map(function (r) {
      var o = {};
      v.columns.forEach(function (c, i) { o[c] = r[i]; });
      return o;
    }) : v;
  });
  var state = {
    commodity: DATA.focus.length ? DATA.focus[0].commodity : "",
    importer: DATA.importers.length ? DATA.importers[0] : ""
  };
  var views = [];        // {view, params} of every drawn chart
  var renderers = {};    // panel id -> function(section) redrawing its HTML for the state
  var EMBED = { renderer: "svg", actions: false, tooltip: { theme: "light" } };

  function node(tag, cls, parent, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = text; }
    if (parent) { parent.appendChild(n); }
    return n;
  }
  function pct(v, digits) {
    return v === null || v === undefined ? "n/a" : (100 * v).toFixed(digits === undefined ? 1 : digits) + "%";
  }
  function num(v) { return v === null || v === undefined ? "n/a" : Math.round(v).toLocaleString("en-US"); }
  function usd(v) {
    if (v === null || v === undefined) { return "n/a"; }
    var a = Math.abs(v);
    return a >= 1e9 ? "$" + (v / 1e9).toFixed(2) + "B" : a >= 1e6 ? "$" + (v / 1e6).toFixed(1) + "M"
      : a >= 1e3 ? "$" + (v / 1e3).toFixed(0) + "k" : "$" + num(v);
  }
  function labelOf(commodity) {
    var f = DATA.focus.filter(function (x) { return x.commodity === commodity; })[0];
    return f ? f.label : commodity;
  }
  function fill(text) {
    return text.replace("{commodity}", labelOf(state.commodity)).replace("{importer}", state.importer);
  }

  // --- charts -----------------------------------------------------------------------------
  function namedData(spec, found) {  // the dataset names a spec reads
    if (Array.isArray(spec)) { spec.forEach(function (s) { namedData(s, found); }); }
    else if (spec && typeof spec === "object") {
      Object.keys(spec).forEach(function (k) {
        var v = spec[k];
        if (k === "data" && v && v.name && !v.values) { found[v.name] = true; }
        else { namedData(v, found); }
      });
    }
    return found;
  }
  function embed(el, spec, values) {  // values: {param name: value} set before drawing
    spec = JSON.parse(JSON.stringify(spec));
    spec.datasets = {};
    Object.keys(namedData(spec, {})).forEach(function (n) { spec.datasets[n] = DATA[n] || []; });
    var params = (spec.params || []).map(function (p) {
      if (p.name in state) { p.value = state[p.name]; }
      if (values && p.name in values) { p.value = values[p.name]; }
      return p.name;
    });
    return vegaEmbed(el, spec, EMBED).then(function (res) {
      var entry = { view: res.view, params: params, el: el };
      views.push(entry);
      return entry;
    }).catch(function (err) { console.error(err); });
  }
  function chartBox(parent, id, spec) {
    var box = node("div", "chart", parent);
    var title = spec.usermeta && spec.usermeta.title;
    var h = title ? node("h3", "chart-title", box, fill(title)) : null;
    if (h) { h.dataset.template = title; }
    var el = node("div", "", box);
    el.id = "chart-" + id;
    return el;
  }
  function dropViews(container) {
    views = views.filter(function (v) {
      if (container.contains(v.el)) { v.view.finalize(); return false; }
      return true;
    });
  }

  // --- notes in words for the picked mineral ------------------------------------------------
  function notes(section, id) {
    var box = section.querySelector(".notes");
    box.textContent = "";
    (DATA[id + "_notes"] || []).forEach(function (n) {
      if (n.commodity === state.commodity && (!n.importer || n.importer === state.importer)) {
        node("li", "", box, labelOf(n.commodity) + " " + n.note);
      }
    });
  }

  renderers.concentration = function (section) {
    var ul = section.querySelector(".headline");
    ul.textContent = "";
    DATA.concentration.filter(function (r) { return r.commodity === state.commodity; })
      .forEach(function (r) {
        var li = node("li", "", ul);
        node("span", "swatch " + r.stage, li);
        node("b", "", li, r.label + " " + r.stage);
        li.appendChild(document.createTextNode(" (" + r.source_label + " " + r.year + "): China " +
          (r.china_listed ? pct(r.china_share) : "not listed") + ", HHI " + num(r.hhi) +
          ", " + (r.band || "") + "; largest producer " + (r.top1_iso3 || "n/a") + " " +
          pct(r.top1_share) + "."));
      });
  };

  renderers.most_concentrated = function (section) {
    var wrap = section.querySelector(".extra");
    wrap.textContent = "";
    var t = node("table", "", node("div", "table-wrap", wrap));
    var tr = node("tr", "", t);
    [["Mineral, stage"], ["China", "num"], ["HHI", "num"], ["Top producer", "wide-only"],
      ["Source", "wide-only"]].forEach(function (h) { node("th", h[1] || "", tr, h[0]); });
    DATA.top_concentrated.forEach(function (r) {
      var row = node("tr", r.commodity === state.commodity ? "picked" : "", t);
      node("td", "", row, r.label + " · " + r.stage);
      node("td", "num", row, r.china_listed ? pct(r.china_share) : "not listed");
      node("td", "num", row, num(r.hhi));
      node("td", "wide-only", row, (r.top1_iso3 || "") + " " + pct(r.top1_share));
      node("td", "wide-only", row, r.source_label + " " + r.year);
    });
  };

  renderers.export_controls = function (section) {
    var wrap = section.querySelector(".extra");
    dropViews(wrap);
    wrap.textContent = "";
    var spec = PAGE.charts.export_controls["export-control"];
    var mine = DATA.export_controls.filter(function (m) {
      return (m.commodities || []).indexOf(state.commodity) >= 0;
    });
    node("h3", "", wrap, "Measures covering " + labelOf(state.commodity));
    if (!mine.length) {
      node("p", "note", wrap, "No measure in the curated table covers " +
        labelOf(state.commodity).toLowerCase() + ".");
    }
    var grid = node("div", "multiples", wrap);
    mine.forEach(function (m) {
      var box = node("div", "measure", grid);
      var head = node("div", "", box);
      node("b", "", head, m.measure_id + (m.includes_shared_codes ? " *" : "") + " ");
      node("span", "status status-" + m.status, head, (m.status || "").replace("_", " "));
      node("div", "what", box, m.measure + " · effective " + m.effective +
        (m.target_iso3 ? " · targets " + m.target_iso3 : ""));
      if (m.last_year === null) { node("p", "missing", box, m.note); return; }
      if (m.note) { node("p", "note", box, m.note); }
      var el = node("div", "", box);
      el.className = "export-chart";
      embed(el, spec, { measure: m.measure_id, effective_year: m.effective_year });
    });
    node("h3", "", wrap, "Every measure, latest year with trade");
    var t = node("table", "", node("div", "table-wrap", wrap));
    var tr = node("tr", "", t);
    var heads = [["Measure"], ["Effective", "wide-only"], ["Year", "num"], ["World", "num"]];
    if (state.importer) { heads.push([state.importer, "num"]); }
    heads.forEach(function (h) { node("th", h[1] || "", tr, h[0]); });
    DATA.export_controls.forEach(function (m) {
      var row = node("tr", mine.indexOf(m) >= 0 ? "picked" : "", t);
      var first = node("td", "", row);
      node("b", "", first, m.measure_id + " ");
      node("span", "status status-" + m.status, first, (m.status || "").replace("_", " "));
      node("div", "", first, m.labels.join(", "));
      node("td", "wide-only", row, m.effective);
      if (m.last_year === null) {
        node("td", "", row, "no trade to measure").colSpan = state.importer ? 3 : 2;
        return;
      }
      node("td", "num", row, String(m.last_year));
      if (!m.measurable) {
        node("td", "", row, "too little trade to read").colSpan = state.importer ? 2 : 1;
        return;
      }
      node("td", "num", row, pct(m.covered_share));
      if (!state.importer) { return; }
      var picked = DATA.export_control_series.filter(function (s) {
        return s.measure_id === m.measure_id && s.importer === state.importer && s.year === m.last_year;
      })[0];
      node("td", "num", row, picked ? pct(picked.covered_share) : "no trade");
    });
    node("p", "note", wrap, "* includes basket HS codes shared with other goods, which overstate " +
      "what a measure covers. China's share = exports from China in the measure's codes / all " +
      "exports of those codes to that importer.");
  };

  renderers.export_control_monthly = function (section) {
    var wrap = section.querySelector(".extra");
    dropViews(wrap);
    wrap.textContent = "";
    var specs = PAGE.charts.export_control_monthly;
    var all = DATA.export_control_monthly_series;
    var mine = all.filter(function (s) {
      return (s.commodities || []).indexOf(state.commodity) >= 0;
    });
    if (!mine.length) {  // no chart: an empty series would only draw empty axes
      var codes = all.map(function (s) { return s.hs6; })
        .filter(function (c, i, a) { return a.indexOf(c) === i; }).sort();
      node("p", "missing", wrap, "No monthly series for " + labelOf(state.commodity).toLowerCase() +
        ": China's monthly exports in this warehouse cover HS " + codes.join(", ") +
        ", none of them under a measure that covers " + labelOf(state.commodity).toLowerCase() + ".");
      return;
    }
    var grid = node("div", "multiples monthly", wrap);
    mine.forEach(function (s) {
      var box = node("div", "measure", grid);
      box.id = "monthly-" + s.measure_id + "-" + s.hs6;
      var head = node("div", "", box);
      node("b", "", head, s.measure_id + " · HS " + s.hs6 + " ");
      node("span", "status status-" + s.status, head, (s.status || "").replace("_", " "));
      node("div", "what", box, s.measure + " · effective " + s.effective + " · covers " +
        s.labels.join(", "));
      if (s.note) { node("p", "note", box, s.note); }
      ["USA", "JPN", "OTHERS"].forEach(function (d) {
        var id = "monthly-" + s.measure_id + "-" + s.hs6 + "-" + d;
        if (!specs[id]) {
          node("p", "note", box, "No recorded exports to " + (d === "OTHERS" ? "other partners" : d) + ".");
          return;
        }
        var el = node("div", "monthly-chart", box);
        el.id = "chart-" + id;
        embed(el, specs[id]);
      });
      eventStudy(box, s);
      if (s.is_shared_code) {
        node("p", "note upper-bound", box, "Upper bounds: HS " + s.hs6 + " also holds goods the " +
          "measure does not control, so the controlled exports are at most these figures.");
      }
    });
  };

  // 12 months before the effective month against 12 from it on: the months the data cover in
  // each window, and a change only where both are complete (else the reason, in words)
  function eventStudy(box, s) {
    var events = (DATA.export_control_event_study || []).filter(function (e) {
      return e.measure_id === s.measure_id && e.hs6 === s.hs6;
    });
    if (!events.length) { return; }
    var ul = node("ul", "note event-study", box);
    events.forEach(function (e) {
      var span = function (from, to, n) {
        return n ? from + (to !== from ? " to " + to : "") + ", " + n + " of " + e.window_months +
          " months" : "no month in the data";
      };
      var change = e.value_change === null ? "no change measured: " + e.change_null_reason :
        (e.value_change >= 0 ? "+" : "") + (100 * e.value_change).toFixed(1) + "%" +
        (s.is_shared_code ? " (the code's change, not the mineral's)" : "");
      node("li", "", ul, (e.destination === "OTHERS" ? "Other partners" : e.destination) +
        ": before " + span(e.before_from, e.before_to, e.months_before) + "; after " +
        span(e.after_from, e.after_to, e.months_after) + "; " + change + ".");
    });
  }

  renderers.import_monthly = function (section) {
    var wrap = section.querySelector(".extra");
    dropViews(wrap);
    wrap.textContent = "";
    var specs = PAGE.charts.import_monthly;
    var press = DATA.press_china_exports.filter(function (r) {
      return r.commodity === state.commodity;
    });
    if (press.length && specs["press-china-magnets"]) {
      var box = node("div", "measure", wrap);
      node("b", "", box, "China's rare-earth magnet exports, 2025: PRESS-REPORTED");
      node("div", "what", box, "China's customs figures as news pages printed them (not this " +
        "warehouse's data); the year-to-date totals are checked to add up with the months. " +
        "A gap is a month no page reports (February to April to all destinations).");
      var el = node("div", "monthly-chart", box);
      el.id = "chart-press-china-magnets";
      embed(el, specs["press-china-magnets"]);
      var pages = node("p", "note", box, "Pages: ");
      press.filter(function (r) { return r.partner_iso3 === "WLD" && r.url; }).forEach(function (r, i) {
        if (i) { pages.appendChild(document.createTextNode(", ")); }
        var a = node("a", "", pages, r.period.slice(0, 7));
        a.href = r.url;
      });
    }
    var mine = DATA.import_monthly_series.filter(function (s) {
      return s.commodity === state.commodity;
    });
    if (!mine.length) {
      node("p", "missing", wrap, "No partner-side monthly line of " +
        labelOf(state.commodity).toLowerCase() + " is mapped in this warehouse.");
      return;
    }
    var grid = node("div", "multiples monthly", wrap);
    mine.forEach(function (s) {
      var box = node("div", "measure", grid);
      box.id = s.id;
      var head = node("div", "", box);
      node("b", "", head, s.importer_iso3 + " · " + s.nomenclature + " " + s.code + " ");
      node("div", "what", box, s.scope_label + " · " + s.source +
        (s.since_measure_id ? " · under " + s.since_measure_id + " since " + s.since_effective : ""));
      if (!s.reports_china) {
        node("p", "note upper-bound", box, "This extract holds imports from " +
          s.origins_reported + " origin(s) only, China not among them: it says nothing about " +
          "imports from China.");
      }
      var el = node("div", "monthly-chart", box);
      el.id = "chart-" + s.id;
      embed(el, specs[s.id]);
    });
  };


  // --- the project pipeline ---------------------------------------------------------------
  function perMineral(spec) { return spec.usermeta && spec.usermeta.commodity; }
  function mineralCharts(section, id) {  // charts made per mineral: the picked mineral's only
    var row = section.querySelector(".charts");
    dropViews(row);
    row.textContent = "";
    var charts = PAGE.charts[id] || {};
    Object.keys(charts).forEach(function (cid) {
      if (perMineral(charts[cid]) === state.commodity) {
        embed(chartBox(row, cid, charts[cid]), charts[cid]);
      }
    });
  }
  function link(parent, url, text) {  // a real anchor to an http(s) page, in a new tab
    if (!/^https?:\/\/[^\s]+$/i.test(url || "")) {
      return node("span", "", parent, text.split(": ")[0] + ": (not a web address)");
    }
    var a = node("a", "", parent, text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.title = url;
    return a;
  }
  function host(url) {
    try { return new URL(url).hostname.replace(/^www\./, ""); } catch (e) { return "page"; }
  }
  renderers.project_pipeline = function (section) {
    var wrap = section.querySelector(".extra");
    wrap.textContent = "";
    var rows = DATA.project_pipeline.filter(function (r) { return r.commodity === state.commodity; });
    if (!rows.length) { return; }  // the note says so
    var t = node("table", "pipeline", node("div", "table-wrap", wrap));
    var tr = node("tr", "", t);
    [["Project"], ["Status, start, nameplate"], ["Funding", "wide-only"], ["Sources"]]
      .forEach(function (h) { node("th", h[1] || "", tr, h[0]); });
    rows.forEach(function (r) {
      var row = node("tr", r.verified === "unverified" ? "unverified" : "", t);
      var first = node("td", "", row);
      node("b", "", first, r.project);
      node("div", "what", first, r.owner + " · " + r.country_iso3);
      node("div", "what", first, r.stage + " · " + r.facility.replace("_", " ") + " · " + r.product);
      var status = node("td", "", row);
      node("span", "status", status, r.status);
      node("div", "", status, r.online_year === null ? "no dated start" : "from " + r.online_year);
      node("div", "", status, num(r.capacity) + " " + r.capacity_unit + " a year");
      if (r.verified === "unverified") { node("div", "what", status, "unverified: not in the charts"); }
      var funding = node("td", "wide-only", row);
      r.funding.forEach(function (f) { link(node("div", "", funding), f.url, f.text); });
      var pages = node("td", "sources", row);
      link(node("div", "", pages), r.source_url, "capacity: " + host(r.source_url));
      if (r.status_source_url !== r.source_url) {
        link(node("div", "", pages), r.status_source_url, "status: " + host(r.status_source_url));
      }
      node("div", "what", pages, r.source_kind + " source, " + r.confidence + " confidence");
    });
  };

  function kindWords(a) { return a.kind_label || a.kind.replace(/_/g, " "); }  // staging.alert_kinds

  renderers.alerts = function (section) {
    var wrap = section.querySelector(".extra");
    wrap.textContent = "";
    var counts = node("p", "note", wrap);
    counts.textContent = "All alerts recorded: " + DATA.alert_counts.map(function (c) {
      return kindWords(c) + " " + num(c.n);
    }).join(", ") + ".";
    var grid = node("div", "alerts", wrap);
    function list(title, items, empty) {
      var col = node("div", "", grid);
      node("h3", "", col, title);
      if (!items.length) { node("p", "note", col, empty); return; }
      var ul = node("ul", "", col);
      items.forEach(function (a) {
        var li = node("li", "", ul);
        node("b", "", li, (a.year === null ? "n/a" : a.year) + " ");
        li.appendChild(document.createTextNode(a.message + " "));
        node("span", "kind", li, "(" + kindWords(a) + ")");
      });
    }
    list(labelOf(state.commodity), DATA.alerts_by_commodity.filter(function (a) {
      return a.commodity === state.commodity;
    }), "No alert recorded for " + labelOf(state.commodity).toLowerCase() + ".");
    list("All minerals", DATA.alerts_latest, "No alert recorded yet.");
  };

  // --- page ---------------------------------------------------------------------------------
  function drawPanel(p) {
    var section = node("section", "card panel", document.getElementById("panels"));
    section.id = "panel-" + p.id;
    node("h2", "", section, p.title);
    node("p", "note", section, p.note);
    if (p.id === "concentration") { node("ul", "headline", section); }
    node("ul", "notes", section);
    var charts = PAGE.charts[p.id] || {};
    var row = node("div", "charts", section);
    Object.keys(charts).forEach(function (id) {
      // drawn per measure by their renderers, per mineral by mineralCharts
      if (["export_controls", "export_control_monthly", "import_monthly"].indexOf(p.id) >= 0) {
        return;
      }
      if (perMineral(charts[id])) { return; }
      embed(chartBox(row, id, charts[id]), charts[id]);
    });
    node("div", "extra", section);
    redraw(section, p.id);
  }
  function redraw(section, id) {
    notes(section, id);
    var charts = PAGE.charts[id] || {};
    if (Object.keys(charts).some(function (c) { return perMineral(charts[c]); })) {
      mineralCharts(section, id);
    }
    section.querySelectorAll("h3.chart-title").forEach(function (h) {
      h.textContent = fill(h.dataset.template);
    });
    if (renderers[id]) { renderers[id](section); }
  }
  function pick(name, value) {
    state[name] = value;
    views.forEach(function (v) {
      if (v.params.indexOf(name) >= 0) { v.view.signal(name, value).runAsync(); }
    });
    DATA.panels.forEach(function (p) { redraw(document.getElementById("panel-" + p.id), p.id); });
  }
  function picker(id, options, name) {
    var sel = document.getElementById(id);
    options.forEach(function (o) {
      var opt = node("option", "", sel, o[1]);
      opt.value = o[0];
    });
    sel.value = state[name];
    sel.addEventListener("change", function () { pick(name, sel.value); });
  }

  document.getElementById("refreshed").textContent = DATA.refreshed_at || "(unknown)";
  document.getElementById("generated").textContent = DATA.generated_at;
  picker("pick-commodity", DATA.focus.map(function (f) { return [f.commodity, f.label]; }), "commodity");
  if (DATA.importers.length) {
    picker("pick-importer", DATA.importers.map(function (i) { return [i, i]; }), "importer");
  } else { document.getElementById("pick-importer-label").remove(); }
  DATA.stages.forEach(function (s) {
    var li = node("li", "", document.getElementById("stage-list"));
    node("span", "swatch " + s.stage, li);
    node("b", "", li, s.label + ": ");
    li.appendChild(document.createTextNode(s.what));
  });
  DATA.panels.forEach(drawPanel);
  if (DATA.absent.length) {
    document.getElementById("absent").textContent = "Not in this warehouse yet, so not shown: " +
      DATA.absent.map(function (a) { return a.title + " (" + a.needs.join(", ") + ")"; }).join("; ") + ".";
  }
  DATA.sources.forEach(function (s) {
    var li = node("li", "", document.getElementById("sources"));
    node("b", "", li, s.name);
    li.appendChild(document.createTextNode(" (" + s.publisher + "), licence: " + s.licence + ". " +
      s.citation + (s.doi ? " DOI: " + s.doi.join(", ") : "")));
  });

  // Touch screens send no pointermove on a tap, which is what Vega shows tooltips on: replay
  // the tap as one so a tapped mark shows its tooltip.
  document.addEventListener("pointerdown", function (e) {
    if (e.pointerType === "mouse" || !e.target.closest || !e.target.closest(".vega-embed")) { return; }
    e.target.dispatchEvent(new PointerEvent("pointermove", {
      bubbles: true, clientX: e.clientX, clientY: e.clientY, pointerType: e.pointerType
    }));
  });
  window.dashboard = { state: state, views: views, pick: pick };
})();
