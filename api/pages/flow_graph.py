"""The flow graph of a verified value drawn server-side: :class:`~api.verify.FlowGraph` -> Graphviz DOT -> SVG.

Graphviz (``dot``, Debian's ``graphviz`` package, through the ``graphviz`` Python binding) places the nodes;
nothing here picks coordinates. Labels are the page's language; names, amounts and hashes are data. Every
node's SVG group has the id ``flow-<node id>`` (``flow-plan-1``, ``flow-account-0x…``) and the class of its
kind (``node payee``), every edge links to its step in the page's table of proofs (``#step-N``), so the
picture and the proofs point at each other. The same graph as JSON is ``GET /verify/{tx_hash}``'s ``flow``.
"""

from __future__ import annotations

import re
from typing import Final

import graphviz

from api.indexer.amounts import Amount
from api.pages.i18n import Translator
from api.pages.rendering import amount_text, short
from api.verify import FlowEdge, FlowGraph, FlowNode, NodeKind

__all__ = ["edge_label", "flow_dot", "flow_svg", "node_dom_id", "node_label"]

FONT: Final = "WenQuanYi Zen Hei,Noto Sans CJK SC,sans-serif"

_STYLE: Final[dict[NodeKind, dict[str, str]]] = {
    NodeKind.DONOR: {"shape": "ellipse", "fillcolor": "#e8f1fb", "color": "#2f6fb3"},
    NodeKind.PLAN: {
        "shape": "box",
        "style": "rounded,filled,bold",
        "fillcolor": "#fff4d6",
        "color": "#b7791f",
    },
    NodeKind.ORDER: {"shape": "note", "fillcolor": "#f3ecfb", "color": "#6b46c1"},
    NodeKind.PAYEE: {"shape": "box", "style": "rounded,filled", "fillcolor": "#e6f6ec", "color": "#2f855a"},
    NodeKind.LOT: {"shape": "box3d", "fillcolor": "#f1f1f1", "color": "#4a5568"},
    NodeKind.HOLDER: {"shape": "box", "style": "rounded,filled", "fillcolor": "#fafafa", "color": "#718096"},
    NodeKind.LOCAL_GOVERNMENT: {"shape": "house", "fillcolor": "#e6fffa", "color": "#2c7a7b"},
    NodeKind.REFUNDED_DONORS: {"shape": "ellipse", "fillcolor": "#fdecec", "color": "#c53030"},
    NodeKind.ACCOUNT: {"shape": "ellipse", "fillcolor": "#ffffff", "color": "#4a5568"},
}


def node_dom_id(node_id: str) -> str:
    """The SVG/HTML id of a flow node: ``plan:1`` -> ``flow-plan-1``."""
    return "flow-" + re.sub(r"[^0-9A-Za-z]+", "-", node_id).strip("-")


def _who(node: FlowNode) -> str:
    return node.name or short(node.address) or ""


def node_label(node: FlowNode, t: Translator) -> str:
    """Two lines: what the node is (in the page's language), and who or which (data)."""
    details = node.details
    kind = t.value("node", node.kind.value)
    if node.kind is NodeKind.PLAN:
        charity = str(details.get("charity_name") or short(str(details.get("charity") or "")))
        return f"{t('node.plan_n', n=details.get('pool_id', '?'))}\n{charity}"
    if node.kind is NodeKind.ORDER:
        status = details.get("status")
        status_text = t.value("order_status", status) if status else ""
        return f"{kind} {short(node.id.removeprefix('order:'), 4)}\n{status_text}"
    if node.kind is NodeKind.LOT:
        goods = details.get("goods")
        goods_text = amount_text(t, Amount.model_validate(goods)) if isinstance(goods, dict) else ""
        number = node.id.removeprefix("lot:")
        return f"{t('node.lot_n', n=number)}\n{goods_text}"
    if node.kind is NodeKind.HOLDER:
        checkpoint = details.get("checkpoint")
        step = t.value("checkpoint", checkpoint) if checkpoint else kind
        return f"{step}\n{_who(node)}"
    return f"{kind}\n{_who(node)}"


def edge_label(edge: FlowEdge, t: Translator, step: int) -> str:
    """What moved (in the page's language), the verified value's share of it, and its step number."""
    what = t.value("edge", edge.kind.value)
    moved = amount_text(t, edge.share if edge.share is not None else edge.amount, places=2)
    return f"{step}. {what}\n{moved}" if moved else f"{step}. {what}"


def flow_dot(graph: FlowGraph, t: Translator) -> graphviz.Digraph:
    """The DOT graph of ``graph``, top to bottom (it reads on a phone), each edge numbered as its step. DOT
    names are the nodes' DOM ids (a ``:`` in a DOT name would mean a port)."""
    dot = graphviz.Digraph("flow", format="svg")
    dot.attr(rankdir="TB", bgcolor="transparent", nodesep="0.35", ranksep="0.45", pad="0.1")
    dot.attr("node", fontname=FONT, fontsize="11", style="filled", penwidth="1.2")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#4a5568", arrowsize="0.7")
    for node in graph.nodes:
        style = _STYLE.get(node.kind, _STYLE[NodeKind.ACCOUNT])
        dot.node(
            node_dom_id(node.id),
            label=node_label(node, t),
            id=node_dom_id(node.id),
            **{"class": node.kind.value},
            tooltip=node.address or node.id,
            **style,
        )
    for step, edge in enumerate(graph.edges, start=1):
        proof = edge.proof
        dot.edge(
            node_dom_id(edge.source),
            node_dom_id(edge.target),
            label=edge_label(edge, t, step),
            id=f"flow-edge-{step}",
            **{"class": edge.kind.value},
            URL=f"#step-{step}",
            tooltip=t("graph.edge_tooltip", block=proof.block_number, tx=proof.tx_hash, log=proof.log_index),
        )
    return dot


def flow_svg(graph: FlowGraph, t: Translator) -> str:
    """The graph as an SVG element (no XML prolog), ready to inline in a page."""
    svg: str = flow_dot(graph, t).pipe(format="svg", encoding="utf-8")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
