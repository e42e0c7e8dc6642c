"""Issue 14 item 16: the rules page shows the light counts a rule would give before it is saved."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.rules import get_preset
from xzcore.store import settings

AUG = Month(2020, 8)  # the demo's latest month


def test_a_preset_with_unsaved_thresholds_lights_the_month(demo_con):
    assert metrics.summary(demo_con, AUG)["lights"] == {"green": 94, "yellow": 7, "red": 12}
    wider = get_preset("xiuzhou").with_thresholds({"yellow": "20"})
    lights = metrics.summary(demo_con, AUG, preset=wider)["lights"]
    assert lights == {"green": 94, "yellow": 10, "red": 9}
    assert settings.preset(demo_con).yellow.value == 10  # nothing was saved


def _preview(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**按此规则"))


def test_the_page_previews_the_chosen_rule_and_its_thresholds(app_db):
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "admin")
    at.switch_page("pages/rules.py").run()
    assert not at.exception, at.exception
    assert _preview(at).startswith("**按此规则，2020年1-8月**")
    assert _preview(at).endswith(
        ":green[● 绿灯] 94 → 94 个　:orange[▲ 黄灯] 7 → 7 个　:red[■ 红灯] 12 → 12 个"
    )
    next(s for s in at.selectbox if s.label == "规则").select("yinchuan-2025").run()
    assert _preview(at).endswith(
        ":green[● 绿灯] 94 → 101 个　:orange[▲ 黄灯] 7 → 7 个　:red[■ 红灯] 12 → 5 个"
    )
    next(t for t in at.text_input if t.label.startswith("黄灯阈值")).input("20")
    next(b for b in at.button if b.label == "预览亮灯").click().run()
    assert not at.exception, at.exception
    assert _preview(at).endswith(
        ":green[● 绿灯] 94 → 101 个　:orange[▲ 黄灯] 7 → 3 个　:red[■ 红灯] 12 → 9 个"
    )
    # previewing saved nothing: the rule in force is still the default
    assert any(m.value.startswith("**亮灯规则**　现行：秀洲区（默认）") for m in at.markdown)
