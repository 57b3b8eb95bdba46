"use strict";
// Draws the graph of a canvas page with vis-network from the page's JSON data block.
(function () {
  var data = JSON.parse(document.getElementById("refgraph-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  // Handle for tests and for poking at the graph from the browser console.
  window.refgraphNetwork = network;

  // Physics only places the nodes. Turning it off once the layout is stable
  // keeps the rest of the graph still while the reader drags one node.
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    container.setAttribute("data-layout", "stable");
  });

  var toggle = document.getElementById("show-hidden-edges");
  function showHiddenEdges() {
    edges.update(data.hiddenEdgeIds.map(function (id) {
      return { id: id, hidden: !toggle.checked };
    }));
  }
  if (toggle) {
    toggle.addEventListener("change", showHiddenEdges);
    // A browser may restore the checkbox state on reload.
    showHiddenEdges();
  }

  network.on("doubleClick", function (event) {
    if (event.nodes.length === 1 && data.anchors[event.nodes[0]]) {
      window.location.hash = data.anchors[event.nodes[0]];
    }
  });
})();
