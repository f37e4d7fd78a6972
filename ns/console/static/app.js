// The console page: a paged view of one group (or of a filter over all
// names), a detail panel, and the admin forms. It polls the server every
// few seconds, so changes made by Pyro clients show without a reload.
"use strict";

const PAGE = 50;
const state = { group: "", filter: "", offset: 0, total: 0, selected: "", admin: false, shown: "" };
const $ = (id) => document.getElementById(id);

async function api(path, params, post) {
  const body = new URLSearchParams(params || {});
  const opts = post
    ? { method: "POST", body, headers: { "X-Console-Passphrase": $("passphrase").value } }
    : {};
  const resp = await fetch(post ? path : path + "?" + body, opts);
  const data = await resp.json();
  if (!resp.ok) throw new Error(data.error || resp.statusText);
  return data;
}

function say(text, isError) {
  $("message").textContent = text;
  $("message").className = isError ? "error" : "";
}

function crumbs() {
  const nav = $("crumbs");
  nav.textContent = "";
  if (state.filter) {
    nav.textContent = "Names containing \u201c" + state.filter + "\u201d";
    return;
  }
  const parts = state.group.split(".").filter((p) => p && p !== ":");
  const root = document.createElement("a");
  root.textContent = ":";
  root.onclick = () => open_group(":");
  nav.append(root);
  let path = "";
  parts.forEach((p, i) => {
    p = i === 0 ? p.replace(/^:/, "") : p;
    path = i === 0 ? ":" + p : path + "." + p;
    const a = document.createElement("a");
    const target = path;
    a.textContent = (i === 0 ? "" : ".") + p;
    a.onclick = () => open_group(target);
    nav.append(a);
  });
}

async function refresh() {
  try {
    const page = state.filter
      ? await api("/api/ns/search", { q: state.filter, offset: state.offset, limit: PAGE })
      : await api("/api/ns/list", { group: state.group, offset: state.offset, limit: PAGE });
    if (page.entries.length === 0 && state.offset > 0 && page.total > 0) {
      state.offset = Math.max(0, page.total - PAGE);
      return refresh();
    }
    state.total = page.total;
    // Rows are rebuilt only when the page changed, so that polling leaves
    // what the operator points at alone.
    const shown = JSON.stringify([page.entries, state.filter, state.group]);
    if (shown !== state.shown) {
      state.shown = shown;
      render(page);
    }
  } catch (err) {
    say(err.message, true);
  }
  try {
    const st = await api("/api/ns/stats");
    $("stats").textContent = `${st.names} names, ${st.groups} groups`;
    state.admin = st.admin;
    document.body.classList.toggle("readonly", !st.admin);
    $("readonly").hidden = st.admin;
    if (!state.group) {
      state.group = st.defaultGroup;
      return refresh();
    }
  } catch (err) {
    say(err.message, true);
  }
  if (state.selected) show_detail(false);
}

function render(page) {
  const rows = page.entries.map((e) => {
    const tr = document.createElement("tr");
    tr.className = e.type + (e.name === state.selected ? " selected" : "");
    tr.dataset.name = e.name;
    const name = document.createElement("td");
    name.textContent = state.filter || e.type === "group" ? e.name : e.name.slice(e.name.lastIndexOf(".") + 1);
    name.title = e.name;
    const uri = document.createElement("td");
    uri.className = "uri";
    uri.textContent = e.uri || "";
    tr.append(name, uri);
    tr.onclick = () => (e.type === "group" ? open_group(e.name) : select(e.name));
    return tr;
  });
  $("entries").replaceChildren(...rows);
  const last = Math.min(state.offset + PAGE, page.total);
  $("pageinfo").textContent = page.total ? `${state.offset + 1}\u2013${last} of ${page.total}` : "empty";
  $("prev").disabled = state.offset === 0;
  $("next").disabled = last >= page.total;
  crumbs();
}

function open_group(g) {
  state.group = g;
  state.filter = "";
  $("filter").value = "";
  state.offset = 0;
  refresh();
}

function select(name) {
  state.selected = name;
  $("ping-result").textContent = "";
  show_detail(true);
  document.querySelectorAll("#entries tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.name === name));
}

async function show_detail(report) {
  try {
    const info = await api("/api/ns/info", { name: state.selected });
    $("detail").hidden = false;
    $("detail-name").textContent = info.name;
    $("detail-uri").textContent = info.uri || "\u2014";
    $("detail-type").textContent = info.system ? info.system.type : "";
    $("detail-time").textContent = info.system ? info.system.time.replace("T", " ").replace("Z", " UTC") : "";
    $("detail-owner").textContent = info.system ? info.system.owner : "";
    $("detail-meta").textContent = info.user;
    $("detail-pyro5").textContent = info.pyro5Name + (info.tags.length ? "  tags: " + info.tags.join(", ") : "");
  } catch (err) {
    $("detail").hidden = true;
    if (report) say(err.message, true);
    state.selected = "";
  }
}

async function change(path, params, done) {
  try {
    await api(path, params, true);
    say(done, false);
  } catch (err) {
    say(err.message, true);
  }
  refresh();
}

$("prev").onclick = () => { state.offset = Math.max(0, state.offset - PAGE); refresh(); };
$("next").onclick = () => { state.offset += PAGE; refresh(); };
let typing;
$("filter").oninput = () => {
  clearTimeout(typing);
  typing = setTimeout(() => { state.filter = $("filter").value.trim(); state.offset = 0; refresh(); }, 200);
};
$("ping").onclick = async () => {
  $("ping-result").textContent = "\u2026";
  try {
    const r = await api("/api/ns/ping", { name: state.selected }, true);
    $("ping-result").textContent = `alive (${(r.seconds * 1000).toFixed(1)} ms)`;
  } catch (err) {
    $("ping-result").textContent = err.message;
  }
};
$("remove").onclick = () => change("/api/ns/remove", { name: state.selected }, state.selected + " removed.");
$("meta-save").onclick = () =>
  change("/api/ns/setmeta", { name: state.selected, meta: $("meta-input").value }, "Metadata of " + state.selected + " set.");
$("reg-submit").onclick = () =>
  change("/api/ns/register", { name: $("reg-name").value, uri: $("reg-uri").value }, "Registered " + $("reg-name").value + ".");

refresh();
setInterval(refresh, 3000);
