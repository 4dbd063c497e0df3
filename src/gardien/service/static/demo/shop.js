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
  if (window.Gardien && !window.Gardien.asked.length) {
    // The policy in force declares no cookie that needs consent: no banner to show.
    document.getElementById("choices").insertAdjacentText(
      "afterend", " La politique en vigueur ne déclare aucun cookie soumis au consentement : aucun bandeau n'est nécessaire.");
  }
  render();
})();
