"use strict";
// Connects the controls that both renderers share to the drawing offered as
// window.refgraphView: the details panel, the filter, the chain picker, the
// hidden-edge toggle, the "Find the target" button and in-page links.
// It builds no markup from data: the details panel shows a copy of an entry
// that the server already rendered, and text goes in through textContent.
(function () {
  var data = JSON.parse(document.getElementById("refgraph-data").textContent);
  var info = data.page;
  var view = window.refgraphView;
  var allChains = info.chains.map(function (chain, index) { return index + 1; });

  var indexOfAnchor = {};
  info.nodes.forEach(function (node, index) { indexOfAnchor[node.anchor] = index; });

  // The controls do nothing without this script, so the page shows them only now.
  document.querySelectorAll("[data-needs-script]").forEach(function (element) {
    element.hidden = false;
  });

  // ------------------------------------------------------------ details panel

  var panel = document.getElementById("selected-details");

  function showDetails(index) {
    var node = info.nodes[index];
    var entry = document.getElementById(node.anchor);
    if (!entry || !panel) {
      return;
    }

    var copy = entry.cloneNode(true);
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach(function (element) { element.removeAttribute("id"); });

    var jump = document.createElement("a");
    jump.href = "#" + node.anchor;
    jump.className = "jump";
    jump.textContent = "Show its entry in the list below";
    var footer = document.createElement("p");
    footer.appendChild(jump);
    copy.appendChild(footer);

    panel.replaceChildren(copy);
    panel.setAttribute("data-index", String(index));
    view.select(index);
  }

  // Moves to an entry of the list. Setting location.hash is a fragment
  // navigation both in a file and in a notebook's srcdoc frame. A srcdoc
  // document resolves links against its parent's URL, so there, following
  // the link itself would load the notebook page into the frame.
  function jumpTo(anchor) {
    if (window.location.hash === "#" + anchor) {
      var element = document.getElementById(anchor);
      if (element) {
        element.scrollIntoView();
      }
      return;
    }
    window.location.hash = anchor;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) {
      return;
    }
    event.preventDefault();

    var anchor = link.getAttribute("href").slice(1);
    var index = indexOfAnchor[anchor];
    // Links in the drawing, the panel and the chain list select the node and
    // keep the reader where they are. Other links move to the entry.
    var inPlace = link.closest("#graph, #selected, .chains") !== null && !link.classList.contains("jump");
    if (index !== undefined) {
      showDetails(index);
      if (inPlace && !link.closest("#graph")) {
        view.focus(index);
      }
    }
    if (!inPlace) {
      jumpTo(anchor);
    }
  });

  view.onNodeClick = showDetails;

  window.addEventListener("hashchange", function () {
    var index = indexOfAnchor[window.location.hash.slice(1)];
    if (index !== undefined) {
      showDetails(index);
    }
  });

  // ------------------------------------------------------------ filter

  var filterText = document.getElementById("filter-text");
  var filterLibrary = document.getElementById("filter-library");
  var filterCount = document.getElementById("filter-count");
  var rows = document.querySelectorAll("#objects tbody tr");
  var searchText = info.nodes.map(function (node) {
    return (node.type + " " + node.library).toLowerCase();
  });

  function applyFilter() {
    var text = filterText.value.trim().toLowerCase();
    var library = filterLibrary.value;
    var active = text !== "" || library !== "";
    var count = 0;
    var matches = info.nodes.map(function (node, index) {
      var match = (library === "" || node.library === library) && searchText[index].indexOf(text) !== -1;
      if (match) {
        count += 1;
      }
      if (rows[index]) {
        rows[index].hidden = active && !match;
      }
      return match;
    });

    filterCount.textContent = active ? count + " of " + info.nodes.length + " objects match" : "";
    view.filter(active ? matches : null);
  }

  // Typing restyles every node, so wait for a pause before doing it on a large graph.
  var pending = null;
  function applyFilterSoon() {
    window.clearTimeout(pending);
    pending = window.setTimeout(applyFilter, 120);
  }

  if (filterText && filterLibrary) {
    filterText.addEventListener("input", applyFilterSoon);
    filterLibrary.addEventListener("change", applyFilter);
    // A browser may restore form values on reload.
    if (filterText.value || filterLibrary.value) {
      applyFilter();
    }
  }

  // ------------------------------------------------------------ chains

  var chainItems = document.querySelectorAll(".chain-list > li");

  function chooseChain(value) {
    var numbers = allChains;
    if (value === "none") {
      numbers = [];
    } else if (value !== "all") {
      numbers = [Number(value)];
    }

    view.highlightChains(numbers);
    chainItems.forEach(function (item, index) {
      item.classList.toggle("chain-on", numbers.indexOf(index + 1) !== -1);
    });

    if (value === "all") {
      view.showAll();
    } else if (value !== "none") {
      view.showChain(Number(value));
    }
  }

  document.querySelectorAll("input[name='chain']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked) {
        chooseChain(radio.value);
      }
    });
    // A browser may restore another choice than "all" on reload.
    if (radio.checked && radio.value !== "all") {
      chooseChain(radio.value);
    }
  });

  // ------------------------------------------------------------ other controls

  var hiddenToggle = document.getElementById("show-hidden-edges");
  if (hiddenToggle) {
    hiddenToggle.addEventListener("change", function () {
      view.showHiddenEdges(hiddenToggle.checked);
    });
    // A browser may restore the checkbox state on reload.
    view.showHiddenEdges(hiddenToggle.checked);
  }

  var findTarget = document.getElementById("find-target");
  if (findTarget) {
    findTarget.addEventListener("click", function () {
      showDetails(info.target);
      view.focus(info.target);
    });
  }

  var start = indexOfAnchor[window.location.hash.slice(1)];
  showDetails(start === undefined ? info.target : start);
})();
