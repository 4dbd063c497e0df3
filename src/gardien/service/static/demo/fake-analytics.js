// A fake audience-measurement tag. Like the real ones it writes its cookie on the widest domain
// that accepts it, which is why withdrawal must delete on parent domains too.
(function () {
  var host = location.hostname, parts = host.split("."), year = 400 * 86400;
  var placed = false;
  if (!/^[\d.]+$/.test(host)) {
    for (var i = parts.length - 2; i >= 0 && !placed; i--) {
      document.cookie = "_ga=GA1.1.42.1700000000;path=/;max-age=" + year + ";domain=" + parts.slice(i).join(".");
      placed = document.cookie.indexOf("_ga=") >= 0;
    }
  }
  if (!placed) document.cookie = "_ga=GA1.1.42.1700000000;path=/;max-age=" + year;
  document.cookie = "_ga_DEMO=GS1.1.1700000000;path=/;max-age=" + year;
  window.fakeAnalyticsLoaded = true;
  document.dispatchEvent(new CustomEvent("demo:tracker", {detail: "analytics"}));
})();
