"""The hand-written stub python/quickstock/_core.pyi lists every public name of _core."""

from __future__ import annotations

import ast
from pathlib import Path

import quickstock as qs
from quickstock import _core

STUB = Path(__file__).resolve().parents[2] / "python" / "quickstock" / "_core.pyi"


def _stub_names() -> dict[str, set[str]]:
    tree = ast.parse(STUB.read_text())
    out: dict[str, set[str]] = {"": set()}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out[""].add(node.name)
            out[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} | {
                n.target.id for n in node.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
            }
        elif isinstance(node, ast.FunctionDef):
            out[""].add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[""].add(node.target.id)
    return out


def test_every_public_core_name_is_in_the_stub():
    stub = _stub_names()
    public = {n for n in dir(_core) if not n.startswith("_")} | {"__version__"}
    assert public - stub[""] == set()
    for name in public:
        obj = getattr(_core, name)
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            members = {m for m in vars(obj) if not m.startswith("_")}
            assert members - stub[name] == set(), name


def test_package_all_names_exist():
    for name in qs.__all__:
        assert hasattr(qs, name), name
