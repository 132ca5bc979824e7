// RRMQ dashboard: polls /ui/cluster.json once a second and redraws. Read-only: no write action.
'use strict';
(function () {
  const REFRESH_MS = 1000;
  const TOPICS = 25;
  const SVG = 'http://www.w3.org/2000/svg';
  let token = null;
  let query = '';

  // A token for clusters with a tokens_file: /ui#token=T (kept for the tab only, never sent elsewhere).
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    token = decodeURIComponent(m[1]);
    sessionStorage.setItem('rrmq-token', token);
    history.replaceState(null, '', location.pathname);
  } else {
    token = sessionStorage.getItem('rrmq-token');
  }

  function $(id) { return document.getElementById(id); }

  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function fmt(n) { return n === undefined || n === null ? '–' : Number(n).toLocaleString('en-US'); }

  // Oldest-message age: seconds below a minute, then m/h; '–' for an empty or untracked topic.
  function age(s) {
    if (s === undefined || s === null) return '–';
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' m ' + Math.floor(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' m';
  }

  function renderMembers(data) {
    const nodes = data.nodes.slice().sort((a, b) => a.id - b.id);
    const leader = nodes.find(n => n.role === 'Leader' && !n.error);
    const followers = {};
    if (leader) for (const f of leader.followers || []) followers[f.id] = f;
    const body = $('members').tBodies[0];
    body.replaceChildren();
    for (const n of nodes) {
      const tr = document.createElement('tr');
      tr.dataset.id = n.id;
      tr.dataset.role = n.error ? 'Unreachable' : n.role;
      if (n.error) tr.className = 'down';
      cell(tr, n.id + (n.id === data.self ? ' (this)' : ''));
      cell(tr, n.url);
      cell(tr, n.error ? 'unreachable (' + n.error + ')' : n.role, 'role');
      cell(tr, n.error ? '–' : fmt(n.term), 'num term');
      cell(tr, n.error ? '–' : fmt(n.commitIndex), 'num');
      cell(tr, n.error ? '–' : fmt(n.lastApplied), 'num');
      const f = followers[n.id];
      cell(tr, leader && n.id === leader.id ? '0' : f ? fmt(f.lag) : '–', 'num');
      cell(tr, leader && n.id === leader.id ? '–' : f ? f.lastContactMs + ' ms ago' : '–', 'num');
      cell(tr, n.error ? '–' : (n.ready ? 'yes' : 'no'));
      body.appendChild(tr);
    }
    const self = nodes.find(n => n.id === data.self);
    $('summary').textContent = leader
      ? 'leader: node ' + leader.id + ' (' + leader.url + '), term ' + leader.term
      : 'no leader known' + (self ? ' (term ' + self.term + ')' : '');
    return { leader, self };
  }

  function renderTopics(self) {
    const body = $('topics').tBodies[0];
    body.replaceChildren();
    for (const t of self.topics || []) {
      const tr = document.createElement('tr');
      tr.dataset.topic = t.name;
      cell(tr, t.name, 'name');
      cell(tr, fmt(t.depth), 'num depth');
      cell(tr, age(t.oldestAgeSeconds), 'num age');
      body.appendChild(tr);
    }
    const shown = (self.topics || []).length;
    $('topic-count').textContent = fmt(self.topicCount) + ' topics, ' + fmt(self.messagesQueued) +
      ' messages queued' + (query ? '; ' + fmt(self.matching) + ' match' : '') +
      (shown < (query ? self.matching : self.topicCount) ? '; the ' + shown + ' deepest shown' : '');
  }

  // One polyline per series over a shared y scale; null points break the line.
  function chart(svgId, axisId, series, unitScale, unit) {
    const svg = $(svgId);
    svg.replaceChildren();
    let max = 0, len = 0;
    for (const s of series) {
      len = Math.max(len, s.points.length);
      for (const v of s.points) if (v !== null && v * unitScale > max) max = v * unitScale;
    }
    max = max > 0 ? max * 1.1 : 1;
    const W = 600, H = 160, slots = 300;
    for (const s of series) {
      let d = '';
      let pen = false;
      const offset = slots - s.points.length;
      s.points.forEach((v, i) => {
        if (v === null) { pen = false; return; }
        const x = ((offset + i) / (slots - 1)) * W;
        const y = H - (v * unitScale / max) * (H - 4) - 2;
        // A point with no neighbour still shows: a short dash from where the line would start.
        d += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1) + (pen ? '' : 'l2 0');
        pen = true;
      });
      if (!d) continue;
      const path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', d);
      path.setAttribute('fill', 'none');
      path.setAttribute('stroke', s.color);
      path.setAttribute('stroke-width', '1.5');
      path.setAttribute('vector-effect', 'non-scaling-stroke');
      if (s.dashed) path.setAttribute('stroke-dasharray', '4 3');
      svg.appendChild(path);
    }
    const last = series.map(s => {
      const v = s.points.length ? s.points[s.points.length - 1] : null;
      return s.label + ' ' + (v === null ? '–' : (v * unitScale).toFixed(unitScale === 1 ? 0 : 2));
    });
    $(axisId).textContent = 'max ' + (max / 1.1).toFixed(unitScale === 1 ? 0 : 2) + ' ' + unit + ' · now: ' + last.join(', ');
  }

  function renderCharts(node) {
    const h = (node && node.history) || {};
    const get = k => h[k] || [];
    chart('rate-chart', 'rate-axis', [
      { label: 'put', points: get('putRate'), color: '#2563eb' },
      { label: 'pop', points: get('popRate'), color: '#d9480f' },
    ], 1, '/s');
    chart('latency-chart', 'latency-axis', [
      { label: 'put p50', points: get('putP50'), color: '#2563eb' },
      { label: 'put p99', points: get('putP99'), color: '#2563eb', dashed: true },
      { label: 'pop p50', points: get('popP50'), color: '#d9480f' },
      { label: 'pop p99', points: get('popP99'), color: '#d9480f', dashed: true },
    ], 1000, 'ms');
  }

  async function refresh() {
    try {
      const url = '/ui/cluster.json?topics=' + TOPICS + (query ? '&q=' + encodeURIComponent(query) : '');
      const headers = token ? { Authorization: 'Bearer ' + token } : {};
      const response = await fetch(url, { headers, cache: 'no-store' });
      if (!response.ok) {
        $('updated').textContent = 'cannot read the cluster: HTTP ' + response.status +
          (response.status === 401 ? ' (open /ui#token=YOUR_TOKEN)' : '');
      } else {
        const data = await response.json();
        const { leader, self } = renderMembers(data);
        if (self) renderTopics(self);
        renderCharts(leader || self);
        $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
        document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
      }
    } catch (e) {
      $('updated').textContent = 'node unreachable (' + e.message + ')';
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('topic-search').addEventListener('input', e => { query = e.target.value.trim(); });
    refresh();
  });
})();
