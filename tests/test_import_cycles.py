"""No import cycle inside the package.

A cycle hides which module a piece of code belongs to (two modules that need each other are one
module in two files) and makes import order matter. grimp (the graph import-linter builds its
contracts on) reads every import from the source, lazy imports inside functions and
``if TYPE_CHECKING:`` imports included, so a cycle hidden in a function or a type hint fails
here too. The failure names each cycle's modules and the import lines that close it.
"""

from __future__ import annotations

import grimp

PACKAGE = "mseed_multilingual"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (or a self-import),
    each sorted, iteratively so a deep import chain cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    out.append(sorted(component))
    return sorted(out)


def package_graph() -> tuple[grimp.ImportGraph, dict[str, set[str]]]:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    inside = {m for m in graph.modules if m == PACKAGE or m.startswith(PACKAGE + ".")}
    return graph, {m: graph.find_modules_directly_imported_by(m) & inside for m in inside}


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    """The imports between the modules of one cycle, as module:line."""
    members = set(component)
    lines = []
    for importer in component:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for d in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"  {importer}:{d['line_number']} {d['line_contents']}")
    return "cycle " + " <-> ".join(component) + "\n" + "\n".join(lines)


def test_strongly_connected_finds_cycles_and_only_cycles():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set(), "c": {"c"}}) == [["c"]]
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [
        ["a", "b"], ["c", "d"]]


def test_no_import_cycle_in_the_package():
    graph, edges = package_graph()
    assert len(edges) > 50  # the graph really is the package's
    cycles = strongly_connected(edges)
    assert not cycles, "\n".join(describe(graph, c) for c in cycles)
