"use strict";
// The labelling page of `mseed annotate serve`. Data text is only ever set with textContent.
// A label is shown as saved only once the server answered: it is then on disk (fsync'ed).
(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.hash.slice(1));
  // The key comes in the URL fragment (never sent to a server) and is kept for this tab only.
  const session = { annotator: params.get("annotator") || "",
                    key: params.get("key") || sessionStorage.getItem("mseed-annotate-key") || "" };
  let items = [];
  let pos = 0;
  const undo = [];  // [{key, previous label or null}], this session's changes, newest last
  let queue = Promise.resolve();  // events are sent one after another, in the order made

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    if (session.key) h.Authorization = "Bearer " + session.key;
    return h;
  }

  function status(text, kind) {
    const el = $("status");
    el.textContent = text;
    el.className = kind || "";
  }

  async function load() {
    const url = "/api/state?annotator=" + encodeURIComponent(session.annotator);
    const resp = await fetch(url, { headers: headers(), cache: "no-store" });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.error ? body.error.message : resp.statusText);
    items = body.items;
    $("who").textContent = "annotator: " + session.annotator;
    $("login").hidden = true;
    $("work").hidden = false;
    const firstOpen = items.findIndex((it) => !it.label);
    pos = firstOpen >= 0 ? firstOpen : 0;
    render();
    status(items.length ? "" : "nothing to label for " + session.annotator);
  }

  function cellName(it) { return it.lang + " " + it.side + " " + it.kind; }

  function renderProgress() {
    const cells = new Map();
    for (const it of items) {
      const name = cellName(it) + (it.pool === "unsure" ? " (unsure pool)" : "");
      const c = cells.get(name) || { done: 0, total: 0 };
      c.total += 1;
      if (it.label) c.done += 1;
      cells.set(name, c);
    }
    const box = $("progress");
    box.textContent = "";
    for (const name of Array.from(cells.keys()).sort()) {
      const c = cells.get(name);
      const label = document.createElement("label");
      label.dataset.cell = name;
      const text = document.createElement("span");
      text.textContent = name + " " + c.done + "/" + c.total;
      const bar = document.createElement("progress");
      bar.max = c.total;
      bar.value = c.done;
      label.append(text, bar);
      box.append(label);
    }
  }

  function setText(id, text, it) {
    const el = $(id);
    el.textContent = text;
    el.lang = it.lang;
    el.dir = it.dir;
  }

  function render() {
    renderProgress();
    if (!items.length) { $("item").hidden = true; return; }
    const it = items[pos];
    $("item").hidden = false;
    $("item").dataset.key = it.key;
    $("position").textContent = (pos + 1) + " of " + items.length;
    $("cell").textContent = cellName(it);
    $("pool").textContent = it.pool === "unsure" ? "(unsure pool)" : "";
    setText("prompt", it.prompt, it);
    setText("answer", it.answer, it);
    setText("other", it.other === null ? "(not drawn)" : it.other, it);
    $("judge").textContent = it.judge ? (it.judge.name + ": " + it.judge.verdict +
      (it.judge.refusal_outcome ? ", refusal " + it.judge.refusal_outcome : "")) : "no verdict";
    const cur = $("current");
    cur.textContent = it.label ? "labelled: " + it.label.refusal +
      (it.label.safe === true ? ", safe" : it.label.safe === false ? ", unsafe" : "") : "not labelled";
    cur.className = it.label ? "labelled" : "";
  }

  async function post(event) {
    const resp = await fetch("/api/event", {
      method: "POST", headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(Object.assign({ annotator: session.annotator }, event)),
    });
    const body = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(body.error ? body.error.message : resp.statusText);
    return body.saved;
  }

  function eventFor(it, label, action) {
    const ev = { action: action, id: it.id, lang: it.lang, side: it.side };
    if (action === "label") { ev.refusal = label.refusal; ev.safe = label.safe; }
    return ev;
  }

  // The label last asked for (it may still be on its way), else the confirmed one.
  function wanted(it) { return it.want !== undefined ? it.want : it.label; }

  // Send one change of `it` to `label` (null: no label, sent as `action`), then show it saved.
  function change(it, label, action, remember) {
    const previous = wanted(it);
    it.want = label;
    if (remember) undo.push({ key: it.key, previous: previous });
    status("saving…", "saving");
    queue = queue.then(async () => {
      try {
        await post(eventFor(it, label, action));
        it.label = label;
        status("saved", "saved");
      } catch (err) {
        it.want = undefined;  // what the server holds is what was last confirmed
        status("NOT saved: " + err.message, "error");
      }
      render();
    });
    return queue;
  }

  function setRefusal(refusal) {
    const it = items[pos];
    const safe = wanted(it) ? wanted(it).safe : null;
    return change(it, { refusal: refusal, safe: safe }, "label", true);
  }

  function setSafe(safe) {
    const it = items[pos];
    const base = wanted(it);
    if (!base) { status("choose full, partial or none first (1, 2, 3)", "error"); return; }
    return change(it, { refusal: base.refusal, safe: safe }, "label", true);
  }

  function skip() {
    const it = items[pos];
    const done = wanted(it) ? Promise.resolve() : change(it, null, "skip", false);
    move(1);
    return done;
  }

  function undoLast() {
    const last = undo.pop();
    if (!last) { status("nothing to undo", ""); return; }
    const index = items.findIndex((it) => it.key === last.key);
    pos = index;
    const it = items[index];
    return change(it, last.previous, last.previous ? "label" : "clear", false);
  }

  function move(step) {
    pos = Math.min(items.length - 1, Math.max(0, pos + step));
    $("other-box").hidden = true;
    $("judge-box").hidden = true;
    render();
  }

  const actions = {
    "1": () => setRefusal("full"), "2": () => setRefusal("partial"), "3": () => setRefusal("none"),
    "s": () => setSafe(true), "u": () => setSafe(false), "k": skip, "z": undoLast,
    "n": () => move(1), "ArrowRight": () => move(1), "Enter": () => move(1),
    "p": () => move(-1), "ArrowLeft": () => move(-1),
    "v": () => { $("judge-box").hidden = !$("judge-box").hidden; },
    "o": () => { $("other-box").hidden = !$("other-box").hidden; },
    "g": () => { $("guide").classList.toggle("closed"); },
  };

  document.addEventListener("keydown", (e) => {
    if ($("work").hidden || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target && e.target.tagName === "INPUT") return;
    const act = actions[e.key];
    if (act && items.length) { e.preventDefault(); act(); }
  });
  for (const button of document.querySelectorAll("button[data-key]")) {
    button.addEventListener("click", () => {
      const act = actions[button.dataset.key];
      if (act && items.length) act();
      button.blur();
    });
  }

  function start() {
    load().catch((err) => {
      status("cannot load: " + err.message, "error");
      $("login").hidden = false;
    });
  }

  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    session.annotator = $("login-name").value.trim();
    session.key = $("login-key").value;
    sessionStorage.setItem("mseed-annotate-key", session.key);
    const hash = new URLSearchParams({ annotator: session.annotator });
    history.replaceState(null, "", "#" + hash.toString());  // the key stays out of the URL
    start();
  });

  if (session.annotator) {
    if (params.get("key")) {
      sessionStorage.setItem("mseed-annotate-key", session.key);
      history.replaceState(null, "", "#annotator=" + encodeURIComponent(session.annotator));
    }
    start();
  } else {
    $("login").hidden = false;
  }
  window.__annotate = { get items() { return items; }, get pos() { return pos; }, settled: () => queue };
})();
