// A fake advertising tag: one cookie, as a conversion linker would set.
(function () {
  document.cookie = "_gcl_au=1.1.42.1700000000;path=/;max-age=" + 90 * 86400;
  window.fakeAdsLoaded = true;
  document.dispatchEvent(new CustomEvent("demo:tracker", {detail: "ads"}));
})();
