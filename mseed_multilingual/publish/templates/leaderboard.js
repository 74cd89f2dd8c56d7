(function () {
  "use strict";
  // Every text from a submission goes through textContent or an attribute value: never HTML.
  var data = JSON.parse(document.getElementById("board-data").textContent);
  var rows = data.rows;
  var langs = data.languages;
  var sortKey = null;
  var sortDir = 1;

  function pct(v) { return v === null || v === undefined ? "" : (100 * v).toFixed(1); }
  function num(v) { return v === null || v === undefined ? "" : v.toFixed(2); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  var columns = [
    {key: "rank", label: "rank", get: function (r) { return r.rank; }, show: String},
    {key: "model", label: "model", text: true, get: function (r) { return r.model; }},
    {key: "group_id", label: "group", text: true, get: function (r) { return r.group_id; }},
    {key: "judge", label: "judge", text: true, get: function (r) { return r.judge; }},
    {key: "data", label: "data set", text: true, get: function (r) { return r.data; }},
    {key: "language_set", label: "languages", text: true,
     get: function (r) { return r.language_set; }},
    {key: "metric", label: "metric", text: true, get: function (r) { return r.metric_name; }},
    {key: "score", label: "score %", get: function (r) { return r.score; }, show: pct},
    {key: "ci", label: "95% CI", get: function (r) { return r.score_lo; },
     show: function (v, r) { return pct(r.score_lo) + "\u2013" + pct(r.score_hi); }},
    {key: "over_refusal", label: "over-refusal %",
     get: function (r) { return r.over_refusal; }, show: pct},
    {key: "fidelity", label: "fidelity %", get: function (r) { return r.fidelity; }, show: pct}
  ];
  langs.forEach(function (lang) {
    columns.push({key: "score_" + lang, label: lang + " score %",
      get: function (r) { return r.langs[lang] ? r.langs[lang].score : null; }, show: pct});
    // the judge's Cohen's kappa in this language (mseed judge-check), beside its score
    columns.push({key: "kappa_" + lang, label: lang + " kappa",
      get: function (r) { return r.langs[lang] ? r.langs[lang].kappa : null; }, show: num});
  });
  langs.forEach(function (lang) {
    columns.push({key: "transfer_" + lang, label: lang + " transfer",
      get: function (r) { var t = r.transfer[lang]; return t === undefined ? null : t; },
      show: num});
  });

  var PAGE_SIZE = 100;  // rows drawn at a time: a board of 1,000 rows stays quick to show
  var pageIndex = 0;

  function compare(a, b) {
    var col = columns.filter(function (c) { return c.key === sortKey; })[0];
    var x = col.get(a), y = col.get(b);
    if (x === null || x === undefined) { return (y === null || y === undefined) ? 0 : 1; }
    if (y === null || y === undefined) { return -1; }
    if (x < y) { return -sortDir; }
    if (x > y) { return sortDir; }
    return 0;
  }

  function renderHead() {
    var tr = document.querySelector("#board thead tr");
    columns.forEach(function (col) {
      var th = el("th", col.label, col.text ? "text" : "");
      th.setAttribute("data-key", col.key);
      th.addEventListener("click", function () {
        sortDir = sortKey === col.key ? -sortDir : (col.text ? 1 : -1);
        sortKey = col.key;
        document.querySelectorAll("#board th").forEach(function (h) {
          h.classList.remove("sorted-asc", "sorted-desc");
        });
        th.classList.add(sortDir > 0 ? "sorted-asc" : "sorted-desc");
        pageIndex = 0;
        renderBody();
      });
      tr.appendChild(th);
    });
  }

  var filters = [
    {id: "filter-judge", get: function (r) { return r.judge; }},
    {id: "filter-data", get: function (r) { return r.data + " " + r.data_hash.slice(0, 12); }},
    {id: "filter-langs", get: function (r) { return r.language_set; }}
  ];

  // The rows the filters keep, in the chosen order (all of them; only a page is drawn).
  function matching() {
    var wanted = filters.map(function (f) { return document.getElementById(f.id).value; });
    var text = document.getElementById("filter-model").value.toLowerCase();
    var kept = rows.filter(function (r) {
      return filters.every(function (f, i) { return wanted[i] === "" || f.get(r) === wanted[i]; }) &&
        (text === "" || r.model.toLowerCase().indexOf(text) >= 0);
    });
    if (sortKey) { kept.sort(function (a, b) { return compare(a, b) || a.file.localeCompare(b.file); }); }
    return kept;
  }

  function renderRow(r) {
    var tr = el("tr", null, r.limited ? "limited" : "");
    tr.setAttribute("data-file", r.file);
    columns.forEach(function (col) {
      var v = col.get(r);
      var td = el("td", null, col.text ? "text" : "");
      if (col.key === "model") {
        var a = el("a", r.model);
        if (/^models\/[A-Za-z0-9._-]+\.html$/.test(r.page)) { a.setAttribute("href", r.page); }
        td.appendChild(a);
      } else if (col.key === "group_id") {
        var g = data.groups[r.group_id];
        td.textContent = r.group_id;
        td.title = "data " + g.data + " " + g.data_hash + ", judge " + g.judge + ", template " +
          g.template + ", " + g.scope;
      } else {
        td.textContent = col.show ? col.show(v, r) : (v === null ? "" : String(v));
      }
      tr.appendChild(td);
    });
    return tr;
  }

  function renderBody() {
    var kept = matching();
    var pages = Math.max(1, Math.ceil(kept.length / PAGE_SIZE));
    pageIndex = Math.min(pageIndex, pages - 1);
    var first = pageIndex * PAGE_SIZE;
    var shown = kept.slice(first, first + PAGE_SIZE);
    var tbody = document.querySelector("#board tbody");
    var fresh = document.createElement("tbody");
    shown.forEach(function (r) { fresh.appendChild(renderRow(r)); });
    tbody.parentNode.replaceChild(fresh, tbody);
    document.getElementById("shown").textContent = kept.length + " of " + rows.length +
      " rows match";
    document.getElementById("page").textContent = kept.length ?
      "rows " + (first + 1) + "\u2013" + (first + shown.length) + " of " + kept.length +
      " (page " + (pageIndex + 1) + " of " + pages + ")" : "no rows";
    document.getElementById("page-prev").disabled = pageIndex === 0;
    document.getElementById("page-next").disabled = pageIndex >= pages - 1;
  }

  function renderFilters() {
    filters.forEach(function (f) {
      var select = document.getElementById(f.id);
      var values = Array.from(new Set(rows.map(f.get))).sort();
      var all = el("option", "all");
      all.value = "";
      select.appendChild(all);
      values.forEach(function (v) { var o = el("option", v); o.value = v; select.appendChild(o); });
      select.addEventListener("change", function () { pageIndex = 0; renderBody(); });
    });
    document.getElementById("filter-model").addEventListener("input", function () {
      pageIndex = 0;
      renderBody();
    });
    document.getElementById("page-prev").addEventListener("click", function () {
      pageIndex -= 1;
      renderBody();
    });
    document.getElementById("page-next").addEventListener("click", function () {
      pageIndex += 1;
      renderBody();
    });
  }

  function renderLists() {
    var gbody = document.querySelector("#groups tbody");
    Object.keys(data.groups).sort().forEach(function (gid) {
      var g = data.groups[gid];
      var tr = el("tr");
      [gid, g.data, g.data_hash, g.judge, g.template, g.scope, g.rows].forEach(function (v) {
        tr.appendChild(el("td", v, "text"));
      });
      gbody.appendChild(tr);
    });
    var sup = document.getElementById("superseded");
    data.superseded.forEach(function (s) {
      sup.appendChild(el("li", s.file + " (" + s.model + ", " + s.created +
        "): superseded by " + s.superseded_by));
    });
    if (!data.superseded.length) { sup.appendChild(el("li", "none")); }
    var rej = document.getElementById("rejected");
    data.rejected.forEach(function (x) {
      var li = el("li", x.file + ": rejected");
      var ul = el("ul");
      x.reasons.forEach(function (reason) { ul.appendChild(el("li", reason, "reason")); });
      if (x.more) { ul.appendChild(el("li", "and " + x.more + " more", "reason")); }
      li.appendChild(ul);
      rej.appendChild(li);
    });
    if (!data.rejected.length) { rej.appendChild(el("li", "none")); }
  }

  renderHead();
  renderFilters();
  renderBody();
  renderLists();
}());
