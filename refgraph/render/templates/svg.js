"use strict";
// Shows or hides the hidden edges of an SVG page when the checkbox changes.
(function () {
  var toggle = document.getElementById("show-hidden-edges");
  if (!toggle) {
    return;
  }

  function showHiddenEdges() {
    document.body.classList.toggle("show-hidden-edges", toggle.checked);
  }
  toggle.addEventListener("change", showHiddenEdges);
  // A browser may restore the checkbox state on reload.
  showHiddenEdges();
})();
