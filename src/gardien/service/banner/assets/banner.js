/*! Gardien cookie banner: no tracker before consent (CNIL 2020), proof kept by Gardien. */
(function (C) {
  "use strict";
  var d = document;
  var me = d.currentScript;
  var src = (me && me.src) || location.href;
  var api = new URL("banner/consent", src).href;
  var notice = new URL(C.noticeUrl || "notice", src).href; // relative to Gardien, not the site
  var lang = /^en/i.test(d.documentElement.lang) ? "en" : "fr";
  var T = C.texts[lang];
  var gpc = navigator.globalPrivacyControl === true;
  var asked = C.categories.filter(function (g) { return !g.exempt; });
  var free = {strictly_necessary: 1};
  C.categories.forEach(function (g) { if (g.exempt && !asked.some(function (a) { return a.id === g.id; })) free[g.id] = 1; });
  var root, dialog, panel, third, status, reopen, toggles = {};

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  // The stored choice: {id, r: revision, d: date (ms), c: {category: 0|1}}.
  function parse() {
    var m = d.cookie.match(new RegExp("(?:^|;\\s*)" + C.cookieName + "=([^;]*)"));
    if (!m) return null;
    try { return JSON.parse(decodeURIComponent(m[1])); } catch (e) { return null; }
  }

  // Valid only for the same consent revision and for validityMonths (CNIL: about 6 months).
  function valid(v) {
    if (!v || v.r !== C.consentRevision || !v.c) return false;
    var until = new Date(v.d);
    until.setMonth(until.getMonth() + C.validityMonths);
    return until > new Date();
  }

  function write(v) {
    d.cookie = C.cookieName + "=" + encodeURIComponent(JSON.stringify(v)) + ";path=/;max-age=" +
      C.validityMonths * 31 * 86400 + ";samesite=lax" + (location.protocol === "https:" ? ";secure" : "");
  }

  function newId() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  function allowed(cat, c) { return !!free[cat] || !!(c && c[cat]); }

  // Blocked scripts are <script type="text/plain" data-gardien-category="...">: cloned into
  // real scripts once their category is allowed. Embeds and pixels (<iframe>, <img>) wait with
  // data-gardien-src instead of src.
  function activate(c) {
    d.querySelectorAll("[data-gardien-category][data-gardien-src]").forEach(function (el) {
      if (!allowed(el.getAttribute("data-gardien-category"), c)) return;
      el.setAttribute("src", el.getAttribute("data-gardien-src"));
      el.removeAttribute("data-gardien-src");
    });
    d.querySelectorAll('script[type="text/plain"][data-gardien-category]').forEach(function (old) {
      if (!allowed(old.getAttribute("data-gardien-category"), c)) return;
      var s = d.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) { if (a.name !== "type") s.setAttribute(a.name, a.value); });
      s.type = old.getAttribute("data-gardien-type") || "text/javascript";
      if (!old.hasAttribute("async")) s.async = false;
      s.text = old.text;
      old.parentNode.replaceChild(s, old);
    });
  }

  function pattern(p) {
    return new RegExp("^" + p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/<[^>]*>/g, ".+") + "$");
  }

  // Seed 002 §1.5: "Les cookies existants seront supprimés" (here and on parent domains, path /).
  function erase(cat) {
    var res = [];
    asked.forEach(function (g) { if (g.id === cat) res = res.concat(g.patterns.map(pattern)); });
    var host = location.hostname, parts = host.split("."), doms = [""];
    if (!/^[\d.]+$/.test(host) && host.indexOf(":") < 0) {
      for (var i = 0; i < parts.length - 1; i++) doms.push(";domain=" + parts.slice(i).join("."));
    }
    var names = d.cookie.split(";").map(function (s) { return s.split("=")[0].trim(); })
      .filter(function (n) { return n && res.some(function (r) { return r.test(n); }); });
    names.forEach(function (n) {
      doms.forEach(function (dm) { d.cookie = n + "=;path=/;max-age=0" + dm; });
    });
    return names;
  }

  function apply(v, button, post) {
    write(v);
    var removed = [];
    asked.forEach(function (g) { if (!v.c[g.id]) removed = removed.concat(erase(g.id)); });
    activate(v.c);
    hide();
    status.textContent = T.saved;
    d.dispatchEvent(new CustomEvent("gardien:consent", {detail: {choices: v.c, removed: removed, button: button}}));
    if (post) send(v, button);
  }

  function send(v, button) {
    var choices = {};
    asked.forEach(function (g) { choices[g.id] = !!v.c[g.id]; });
    fetch(api, {
      method: "POST", mode: "cors", credentials: "omit", keepalive: true,
      headers: {"Content-Type": "text/plain"},
      body: JSON.stringify({
        cookie_id: v.id, choices: choices, button: button, consent_revision: C.consentRevision,
        page_url: location.origin + location.pathname, gpc: gpc, language: lang
      })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
      // The server may narrow the choice (Sec-GPC header): keep what it recorded.
      if (!j || !j.choices) return;
      var narrowed = asked.some(function (g) { return !!v.c[g.id] !== j.choices[g.id]; });
      if (!narrowed) return;
      asked.forEach(function (g) { v.c[g.id] = j.choices[g.id] ? 1 : 0; });
      apply(v, button, false);
    }).catch(function () { return null; });
  }

  function choose(button) {
    var prev = parse(), c = {};
    asked.forEach(function (g) {
      var on = button === "accept_all" ? !(gpc && C.gpcRefuses.indexOf(g.id) >= 0)
        : button === "customize" && toggles[g.id].checked;
      c[g.id] = on ? 1 : 0;
    });
    apply({id: (prev && /^[0-9a-f]{32}$/.test(prev.id) && prev.id) || newId(), r: C.consentRevision, d: Date.now(), c: c}, button, true);
  }

  function cookieTable(t) {
    if (!t.cookies.length) return "";
    return "<details><summary>" + esc(T.cookies) + " (" + t.cookies.length + ")</summary><table><tr><th>" +
      esc(T.cookies) + "</th><th>" + esc(T.provider) + "</th><th>" + esc(T.lifetime) + "</th></tr>" +
      t.cookies.map(function (k) {
        return "<tr><td>" + esc(k[0]) + (k[3] ? "<br>" + esc(k[3]) : "") + "</td><td>" + esc(k[1]) + "</td><td>" + esc(k[2]) + "</td></tr>";
      }).join("") + "</table></details>";
  }

  function purposes(t) {
    return t.purposes.length ? "<ul>" + t.purposes.map(function (p) { return "<li>" + esc(p) + "</li>"; }).join("") + "</ul>" : "";
  }

  function build() {
    var host = d.createElement("div");
    host.id = "gardien-consent";
    root = host.attachShadow({mode: "open"});
    var cats = asked.map(function (g) { return g.text[lang].label.toLowerCase(); }).join(", ");
    var intro = esc(T.intro).replace("{controller}", esc(C.controller)).replace("{purposes}", esc(cats))
      .replace("{months}", C.validityMonths);
    root.innerHTML = "<style>" + C.css + "</style>" +
      '<div class="d" role="dialog" aria-labelledby="gt" aria-describedby="gi" tabindex="-1" hidden>' +
      '<h2 id="gt">' + esc(T.title) + "</h2>" +
      '<p id="gi">' + intro + ' <a href="' + esc(notice) + '">' + esc(T.notice) + "</a></p>" +
      (gpc ? "<p>" + esc(T.gpc) + "</p>" : "") +
      '<div class="p" hidden>' +
      asked.map(function (g) {
        var t = g.text[lang];
        return '<div class="c"><label><input type="checkbox" role="switch" data-c="' + esc(g.id) + '"> ' +
          esc(t.label) + "</label>" + purposes(t) + cookieTable(t) + "</div>";
      }).join("") +
      C.categories.filter(function (g) { return g.exempt; }).map(function (g) {
        var t = g.text[lang];
        return '<div class="c"><strong>' + esc(t.label) + '</strong> · <span class="on">' + esc(T.always) +
          "</span><p>" + esc(T.exempt) + "</p>" + purposes(t) + cookieTable(t) + "</div>";
      }).join("") +
      "</div>" +
      '<div class="a"><button type="button" class="b" data-a="accept_all">' + esc(T.accept) + "</button>" +
      '<button type="button" class="b" data-a="refuse_all">' + esc(T.refuse) + "</button>" +
      '<button type="button" class="b" data-a="customize" aria-expanded="false">' + esc(T.customize) + "</button></div></div>" +
      '<button type="button" class="r" hidden>' + esc(T.reopen) + "</button>" +
      '<div class="s" role="status" aria-live="polite"></div>';
    dialog = root.querySelector(".d");
    panel = root.querySelector(".p");
    third = root.querySelector('[data-a="customize"]');
    status = root.querySelector(".s");
    reopen = root.querySelector(".r");
    root.querySelectorAll("input[data-c]").forEach(function (i) { toggles[i.getAttribute("data-c")] = i; });
    root.querySelectorAll(".a .b").forEach(function (b) {
      b.addEventListener("click", function () {
        var a = b.getAttribute("data-a");
        if (a === "customize" && panel.hidden) open(true); else choose(a);
      });
    });
    reopen.addEventListener("click", function () { show(true); });
    d.body.appendChild(host);
  }

  function open(yes) {
    panel.hidden = !yes;
    third.textContent = yes ? T.save : T.customize;
    third.setAttribute("aria-expanded", String(yes));
  }

  // Show the choices; the toggles start off (or as last chosen), never pre-ticked.
  function show(details) {
    var v = parse(), c = valid(v) ? v.c : {};
    asked.forEach(function (g) { toggles[g.id].checked = !!c[g.id]; });
    open(!!details);
    reopen.hidden = true;
    dialog.hidden = false;
    dialog.focus();
  }

  function hide() {
    dialog.hidden = true;
    reopen.hidden = false;
  }

  function init() {
    build();
    var v = parse();
    if (valid(v)) { activate(v.c); reopen.hidden = !asked.length; return; }
    activate(null);
    if (asked.length) show(false);
  }

  window.Gardien = {
    asked: asked.map(function (g) { return g.id; }),
    open: function () { show(true); },
    choices: function () { var v = parse(); return valid(v) ? v.c : null; }
  };
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", init); else init();
})(__GARDIEN_CONFIG__);
