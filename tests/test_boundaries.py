"""The core stays usable without a browser: importing all of xzcore never loads streamlit."""

import subprocess
import sys

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
