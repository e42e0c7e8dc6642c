"""Light and evaluation rules as data. Code in metrics.py reads these; nothing here computes.

A completion rule is two bands tried in order (green, then yellow; anything else is red), each a
comparison of one measure with a threshold:
  - "lag_pp":  时序进度 − 完成率, in percentage points (positive = behind);
  - "ratio":   完成率 ÷ 时序进度 (1 = exactly on schedule).
A start rule counts the months a planned start has gone by without a start, the planned month
included (the Yinchuan text: "连续3个月应开工未开工" = three such months).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal

from xzcore.errors import BadArgument

LIGHTS = ("green", "yellow", "red")
LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
SCHEDULE_MODES = {"calendar": "按日历（月份÷12）", "plan": "按月度计划清单（Σ目标÷Σ计划）"}
OPS = ("<", "<=", ">=", ">")  # the only comparisons a band may use: they are pasted into SQL
_NEGATION = {"<": ">=", "<=": ">", ">=": "<", ">": "<="}


@dataclass(frozen=True)
class Band:
    op: str
    value: Decimal

    def __post_init__(self):
        if self.op not in OPS:
            raise BadArgument(f"不支持的比较符：{self.op}")


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    source: str
    measure: str  # "lag_pp" or "ratio"
    green: Band
    yellow: Band
    start_rule: bool = True
    start_yellow_months: int = 1
    start_red_months: int = 3
    notes: str = field(default="", compare=False)
    # Optional node rule (issue 18, xzcore.nodes.states.node_light): a node overdue at least
    # node_yellow_days → yellow, more than node_red_days → red. Off unless a preset or an
    # admin turns it on; then its thresholds are stored with the others.
    node_rule: bool = False
    node_yellow_days: int = 1
    node_red_days: int = 30
    # Optional warning rule (evaluation.py): a node overdue node_warning_days or more puts the
    # project on the warning (蜗牛) list, naming the node. Off unless turned on, as node_rule.
    node_warning: bool = False
    node_warning_days: int = 60

    def thresholds(self) -> dict:
        return {
            "green": str(self.green.value),
            "yellow": str(self.yellow.value),
            "start_yellow_months": self.start_yellow_months,
            "start_red_months": self.start_red_months,
        } | (
            {"node_rule": True, "node_yellow_days": self.node_yellow_days,
             "node_red_days": self.node_red_days}
            if self.node_rule else {}
        ) | (
            {"node_warning": True, "node_warning_days": self.node_warning_days}
            if self.node_warning else {}
        )  # fmt: skip

    def with_thresholds(self, values: dict) -> Preset:
        """A copy with an admin's thresholds; the comparisons stay those of the source."""
        try:
            return replace(
                self,
                green=Band(self.green.op, Decimal(str(values.get("green", self.green.value)))),
                yellow=Band(self.yellow.op, Decimal(str(values.get("yellow", self.yellow.value)))),
                start_yellow_months=int(
                    values.get("start_yellow_months", self.start_yellow_months)
                ),
                start_red_months=int(values.get("start_red_months", self.start_red_months)),
                node_rule=bool(values.get("node_rule", self.node_rule)),
                node_yellow_days=int(values.get("node_yellow_days", self.node_yellow_days)),
                node_red_days=int(values.get("node_red_days", self.node_red_days)),
                node_warning=bool(values.get("node_warning", self.node_warning)),
                node_warning_days=int(values.get("node_warning_days", self.node_warning_days)),
            )
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise BadArgument(f"阈值无效：{json.dumps(values, ensure_ascii=False)}") from exc

    def band_text(self, light: str) -> str:
        """The rule in words, as the page and every light's reason quote it."""
        if light == "red":  # red is whatever misses the yellow band: say its negation
            return self._describe(_NEGATION[self.yellow.op], self.yellow.value)
        band = self.green if light == "green" else self.yellow
        return self._describe(band.op, band.value)

    def _describe(self, op: str, value: Decimal) -> str:
        if self.measure == "lag_pp":
            if value == 0 and op == "<=":
                return "完成率不低于时序进度"
            words = {"<": "少于", "<=": "不超过", ">=": "至少", ">": "超过"}[op]
            return f"落后时序进度{words}{_plain(value)}个百分点"
        words = {"<": "低于", "<=": "不高于", ">=": "不低于", ">": "高于"}[op]
        if value == 1:
            return f"完成率{words}时序进度"
        return f"完成率{words}时序进度的{_plain(value * 100)}%"

    def node_text(self) -> str:
        if not self.node_rule:
            return "不考核节点"
        return f"节点超期{self.node_yellow_days}天及以上亮黄灯，超过{self.node_red_days}天亮红灯"

    def node_warning_text(self) -> str:
        if not self.node_warning:
            return "预警不考核节点"
        return f"节点超期{self.node_warning_days}天及以上"

    @property
    def reads_nodes(self) -> bool:
        """Whether the frame must find each project's longest overdue node."""
        return self.node_rule or self.node_warning

    def start_text(self) -> str:
        if not self.start_rule:
            return "不考核开工"
        return (
            f"计划开工月已过仍未开工{self.start_yellow_months}个月亮黄灯，"
            f"{self.start_red_months}个月及以上亮红灯"
        )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="xiuzhou",
            title="秀洲区（默认）",
            source="秀洲区重点项目月度晾晒做法：完成率不低于时序进度亮绿灯，落后10个百分点以内亮黄灯，"
            "落后超过10个百分点亮红灯；开工滞后同样亮灯，两者取重。",
            measure="lag_pp",
            green=Band("<=", Decimal("0")),
            yellow=Band("<=", Decimal("10")),
        ),
        Preset(
            name="yinchuan-2025",
            title="银川市（2025）",
            source="银川市发改委 2025-03：完成序时进度→绿；低于序时进度10–30个百分点(含)→黄；"
            "低于超过30个百分点→红；连续3个月应开工未开工→红。https://m.qlbk.net/news/3Ww4l7bw75.html",
            measure="lag_pp",
            green=Band("<", Decimal("10")),
            yellow=Band("<=", Decimal("30")),
        ),
        Preset(
            name="sanya-2022",
            title="三亚市（2022）",
            source="《三亚市推进项目建设红黄绿亮牌督办机制》2022-05：≥序时进度→绿牌；低于序时进度50%以内(含)→黄牌；"
            "低于50%以上→红牌。海南日报 http://news.hndaily.cn/html/2022-05/13/content_58470_14809063.htm",
            measure="ratio",
            green=Band(">=", Decimal("1")),
            yellow=Band(">=", Decimal("0.5")),
            start_rule=False,
        ),
        Preset(
            name="wuhan",
            title="武汉市",
            source="武汉做法（据设计说明，原始文件待核）：完成序时进度80%及以上→绿；60%–80%→黄；低于60%→红。",
            measure="ratio",
            green=Band(">=", Decimal("0.8")),
            yellow=Band(">=", Decimal("0.6")),
            start_rule=False,
        ),
    )
}
DEFAULT_PRESET = "xiuzhou"


def get_preset(name: str | None) -> Preset:
    name = name or DEFAULT_PRESET
    if name not in PRESETS:
        raise BadArgument(f"未知的亮灯规则“{name}”，可选：{'、'.join(PRESETS)}")
    return PRESETS[name]


@dataclass(frozen=True)
class EvaluationRules:
    """红旗/预警 (snail) selection, DESIGN.md section 2."""

    red_flag_lead_pp: Decimal = Decimal("10")
    red_flag_top_n: int = 12
    warning_red_months: int = 2
    warning_start_slip_months: int = 3
    warning_completion_slip_months: int = 6

    def red_flag_text(self) -> str:
        lead = _plain(self.red_flag_lead_pp)
        return (
            f"亮绿灯、超前时序进度{lead}个百分点及以上、按期开工；"
            f"按超前幅度取前{self.red_flag_top_n}名"
        )

    def warning_texts(self) -> dict[str, str]:
        return {
            "red_running": f"连续{self.warning_red_months}个月亮红灯",
            "start_slip": f"开工滞后{self.warning_start_slip_months}个月及以上",
            "completion_slip": f"竣工滞后{self.warning_completion_slip_months}个月及以上",
        }
