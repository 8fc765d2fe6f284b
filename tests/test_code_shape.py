"""The shape of the code itself: short functions, modules that ARCHITECTURE.md accounts for,
one name for the project argument. Read with ``ast``, so nothing is imported or run."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tymqual"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 600


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's lines from ``def`` to its end, its docstring not counted (a formula and a
    reference there are wanted, whatever their length)."""
    lines = (node.end_lineno or node.lineno) - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
        first.value.value, str
    ):
        lines -= (first.end_lineno or first.lineno) - first.lineno + 1
    return lines


def _functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_function_is_over_60_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({_code_lines(node)} lines)"
        for path in _modules()
        for node in _functions(path)
        if _code_lines(node) > MAX_FUNCTION_LINES
    ]
    assert not long, "split these functions: " + "; ".join(long)


def test_the_line_count_leaves_out_only_the_docstring() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(3))
    node = ast.parse(f'def f():\n    """One.\n\n    Two.\n    """\n{body}\n').body[0]
    assert isinstance(node, ast.FunctionDef) and _code_lines(node) == 4


def _explained_modules() -> set[str]:
    """Module paths (``tymqual/x.py``) named in ARCHITECTURE.md's *Module sizes* section."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    match = re.search(r"^## Module sizes\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, "ARCHITECTURE.md has no '## Module sizes' section"
    return set(re.findall(r"`(tymqual/[\w/]+\.py)`", match.group(1)))


def test_modules_over_600_lines_are_explained_in_architecture() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in _modules()}
    unexplained = sorted(m for m, n in sizes.items() if n > MAX_MODULE_LINES
                         and m not in _explained_modules())
    assert not unexplained, (
        f"modules over {MAX_MODULE_LINES} lines without a reason in ARCHITECTURE.md's "
        f"'Module sizes': {unexplained}; split them or say why they are one concern."
    )


@pytest.mark.parametrize("module", ["tables", "figures", "documents", "integrity", "agreement",
                                    "search", "autocode", "suggest", "coverage"])
def test_analyses_call_their_first_argument_project(module: str) -> None:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    named_p = [
        node.name for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.args.args
        and node.args.args[0].arg == "p"
    ]
    assert not named_p, f"{module}: first parameter 'p' in {named_p}; call it 'project'"


def test_no_module_imports_another_modules_private_name() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tymqual"):
                found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.module}.{a.name}"
                          for a in node.names if a.name.startswith("_") and a.name != "__version__"]
    assert not found, f"private names imported across modules: {found}"
