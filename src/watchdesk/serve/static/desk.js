/* Small, dependable behaviour: the clean/raw toggle and the evidence sentence highlight. */
(function () {
  "use strict";
  var toggles = document.querySelectorAll(".view-toggle .toggle");
  Array.prototype.forEach.call(toggles, function (button) {
    button.addEventListener("click", function () {
      var view = button.getAttribute("data-view");
      Array.prototype.forEach.call(toggles, function (b) {
        var on = b === button;
        b.classList.toggle("on", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
      document.getElementById("view-clean").hidden = view !== "clean";
      document.getElementById("view-raw").hidden = view !== "raw";
    });
  });
  function showTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!/^s-\d+$/.test(id)) return;
    var el = document.getElementById(id);
    if (!el) return;
    var old = document.querySelectorAll(".flash-target");
    Array.prototype.forEach.call(old, function (o) { o.classList.remove("flash-target"); });
    el.classList.add("flash-target");
    el.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", showTarget);
  showTarget();
  // the browser's own jump to the fragment comes after this script: centre the sentence once more then
  window.addEventListener("load", function () { window.requestAnimationFrame(showTarget); });
})();
