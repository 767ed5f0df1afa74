"""The house's rules, checked over the code with `ast` (docs/architecture.md).

Every import statement of every product module counts, at the top of a file or inside a function.
A module belongs to the layer its own path names (importing `contacts.services.removal` depends on
that module, not on the rest of `contacts.services`). Tests, conftest files and migrations are not
product code here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The layers, lowest first: a module may import modules of its own layer's app and of the layers
# before it, never of a layer after it, so no two apps import each other. A layer lists module
# prefixes; a module belongs to the layer of its longest matching prefix. Two apps on one layer
# (the contact engine and the insights engine) do not import each other.
LAYERS: list[tuple[str, ...]] = [
    # settings, the clock, Celery, spreadsheets: read by everyone
    ("backstory",),
    ("users",),
    ("accounts",),
    ("opportunities",),
    # the outbox is a queue of CRM-bound changes, written by the engines above it; its drain is
    # sent by task name
    ("crm.models", "crm.outbox", "crm.ids"),
    # contacts' records and the rules on them; removal, decisions and outbox payloads, which
    # capture's Engagement Log calls
    (
        "contacts.models",
        "contacts.rules",
        "contacts.policy",
        "contacts.services.decisions",
        "contacts.services.outbox",
        "contacts.services.removal",
    ),
    # the activities themselves and what counts in metrics, below the daily rollups that capture
    # keeps current in its own transaction
    ("activities.models", "activities.counting"),
    ("rollups",),
    ("activities",),
    # live capture from connected mailboxes and calendars: calls capture's parsers and ingest
    ("connections",),
    # the engines that read activities; capture hands off to them by task name (activities/handoff.py)
    ("contacts", "insights"),
    ("crm",),
    ("query_api",),
    ("support",),
    ("pages",),
    ("assistant",),
    # the site's root: every app's urls, the error pages
    ("backstory.urls", "backstory.views", "backstory.asgi", "backstory.wsgi"),
]
PRODUCT_APPS = {prefix.split(".")[0] for layer in LAYERS for prefix in layer}
# Tools may import product code; product code never imports them.
TOOLS = {"salesforce_standin", "demo", "benchmarks"}
# The bottom of the house: the Backstory page lives in pages/, not here.
BOTTOM = {"accounts", "opportunities"}
ABOVE_THE_BOTTOM = {"activities", "contacts", "insights", "assistant", "pages", "crm", "query_api"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported
    names: tuple[str, ...]  # the names taken from it (from-imports)
    line: int

    def where(self) -> str:
        return f"{self.module.replace('.', '/')}.py:{self.line}"


def app_of(module: str) -> str:
    return module.split(".")[0]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _is_test_code(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or "migrations" in parts or path.name == "conftest.py"


@cache
def modules(apps: frozenset[str]) -> dict[str, Path]:
    """The non-test modules of these apps, by dotted name."""
    found = {}
    for app in apps:
        for path in (ROOT / app).rglob("*.py"):
            if not _is_test_code(path):
                found[_module_name(path)] = path
    return found


@cache
def imports_of(module: str, path: Path) -> tuple[Import, ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = tuple(alias.name for alias in node.names)
            # `from pkg import submodule` depends on the submodule itself.
            submodules = [f"{target}.{name}" for name in names if _is_module(f"{target}.{name}")]
            if submodules:
                found += [Import(module, sub, (), node.lineno) for sub in submodules]
                names = tuple(name for name in names if not _is_module(f"{target}.{name}"))
                if not names:
                    continue
            found.append(Import(module, target, names, node.lineno))
    return tuple(found)


def product_imports() -> list[Import]:
    return [
        found
        for module, path in sorted(modules(frozenset(PRODUCT_APPS)).items())
        for found in imports_of(module, path)
    ]


def layer_of(module: str) -> int | None:
    best, best_length = None, -1
    for index, layer in enumerate(LAYERS):
        for prefix in layer:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def test_no_importlib_in_product_code():
    # No `importlib` tricks: an import is written where it is used, so the graph below is the truth.
    found = [i.where() for i in product_imports() if app_of(i.target) == "importlib"]
    assert found == [], f"importlib in product code: {found}"


def test_no_module_takes_a_private_name_from_another_app():
    found = [
        f"{i.where()} takes {name} from {i.target}"
        for i in product_imports()
        if app_of(i.target) in PRODUCT_APPS | TOOLS and app_of(i.target) != app_of(i.module)
        for name in i.names
        if name.startswith("_")
    ]
    assert found == [], (
        "private names used across apps (make them public, or move the caller):\n" + "\n".join(found)
    )


def test_no_product_module_imports_pytest():
    found = [
        i.where() for i in product_imports() if app_of(i.target) in {"pytest", "_pytest", "pytest_django"}
    ]
    assert found == [], f"pytest imported by product code: {found}"


def test_tools_import_pytest_only_in_tests_and_plugins():
    found = [
        i.where()
        for module, path in modules(frozenset(TOOLS)).items()
        for i in imports_of(module, path)
        if app_of(i.target) in {"pytest", "_pytest"} and not module.endswith("pytest_plugin")
    ]
    assert found == [], f"pytest imported outside tests and pytest plugins: {found}"


def test_product_code_never_imports_a_tool():
    found = [f"{i.where()} imports {i.target}" for i in product_imports() if app_of(i.target) in TOOLS]
    assert found == [], "product code imports a tool:\n" + "\n".join(found)


def test_accounts_and_opportunities_are_the_bottom_of_the_house():
    found = [
        f"{i.where()} imports {i.target}"
        for i in product_imports()
        if app_of(i.module) in BOTTOM and app_of(i.target) in ABOVE_THE_BOTTOM
    ]
    assert found == [], "accounts/ and opportunities/ import an app above them:\n" + "\n".join(found)


def test_every_product_module_has_a_layer():
    assert [m for m in modules(frozenset(PRODUCT_APPS)) if layer_of(m) is None] == []


def test_no_app_imports_an_app_above_it():
    found = []
    for i in product_imports():
        if app_of(i.target) not in PRODUCT_APPS or app_of(i.target) == app_of(i.module):
            continue
        here, there = layer_of(i.module), layer_of(i.target)
        if there is None:
            continue
        if there > here or (there == here and app_of(i.target) != app_of(i.module)):
            found.append(
                f"{i.where()} ({', '.join(LAYERS[here])}) imports {i.target} ({', '.join(LAYERS[there])})"
            )
    assert found == [], "imports against the layer order (see LAYERS):\n" + "\n".join(found)


def _part(module: str) -> str:
    """An app, or the part of a split app (contacts, crm, backstory) a module is in."""
    layer = layer_of(module)
    prefixes = [p for p in LAYERS[layer] if app_of(p) == app_of(module)] if layer is not None else []
    return app_of(module) if prefixes == [app_of(module)] else f"{app_of(module)} ({', '.join(prefixes)})"


def test_no_import_loop_between_apps():
    # Checked on its own (not only through the order above): a layer written in the wrong place
    # shows as the loop it makes. A split app's parts are separate nodes.
    graph: dict[str, set[str]] = {}
    for i in product_imports():
        if app_of(i.target) in PRODUCT_APPS and layer_of(i.target) is not None:
            source, target = _part(i.module), _part(i.target)
            if source != target:
                graph.setdefault(source, set()).add(target)
    assert _loops(graph) == []


def _loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of more than one node that reach each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_a_loop_is_found():
    assert _loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("contacts.services.removal", "contacts.models"),
        ("contacts.services.engine", "contacts"),
        ("crm.outbox", "crm.models"),
        ("crm.sync.meetings", "crm"),
        ("backstory.clock", "backstory"),
        ("backstory.urls", "backstory.urls"),
    ],
)
def test_a_module_belongs_to_the_layer_of_its_longest_prefix(module, layer):
    assert layer in LAYERS[layer_of(module)]
