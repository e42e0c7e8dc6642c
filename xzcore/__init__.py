"""秀洲区重点项目看板的核心库：数据模型、指标、亮灯规则、示例数据与命令行。

Never imports streamlit: pages call into this library, not the other way round.
"""

from xzcore.errors import XZError

__all__ = ["XZError"]
