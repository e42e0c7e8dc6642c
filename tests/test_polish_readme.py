"""Issue 14 item 18: the README says what `make run` does as root and every setting it takes."""

from __future__ import annotations

import re

from tests.browser import ROOT

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_of_make_is_documented():
    settings = re.findall(r"^([A-Z_]+) \?= ", MAKEFILE, flags=re.M)
    assert {"PORT", "DB", "PYTHON"} <= set(settings)
    for name in settings:
        assert f"`{name}=" in README, name


def test_the_readme_says_make_run_installs_debian_packages_as_root():
    run = re.search(r"^run: (.*)$", MAKEFILE, flags=re.M).group(1)
    assert "system-deps" in run  # make run installs them: the README must say so
    assert "`make run` 和 `make test` 都先检查 Debian 的" in README
    assert "root 权限" in README and "`apt-get` 安装" in README
