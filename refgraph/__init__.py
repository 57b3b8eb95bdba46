"""refgraph: who holds this object, and through what?

Walk the garbage collector's reference graph around a live object and show
the result as text, an HTML page, JSON or a networkx graph.
"""

from refgraph.chains import Chain, WhyAlive, why_alive
from refgraph.display import show
from refgraph.model import Edge, Node, RefGraph
from refgraph.walk import graph

__all__ = ["Chain", "Edge", "Node", "RefGraph", "WhyAlive", "graph", "show", "why_alive"]

__version__ = "0.1.0"
