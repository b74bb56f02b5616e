#!/usr/bin/python3
"""check_layers.py SRC_DIR — fails when the folders under src/ depend on each other in a cycle, or
when a backend folder is included from outside its layer's wiring.

Two rules, from DESIGN.md ("Layers") and the cluster issue's "each backend folder depends on the
ports, never the reverse":
  1. the graph of top-level folders (domain, events, storage, notify, api, http, net, util, ...)
     built from `#include "folder/..."` lines has no cycle;
  2. a backend folder (a sub-folder of storage/ or events/, e.g. storage/postgres, events/nats) is
     included only from itself and from the factories that pick a backend (storage/open_storage.*,
     events/make_bus.*), so no port and no caller ever names a backend.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
FACTORIES = {"storage/open_storage.cpp", "storage/open_storage.hpp", "events/make_bus.cpp", "events/make_bus.hpp"}
BACKEND_PARENTS = ("storage", "events")


def sources(src):
    for root, _, files in os.walk(src):
        for name in files:
            if name.endswith((".cpp", ".hpp")):
                path = os.path.join(root, name)
                yield os.path.relpath(path, src).replace(os.sep, "/"), open(path, encoding="utf-8").read()


def backend_of(path):
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] in BACKEND_PARENTS:
        return "/".join(parts[:2])
    return None


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check(src):
    graph, problems = {}, []
    for path, text in sources(src):
        folder = path.split("/")[0] if "/" in path else None
        for target in INCLUDE.findall(text):
            if "/" not in target or not os.path.exists(os.path.join(src, target)):
                continue  # a system or generated header
            target_folder = target.split("/")[0]
            if folder and target_folder != folder:
                graph.setdefault(folder, set()).add(target_folder)
            backend = backend_of(target)
            if backend and backend_of(path) != backend and path not in FACTORIES and folder != "app":
                problems.append(f"{path} includes the backend header {target}: only the factories may")
            if backend and folder == "app":
                problems.append(f"{path} includes the backend header {target}: app/ wires through the factories")
    cycle = find_cycle(graph)
    if cycle:
        problems.append("folder cycle: " + " -> ".join(cycle))
    return problems


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "src")
    problems = check(src)
    for p in problems:
        print(p)
    if not problems:
        print("layers: no folder cycle; backends reached only through the factories")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
