"use strict";
// Draws the graph of a canvas page with vis-network from the page's JSON data
// block, and offers it to page.js as window.refgraphView.
(function () {
  var data = JSON.parse(document.getElementById("refgraph-data").textContent);
  var info = data.page;
  var styles = data.styles;
  var container = document.getElementById("graph");
  var progress = document.getElementById("layout-progress");

  var allChains = info.chains.map(function (chain, index) { return index + 1; });
  var state = { chains: allChains, matches: null, showHidden: false };

  var indexOfKey = {};
  data.nodes.forEach(function (item, index) { indexOfKey[item.id] = index; });

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  // Turns "#rrggbb" into "rgba(r, g, b, alpha)". Other colour forms are returned as they are.
  function withAlpha(colour, alpha) {
    if (typeof colour !== "string" || !/^#[0-9a-fA-F]{6}$/.test(colour)) {
      return colour;
    }
    var value = parseInt(colour.slice(1), 16);
    return "rgba(" + ((value >> 16) & 255) + ", " + ((value >> 8) & 255) + ", " + (value & 255) + ", " + alpha + ")";
  }

  function onChosenChain(numbers) {
    return numbers.some(function (number) { return state.chains.indexOf(number) !== -1; });
  }

  function isDimmed(index) {
    return state.matches !== null && !state.matches[index];
  }

  // The changing part of a node's item: its colours, border, halo and font.
  function nodeStyle(index) {
    var base = data.nodes[index];
    var font = copy(base.font || {});
    if (!font.color) {
      font.color = data.options.nodes.font.color;
    }
    var item = {
      id: base.id,
      borderWidth: base.borderWidth,
      color: copy(base.color),
      font: font,
      shadow: { enabled: false },
    };

    if (onChosenChain(info.nodes[index].chains)) {
      item.shadow = { enabled: true, color: styles.chainHalo, size: 18, x: 0, y: 0 };
      // The target keeps its red border, so it still reads as the target.
      if (index !== info.target) {
        item.borderWidth = styles.chainBorderWidth;
        item.color.border = styles.chainColour;
      }
    }

    if (isDimmed(index)) {
      var alpha = styles.dimmedOpacity;
      item.shadow = { enabled: false };
      item.color = {
        background: withAlpha(item.color.background, alpha),
        border: withAlpha(item.color.border, alpha),
        highlight: { background: item.color.highlight.background, border: item.color.highlight.border },
        hover: { background: withAlpha(item.color.background, alpha), border: withAlpha(item.color.border, alpha) },
      };
      item.font.color = withAlpha(item.font.color, alpha);
    }
    return item;
  }

  // The changing part of an edge's item: its colour, width and visibility.
  function edgeStyle(index) {
    var base = data.edges[index];
    var edge = info.edges[index];
    var defaults = data.options.edges;
    var item = {
      id: base.id,
      width: defaults.width,
      color: copy(base.color || defaults.color),
      hidden: edge.hidden && !state.showHidden,
    };

    if (onChosenChain(edge.chains)) {
      item.width = styles.chainEdgeWidth;
      item.color = {
        color: styles.chainColour,
        highlight: styles.chainColour,
        hover: styles.chainColour,
        inherit: false,
      };
    }

    if (isDimmed(edge.source) || isDimmed(edge.target)) {
      item.color = {
        color: withAlpha(item.color.color, styles.dimmedOpacity),
        highlight: item.color.highlight || item.color.color,
        hover: item.color.hover || item.color.color,
        inherit: false,
      };
    }
    return item;
  }

  var nodes = new vis.DataSet(data.nodes.map(function (item, index) {
    return Object.assign(copy(item), nodeStyle(index));
  }));
  var edges = new vis.DataSet(data.edges.map(function (item, index) {
    return Object.assign(copy(item), edgeStyle(index));
  }));

  function restyle() {
    nodes.update(data.nodes.map(function (item, index) { return nodeStyle(index); }));
    edges.update(data.edges.map(function (item, index) { return edgeStyle(index); }));
  }

  if (progress) {
    progress.textContent = "Laying out " + data.nodes.length + " objects\u2026";
    progress.hidden = false;
  }

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  // Handle for tests and for poking at the graph from the browser console.
  window.refgraphNetwork = network;

  network.on("stabilizationProgress", function (event) {
    if (progress) {
      var percent = Math.round((100 * event.iterations) / event.total);
      progress.textContent = "Laying out " + data.nodes.length + " objects: " + percent + "%";
    }
  });

  // Physics only places the nodes. Turning it off once the layout is stable
  // keeps the rest of the graph still while the reader drags one node.
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    if (progress) {
      progress.hidden = true;
    }
    // Milliseconds from the start of navigation, for tests that measure load-to-stable time.
    container.setAttribute("data-stable-after-ms", String(Math.round(window.performance.now())));
    container.setAttribute("data-layout", "stable");
  });

  // Draws "+N more" badges at the top right of the nodes whose neighbours the walk cut.
  var badged = [];
  info.nodes.forEach(function (node, index) {
    if (node.badge) {
      badged.push(index);
    }
  });

  function badgePath(context, x, y, width, height) {
    var radius = height / 2;
    context.beginPath();
    context.moveTo(x + radius, y);
    context.arcTo(x + width, y, x + width, y + height, radius);
    context.arcTo(x + width, y + height, x, y + height, radius);
    context.arcTo(x, y + height, x, y, radius);
    context.arcTo(x, y, x + width, y, radius);
    context.closePath();
  }

  network.on("afterDrawing", function (context) {
    if (badged.length === 0) {
      return;
    }
    var positions = network.getPositions(badged.map(function (index) { return data.nodes[index].id; }));
    context.save();
    context.font = styles.badgeFont;
    context.textBaseline = "middle";
    badged.forEach(function (index) {
      var item = data.nodes[index];
      var position = positions[item.id];
      var text = info.nodes[index].badge;
      var width = context.measureText(text).width + 12;
      var height = 17;
      var x = position.x + item.size * 0.5;
      var y = position.y - item.size - height * 0.7;
      context.globalAlpha = isDimmed(index) ? styles.dimmedOpacity : 1;
      badgePath(context, x, y, width, height);
      context.fillStyle = styles.badgeFill;
      context.fill();
      context.lineWidth = 1;
      context.strokeStyle = styles.badgeBorder;
      context.stroke();
      context.fillStyle = styles.badgeText;
      context.fillText(text, x + 6, y + height / 2 + 0.5);
    });
    context.restore();
  });

  var animation = { duration: 400, easingFunction: "easeInOutQuad" };

  var view = {
    // Set by page.js: called with a node's index when the reader clicks it.
    onNodeClick: null,

    select: function (index) {
      network.selectNodes([data.nodes[index].id]);
    },

    focus: function (index) {
      var scale = Math.max(network.getScale(), 1);
      network.focus(data.nodes[index].id, { scale: scale, animation: animation });
    },

    highlightChains: function (numbers) {
      state.chains = numbers;
      restyle();
    },

    showChain: function (number) {
      var ids = info.chains[number - 1].nodes.map(function (index) { return data.nodes[index].id; });
      network.fit({ nodes: ids, animation: animation });
    },

    showAll: function () {
      network.fit({ animation: animation });
    },

    filter: function (matches) {
      state.matches = matches;
      restyle();
    },

    showHiddenEdges: function (shown) {
      state.showHidden = shown;
      edges.update(data.edges.map(function (item, index) { return edgeStyle(index); }));
    },
  };

  network.on("click", function (event) {
    if (event.nodes.length === 1 && view.onNodeClick) {
      view.onNodeClick(indexOfKey[event.nodes[0]]);
    }
  });

  network.on("doubleClick", function (event) {
    if (event.nodes.length === 1) {
      window.location.hash = info.nodes[indexOfKey[event.nodes[0]]].anchor;
    }
  });

  window.refgraphView = view;
})();
