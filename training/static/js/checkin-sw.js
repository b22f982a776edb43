/* Service worker of the check-in scanner (served as /checkin/sw.js, scope /checkin/).
 * Keeps the page shell and its assets so the scanner opens without network. The API is never cached: rosters
 * and the offline queue live in IndexedDB, managed by the page. */
"use strict";
var CACHE = "checkin-shell-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("checkin-shell-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "precache" && Array.isArray(data.urls)) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(data.urls.map(function (u) {
        return fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok) return cache.put(u, r); }).catch(function () {});
      }));
    }));
  }
});
self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (req.mode === "navigate" || url.pathname.indexOf("/checkin/") === 0) {
    // Network first (fresh page, fresh block list), the cached shell when the network is gone.
    event.respondWith(fetch(req).then(function (res) {
      if (res.ok && req.mode === "navigate" && url.pathname === "/checkin/scan") { // only the scanner shell
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(url.pathname, { ignoreSearch: true }).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return res;
      });
    }));
  }
});
