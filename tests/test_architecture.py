"""The layering and the sizes docs/architecture.md promises, checked on the source itself:
no service imports another, imports inside a service only point down its layers, the
console reaches the services only over HTTP (it imports none of them), and no production
module is over 250 lines nor function over 50."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("review", "orders", "logistics", "aftersales", "settlement")
#: What each layer may import of its own service (docs/architecture.md, the layer table).
MAY_IMPORT = {
    "domain": {"domain"},
    "adapters": {"domain", "adapters"},
    "service_layer": {"domain", "adapters", "service_layer"},
    "entrypoints": {"domain", "adapters", "service_layer", "entrypoints", "bootstrap"},
}
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 50


def _production_modules() -> Iterator[Path]:
    yield from (ROOT / "shared" / "shared").rglob("*.py")
    for service in (*SERVICES, "console"):
        yield from (ROOT / "services" / service / service).rglob("*.py")


def _imported(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_only_the_kit_and_its_own_lower_layers(service: str) -> None:
    package = ROOT / "services" / service / service
    for path in package.rglob("*.py"):
        layer = path.relative_to(package).parts[0].removesuffix(".py")
        for module in _imported(path):
            top, _, rest = module.partition(".")
            assert top not in set(SERVICES) - {service}, f"{path}: imports {module}"
            if top == service and layer in MAY_IMPORT:
                assert rest.split(".")[0] in MAY_IMPORT[layer], f"{path}: imports {module}"


def test_no_production_module_or_function_is_over_its_size() -> None:
    too_long = []
    for path in _production_modules():
        source = path.read_text()
        if len(source.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}: {node.name}, {length} lines")
    assert not too_long, too_long


def test_the_kit_names_no_service() -> None:
    for path in (ROOT / "shared" / "shared").rglob("*.py"):
        assert not set(SERVICES) & {m.split(".")[0] for m in _imported(path)}, path


def test_the_console_imports_no_service_and_no_tool() -> None:
    """Its pages are what the services answer over HTTP, never their code or databases."""
    for path in (ROOT / "services" / "console" / "console").rglob("*.py"):
        imported = {m.split(".")[0] for m in _imported(path)}
        assert not imported & {*SERVICES, "devkit", "pymongo", "aio_pika"}, path
