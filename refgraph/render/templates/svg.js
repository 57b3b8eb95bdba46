"use strict";
// Offers the static SVG drawing to page.js as window.refgraphView. The drawing
// itself needs no script: this only moves CSS classes and scroll positions.
(function () {
  var data = JSON.parse(document.getElementById("refgraph-data").textContent);
  var info = data.page;
  var container = document.querySelector(".graph-svg");
  var nodes = document.querySelectorAll("svg#graph a.node");
  var lines = {};
  document.querySelectorAll("svg#graph g.edge").forEach(function (line) {
    lines[line.getAttribute("data-edge")] = line;
  });
  var selected = null;

  // Scrolls the drawing so that a node sits in the middle of the visible part.
  function scrollToNode(index, behavior) {
    var element = nodes[index];
    if (!element || !container) {
      return;
    }
    var box = element.getBoundingClientRect();
    var outer = container.getBoundingClientRect();
    container.scrollBy({
      left: box.left + box.width / 2 - (outer.left + outer.width / 2),
      top: box.top + box.height / 2 - (outer.top + outer.height / 2),
      behavior: behavior,
    });
  }

  function onChosenChain(numbers, chosen) {
    return numbers.some(function (number) { return chosen.indexOf(number) !== -1; });
  }

  window.refgraphView = {
    // Set by page.js. Clicks on SVG nodes arrive through page.js's link handler instead.
    onNodeClick: null,

    select: function (index) {
      if (selected) {
        selected.classList.remove("selected");
      }
      selected = nodes[index];
      selected.classList.add("selected");
    },

    focus: function (index) {
      container.scrollIntoView({ block: "nearest" });
      scrollToNode(index, "smooth");
    },

    highlightChains: function (numbers) {
      nodes.forEach(function (element, index) {
        element.classList.toggle("chain-on", onChosenChain(info.nodes[index].chains, numbers));
      });
      info.edges.forEach(function (edge) {
        lines[edge.id].classList.toggle("chain-on", onChosenChain(edge.chains, numbers));
      });
    },

    showChain: function (number) {
      var chain = info.chains[number - 1].nodes;
      scrollToNode(chain[Math.floor(chain.length / 2)], "smooth");
    },

    showAll: function () {},

    filter: function (matches) {
      nodes.forEach(function (element, index) {
        element.classList.toggle("dimmed", matches !== null && !matches[index]);
      });
      info.edges.forEach(function (edge) {
        var dimmed = matches !== null && !(matches[edge.source] && matches[edge.target]);
        lines[edge.id].classList.toggle("dimmed", dimmed);
      });
    },

    showHiddenEdges: function (shown) {
      document.body.classList.toggle("show-hidden-edges", shown);
    },
  };

  // A drawing wider than the page opens scrolled to its left edge, but the
  // target sits on the right of a referrers walk, so bring it into view.
  scrollToNode(info.target, "auto");
})();
