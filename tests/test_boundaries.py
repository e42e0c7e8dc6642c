"""The layers stay apart: importing all of xzcore never loads streamlit, the pages and ui/ hold
no SQL and never import the engine, and no page wipes every session's caches."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

CHECK = """
import importlib, pkgutil, sys
import xzcore
for info in pkgutil.walk_packages(xzcore.__path__, "xzcore."):
    if info.name != "xzcore.__main__":
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m == "streamlit" or m.startswith("streamlit."))
print(len([m for m in sys.modules if m.startswith("xzcore.")]), loaded)
"""


def test_importing_every_xzcore_module_does_not_import_streamlit():
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    ).stdout.split(maxsplit=1)
    assert int(out[0]) >= 10  # the walk really imported the library's modules
    assert out[1].strip() == "[]"


def _drawing_sources() -> dict[str, str]:
    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("ui/*.py"), *root.glob("pages/*.py"), root / "dashboard.py"]
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in files}


def test_pages_and_ui_hold_no_sql_and_never_import_the_engine():
    sources = _drawing_sources()
    assert len(sources) > 20
    engine = re.compile(r"^\s*(import duckdb|from duckdb)", re.M)
    sql = re.compile(r"\.execute\(|\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")
    assert [name for name, text in sources.items() if engine.search(text)] == []
    assert [name for name, text in sources.items() if sql.search(text)] == []


def test_no_page_clears_every_cache():
    # Cached reads are keyed on the data version: a write shows on the next run of every page
    # without wiping every user's caches (rendered PDFs included).
    clears = re.compile(r"st\.cache_(data|resource)\.clear\(")
    assert [name for name, text in _drawing_sources().items() if clears.search(text)] == []


ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _layers_checked(tmp_path: Path, crossing: tuple[str, str] | None = None):
    """lint-imports (the contract of pyproject.toml) over a copy of the code, one import
    written into one module first when crossing = (module file, import line)."""
    for name in ("xzcore", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    if crossing:
        module = tmp_path / crossing[0]
        module.write_text(crossing[1] + "\n" + module.read_text(encoding="utf-8"), encoding="utf-8")
    return subprocess.run(
        [str(LINT), "--no-logo", "--no-cache"], cwd=tmp_path, capture_output=True, text=True
    )


def test_the_layer_contract_holds_and_fails_when_a_layer_is_crossed(tmp_path):
    assert _layers_checked(tmp_path / "as_is").returncode == 0
    display_to_store = _layers_checked(
        tmp_path / "display", ("xzcore/display/fmt.py", "from xzcore.store import db")
    )
    assert display_to_store.returncode != 0
    assert "xzcore.display.fmt -> xzcore.store.db" in display_to_store.stdout
    store_to_figures = _layers_checked(
        tmp_path / "upward", ("xzcore/store/audit.py", "from xzcore.figures import metrics")
    )
    assert store_to_figures.returncode != 0
    assert "xzcore.store is not allowed to import xzcore.figures" in store_to_figures.stdout


def test_the_readme_names_every_package_of_the_library():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 代码结构") :]
    section = section[: section.index("\n## ", 4)]
    packages = [p.parent.name for p in (ROOT / "xzcore").glob("*/__init__.py")]
    assert len(packages) >= 10
    assert [p for p in packages if f"  {p}/" not in section] == []
