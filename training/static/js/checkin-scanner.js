/* The check-in scanner: camera (BarcodeDetector), handheld scanners and typed codes; works offline.
 *
 * Online, each scan is redeemed by the server (POST /api/v1/checkin/redeem). When the network is gone the
 * block's roster (downloaded when the block is opened, kept in IndexedDB) decides locally with the same rules as
 * training/checkin/status.py; accepted scans are queued in IndexedDB with a client id and their scan time, shown
 * as "pending sync", and uploaded through /api/v1/checkin/batch when the network returns (exactly once: the
 * server is idempotent by client id). */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) return;
  var M = JSON.parse(root.getAttribute("data-messages") || "{}");
  var $ = function (id) { return document.getElementById(id); };
  var sessionSelect = $("pick-session"), blockSelect = $("pick-block"), input = $("code");
  var state = { blockId: null, roster: null, byT: {}, byM: {}, counts: null, recent: {}, online: navigator.onLine };
  var GOOD = { ok: 1 };
  var WARN = { already_checked_in: 1, outside_window: 1 };

  function fmt(text, params) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_, k) { return params[k] == null ? "" : params[k]; });
  }
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function deviceId() {
    var id = localStorage.getItem("checkin-device");
    if (!id) { id = "d-" + uuid().slice(0, 12); localStorage.setItem("checkin-device", id); }
    return id;
  }
  function localClock(date) { // HH:MM:SS in Asia/Shanghai: compared with the block's check-in window
    return new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(date);
  }
  function localDay(date) { // YYYY-MM-DD in Asia/Shanghai, where the blocks' days are
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
  }
  function localTime(iso) {
    if (!iso) return "";
    return new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
  }
  function normalize(raw) { return String(raw || "").replace(/\s+/g, "").replace(/-/g, "").toUpperCase(); }
  function kind(code) {
    if (code.length === 22 && code.indexOf("TC") === 0) return "token";
    return code.length === 8 ? "manual" : "unknown";
  }

  // ---- IndexedDB: the queue of offline scans and the rosters -------------------------------------------------
  var dbPromise = null;
  function idb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open("checkin", 1);
        req.onupgradeneeded = function () {
          var db = req.result;
          if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "client_id" });
          if (!db.objectStoreNames.contains("rosters")) db.createObjectStore("rosters", { keyPath: "block_id" });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function tx(store, mode, work) {
    return idb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), s = t.objectStore(store), out = work(s);
        t.oncomplete = function () { resolve(out && "result" in out ? out.result : undefined); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  var queueAll = function () { return tx("queue", "readonly", function (s) { return s.getAll(); }); };
  var queuePut = function (item) { return tx("queue", "readwrite", function (s) { s.put(item); }); };
  var queueDelete = function (id) { return tx("queue", "readwrite", function (s) { s.delete(id); }); };
  var rosterPut = function (r) { return tx("rosters", "readwrite", function (s) { s.put(r); }); };
  var rosterGet = function (id) { return tx("rosters", "readonly", function (s) { return s.get(id); }); };
  function purgeOldRosters() { // names stay on the phone only while they are useful
    var cutoff = localDay(new Date(Date.now() - 2 * 86400000));
    return tx("rosters", "readwrite", function (s) {
      var req = s.openCursor();
      req.onsuccess = function () {
        var cur = req.result;
        if (!cur) return;
        if (cur.value.block && cur.value.block.day < cutoff) cur.delete();
        cur.continue();
      };
    }).catch(function () {});
  }

  // ---- digests (same as status.roster_digest) -----------------------------------------------------------------
  function digest(salt, code) {
    var bytes = new TextEncoder().encode(salt + "|" + code);
    return crypto.subtle.digest("SHA-256", bytes).then(function (buf) {
      var raw = String.fromCharCode.apply(null, new Uint8Array(buf).slice(0, 16));
      return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    });
  }

  // ---- feedback -------------------------------------------------------------------------------------------------
  var audio = null;
  function beep(good) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = good ? [[880, 0, 0.12]] : [[220, 0, 0.18], [220, 0.25, 0.18]];
      tones.forEach(function (t) {
        var o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = t[0]; o.type = good ? "sine" : "square"; g.gain.value = 0.2;
        o.connect(g); g.connect(audio.destination);
        o.start(audio.currentTime + t[1]); o.stop(audio.currentTime + t[1] + t[2]);
      });
    } catch (e) { /* no audio: the colour and vibration still tell */ }
    if (navigator.vibrate) navigator.vibrate(good ? 80 : [200, 100, 200]);
  }
  function show(result, pending) {
    var box = $("result"), status = result.status;
    box.className = "result " + (GOOD[status] ? (pending ? "result-pending" : "result-ok") : WARN[status] ? "result-warn" : "result-bad");
    $("result-title").textContent = (M[status] || status) + (pending ? " · " + M.pending_sync : "");
    $("result-name").textContent = result.name || "";
    var detail = [result.county, result.school].filter(Boolean).join(" · ");
    if (status === "already_checked_in") detail = fmt(M.already_detail, { time: result.at_local || localTime(result.at), by: result.by }) + (detail ? " · " + detail : "");
    if (status === "outside_window") detail = fmt(M.window_detail, { window: result.window || "" });
    $("result-detail").textContent = detail;
    box.setAttribute("data-status", status);
    beep(!!GOOD[status]);
  }
  function addRecent(clientId, result, pending) {
    var li = document.createElement("li"), who = document.createElement("span"), st = document.createElement("span");
    who.className = "who"; st.className = "state badge " + (GOOD[result.status] ? (pending ? "warn" : "ok") : "bad");
    who.textContent = (result.name || "—") + " " + (localTime(result.at) || "");
    st.textContent = pending ? M.pending_sync : (M[result.status] || result.status);
    li.setAttribute("data-client-id", clientId);
    li.appendChild(who); li.appendChild(st);
    var list = $("recent"); list.insertBefore(li, list.firstChild);
    while (list.children.length > 30) list.removeChild(list.lastChild);
    state.recent[clientId] = st;
  }
  function markRecent(clientId, result) {
    var st = state.recent[clientId];
    if (!st) return;
    if (result.status === "ok") { st.textContent = M.synced; st.className = "state badge ok"; }
    else {
      st.textContent = result.status === "already_checked_in"
        ? M.conflict + " (" + fmt(M.already_detail, { time: result.at_local, by: result.by }) + ")"
        : (M[result.status] || result.status);
      st.className = "state badge bad";
    }
  }
  function renderCount() {
    if (!state.counts) { $("count").textContent = ""; return; }
    $("count").textContent = fmt(M.count, { checked: state.counts.checked_in, expected: state.counts.expected });
  }
  function setOnline(on) {
    state.online = on;
    var net = $("net");
    net.textContent = on ? M.online : M.offline;
    net.className = "badge " + (on ? "online" : "offline");
  }
  function renderPending() {
    return queueAll().then(function (items) {
      var mine = items.length, el = $("pending");
      el.textContent = mine + " " + M.pending_sync;
      el.classList.toggle("hidden", mine === 0);
      return items;
    });
  }

  // ---- network ----------------------------------------------------------------------------------------------------
  function api(method, url, body, timeoutMs) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, timeoutMs || 6000) : null;
    return fetch(url, {
      method: method, credentials: "same-origin", signal: ctl ? ctl.signal : undefined,
      headers: { "content-type": "application/json", "x-csrftoken": cookie("csrftoken") },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      if (timer) clearTimeout(timer);
      if (r.status >= 500 || r.status === 0) throw new Error("server " + r.status);
      return r.json().then(function (data) { if (!r.ok) { var e = new Error(data.error || r.status); e.http = r.status; throw e; } return data; });
    }, function (err) { if (timer) clearTimeout(timer); err.network = true; throw err; });
  }

  // ---- the roster ---------------------------------------------------------------------------------------------
  function indexRoster(roster) {
    state.roster = roster; state.byT = {}; state.byM = {};
    roster.entries.forEach(function (e) { state.byT[e.t] = e; state.byM[e.m] = e; });
    return queueAll().then(function (items) { // scans not yet uploaded still count on this phone
      items.forEach(function (q) { if (q.block_id === roster.block.id && q.entry_id) {
        roster.entries.forEach(function (e) { if (e.id === q.entry_id && !e.at) { e.at = q.scanned_at; e.by = q.by; } });
      } });
      var expected = 0, checked = 0;
      roster.entries.forEach(function (e) { if (e.status === "confirmed") expected++; if (e.at) checked++; });
      if (!state.online || !state.counts || state.counts.block_id !== roster.block.id) state.counts = { block_id: roster.block.id, checked_in: checked, expected: expected };
      renderCount();
      $("roster-state").textContent = fmt(M.roster_loaded, { n: roster.entries.length, time: localTime(roster.generated_at) });
    });
  }
  function loadBlock(blockId) {
    state.blockId = blockId; state.roster = null; state.counts = null; renderCount();
    var link = $("corrections-link");
    if (link) { link.href = blockId ? "/checkin/blocks/" + blockId + "/attendance" : "#"; link.classList.toggle("hidden", !blockId); }
    if (!blockId) { $("roster-state").textContent = M.choose_block; return Promise.resolve(); }
    localStorage.setItem("checkin-block", String(blockId));
    return api("GET", "/api/v1/checkin/blocks/" + blockId + "/roster").then(function (roster) {
      roster.block_id = blockId;
      return rosterPut(roster).then(function () { return indexRoster(roster); }).then(refreshCounts);
    }, function () {
      return rosterGet(blockId).then(function (saved) {
        if (saved) return indexRoster(saved);
        $("roster-state").textContent = M.roster_failed;
      });
    });
  }
  function refreshCounts() {
    if (!state.blockId) return Promise.resolve();
    var id = state.blockId;
    return api("GET", "/api/v1/checkin/blocks/" + id + "/counts").then(function (c) {
      if (id === state.blockId) { state.counts = c; renderCount(); setOnline(true); }
    }, function (err) { if (err.network) setOnline(false); });
  }

  function localVerdict(code, confirmed) {
    var roster = state.roster;
    if (!roster) return Promise.resolve({ status: "invalid" });
    var k = kind(code);
    if (k === "unknown") return Promise.resolve({ status: "invalid" });
    if (roster.block.cancelled || roster.block.day !== localDay(new Date())) return Promise.resolve({ status: "wrong_block" });
    return digest(roster.salt, code).then(function (d) {
      var e = k === "token" ? state.byT[d] : state.byM[d];
      // Not on this block's list: offline the signature cannot be checked (the key stays on the server), so an
      // altered code and an unknown one read alike, "invalid", the server's verdict for an altered code.
      if (!e) return { status: "invalid" };
      var base = { name: e.name, county: e.county, school: e.school, entry: e };
      var map = { cancelled: "cancelled", waitlisted: "waitlisted", pending: "unapproved", nominated: "unapproved", rejected: "rejected" };
      if (e.status !== "confirmed") return Object.assign(base, { status: map[e.status] || "invalid" });
      if (e.at) return Object.assign(base, { status: "already_checked_in", at: e.at, by: e.by });
      var b = roster.block, now = localClock(new Date());
      if (!confirmed && b.window_opens && (now < b.window_opens + ":00" || now > b.window_closes + ":59")) {
        return Object.assign(base, { status: "outside_window", window: b.window_opens + "–" + b.window_closes });
      }
      return Object.assign(base, { status: "ok" });
    });
  }

  function offlineScan(code, clientId, scannedAt, confirmed) {
    return localVerdict(code, confirmed).then(function (v) {
      if (v.status === "outside_window") { show(v, false); askWindow(v, code, clientId, scannedAt); return; }
      if (v.status !== "ok") { show(v, false); addRecent(clientId, v, false); return; }
      var me = root.getAttribute("data-me") || "";
      v.entry.at = scannedAt; v.entry.by = me;
      var item = { client_id: clientId, code: code, block_id: state.blockId, scanned_at: scannedAt, device_id: deviceId(), entry_id: v.entry.id, by: me, confirm_outside_window: !!confirmed };
      return queuePut(item).then(function () {
        v.at = scannedAt; show(v, true); addRecent(clientId, v, true);
        if (state.counts) { state.counts.checked_in++; renderCount(); }
        return renderPending();
      });
    });
  }

  // A scan outside the block's check-in window is recorded only once staff confirm it: the same scan (same
  // client id and time) is sent again with confirm_outside_window, and the server audits who confirmed.
  function hideWindow() { $("window-confirm").classList.add("hidden"); state.pendingWindow = null; }
  function askWindow(result, code, clientId, scannedAt) {
    state.pendingWindow = { code: code, clientId: clientId, scannedAt: scannedAt };
    $("window-text").textContent = fmt(M.outside_detail, { window: result.window || "" });
    $("window-confirm").classList.remove("hidden");
    $("window-yes").focus();
  }
  $("window-yes").addEventListener("click", function () {
    var p = state.pendingWindow; hideWindow();
    if (p) send(p.code, p.clientId, p.scannedAt, true);
    input.focus();
  });
  $("window-no").addEventListener("click", function () {
    var p = state.pendingWindow; hideWindow();
    if (p) addRecent(p.clientId, { status: "outside_window", name: $("result-name").textContent }, false);
    $("result").className = "result result-idle"; $("result-title").textContent = M.waiting;
    $("result-name").textContent = ""; $("result-detail").textContent = "";
    input.focus();
  });

  function submit(raw) {
    var code = normalize(raw);
    if (!code) return Promise.resolve();
    if (!state.blockId) { $("result-title").textContent = M.choose_block; return Promise.resolve(); }
    hideWindow();
    return send(code, uuid(), new Date().toISOString(), false);
  }
  function send(code, clientId, scannedAt, confirmed) {
    var body = { code: code, block_id: state.blockId, client_id: clientId, device_id: deviceId(), scanned_at: scannedAt, confirm_outside_window: confirmed };
    if (!navigator.onLine) { setOnline(false); return offlineScan(code, clientId, scannedAt, confirmed); }
    return api("POST", "/api/v1/checkin/redeem", body, 5000).then(function (r) {
      setOnline(true);
      show(r, false);
      if (r.status === "outside_window") { askWindow(r, code, clientId, scannedAt); return; }
      addRecent(clientId, r, false);
      if (r.status === "ok" && !r.replayed && state.counts) { state.counts.checked_in++; renderCount(); }
      if (state.roster && r.enrollment_id && (r.status === "ok" || r.status === "already_checked_in")) {
        state.roster.entries.forEach(function (e) { if (e.id === r.enrollment_id && !e.at) { e.at = r.at; e.by = r.by; } });
      }
    }, function (err) {
      if (err.http === 401) { // log-in expired mid-shift: keep scanning locally, send after logging in again
        $("roster-state").textContent = M.login_expired;
        return offlineScan(code, clientId, scannedAt, confirmed);
      }
      if (!err.network && err.http) { show({ status: "invalid" }, false); return; }
      setOnline(false);
      return offlineScan(code, clientId, scannedAt, confirmed);
    });
  }

  var flushing = false;
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    return queueAll().then(function (items) {
      if (!items.length) return;
      var batch = items.slice(0, 200);
      var scans = batch.map(function (q) { return { code: q.code, block_id: q.block_id, client_id: q.client_id, device_id: q.device_id, scanned_at: q.scanned_at, confirm_outside_window: !!q.confirm_outside_window }; });
      return api("POST", "/api/v1/checkin/batch", { device_id: deviceId(), scans: scans }, 15000).then(function (answer) {
        setOnline(true);
        return answer.results.reduce(function (p, r) {
          return p.then(function () { markRecent(r.client_id, r); return queueDelete(r.client_id); });
        }, Promise.resolve()).then(function () { return refreshCounts(); });
      }, function (err) { if (err.network) setOnline(false); });
    }).then(renderPending).then(function () { flushing = false; }, function () { flushing = false; });
  }

  // ---- camera -------------------------------------------------------------------------------------------------
  var camera = { stream: null, timer: null, last: "", lastAt: 0 };
  function stopCamera() {
    if (camera.timer) clearInterval(camera.timer);
    if (camera.stream) camera.stream.getTracks().forEach(function (t) { t.stop(); });
    camera.stream = null; $("camera-video").classList.add("hidden");
  }
  function startCamera() {
    var video = $("camera-video");
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      camera.stream = stream; video.srcObject = stream; video.classList.remove("hidden"); video.play();
      camera.timer = setInterval(function () {
        if (video.readyState < 2) return;
        detector.detect(video).then(function (codes) {
          if (!codes.length) return;
          var value = codes[0].rawValue, now = Date.now();
          if (value === camera.last && now - camera.lastAt < 3000) return; // the same QR held in view
          camera.last = value; camera.lastAt = now;
          submit(value);
        }).catch(function () {});
      }, 200);
    }, function () { $("camera-note").textContent = M.camera_failed; $("camera-note").classList.remove("hidden"); });
  }

  // ---- wiring -----------------------------------------------------------------------------------------------------
  function preselectByClock() {
    // The page may come from the service worker's cache, drawn on another day: pick the block running now
    // (from an hour before it starts), else the next one today, as the server does (service.current_block_id).
    var selected = blockSelect.selectedOptions[0], today = localDay(new Date());
    if (selected && selected.getAttribute("data-day") === today) return;
    var now = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date());
    var best = null;
    Array.prototype.forEach.call(blockSelect.options, function (o) {
      if (best || o.disabled || o.getAttribute("data-day") !== today) return;
      var start = o.getAttribute("data-start"), end = o.getAttribute("data-end");
      var h = Number(start.slice(0, 2)) - 1, opens = (h < 0 ? "00" : (h < 10 ? "0" : "") + h) + start.slice(2);
      if ((opens <= now && now <= end) || now < start) best = o;
    });
    if (best) {
      best.selected = true;
      sessionSelect.value = best.getAttribute("data-session");
    }
  }

  function filterBlocks() {
    var sid = sessionSelect.value, first = null;
    Array.prototype.forEach.call(blockSelect.options, function (o) {
      var mine = o.getAttribute("data-session") === sid;
      o.hidden = !mine;
      if (mine && !o.disabled && first === null) first = o;
    });
    var current = blockSelect.selectedOptions[0];
    if (!current || current.hidden) { if (first) first.selected = true; }
  }
  // The block chosen by hand today is kept across reloads (the cached page, drawn earlier, preselects another).
  function rememberChoice() {
    try { localStorage.setItem("checkin-choice", JSON.stringify({ block: blockSelect.value, day: localDay(new Date()) })); } catch (e) {}
  }
  function restoreChoice() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem("checkin-choice") || "null"); } catch (e) { saved = null; }
    if (!saved || saved.day !== localDay(new Date())) return;
    Array.prototype.forEach.call(blockSelect.options, function (o) {
      if (o.value === String(saved.block) && !o.disabled) {
        o.selected = true;
        sessionSelect.value = o.getAttribute("data-session");
      }
    });
  }
  sessionSelect.addEventListener("change", function () { filterBlocks(); rememberChoice(); loadBlock(Number(blockSelect.value) || null); });
  blockSelect.addEventListener("change", function () { rememberChoice(); loadBlock(Number(blockSelect.value) || null); input.focus(); });
  $("scan-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var value = input.value; input.value = ""; input.focus();
    submit(value);
  });
  $("pick").addEventListener("submit", function (ev) { ev.preventDefault(); });
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    $("camera-toggle").addEventListener("click", function () { if (camera.stream) stopCamera(); else startCamera(); });
  } else {
    $("camera-toggle").classList.add("hidden");
    $("camera-note").textContent = M.camera_unsupported; $("camera-note").classList.remove("hidden");
  }
  window.addEventListener("online", function () { setOnline(true); flush(); });
  window.addEventListener("offline", function () { setOnline(false); });
  setInterval(function () { if (navigator.onLine) { flush(); refreshCounts(); } }, 15000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "/checkin/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var urls = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]").forEach(function (el) {
        urls.push(el.getAttribute("href") || el.getAttribute("src"));
      });
      if (reg.active) reg.active.postMessage({ type: "precache", urls: urls });
      root.setAttribute("data-sw-ready", "1");
    }).catch(function () {});
  }

  setOnline(navigator.onLine);
  purgeOldRosters();
  preselectByClock();
  restoreChoice();
  filterBlocks();
  function showQueued(items) { // after a reload: scans still waiting for the network are listed again
    items.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; }).forEach(function (q) {
      var name = "";
      if (state.roster) state.roster.entries.forEach(function (e) { if (e.id === q.entry_id) name = e.name; });
      addRecent(q.client_id, { status: "ok", name: name, at: q.scanned_at }, true);
    });
  }

  loadBlock(Number(blockSelect.value) || null).then(renderPending).then(showQueued).then(function () {
    root.setAttribute("data-ready", "1");
    if (navigator.onLine) flush();
  });
  input.focus();
})();
