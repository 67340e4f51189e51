// counterlens review page: plain JS over the /v1 API, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "counterlens.key";
const state = { view: "queue", items: [], cursor: "", selected: -1, listing: null, page: 0, imgURL: "" };

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

class APIError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || "HTTP " + status);
    this.status = status;
  }
}

// api calls the API with the key as a Bearer token. A 401 signs out.
async function api(path, opts = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + sessionStorage.getItem(KEY) }, opts.headers || {});
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  if (res.status === 401) { signOut("Your key was not accepted; sign in again."); throw new APIError(401, null); }
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    throw new APIError(res.status, body);
  }
  return res;
}

const json = async (path, opts) => (await api(path, opts)).json();

function scoreClass(s) { return s >= 0.7 ? "score high" : s >= 0.4 ? "score mid" : "score"; }
function pct(s) { return Math.round(s * 100) + "%"; }

// ---- sign in ----

function signOut(msg) {
  sessionStorage.removeItem(KEY);
  $("signin-error").textContent = msg || "";
  show("signin");
}

async function signIn(ev) {
  ev.preventDefault();
  const key = $("key").value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY, key);
  $("key").value = "";
  try {
    await start();
  } catch (e) {
    if (!(e instanceof APIError && e.status === 401)) $("signin-error").textContent = e.message;
  }
}

function show(view) {
  const signedIn = view !== "signin";
  $("nav").hidden = !signedIn;
  $("signout").hidden = !signedIn;
  for (const v of ["signin", "queue", "brands"]) $(v).hidden = v !== view;
  for (const b of document.querySelectorAll("button.tab")) {
    if (b.dataset.view === view) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
  }
  if (signedIn) state.view = view;
}

async function start() {
  const brands = (await json("/v1/brands")).items;
  fillBrandFilter(brands);
  show(state.view);
  if (state.view === "brands") await loadBrands(); else await loadQueue(false);
}

// ---- queue ----

function fillBrandFilter(brands) {
  const sel = $("f-brand"), cur = sel.value;
  sel.replaceChildren(el("option", { value: "" }, "all"));
  for (const b of brands) sel.append(el("option", { value: b.id }, b.name));
  sel.value = cur;
}

// queueLoads counts the queue's loads, so that a slow answer to an older
// one (signing in, then changing a filter at once) does not replace the
// newer one's items under the officer's pointer.
let queueLoads = 0;

async function loadQueue(more) {
  const load = ++queueLoads;
  // The list is busy until this load's answer is shown: assistive
  // technology (and the browser tests) wait for it, not for the items of
  // an earlier load.
  $("items").setAttribute("aria-busy", "true");
  $("queue-error").textContent = "";
  const q = new URLSearchParams({ limit: "50" });
  const min = $("f-min").value, brand = $("f-brand").value, platform = $("f-platform").value.trim(), status = $("f-status").value;
  if (min !== "") q.set("min_score", min);
  if (brand) q.set("brand_id", brand);
  if (platform) q.set("platform", platform);
  if (status) q.set("status", status);
  if (more && state.cursor) q.set("cursor", state.cursor);
  let page;
  try {
    page = await json("/v1/suspicions?" + q);
  } catch (e) {
    if (load !== queueLoads) return;
    $("items").setAttribute("aria-busy", "false");
    if (e.status !== 401) $("queue-error").textContent = e.message;
    return;
  }
  if (load !== queueLoads) return; // a newer load has started: its answer wins
  $("items").setAttribute("aria-busy", "false");
  if (!more) { state.items = []; state.selected = -1; $("items").replaceChildren(); $("detail").hidden = true; }
  const start = state.items.length;
  state.items.push(...page.items);
  state.cursor = page.next_cursor || "";
  page.items.forEach((s, i) => $("items").append(queueItem(s, start + i)));
  $("empty").hidden = state.items.length > 0;
  $("more").hidden = !state.cursor;
}

function queueItem(s, i) {
  const brands = (s.brands || []).map((b) => b.name).join(", ") || "no brand";
  const why = (s.reasons || [])[0] || "";
  const status = s.status && s.status !== "open" ? el("span", { class: "status " + s.status }, s.status) : "";
  const li = el("li", { "data-i": String(i), "aria-selected": "false" },
    el("span", { class: scoreClass(s.score) }, pct(s.score)),
    el("div", {},
      el("div", { class: "t" }, status, s.title || "(untitled)"),
      el("div", { class: "m" }, [brands, s.platform, s.seller, networkLabel(s.network)].filter(Boolean).join(" · ")),
      why ? el("div", { class: "m" }, why) : ""));
  li.addEventListener("click", () => select(i));
  return li;
}

async function select(i) {
  if (i < 0 || i >= state.items.length) return;
  state.selected = i;
  for (const li of $("items").children) li.setAttribute("aria-selected", String(li.dataset.i === String(i)));
  const li = $("items").children[i];
  if (li) li.scrollIntoView({ block: "nearest" });
  try {
    state.listing = await json("/v1/listings/" + encodeURIComponent(state.items[i].listing_id));
  } catch (e) {
    if (e.status !== 401) $("queue-error").textContent = e.message;
    return;
  }
  renderDetail(state.listing);
}

function renderDetail(l) {
  const an = l.analysis || { score: 0, signals: [], images: [] };
  $("detail").hidden = false;
  $("d-score").className = scoreClass(an.score);
  $("d-score").textContent = pct(an.score);
  $("d-title").textContent = l.title || "(untitled)";
  const price = l.price ? l.price + " " + (l.currency || "") : "";
  $("d-meta").textContent = [l.platform, l.seller && "seller " + l.seller, price, l.status].filter(Boolean).join(" · ");
  const a = $("d-url");
  a.hidden = !/^https?:\/\//.test(l.url || "");
  if (!a.hidden) a.href = l.url;
  $("r-note").value = "";
  $("review-error").textContent = "";
  renderReview(l);
  renderNetwork(l.network);
  const images = an.images || [];
  const pages = $("d-pages");
  pages.replaceChildren();
  if (images.length > 1) {
    images.forEach((im, n) => {
      const b = el("button", { type: "button", "aria-pressed": "false" }, "Photo " + (im.index + 1));
      b.addEventListener("click", () => showImage(n));
      pages.append(b);
    });
  }
  const list = $("d-signals");
  list.replaceChildren();
  for (const s of an.signals || []) {
    const where = s.image_index != null && images.length > 1 ? " (photo " + (s.image_index + 1) + ")" : "";
    const what = s.reason || [s.value, s.kind, s.source].filter(Boolean).join(", ");
    list.append(el("li", {}, s.bbox ? el("span", { class: "swatch " + boxClass(s) }) : "",
      el("strong", {}, s.type), " " + pct(s.confidence || 0) + where + (what ? ": " + what : "")));
  }
  if (!list.children.length) list.append(el("li", { class: "hint" }, "No signals."));
  $("d-figure").hidden = images.length === 0;
  if (images.length) showImage(0);
}

// networkLabel names a seller network of more than one seller, or "".
function networkLabel(n) {
  if (!n || n.sellers < 2) return "";
  return "network of " + n.sellers + " sellers";
}

// renderNetwork shows the size of the listing's seller network; its
// members and links load on demand.
function renderNetwork(n) {
  $("d-network").hidden = !n;
  $("d-network-body").hidden = true;
  $("d-network-members").replaceChildren();
  $("d-network-links").replaceChildren();
  if (!n) return;
  $("d-network-size").textContent = "Seller network: " + n.size + (n.size === 1 ? " listing" : " listings") +
    " by " + n.sellers + (n.sellers === 1 ? " seller" : " sellers") + ".";
  $("d-network-show").hidden = n.size < 2;
  $("d-network-show").dataset.id = n.id;
}

// showNetwork loads the open listing's network: what links its members,
// and the members with their scores.
async function showNetwork() {
  const id = $("d-network-show").dataset.id;
  let net;
  try {
    net = await json("/v1/networks/" + encodeURIComponent(id));
  } catch (e) {
    if (e.status !== 401) $("review-error").textContent = "Network: " + e.message;
    return;
  }
  const links = $("d-network-links");
  links.replaceChildren(...(net.links || []).map((k) =>
    el("li", {}, el("strong", {}, k.kind + " " + k.type), " " + k.value + " (" + k.listings.length + " listings)")));
  const members = $("d-network-members");
  members.replaceChildren(...(net.members || []).map((m) =>
    el("li", {}, el("span", { class: scoreClass(m.score) }, pct(m.score)), " ",
      [m.title || "(listing " + m.listing_id + ")", m.platform, m.seller].filter(Boolean).join(" · "))));
  if (net.truncated) members.append(el("li", { class: "hint" }, "… and " + (net.size - net.members.length) + " more"));
  $("d-network-body").hidden = false;
}

// renderReview shows the last decision on the listing.
function renderReview(l) {
  const r = l.review;
  $("d-review").textContent = r
    ? (r.decision === "dismiss" ? "Dismissed" : "Confirmed") + " by " + (r.by_name || r.by_key_id) + " on " +
      new Date(r.at).toLocaleString() + (r.note ? ": " + r.note : "")
    : "Not reviewed yet.";
}

// review confirms or dismisses the open listing with the note.
async function review(decision) {
  const l = state.listing;
  if (!l) return;
  $("review-error").textContent = "";
  let r;
  try {
    r = await json("/v1/listings/" + encodeURIComponent(l.id) + "/review", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ decision, note: $("r-note").value }),
    });
  } catch (e) {
    if (e.status !== 401) $("review-error").textContent = e.message;
    return;
  }
  l.review = r.review;
  $("r-note").value = "";
  renderReview(l);
  const i = state.items.findIndex((s) => s.listing_id === l.id);
  if (i >= 0) {
    state.items[i].status = r.status;
    const li = queueItem(state.items[i], i);
    li.setAttribute("aria-selected", String(i === state.selected));
    $("items").children[i].replaceWith(li);
  }
}

// downloadEvidence fetches the signed bundle with the key (a plain link
// cannot send it) and saves it.
async function downloadEvidence(ev) {
  ev.preventDefault();
  const l = state.listing;
  if (!l) return;
  $("review-error").textContent = "";
  try {
    const blob = await (await api("/v1/listings/" + encodeURIComponent(l.id) + "/evidence")).blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: "evidence-" + l.id + ".zip", hidden: "" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    if (e.status !== 401) $("review-error").textContent = "Evidence: " + e.message;
  }
}

function boxClass(s) { return s.type === "logo" ? "box logo" : "box"; }

// showImage loads photo n of the listing with the key (an <img src> cannot
// send it) and draws its boxes once its displayed size is known.
async function showImage(n) {
  const l = state.listing, im = l.analysis.images[n];
  state.page = n;
  for (const [k, b] of [...$("d-pages").children].entries()) b.setAttribute("aria-pressed", String(k === n));
  $("d-boxes").replaceChildren();
  $("d-caption").textContent = "";
  const img = $("d-img");
  try {
    const blob = await (await api("/v1/listings/" + encodeURIComponent(l.id) + "/images/" + im.index)).blob();
    if (state.listing !== l || state.page !== n) return;
    if (state.imgURL) URL.revokeObjectURL(state.imgURL);
    state.imgURL = URL.createObjectURL(blob);
    img.onload = drawBoxes;
    img.src = state.imgURL;
  } catch (e) {
    img.removeAttribute("src");
    $("d-caption").textContent = e.status === 404 ? "The photo was not captured." : e.message;
  }
}

// drawBoxes scales each bbox from original pixels to the displayed size.
function drawBoxes() {
  const l = state.listing, img = $("d-img");
  if (!l || !img.naturalWidth) return;
  const im = l.analysis.images[state.page];
  const sx = img.clientWidth / (im.width || img.naturalWidth);
  const sy = img.clientHeight / (im.height || img.naturalHeight);
  const boxes = $("d-boxes");
  boxes.style.width = img.clientWidth + "px";
  boxes.style.height = img.clientHeight + "px";
  boxes.replaceChildren();
  let n = 0;
  for (const s of l.analysis.signals || []) {
    if (!s.bbox || (s.image_index ?? 0) !== im.index) continue;
    const b = el("div", { class: boxClass(s), title: s.reason || s.type },
      el("span", {}, s.type + (s.value ? " " + s.value : "")));
    b.style.left = s.bbox.x * sx + "px";
    b.style.top = s.bbox.y * sy + "px";
    b.style.width = s.bbox.w * sx + "px";
    b.style.height = s.bbox.h * sy + "px";
    boxes.append(b);
    n++;
  }
  $("d-caption").textContent = n ? n + " marked region" + (n > 1 ? "s" : "") : "Nothing marked in this photo.";
}

// ---- brands ----

async function loadBrands() {
  $("brand-error").textContent = "";
  let brands;
  try {
    brands = (await json("/v1/brands")).items;
  } catch (e) {
    if (e.status !== 401) $("brand-error").textContent = e.message;
    return;
  }
  fillBrandFilter(brands);
  const list = $("brand-list");
  list.replaceChildren(...brands.map(brandCard));
  for (const b of brands) countLogos(b.id);
}

function brandCard(b) {
  const input = el("input", { type: "file", accept: "image/*", id: "file-" + b.id });
  const status = el("div", { class: "hint", id: "logos-" + b.id }, "…");
  const drop = el("div", { class: "drop", "data-brand": b.id },
    "Drop a logo here or ", el("label", { for: input.id }, "choose a file"), input);
  input.addEventListener("change", () => { if (input.files[0]) uploadLogo(b.id, input.files[0]); });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const f = e.dataTransfer.files[0];
    if (f) uploadLogo(b.id, f);
  });
  const aliases = (b.aliases || []).join(", ");
  return el("li", { class: "card" }, el("strong", {}, b.name), aliases ? el("div", { class: "hint" }, aliases) : "", status, drop);
}

async function countLogos(id) {
  try {
    const n = (await json("/v1/brands/" + encodeURIComponent(id) + "/logos")).items.length;
    $("logos-" + id).textContent = n + " reference logo" + (n === 1 ? "" : "s");
  } catch (e) {
    $("logos-" + id).textContent = e.message;
  }
}

async function uploadLogo(id, file) {
  const status = $("logos-" + id);
  status.textContent = "Uploading " + file.name + "…";
  const form = new FormData();
  form.append("image", file);
  try {
    await api("/v1/brands/" + encodeURIComponent(id) + "/logos", { method: "POST", body: form });
    await countLogos(id);
  } catch (e) {
    status.textContent = "Upload failed: " + e.message;
  }
}

async function createBrand(ev) {
  ev.preventDefault();
  const name = $("b-name").value.trim();
  const aliases = $("b-aliases").value.split(",").map((s) => s.trim()).filter(Boolean);
  try {
    await api("/v1/brands", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name, aliases }) });
    $("b-name").value = ""; $("b-aliases").value = "";
    await loadBrands();
  } catch (e) {
    if (e.status !== 401) $("brand-error").textContent = e.message;
  }
}

// ---- wiring ----

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", () => signOut(""));
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); loadQueue(false); });
  $("more").addEventListener("click", () => loadQueue(true));
  $("brand-form").addEventListener("submit", createBrand);
  $("review-form").addEventListener("submit", (e) => e.preventDefault());
  $("r-confirm").addEventListener("click", () => review("confirm"));
  $("r-dismiss").addEventListener("click", () => review("dismiss"));
  $("d-evidence").addEventListener("click", downloadEvidence);
  $("d-network-show").addEventListener("click", showNetwork);
  for (const b of document.querySelectorAll("button.tab")) {
    b.addEventListener("click", () => { show(b.dataset.view); if (b.dataset.view === "brands") loadBrands(); else loadQueue(false); });
  }
  window.addEventListener("resize", drawBoxes);
  document.addEventListener("keydown", (e) => {
    if (state.view !== "queue" || e.target.closest("input, select, textarea")) return;
    if (e.key === "j") select(Math.min(state.selected + 1, state.items.length - 1));
    if (e.key === "k") select(Math.max(state.selected - 1, 0));
  });
  if (sessionStorage.getItem(KEY)) start().catch((e) => { $("queue-error").textContent = e.message; });
  else show("signin");
});
