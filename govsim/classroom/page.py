"""The classroom page: one self-contained HTML document (its style and script inline, figures
arriving as ``data:`` URIs), so it loads nothing from outside this machine.

Layer: interfaces. The script asks the server (:mod:`govsim.classroom.server`) for the
controls, draws them, and after each change (debounced) posts their positions and shows the
answer; a request overtaken by a newer one is dropped. Element ids the browser test relies on:
``status`` (``data-state`` = ``loading``, ``running``, ``ready`` or ``error``; ``data-seq``),
``ctl-NAME`` for each control, ``results`` (one ``tr[data-metric]`` per metric, the
difference's mean in ``td.diff[data-value]``), ``regime``, ``lang-en``/``lang-zh``, ``reset``.
"""

from __future__ import annotations

import json

from govsim.errors import GovsimError, shown
from govsim.lang import LANGS

__all__ = ["page_html", "WORDS"]

#: the page's own words (the controls' labels and the metrics' names come from the server)
WORDS = {
    "en": {
        "title": "govsim classroom", "regime": "Rules of the city", "rules": "The regime's rules",
        "world": "The world (the same under every regime)", "reset": "Back to as written",
        "loading": "Loading…", "running": "Running the simulation…", "ready": "Ready",
        "error": "Something went wrong", "measure": "Measure", "written": "As written",
        "changed": "With your changes", "difference": "Difference (95% interval)",
        "bold": "Bold: the 95% interval of the paired difference leaves out zero.",
        "survival": "How long problems stay unsolved", "costs": "Who pays",
        "journey": "One household's journey: the same problem under both",
        "size": "{reps} replications of {days} days, seed {seed}; answered in {secs} s",
        "shortened": " (horizon shortened from {written} days to answer in seconds)",
        "nochange": "No rule changed yet: move a switch or a slider.",
        "changes": "Changed key paths", "case": "Case {case}: {category}",
    },
    "zh": {
        "title": "govsim 课堂", "regime": "城市的规则", "rules": "该体制的规则",
        "world": "世界（各体制相同）", "reset": "恢复文件取值", "loading": "加载中…",
        "running": "正在模拟…", "ready": "完成", "error": "出错了", "measure": "指标",
        "written": "按文件取值", "changed": "修改后", "difference": "差值（95% 区间）",
        "bold": "粗体：配对差值的 95% 区间不含零。", "survival": "问题多久仍未解决",
        "costs": "谁来付钱", "journey": "一户人家的经历：同一问题在两种情况下",
        "size": "{reps} 次重复，每次 {days} 天，种子 {seed}；用时 {secs} 秒",
        "shortened": "（期限由 {written} 天缩短，以便几秒内得到结果）",
        "nochange": "尚未修改任何规则：拨动开关或拖动滑块。",
        "changes": "修改的键路径", "case": "案件 {case}：{category}",
    },
}

_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0;
       color: #1f2933; background: #f7f7f4; }
header { background: #23395d; color: white; padding: 0.6em 1.2em; display: flex;
         align-items: center; gap: 1.2em; flex-wrap: wrap; }
header h1 { font-size: 1.25em; margin: 0; }
header .desc { flex: 1; opacity: 0.85; font-size: 0.95em; }
header button { background: transparent; color: white; border: 1px solid #9fb3d1;
                border-radius: 4px; padding: 0.2em 0.7em; cursor: pointer; }
header button.on { background: white; color: #23395d; }
main { display: grid; grid-template-columns: minmax(300px, 380px) 1fr; gap: 1.2em;
       padding: 1em 1.2em; }
aside, section { background: white; border-radius: 6px; padding: 0.8em 1em;
                 box-shadow: 0 1px 3px rgba(0,0,0,0.12); }
aside h2, section h2 { font-size: 1.02em; margin: 0.8em 0 0.4em; }
select { width: 100%; font-size: 0.95em; padding: 0.2em; }
.ctl { margin: 0.55em 0; font-size: 0.92em; }
.ctl label { display: flex; gap: 0.5em; align-items: flex-start; cursor: pointer; }
.ctl input[type=range] { width: 100%; }
.ctl .row { display: flex; justify-content: space-between; gap: 0.5em; }
.ctl output { font-variant-numeric: tabular-nums; font-weight: 600; }
.ctl.moved { border-left: 3px solid #d97706; padding-left: 0.4em; }
#status { padding: 0.35em 0.7em; border-radius: 4px; font-size: 0.92em; margin-bottom: 0.6em; }
#status[data-state=running], #status[data-state=loading] { background: #fff4d6; }
#status[data-state=ready] { background: #e3f4e8; }
#status[data-state=error] { background: #fde2e1; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { padding: 0.3em 0.5em; border-bottom: 1px solid #e5e7eb; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td small { color: #6b7280; display: block; }
td.clear { font-weight: 700; }
.figs { display: flex; flex-wrap: wrap; gap: 0.8em; }
.figs figure { margin: 0; flex: 1 1 420px; }
figure img { max-width: 100%; }
figcaption { font-size: 0.9em; color: #374151; }
.note { font-size: 0.85em; color: #6b7280; }
#changes code { font-size: 0.85em; }
"""

_SCRIPT = r"""
const WORDS = __WORDS__;
const state = {lang: __LANG__, regime: null, values: {}, setup: null, seq: 0, timer: null,
               client: Math.random().toString(36).slice(2)};
const $ = (id) => document.getElementById(id);
const w = (key, fields) => (WORDS[state.lang][key] || key).replace(/\{(\w+)\}/g,
  (_, k) => (fields && k in fields) ? fields[k] : '{' + k + '}');

function setStatus(kind, text) {
  const s = $('status');
  s.dataset.state = kind;
  s.dataset.seq = String(state.seq);
  s.textContent = text || w(kind);
}

function shownValue(c, v) {
  return c.percent ? Math.round(v * 100) + '%' : String(v);
}

function controlsOf(regime) { return state.setup.controls[regime] || []; }

function drawControls() {
  for (const group of ['rules', 'world']) {
    const box = $('controls-' + group);
    box.replaceChildren();
    for (const c of controlsOf(state.regime).filter((c) => c.group === group)) {
      const div = document.createElement('div');
      div.className = 'ctl';
      const value = (c.name in state.values) ? state.values[c.name] : c.written;
      const input = document.createElement('input');
      input.id = 'ctl-' + c.name;
      input.dataset.name = c.name;
      const text = document.createElement('span');
      text.textContent = c.label;
      if (c.kind === 'switch') {
        input.type = 'checkbox';
        input.checked = value;
        const label = document.createElement('label');
        label.append(input, text);
        div.append(label);
        input.addEventListener('change', () => changed(c, input.checked, div));
      } else {
        input.type = 'range';
        input.min = c.low; input.max = c.high; input.step = c.step; input.value = value;
        const out = document.createElement('output');
        out.id = 'out-' + c.name;
        out.textContent = shownValue(c, value);
        const row = document.createElement('label');
        row.className = 'row';
        row.htmlFor = input.id;
        row.append(text, out);
        div.append(row, input);
        input.addEventListener('input', () => {
          out.textContent = shownValue(c, Number(input.value));
          changed(c, Number(input.value), div);
        });
      }
      div.classList.toggle('moved', value !== c.written);
      box.append(div);
    }
    box.previousElementSibling.hidden = !box.children.length;
  }
}

function changed(c, value, div) {
  if (value === c.written) { delete state.values[c.name]; } else { state.values[c.name] = value; }
  div.classList.toggle('moved', value !== c.written);
  schedule();
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(run, 400);
}

async function loadSetup() {
  setStatus('loading');
  const response = await fetch('/api/setup?lang=' + state.lang);
  const setup = await response.json();
  if (!response.ok) { setStatus('error', setup.error); return false; }
  state.setup = setup;
  if (!state.regime) { state.regime = setup.regimes[0].key; }
  document.documentElement.lang = state.lang === 'zh' ? 'zh-Hans' : 'en';
  document.title = w('title') + ' — ' + setup.scenario;
  $('desc').textContent = setup.description;
  for (const key of ['title', 'regime', 'rules', 'world', 'reset', 'measure', 'written',
                     'changed', 'difference', 'bold', 'survival', 'costs', 'journey']) {
    for (const el of document.querySelectorAll('[data-word=' + key + ']')) {
      el.textContent = w(key);
    }
  }
  const select = $('regime');
  select.replaceChildren(...setup.regimes.map((r) => new Option(r.label, r.key)));
  select.value = state.regime;
  for (const l of ['en', 'zh']) { $('lang-' + l).classList.toggle('on', l === state.lang); }
  drawControls();
  return true;
}

function cell(td, part) {
  td.replaceChildren(part.text);
  if (part.interval) {
    const small = document.createElement('small');
    small.textContent = part.interval;
    td.append(small);
  }
}

function drawResults(out) {
  const body = $('results').tBodies[0];
  body.replaceChildren();
  for (const row of out.table) {
    const tr = body.insertRow();
    tr.dataset.metric = row.metric;
    tr.insertCell().textContent = row.label;
    cell(tr.insertCell(), row.written);
    cell(tr.insertCell(), row.changed);
    const diff = tr.insertCell();
    diff.className = 'diff' + (row.difference.clear ? ' clear' : '');
    diff.dataset.value = row.difference.mean === null ? '' : String(row.difference.mean);
    cell(diff, row.difference);
  }
  $('fig-survival').src = out.figures.survival;
  $('fig-costs').src = out.figures.costs;
  const j = $('journeys');
  j.replaceChildren();
  if (out.journey && out.journey.runs) {
    $('journey-case').textContent = w('case', out.journey);
    for (const key of ['as_written', 'changed']) {
      const run = out.journey.runs[key];
      if (!run) continue;
      const fig = document.createElement('figure');
      const img = document.createElement('img');
      img.src = run.figure;
      img.alt = w(key === 'as_written' ? 'written' : 'changed');
      const cap = document.createElement('figcaption');
      cap.textContent = img.alt + ': ' + run.facts;
      fig.append(cap, img);
      j.append(fig);
    }
  }
  const keys = Object.entries(out.changes);
  const changes = $('changes');
  changes.replaceChildren(keys.length ? w('changes') + ': ' : w('nochange'));
  for (const [k, v] of keys) {
    const code = document.createElement('code');
    code.textContent = k + ' = ' + JSON.stringify(v) + ' ';
    changes.append(code);
  }
  const s = state.setup;
  let size = w('size', {reps: out.replications, days: out.horizon_days, seed: s.seed,
                        secs: out.seconds});
  if (s.horizon_days !== s.written_horizon_days) {
    size += w('shortened', {written: s.written_horizon_days});
  }
  $('size').textContent = size;
  $('notes').textContent = out.notes.join(' ');
}

async function run() {
  const seq = ++state.seq;
  setStatus('running');
  let out;
  try {
    const response = await fetch('/api/run', {method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({regime: state.regime, values: state.values, lang: state.lang,
                            seq: seq, client: state.client})});
    out = await response.json();
    if (!response.ok) { if (seq === state.seq) setStatus('error', out.error); return; }
  } catch (e) {
    if (seq === state.seq) setStatus('error', w('error') + ': ' + e);
    return;
  }
  if (out.stale || seq !== state.seq) return;
  drawResults(out);
  setStatus('ready', w('ready'));
}

async function start() {
  $('regime').addEventListener('change', () => {
    state.regime = $('regime').value; state.values = {}; drawControls(); schedule();
  });
  $('reset').addEventListener('click', () => { state.values = {}; drawControls(); schedule(); });
  for (const l of ['en', 'zh']) {
    $('lang-' + l).addEventListener('click', async () => {
      if (state.lang === l) return;
      state.lang = l;
      if (await loadSetup()) schedule();
    });
  }
  if (await loadSetup()) run();
}
start();
"""

_BODY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>govsim classroom</title>
<style>__STYLE__</style></head>
<body>
<header><h1 data-word="title">govsim classroom</h1><span class="desc" id="desc"></span>
<button id="lang-en">English</button><button id="lang-zh">中文</button></header>
<main>
<aside>
<h2 data-word="regime"></h2><select id="regime"></select>
<h2 data-word="rules"></h2><div id="controls-rules"></div>
<h2 data-word="world"></h2><div id="controls-world"></div>
<p><button id="reset" data-word="reset"></button></p>
</aside>
<div>
<div id="status" data-state="loading" data-seq="0">…</div>
<section>
<table id="results"><thead><tr><th data-word="measure"></th><th data-word="written"></th>
<th data-word="changed"></th><th data-word="difference"></th></tr></thead><tbody></tbody></table>
<p class="note"><span data-word="bold"></span> <span id="size"></span></p>
<p class="note" id="changes"></p><p class="note" id="notes"></p>
</section>
<section><div class="figs">
<figure><figcaption data-word="survival"></figcaption><img id="fig-survival" alt=""></figure>
<figure><figcaption data-word="costs"></figcaption><img id="fig-costs" alt=""></figure>
</div></section>
<section><h2 data-word="journey"></h2><p class="note" id="journey-case"></p>
<div class="figs" id="journeys"></div></section>
</div>
</main>
<script>__SCRIPT__</script>
</body></html>
"""


def page_html(lang: str = "en") -> str:
    """The page, opening in ``lang`` (``"en"`` or ``"zh"``; the reader may switch).

    Example::

        >>> "govsim classroom" in page_html("en")
        True
    """
    if lang not in LANGS:
        raise GovsimError(f"must be one of {', '.join(LANGS)}, got {shown(lang)}", "lang")
    script = (_SCRIPT.replace("__WORDS__", json.dumps(WORDS, ensure_ascii=False))
              .replace("__LANG__", json.dumps(lang)))
    return _BODY.replace("__STYLE__", _STYLE).replace("__SCRIPT__", script)
