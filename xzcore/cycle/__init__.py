"""The monthly cycle (DESIGN.md §6): 报送 → 审核 → 发布, and a published month that stays put.

months: states, versions, who may open what, a reader of the frozen copy, the 未发布 banner;
publish: freezing a month (version 1) and corrections (version N+1);
status: who has reported, reviews, deadlines, 报送及时率 and the 催报 text.
"""

from xzcore.cycle import months, publish, status
from xzcore.cycle.months import COLLECTING, PUBLISHED, Version
from xzcore.cycle.publish import PublishRefused

__all__ = ["COLLECTING", "PUBLISHED", "PublishRefused", "Version", "months", "publish", "status"]
