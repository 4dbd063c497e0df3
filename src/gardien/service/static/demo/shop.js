// Shows what the page has loaded and which cookies it can see; reopens the banner on demand.
(function () {
  function render() {
    document.getElementById("analytics-status").textContent = window.fakeAnalyticsLoaded ? "chargée" : "bloquée";
    document.getElementById("ads-status").textContent = window.fakeAdsLoaded ? "chargée" : "bloquée";
    document.getElementById("cookies").textContent = document.cookie.split(";").map(function (c) {
      return c.split("=")[0].trim();
    }).filter(Boolean).join(", ") || "(aucun)";
  }
  document.addEventListener("gardien:consent", render);
  document.addEventListener("demo:tracker", render);
  document.getElementById("choices").addEventListener("click", function () { window.Gardien.open(); });
  render();
})();
