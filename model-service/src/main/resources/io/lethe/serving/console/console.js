// The Lethe console: polls the model service's /console/api views with the bearer token and
// draws tables and small SVG charts. Plain JS, no library, nothing fetched from another origin.
"use strict";

(function () {
  const TOKEN_KEY = "lethe.console.token";
  const POLL_MS = 5000;
  const SVG = "http://www.w3.org/2000/svg";
  let token = null;
  let query = "";
  let timer = null;

  // The token arrives Jupyter-style in the URL fragment (#token=...), which browsers never send
  // to a server; it is kept for this tab only and removed from the address bar and history.
  function readToken() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function badge(text) {
    return el("span", text, "badge " + text);
  }

  function seconds(s) {
    if (s == null || !isFinite(s)) return "–";
    if (s < 90) return s.toFixed(s < 10 ? 1 : 0) + " s";
    if (s < 5400) return (s / 60).toFixed(1) + " min";
    return (s / 3600).toFixed(1) + " h";
  }

  function clock(ms) {
    return ms ? new Date(ms).toLocaleTimeString() : "–";
  }

  function percent(x) {
    return x == null ? "–" : (100 * x).toFixed(1) + " %";
  }

  function showSignIn(message) {
    if (timer) clearTimeout(timer);
    $("content").hidden = true;
    $("signin").hidden = false;
    $("signin-error").textContent = message || "";
    $("status").textContent = "signed out";
  }

  async function get(path) {
    const response = await fetch(path, {
      headers: { Authorization: "Bearer " + token },
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      token = null;
      throw new SignedOut("The service did not accept this token.");
    }
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || "HTTP " + response.status);
    return body;
  }

  class SignedOut extends Error {}

  async function refresh() {
    try {
      const [overview, erasures] = await Promise.all([
        get("api/overview"),
        get("api/erasures?q=" + encodeURIComponent(query)),
      ]);
      $("signin").hidden = true;
      $("content").hidden = false;
      renderModels(overview);
      renderErasures(overview.erasures, erasures);
      renderDeadLetters(overview.dead_letters);
      const topics = Object.entries(overview.topics)
        .filter(([, state]) => state !== "following")
        .map(([topic, state]) => topic + ": " + state);
      $("status").textContent =
        "updated " + clock(overview.now) + " · every " + POLL_MS / 1000 + " s" +
        (topics.length ? " · " + topics.join("; ") : "");
      document.body.dataset.loaded = "true";
    } catch (e) {
      if (e instanceof SignedOut) {
        showSignIn(e.message);
        return;
      }
      $("status").textContent = "cannot reach the model service: " + e.message;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, POLL_MS);
  }

  function renderModels(overview) {
    const body = $("models").tBodies[0];
    body.replaceChildren();
    $("models-empty").hidden = overview.models.length > 0;
    const charts = $("charts");
    charts.replaceChildren();
    for (const m of overview.models) {
      const known = m.accuracy.filter((a) => a.accuracy != null);
      const last = known.length ? known[known.length - 1] : null;
      const row = el("tr");
      row.dataset.model = m.name;
      row.append(
        el("td", m.name, "mono"),
        el("td", m.learner.toLowerCase()),
        el("td", "v" + m.version, "num"),
        el("td"),
        el("td", seconds(m.snapshot_age_seconds), "num"),
        el("td", m.samples_learned == null ? "–" : m.samples_learned, "num"),
        el("td", m.samples_buffered == null ? "–" : m.samples_buffered, "num"),
        el("td", last ? percent(last.accuracy) + " (v" + last.version + ")" : "–", "num")
      );
      row.children[3].append(badge(m.learner_status));
      body.append(row);

      if (overview.evaluation.rows > 0) {
        charts.append(
          chart(m.name + ": accuracy by version", known.map((a) => [a.version, a.accuracy]), {
            yMin: 0, yMax: 1, x: (v) => "v" + v, y: (v) => (100 * v).toFixed(0) + "%", dots: true,
          })
        );
      }
      charts.append(
        chart(
          m.name + ": snapshot age (freshness)",
          m.samples.map((p) => [p.at, p.snapshot_age_seconds]),
          { yMin: 0, x: clock, y: seconds }
        )
      );
      charts.append(chart(m.name + ": samples learned per second (ingest)", rates(m.samples), {
        yMin: 0, x: clock, y: (v) => v.toFixed(v < 10 ? 1 : 0) + "/s",
      }));
    }
    $("accuracy-note").textContent =
      overview.evaluation.rows > 0
        ? "Accuracy: each newly served version scored on up to " + overview.evaluation.rows +
          " held-out rows (" + overview.evaluation.source + ") of the classes it has learned."
        : "Accuracy is not known: the service has no held-out evaluation set.";
  }

  // Samples learned per second between consecutive samples of the learner's heartbeat counter.
  function rates(samples) {
    const out = [];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1];
      const b = samples[i];
      if (a.samples_learned == null || b.samples_learned == null || b.at <= a.at) continue;
      out.push([b.at, Math.max(0, (b.samples_learned - a.samples_learned) / ((b.at - a.at) / 1000))]);
    }
    return out;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  // A line chart of [x, y] points, 300 by 130 user units, with min and max labels on both axes.
  function chart(title, points, opts) {
    const box = el("div", null, "chart");
    box.append(el("h3", title));
    const W = 300, H = 130, L = 44, R = 8, T = 8, B = 20;
    const s = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title });
    s.append(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
    s.append(svg("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
    if (points.length === 0) {
      const t = svg("text", { x: L + 8, y: H / 2 });
      t.textContent = "no data yet";
      s.append(t);
      box.append(s);
      return box;
    }
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    let x0 = Math.min(...xs), x1 = Math.max(...xs);
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    const y0 = opts.yMin !== undefined ? opts.yMin : Math.min(...ys);
    let y1 = opts.yMax !== undefined ? opts.yMax : Math.max(...ys);
    if (y1 <= y0) y1 = y0 + 1;
    const px = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
    const py = (y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
    const d = points.map((p, i) => (i ? "L" : "M") + px(p[0]).toFixed(1) + " " + py(p[1]).toFixed(1));
    s.append(svg("path", { d: d.join(" "), class: "series" }));
    if (opts.dots) {
      for (const p of points) s.append(svg("circle", { cx: px(p[0]), cy: py(p[1]), r: 2.5, class: "dot" }));
    }
    const label = (x, y, text, anchor) => {
      const t = svg("text", { x: x, y: y, "text-anchor": anchor });
      t.textContent = text;
      s.append(t);
    };
    label(L - 4, T + 8, opts.y(y1), "end");
    label(L - 4, H - B, opts.y(y0), "end");
    const lastPoint = points[points.length - 1];
    label(Math.min(px(lastPoint[0]), W - R), Math.max(py(lastPoint[1]) - 5, T + 8), opts.y(lastPoint[1]), "end");
    label(L, H - 6, opts.x(xs[0]), "start");
    label(W - R, H - 6, opts.x(xs[xs.length - 1]), "end");
    box.append(s);
    return box;
  }

  function renderErasures(counts, found) {
    const c = $("erasure-counts");
    c.replaceChildren();
    c.className = "counts";
    for (const state of ["pending", "completed", "rejected"]) {
      const span = el("span");
      span.append(badge(state), document.createTextNode(" " + counts[state]));
      c.append(span);
    }
    $("erasures-matched").textContent =
      (found.query ? found.matched + " match “" + found.query + "”" : found.kept + " requests") +
      (found.erasures.length < found.matched ? ", the newest " + found.erasures.length + " shown" : "") +
      " (the service keeps the newest " + found.capacity + ")";
    const body = $("erasures").tBodies[0];
    body.replaceChildren();
    for (const e of found.erasures) {
      const row = el("tr");
      row.dataset.request = e.request_id;
      const models = el("td");
      for (const m of e.models || []) {
        const line = el("div");
        // absent fields are left out of the JSON: test with == null
        line.append(
          el("span", m.model + " ", "mono"),
          badge(m.guarantee),
          document.createTextNode(
            m.first_version_without == null ? "" : " from v" + m.first_version_without
          )
        );
        if (m.reason != null) line.append(el("div", m.reason, "muted"));
        models.append(line);
      }
      if (e.reason) models.append(el("div", e.reason, "muted"));
      const subject =
        e.subject || (e.tasks && e.tasks.length ? "tasks " + e.tasks.join(", ") : "–");
      row.append(
        el("td", e.request_id, "mono"),
        el("td"),
        el("td", e.scope ? e.scope.toLowerCase() : "–"),
        el("td", subject, "mono"),
        el("td", clock(e.requested_at), "time"),
        el("td", e.latency_ms == null ? "–" : seconds(e.latency_ms / 1000), "num"),
        models
      );
      row.children[1].append(badge(e.state));
      body.append(row);
    }
  }

  function renderDeadLetters(dead) {
    $("deadletters-total").textContent =
      dead.total === 0 ? "No dead letters." : "Dead letters: " + dead.total;
    $("deadletters").hidden = dead.total === 0;
    const body = $("deadletters").tBodies[0];
    body.replaceChildren();
    for (const d of dead.by_reason) {
      const row = el("tr");
      row.append(
        el("td", d.component),
        el("td", d.kind.toLowerCase()),
        el("td", d.reason, "mono"),
        el("td", d.count, "num"),
        el("td", clock(d.last_at), "time")
      );
      body.append(row);
    }
  }

  function start() {
    $("signin").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("token").value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      $("token").value = "";
      token = value;
      refresh();
    });
    $("search").addEventListener("submit", (event) => {
      event.preventDefault();
      query = $("query").value.trim();
      if (timer) clearTimeout(timer);
      refresh();
    });
    token = readToken();
    if (token) {
      refresh();
    } else {
      showSignIn("");
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
