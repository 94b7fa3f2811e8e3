/* The live page: draws each app's topology with dagre, charts rates with uPlot, and refreshes
   from the server-sent events of /events (one message per second, counters as totals). */
'use strict';
(function () {
  const HISTORY = 180; // seconds kept in the charts
  const apps = new Map(); // applicationId -> view state
  const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const fmt1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  const $ = (tag, attrs, ...children) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    for (const c of children) el.append(c);
    return el;
  };
  const svg = (tag, attrs) => {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    return el;
  };
  const safeId = (s) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  const rate = (n) => (n === null || n === undefined ? '–' : `${fmt.format(n)}/s`);
  const bytes = (n) =>
    n === null || n === undefined ? '–' : n < 1024 ? `${n} B` : n < 1048576 ? `${fmt1.format(n / 1024)} KiB` : `${fmt1.format(n / 1048576)} MiB`;
  const secs = (ms) =>
    ms === null || ms === undefined
      ? '–'
      : ms < 120000
        ? `${fmt1.format(ms / 1000)} s`
        : ms < 7200000
          ? `${fmt1.format(ms / 60000)} min`
          : `${fmt1.format(ms / 3600000)} h`;
  const iso = (ms) =>
    ms === null || ms === undefined
      ? '–'
      : new Date(ms)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z');
  const shortName = (name) =>
    name
      .replace(/^KSTREAM-|^KTABLE-/, '')
      .replace(/-0+(\d+)$/, '-$1')
      .replace(/-STATE-STORE/, '-STORE');

  const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  function chart(el, title, series) {
    const width = Math.max(260, el.clientWidth - 4);
    const data = [[], ...series.map(() => [])];
    // Series may name their own scale (then it gets its own axis, on the right).
    const scales = [...new Set(series.map((s) => s.scale || 'y'))];
    const axes = [
      { space: 60 },
      ...scales.map((sc, i) => ({
        scale: sc,
        side: i === 0 ? 3 : 1,
        size: 50,
        grid: { show: i === 0 },
        values: (u, vals) => vals.map((v) => compact.format(v)),
      })),
    ];
    const plot = new uPlot(
      {
        title,
        width,
        height: 150,
        legend: { show: true, live: false },
        cursor: { show: false },
        scales: { x: { time: true } },
        axes,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, points: { show: false }, scale: s.scale || 'y' }))],
      },
      data,
      el,
    );
    return {
      plot,
      data,
      push(t, values) {
        data[0].push(t);
        values.forEach((v, i) => data[i + 1].push(v));
        if (data[0].length > HISTORY) for (const d of data) d.shift();
        plot.setData(data);
      },
    };
  }

  function drawGraph(container, graph) {
    // Left to right when it fits the panel; a long chain goes top to bottom instead.
    let g = layout(graph, 'LR');
    if (g.graph().width > Math.max(600, container.clientWidth) * 1.4) g = layout(graph, 'TB');
    return render(container, graph, g);
  }

  function layout(graph, rankdir) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir, nodesep: 14, ranksep: rankdir === 'LR' ? 36 : 22, marginx: 8, marginy: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of graph.nodes) {
      const label = n.kind === 'topic' || n.kind === 'store' ? n.label : shortName(n.label);
      g.setNode(n.id, { width: Math.max(90, Math.min(250, label.length * 6.6 + 16)), height: 38, label, kind: n.kind });
    }
    for (const e of graph.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
    dagre.layout(g);
    return g;
  }

  function render(container, graph, g) {
    const size = g.graph();
    const w = Math.ceil(size.width);
    const h = Math.ceil(size.height);
    const root = svg('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: 'topology', 'data-app': graph.applicationId });
    const defs = svg('defs');
    const marker = svg('marker', {
      id: `arrow-${safeId(graph.applicationId)}`,
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 6,
      markerHeight: 6,
      orient: 'auto-start-reverse',
    });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#94a3b8' }));
    defs.append(marker);
    root.append(defs);
    for (const e of g.edges()) {
      const pts = g.edge(e).points;
      const d = pts.map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`).join(' ');
      root.append(svg('path', { d, class: 'edge', 'marker-end': `url(#arrow-${safeId(graph.applicationId)})` }));
    }
    const rates = new Map();
    for (const id of g.nodes()) {
      const n = g.node(id);
      const grp = svg('g', { class: `node ${n.kind}`, 'data-node': id, transform: `translate(${n.x - n.width / 2}, ${n.y - n.height / 2})` });
      grp.append(svg('rect', { width: n.width, height: n.height }));
      const t = svg('text', { x: 8, y: 15 });
      t.textContent = n.label;
      const title = svg('title');
      title.textContent = id.replace(/^(topic|store):/, '$1 ');
      const r = svg('text', { x: 8, y: 30, class: 'node-rate' });
      r.textContent = n.kind === 'topic' ? 'topic' : '–';
      grp.append(title, t, r);
      root.append(grp);
      rates.set(id, r);
    }
    container.replaceChildren(root);
    // Shrunk to the panel while the text stays readable; past that, full size with scrolling.
    if (w > container.clientWidth / 0.75) {
      root.style.maxWidth = 'none';
      container.scrollLeft = Math.max(0, (w - container.clientWidth) / 2);
    }
    return rates;
  }

  function createView(app, graph) {
    const id = safeId(app.applicationId);
    const section = $('section', { class: 'app', id: `app-${id}`, 'data-app': app.applicationId });
    const state = $('span', { class: 'pill' });
    const kpis = $('div', { class: 'kpis' });
    const kpi = (name, key) => {
      const b = $('b', { id: `${key}-${id}` }, '–');
      kpis.append($('div', { class: 'kpi' }, $('span', {}, name), b));
      return b;
    };
    const k = {
      in: kpi('in', 'rate-in'),
      processed: kpi('processed', 'rate-processed'),
      out: kpi('out', 'rate-out'),
      lag: kpi('lag', 'lag'),
      wm: kpi('watermark', 'watermark'),
      behind: kpi('behind wall clock', 'behind'),
      commit: kpi('commit', 'commit'),
      late: kpi('late', 'late'),
      dlq: kpi('dead-lettered', 'dlq'),
    };
    section.append($('div', { class: 'app-head' }, $('h2', {}, app.applicationId), state, kpis));
    const graphBox = $('div', { class: 'graph' });
    const left = $('div', { class: 'panel' }, $('h3', {}, 'Topology'), graphBox);
    const chartsBox = $('div', { class: 'charts' });
    const right = $('div', { class: 'panel' }, $('h3', {}, 'Over time'), chartsBox);
    section.append($('div', { class: 'grid' }, left, right));
    const tasksBox = $('div', {});
    const storesBox = $('div', {});
    const tablesBox = $('div', {});
    section.append(
      $(
        'div',
        { class: 'grid', style: 'margin-top:14px' },
        $('div', { class: 'panel' }, $('h3', {}, 'Tasks'), tasksBox),
        $('div', { class: 'panel' }, $('h3', {}, 'State stores and restoration'), storesBox, $('h3', { style: 'margin-top:10px' }, 'Delta tables'), tablesBox),
      ),
    );
    document.getElementById('apps').append(section);
    const nodeRates = graph ? drawGraph(graphBox, graph) : new Map();
    if (!graph || graph.nodes.length === 0) graphBox.append($('div', { class: 'empty' }, 'no topology description'));
    const c1 = $('div', {});
    const c2 = $('div', {});
    const c3 = $('div', {});
    const c4 = $('div', {});
    chartsBox.append(c1, c2, c3, c4);
    const taskIds = app.tasks.map((t) => t.taskId);
    const palette = ['#2a6fdb', '#dc2626', '#1f9d55', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f'];
    return {
      section,
      state,
      k,
      nodeRates,
      graph,
      tasksBox,
      storesBox,
      tablesBox,
      prev: null,
      rates: chart(c1, 'records/s', [
        { label: 'in', color: '#2a6fdb' },
        { label: 'processed', color: '#1f9d55' },
        { label: 'out', color: '#d97706' },
      ]),
      perTask: chart(
        c2,
        'processed/s per task',
        taskIds.slice(0, 8).map((t, i) => ({ label: t, color: palette[i % palette.length] })),
      ),
      perTaskIds: taskIds.slice(0, 8),
      commit: chart(c3, 'commit duration (ms)', [
        { label: 'mean', color: '#7c3aed' },
        { label: 'max', color: '#dc2626' },
      ]),
      lagChart: chart(c4, 'lag (records) · watermark behind wall clock (s)', [
        { label: 'lag', color: '#d97706' },
        { label: 'behind (s)', color: '#0891b2', scale: 's' },
      ]),
    };
  }

  function perSecond(cur, prev, dtMs, f) {
    if (!prev || dtMs <= 0) return null;
    return Math.max(0, ((f(cur) - f(prev)) * 1000) / dtMs);
  }

  function update(app, graph) {
    let v = apps.get(app.applicationId);
    if (!v) {
      v = createView(app, graph);
      apps.set(app.applicationId, v);
    }
    const prev = v.prev;
    const dt = prev ? app.atMs - prev.atMs : 0;
    const rIn = perSecond(app, prev, dt, (a) => a.totals.recordsIn);
    const rProc = perSecond(app, prev, dt, (a) => a.totals.processed);
    const rOut = perSecond(app, prev, dt, (a) => a.totals.recordsOut);
    v.state.textContent = app.state;
    v.state.className = `pill ${app.state}`;
    v.k.in.textContent = rate(rIn);
    v.k.processed.textContent = rate(rProc);
    v.k.out.textContent = rate(rOut);
    v.k.lag.textContent = app.lag === null ? '?' : fmt.format(app.lag);
    v.k.wm.textContent = iso(app.watermarkMs);
    const behind = app.watermarkMs === null ? null : app.atMs - app.watermarkMs;
    v.k.behind.textContent = secs(behind);
    v.k.commit.textContent = app.commit ? `${fmt1.format(app.commit.meanMs)} ms (max ${fmt1.format(app.commit.maxMs)})` : '–';
    v.k.late.textContent = fmt.format(app.totals.late);
    v.k.dlq.textContent = fmt.format(app.totals.deadLettered);
    // Node rates: a sub-topology's input rate on its sources, processed rate on processors, output rate on sinks; store puts/s.
    if (prev) {
      const sub = new Map();
      const prevTasks = new Map(prev.tasks.map((t) => [t.taskId, t]));
      const storePuts = new Map();
      for (const t of app.tasks) {
        const p = prevTasks.get(t.taskId);
        const s = sub.get(t.subtopology) || { in: 0, processed: 0, out: 0 };
        if (p) {
          s.in += t.recordsIn - p.recordsIn;
          s.processed += t.processed - p.processed;
          s.out += t.recordsOut - p.recordsOut;
          const pStores = new Map(p.stores.map((x) => [x.name, x]));
          for (const st of t.stores) {
            const ps = pStores.get(st.name);
            if (ps) storePuts.set(st.name, (storePuts.get(st.name) || 0) + (st.puts - ps.puts));
          }
        }
        sub.set(t.subtopology, s);
      }
      for (const n of (v.graph && v.graph.nodes) || []) {
        const el = v.nodeRates.get(n.id);
        if (!el) continue;
        const s = sub.get(String(n.subtopology));
        if (n.kind === 'store') el.textContent = storePuts.has(n.label) ? `${rate((storePuts.get(n.label) * 1000) / dt)} puts` : '–';
        else if (n.kind !== 'topic') el.textContent = s ? rate(((n.kind === 'source' ? s.in : n.kind === 'sink' ? s.out : s.processed) * 1000) / dt) : '–';
      }
      const t = app.atMs / 1000;
      v.rates.push(t, [rIn, rProc, rOut]);
      v.perTask.push(
        t,
        v.perTaskIds.map((id) => {
          const cur = app.tasks.find((x) => x.taskId === id);
          const p = prevTasks.get(id);
          return cur && p ? ((cur.processed - p.processed) * 1000) / dt : null;
        }),
      );
      v.commit.push(t, [app.commit ? app.commit.meanMs : null, app.commit ? app.commit.maxMs : null]);
      v.lagChart.push(t, [app.lag, behind === null ? null : behind / 1000]);
    }
    renderTasks(v, app, prev, dt);
    renderStores(v, app);
    renderTables(v, app);
    v.prev = app;
  }

  function renderTasks(v, app, prev, dt) {
    const prevTasks = new Map(prev ? prev.tasks.map((t) => [t.taskId, t]) : []);
    const head = $(
      'tr',
      {},
      ...['task', 'in/s', 'processed/s', 'lag', 'stream time', 'behind', 'batch ms', 'late', 'DLQ', 'last dead-letter reasons'].map((h, i) =>
        $('th', i === 9 ? { class: 'left' } : {}, h),
      ),
    );
    const rows = app.tasks.map((t) => {
      const p = prevTasks.get(t.taskId);
      const reasons = $(
        'td',
        { class: 'reasons' },
        ...t.lastDeadLetters
          .slice(-2)
          .reverse()
          .map((d) => $('div', { title: `${iso(d.atMs)} ${d.reason}: ${d.message}` }, `${d.reason}: ${d.message}`)),
      );
      return $(
        'tr',
        { 'data-task': t.taskId },
        $('td', {}, t.taskId + (t.running ? '' : ' (closed)')),
        $('td', {}, rate(p ? ((t.recordsIn - p.recordsIn) * 1000) / dt : null)),
        $('td', {}, rate(p ? ((t.processed - p.processed) * 1000) / dt : null)),
        $('td', {}, t.lag === null ? '–' : fmt.format(t.lag)),
        $('td', {}, iso(t.streamTimeMs)),
        $('td', {}, secs(t.streamTimeMs === null ? null : app.atMs - t.streamTimeMs)),
        $('td', {}, t.processLatencyMeanMs === null ? '–' : fmt1.format(t.processLatencyMeanMs)),
        $('td', {}, fmt.format(t.late)),
        $('td', {}, fmt.format(t.deadLettered)),
        reasons,
      );
    });
    v.tasksBox.replaceChildren(rows.length ? $('table', {}, head, ...rows) : $('div', { class: 'empty' }, 'no tasks yet'));
  }

  function renderStores(v, app) {
    const restoreBy = new Map(app.restores.map((r) => [`${r.taskId}/${r.store}`, r]));
    const rows = [];
    for (const t of app.tasks)
      for (const s of t.stores) {
        const r = restoreBy.get(`${t.taskId}/${s.name}`);
        const frac = r ? (r.done ? 1 : r.total > 0 ? Math.min(1, r.restored / r.total) : 0) : 1;
        const bar = $(
          'div',
          { class: `bar${!r || r.done ? ' done' : ''}`, title: r ? `${fmt.format(r.restored)} of ${fmt.format(r.total)} restored` : 'nothing to restore' },
          $('div', { style: `width:${Math.round(frac * 100)}%` }),
        );
        rows.push(
          $(
            'tr',
            {},
            $('td', {}, `${t.taskId} · ${s.name}`),
            $('td', {}, bytes(s.sizeBytes)),
            $('td', {}, s.hitRatio === null ? '–' : `${fmt1.format(s.hitRatio * 100)} %`),
            $('td', {}, r ? `${fmt.format(r.restored)}/${fmt.format(r.total)}` : '–'),
            $('td', {}, bar),
          ),
        );
      }
    const head = $('tr', {}, ...['task · store', 'on disk', 'cache hits', 'restored', 'restore'].map((h) => $('th', {}, h)));
    v.storesBox.replaceChildren(rows.length ? $('table', {}, head, ...rows) : $('div', { class: 'empty' }, 'no state stores'));
  }

  function renderTables(v, app) {
    const head = $('tr', {}, ...['table', 'version', 'commits', 'rows', 'files', 'size', 'last commit', 'buffered'].map((h) => $('th', {}, h)));
    const rows = app.tables.map((t) =>
      $(
        'tr',
        {},
        $('td', { class: 'path', title: t.table }, t.table.split('/').filter(Boolean).slice(-2).join('/')),
        $('td', {}, t.version === null ? '–' : String(t.version)),
        $('td', {}, fmt.format(t.commits)),
        $('td', {}, fmt.format(t.rows)),
        $('td', {}, fmt.format(t.files)),
        $('td', {}, bytes(t.bytes)),
        $('td', {}, iso(t.lastCommitAtMs)),
        $('td', {}, fmt.format(t.bufferedRows)),
      ),
    );
    v.tablesBox.replaceChildren(rows.length ? $('table', {}, head, ...rows) : $('div', { class: 'empty' }, 'no Delta sink'));
  }

  async function main() {
    const graphs = new Map((await (await fetch('/api/topology')).json()).map((g) => [g.applicationId, g]));
    const conn = document.getElementById('conn');
    const es = new EventSource('/events');
    es.onopen = () => {
      conn.textContent = 'live';
      conn.className = 'pill live';
    };
    es.onerror = () => {
      conn.textContent = 'disconnected (retrying)';
      conn.className = 'pill lost';
    };
    es.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (!Array.isArray(msg)) return;
      for (const app of msg) update(app, graphs.get(app.applicationId));
    };
  }
  main();
})();
