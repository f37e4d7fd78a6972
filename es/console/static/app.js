// The event service console: topics (paged), subscriber queues and event
// rates, polled every two seconds.
"use strict";

const PAGE = 50;
const POLL = 2000;
let offset = 0;
let last = null; // the previous stats and when they came, for the rates
const $ = (id) => document.getElementById(id);

async function get(path) {
  const resp = await fetch(path);
  const data = await resp.json();
  if (!resp.ok) throw new Error(data.error || resp.statusText);
  return data;
}

function row(...cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = c;
    tr.append(td);
  }
  return tr;
}

async function refresh() {
  try {
    const page = await get(`/api/es/topics?offset=${offset}&limit=${PAGE}`);
    $("topics").replaceChildren(...page.topics.map((t) => {
      const tr = row(t.pattern ? t.name + "  (pattern)" : t.name, t.subscribers.join(", "));
      tr.dataset.topic = t.name;
      return tr;
    }));
    const end = Math.min(offset + PAGE, page.total);
    $("pageinfo").textContent = page.total ? `${offset + 1}\u2013${end} of ${page.total}` : "no topics";
    $("prev").disabled = offset === 0;
    $("next").disabled = end >= page.total;

    const st = await get("/api/es/stats");
    $("stats").textContent = `${st.subscribers} subscribers, ${st.subjects} subjects, ${st.patterns} patterns`;
    $("queues").replaceChildren(...st.queues.map((q) => {
      const tr = row(q.subscriber, String(q.depth));
      tr.dataset.subscriber = q.subscriber;
      return tr;
    }));
    const now = Date.now();
    if (last) {
      const secs = (now - last.at) / 1000;
      for (const k of ["published", "delivered", "dropped"]) {
        $("rate-" + k).textContent = ((st[k] - last.st[k]) / secs).toFixed(1);
      }
    }
    last = { st, at: now };
    $("message").textContent = "";
  } catch (err) {
    $("message").textContent = err.message;
    $("message").className = "error";
  }
}

$("prev").onclick = () => { offset = Math.max(0, offset - PAGE); refresh(); };
$("next").onclick = () => { offset += PAGE; refresh(); };
refresh();
setInterval(refresh, POLL);
