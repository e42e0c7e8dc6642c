"""Demo data: the 2020 register and Jan–Aug reports of Xiuzhou's 113 key projects, and a loader.

Published figures it reproduces: all 113 started by August 2020, Σ累计完成 / Σ年度计划 = 0.8000.

The demo database ships one account per role (change or disable them before real use):

    用户名    密码               角色
    leader    xz-demo-leader     领导（只读）
    staff     xz-demo-staff      责任单位填报员（王江泾镇人民政府）
    office    xz-demo-office     区重点办
    admin     xz-demo-admin      管理员

Visitors who have not logged in may view the demo (a setting an admin can change on 规则设置;
a database made with `init` requires a login to view). Uploads always need an account.

The demo files themselves are uploaded as UPLOADER, an office user named "demo" with no login:
the pages mark a database holding its batches as 示例数据.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from xzcore import auth, cycle, ingest
from xzcore.demo import nodes as nodes_demo
from xzcore.figures import demo_mark
from xzcore.ingest import standard
from xzcore.period import Month
from xzcore.store import db, postgres, settings
from xzcore.store.db import connect

YEAR = 2020
LAST_MONTH = 8  # the published figures are those of 1-8月
GEO_CSV = Path(__file__).resolve().parents[2] / "data/geo/xiuzhou_townships_gcj02.csv"
REGISTER_FILE = f"{YEAR}年秀洲区重点项目计划表.csv"
PROGRESS_FILE = "{}年{}月重点项目进展月报.csv"  # year, month


def _table(text: str) -> list[list[str]]:
    """Vocabulary written compactly: entries separated by whitespace, fields by '|'."""
    return [entry.split("|") for entry in text.split()]


# category: count, plan range in 万元, kind of works, per cent 新建, leader for a township's project
CATEGORIES = {
    "先进制造业": (34, 3000, 60000, "factory", 65, "副区长（分管工业）"),
    "基础设施": (24, 3000, 50000, "road", 40, "副区长（分管城建交通）"),
    "社会民生": (18, 1500, 20000, "building", 50, "副区长（分管社会事业）"),
    "生态环保": (14, 1000, 15000, "water", 40, "副区长（分管农业农村）"),
    "现代服务业": (12, 3000, 40000, "building", 55, "常务副区长"),
    "农业农村": (11, 800, 8000, "farm", 50, "副区长（分管农业农村）"),
}
TIERS = (("省重点", 45), ("市重点", 38), ("区重点", 30))
# category|name|responsible units to pick from|owner ({gov}: township government; {zone}: see _make)
TEMPLATES = _table("""
先进制造业|{brand}年产{cap}{product}项目|{zone}|嘉兴{brand}{sector}有限公司
基础设施|{road}改建工程|区交通运输局/区城投集团|{交投}
基础设施|{road}（{short}段）拓宽工程|区交通运输局/{gov}|{交投}
基础设施|{short}{bridge}大桥改建工程|区交通运输局|{交投}
基础设施|{short}{river}港航道整治工程|区交通运输局|{交投}
社会民生|{short}{school}小学新建工程|区教育局|{城投}
社会民生|{short}中心幼儿园迁建工程|区教育局|{镇投}
社会民生|{town}社区卫生服务中心新建工程|区卫健局|{城投}
社会民生|{short}{garden}安置小区建设工程|{gov}/区住建局|{镇投}
生态环保|{polder}圩区整治工程|区水利局|{水投}
生态环保|{short}{river}港综合整治工程|区水利局/{gov}|{水投}
生态环保|{town}污水零直排区建设工程|区住建局/{gov}|{镇投}
生态环保|{town}农村生活污水治理提标改造工程|区住建局|{镇投}
现代服务业|{brand}商业综合体项目|区商务局/{gov}|嘉兴{brand}置业有限公司
现代服务业|{brand}数字经济产业园项目|{zone}/区发改局|嘉兴{brand}科技发展有限公司
现代服务业|{short}运河文旅综合体项目|区文广旅体局|嘉兴{brand}文化旅游发展有限公司
农业农村|{town}高标准农田建设项目|区农业农村局|{镇投}
农业农村|{brand}现代农业园区建设项目|区农业农村局/{gov}|嘉兴{brand}农业发展有限公司
农业农村|{town}美丽乡村精品线建设工程|{gov}|{镇投}
""")
# Words for the templates; a word is picked at random from each line.
VOCAB = {
    "road": "康和路 秀园路 洪兴西路 加创路 新洲路 嘉海公路 王店大道 油湖路 运河西路 长新公路",
    "bridge": "杭州塘 北郊河 新塍塘 长水塘 海盐塘",
    "river": "南官 陶泾 祥符荡 莲泗荡 天福 西千亩",
    "school": "秀水 运河 新洲 康和 秀湖 智慧",
    "garden": "和园 锦园 新苑 秀苑 塘园",
    "polder": "栖南 沈家桥 城西 新王桥 荷花 北郊 民主",  # the first four from public plans
    "城投": "嘉兴市秀洲区城市建设投资集团有限公司",
    "交投": "嘉兴市秀洲区交通投资建设有限公司",
    "水投": "嘉兴市秀洲区水利投资建设有限公司",
}
BRANDS = "嘉秀禾博凯瑞益永宏昌晟锦越丰", "创盛源川辰联诚鸿腾朗岳恒"  # 1st and 2nd characters
# product|capacity unit|capacity range|owner's trade
PRODUCTS = _table("""
功能性薄膜|万吨|2|20|新材料 差别化纤维|万吨|5|30|化纤 汽车零部件|万套|10|200|汽车部件
新能源汽车电机|万台|10|60|电机 高效光伏电池片|GW|1|5|光伏科技 锂电池隔膜|亿平方米|1|5|新能源科技
精密模具|万套|1|10|精密机械 医疗器械|万台|1|20|医疗器械 高档纺织面料|万米|1000|6000|纺织
集成电路封装测试|亿只|5|30|微电子 5G通信模块|万片|100|900|通信技术 智能装备|台套|200|2000|智能装备
食品包装材料|万吨|1|10|包装材料 高性能复合材料|万吨|1|8|复合材料
""")
# The leader (by title) who coordinates a project goes by its category, except for these units.
LEADERS = {"秀洲高新区管委会": "区委常委、高新区党工委书记", "区城投集团": "常务副区长"}
STEPS = {  # 形象进度 in the order works go
    "factory": "场地平整 桩基完成{p}% 钢结构厂房吊装完成{p}% 主体结构封顶 设备安装调试 试生产",
    "building": "桩基完成{p}% 地下室施工 主体结构施工至{n}层 主体结构封顶 装饰装修 室外配套施工",
    "road": "管线迁改 路基完成{p}% 桥梁桩基施工 桥梁上部结构施工 水稳层摊铺 沥青面层施工",
    "water": "围堰及土方开挖 泵闸基础施工 护岸完成{p}% 泵站主体施工 管网铺设完成{p}%",
    "farm": "土地平整 沟渠及机耕路完成{p}% 灌溉泵站施工 设施大棚搭建 配套工程施工",
}
PREPARATION = ("前期手续办理中", "施工图设计审查中", "施工招标进行中", "办理施工许可")
PROBLEMS = ("政策处理未完成", "用地指标未落实", "资金到位滞后", "施工图审查未通过")
# Relative investment per month, Jan..Aug: Spring Festival in January, COVID-19 shutdown in Feb.
SEASON = (55, 20, 85, 100, 110, 120, 115, 115)
# How monthly targets were spread when the plans were drawn up, Jan..Dec.
TARGET_SEASON = (5, 3, 8, 9, 9, 10, 9, 9, 9, 10, 9, 10)
# The spread the light pages show: projects per role, August completion in ‰ of plan (range).
ROLES = {
    "late": (4, 200, 450),  # 新建, started 3+ months late, in June or July
    "overdue": (2, 590, 650),  # 续建 due in January or February, still not finished
    "lagging": (8, 300, 530),  # over 10 pp behind schedule in July and August
    "yellow": (5, 575, 655),
    "flag": (10, 930, 1050),  # with "completed", the clear red-flag candidates
    "completed": (4, 980, 1000),  # 续建 due, and done, between April and August
    "normal": (79, 700, 900),
}


@dataclass
class _Project:
    name: str
    category: str
    town: str
    unit: str
    owner: str
    lon: float
    lat: float
    build_type: str
    plan: int  # whole 万元, a multiple of 50 so that 80% of the district's plan is whole 万元
    role: str = "normal"
    permille: int = 800  # August completion in ‰ of the plan
    problem: str = ""
    tier: str = ""
    total: int = 0
    planned_start: dt.date = dt.date(YEAR, 1, 1)
    planned_end: dt.date = dt.date(YEAR, 12, 31)
    actual_start: dt.date = dt.date(YEAR, 1, 1)


def _make(rng, towns, category: str, name: str = "", town: str = "") -> _Project:
    """An invented project of the category (a named one's details when name and town are given)."""
    town = town or rng.choice(list(towns))
    short = town.removesuffix("街道").removesuffix("镇")
    gov = town + ("人民政府" if town.endswith("镇") else "办事处")
    product, cap_unit, cap_lo, cap_hi, sector = rng.choice(PRODUCTS)
    fill = {key: rng.choice(words.split()) for key, words in VOCAB.items()} | {"sector": sector}
    fill |= {"town": town, "short": short, "gov": gov, "镇投": f"嘉兴市秀洲区{short}城建有限公司"}
    fill |= {"brand": rng.choice(BRANDS[0]) + rng.choice(BRANDS[1]), "product": product}
    fill["cap"] = f"{round(rng.randint(int(cap_lo), int(cap_hi)), 2 - len(cap_hi))}{cap_unit}"
    # Industry in a subdistrict is the high-tech zone's; in a town, the town's or the bureau's.
    fill["zone"] = "秀洲高新区管委会" if town.endswith("街道") else rng.choice((gov, "区经信局"))
    template, units, owner = rng.choice([t[1:] for t in TEMPLATES if t[0] == category])
    _, lo, hi, _, new_pct, _ = CATEGORIES[category]
    build_type = "新建" if rng.randrange(100) < new_pct else "续建"
    plan = round(lo * (hi / lo) ** rng.random() / 50) * 50
    lon, lat = (x + rng.uniform(-0.02, 0.02) for x in towns[town])
    name, unit = name or template.format(**fill), rng.choice(units.split("/")).format(**fill)
    return _Project(name, category, town, unit, owner.format(**fill), lon, lat, build_type, plan)


def _projects(rng) -> list[_Project]:
    geo = pd.read_csv(GEO_CSV)
    towns = {r.name: (r.lon_gcj02, r.lat_gcj02) for r in geo.itertuples(index=False)}
    longi = _make(rng, towns, "先进制造业", "隆基乐叶年产5GW单晶组件项目", "高照街道")
    longi.owner, longi.build_type, longi.role = "嘉兴隆基乐叶光伏科技有限公司", "新建", "longi"
    longi.plan, longi.total, longi.permille = 200000, 500000, 850
    longi.planned_start = longi.actual_start = dt.date(YEAR, 2, 20)  # cloud ground-breaking
    longi.planned_end = dt.date(YEAR, 11, 30)
    projects = [longi]
    for category, (count, *_) in CATEGORIES.items():
        while sum(p.category == category for p in projects) < count:
            candidate = _make(rng, towns, category)
            if all(candidate.name != p.name for p in projects):
                projects.append(candidate)
    _spread(rng, projects[1:])
    # Bigger plans tend to be higher tiers, but not strictly: tiers follow policy, not size alone.
    ranked = sorted(projects[1:], key=lambda p: -p.plan * rng.uniform(0.5, 2.0))
    for p, tier in zip([longi, *ranked], [t for t, n in TIERS for _ in range(n)], strict=True):
        p.tier = tier
    order = [tier for tier, _ in TIERS] + list(CATEGORIES)
    return sorted(projects, key=lambda p: (order.index(p.tier), order.index(p.category), -p.plan))


def _day(rng, year: int, first: int = 1, last: int = 12) -> dt.date:
    return dt.date(year, rng.randint(first, last), rng.randint(1, 28))


def _spread(rng, projects: list[_Project]) -> None:
    """Roles, dates and totals: the leaders and laggards the light and evaluation pages show."""
    roles = [role for role, (count, *_) in ROLES.items() for _ in range(count)]
    for p, role in zip(projects, rng.sample(roles, len(roles)), strict=True):
        p.role, p.permille = role, rng.randint(*ROLES[role][1:])
        p.problem = rng.choice(PROBLEMS) if role in ("late", "lagging", "yellow") else ""
        p.problem = "收尾工程进度滞后，竣工验收推迟" if role == "overdue" else p.problem
        # Only a new project can start late; only an ongoing one can finish or overrun this year.
        if role in ("late", "overdue", "completed"):
            p.build_type = "新建" if role == "late" else "续建"
        ongoing = p.build_type == "续建"
        p.total = p.plan * rng.randint(*((20, 60) if ongoing else (12, 40))) // 1000 * 100
        if ongoing:
            p.planned_start = p.actual_start = _day(rng, YEAR - rng.randint(1, 3))
            ends = {"completed": (YEAR, 4, 8), "overdue": (YEAR, 1, 2)}
            p.planned_end = _day(rng, *ends.get(role, (rng.randint(YEAR, YEAR + 2), 9, 12)))
            continue
        month = rng.choices((1, 3, 4, 5, 6, 7), weights=(10, 35, 30, 15, 7, 3))[0]
        p.planned_start = _day(rng, YEAR, *((3, 4) if role == "late" else (month, month)))
        p.planned_end = _day(rng, YEAR + rng.randint(1, 2))
        on_time = role in ("flag", "completed") or month > 5 or rng.random() < 0.75
        shift = dt.timedelta(rng.randint(-10, 0) if on_time else rng.randint(10, 40))
        p.actual_start = max(dt.date(YEAR, 1, 2), p.planned_start + shift)
        if role == "late":  # three months or more without a start: red in May and June
            p.actual_start = _day(rng, YEAR, max(p.planned_start.month + 3, 6), 7)


def _round_to(num: int, den: int, gran: int) -> int:
    """num/den rounded half up to a multiple of gran, in integers: money never goes via float."""
    return gran * ((2 * num + den * gran) // (2 * den * gran))


def _cumulative(rng, p: _Project) -> list[int]:
    """Cumulative completed investment in cents (0.01 万元) at the end of months 0..8."""
    gran = rng.choice((1, 100, 100))  # most offices report whole 万元, some two decimals
    first = p.actual_start.month if p.actual_start.year == YEAR else 1
    last = p.planned_end.month if p.role == "completed" else LAST_MONTH
    weights = []
    for m in range(1, LAST_MONTH + 1):
        w = SEASON[m - 1] * rng.randint(70, 130) if first <= m <= last else 0
        if m == first and p.actual_start.year == YEAR:  # count from the ground-breaking day
            w = max(1, w * (29 - p.actual_start.day) // 28)
        weights.append(w)
    august = _round_to(p.plan * 100 * p.permille, 1000, gran)
    return [0] + [_round_to(august * sum(weights[:m]), sum(weights), gran) for m in range(1, 9)]


def _targets(p: _Project) -> list[int]:
    """Per-month targets (tens of 万元) over the months the plan expected work; they sum to it."""
    first = p.planned_start.month if p.planned_start.year == YEAR else 1
    last = p.planned_end.month if p.planned_end.year == YEAR else 12
    weights = [w if first <= m <= last else 0 for m, w in enumerate(TARGET_SEASON, 1)]
    cum = [_round_to(p.plan * sum(weights[:m]), sum(weights), 10) for m in range(13)]
    return [cum[m] - cum[m - 1] for m in range(1, 13)]


def _report(rng, p: _Project, m: int) -> tuple[str, str, str]:
    """Stage, 形象进度 and 存在问题 of a project in month m."""
    end = Month(YEAR, m).end
    steps, started = STEPS[CATEGORIES[p.category][3]].split(), p.actual_start <= end
    if not started:
        stage, image = "签约", PREPARATION[min(m, len(PREPARATION)) - 1]
    elif p.role == "completed" and m >= p.planned_end.month:
        stage = "竣工" if m == p.planned_end.month else "投运"
        done = "已投产" if p.category == "先进制造业" else "已投入使用"
        image = "完成竣工验收" if stage == "竣工" else done
    elif (p.actual_start.year, p.actual_start.month) == (YEAR, m):
        stage = "开工"
        image = "举行云开工仪式，场地平整" if p.role == "longi" else f"开工建设，{steps[0]}"
    else:  # 形象进度 follows the share of the construction period elapsed: it never moves back
        stage = "在建"
        elapsed = (end - p.actual_start).days / max(1, (p.planned_end - p.actual_start).days)
        pos = min(elapsed, 0.999) * len(steps)
        within = pos - int(pos)
        percent = 10 * min(9, max(1, round(within * 10)))
        image = steps[int(pos)].format(p=percent, n=max(1, round(within * 12)))  # of 12 floors
    # Laggards report their problem once they fall behind; the others, all year.
    problem = p.problem if m >= {"lagging": 3, "yellow": 6}.get(p.role, 1) else ""
    if p.role == "late" and started:
        problem = "开工滞后，施工力量投入不足"
    elif m == 2 and started and not problem and rng.random() < 0.3:
        problem = "受疫情影响，外地务工人员返岗不足"
    return stage, image, problem


def generate(out_dir: Path, seed: int = 2020) -> list[Path]:
    """Write the register and the Jan–Aug reports into out_dir; same seed, same bytes."""
    rng = random.Random(seed)
    projects = _projects(rng)
    target = sum(p.plan for p in projects) * 80  # 80% of the plan, in cents
    # Scale the ordinary projects so that the district lands on 80%.
    normal = [p for p in projects if p.role == "normal"]
    fixed = sum(p.plan * p.permille for p in projects if p.role != "normal")  # 万元·‰
    for _ in range(20):  # clipped to a plausible range, so it takes a few rounds to settle
        num, den = target * 10 - fixed, sum(p.plan * p.permille for p in normal)
        for p in normal:
            p.permille = min(910, max(680, _round_to(p.permille * num, den, 1)))
    paths = [_cumulative(rng, p) for p in projects]
    # What rounding left over goes to the August figure of the largest ordinary project.
    big = max(range(len(projects)), key=lambda i: (projects[i].role == "normal", projects[i].plan))
    paths[big][LAST_MONTH] += target - sum(path[LAST_MONTH] for path in paths)
    codes = [f"XZ{YEAR}-{i:03d}" for i in range(1, len(projects) + 1)]
    register = [
        [code, p.name, p.tier, p.category, p.town, p.unit,
         "区长" if p.role == "longi" else LEADERS.get(p.unit, CATEGORIES[p.category][5]),
         p.owner, p.build_type, p.total, p.plan, p.planned_start, p.planned_end,
         f"{p.lon:.6f}", f"{p.lat:.6f}", *_targets(p)]
        for code, p in zip(codes, projects, strict=True)
    ]  # fmt: skip
    files = {REGISTER_FILE: (standard.register_header(YEAR), register)}
    for m in range(1, LAST_MONTH + 1):
        rows = []
        for code, p, path in zip(codes, projects, paths, strict=True):
            stage, image, problem = _report(rng, p, m)
            start = "" if stage == "签约" else p.actual_start
            money = [str(Decimal(c) / 100) for c in (path[m] - path[m - 1], path[m])]
            rows.append([code, p.name, *money, stage, start, image, problem])
        files[PROGRESS_FILE.format(YEAR, m)] = (standard.PROGRESS_HEADER, rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in files.items():
        # utf-8-sig with CRLF line ends: what Excel's "CSV UTF-8" save gives.
        with (out_dir / name).open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
    return [out_dir / name for name in files]


# username, password, role, units, display name
ACCOUNTS = (
    ("leader", "xz-demo-leader", "viewer", (), "区领导（示例）"),
    ("staff", "xz-demo-staff", "staff", ("王江泾镇人民政府",), "王江泾镇填报员（示例）"),
    ("office", "xz-demo-office", "office", (), "区重点办（示例）"),
    ("admin", "xz-demo-admin", "admin", (), "管理员（示例）"),
)
UPLOADER = auth.User(demo_mark.UPLOADER, "示例数据", "office")
ACCOUNTS_ADDED = dt.datetime(YEAR, 1, 20, 8)  # nominal, like the upload times below


def add_accounts(con) -> None:
    """The demo accounts, added by the command line (auth.SYSTEM) at a nominal time, and
    anonymous viewing switched on so that `make run` opens on the figures."""
    for username, password, role, units, name in ACCOUNTS:
        auth.add_user(con, username, password, role, units=units, display_name=name,
                      actor=auth.SYSTEM, now=ACCOUNTS_ADDED)  # fmt: skip
    settings.set_anonymous_viewing(con, True, actor=auth.SYSTEM, at=ACCOUNTS_ADDED)


def load(con, demo_dir: Path, user: auth.User = UPLOADER) -> list[int]:
    """Import the demo files through the same path as any upload: the register, then each month.

    Upload times are nominal (register on 20 January, each report on the 4th of the next
    month, published by the office on the 12th), so that two builds give the same database.
    """
    paths = [demo_dir / REGISTER_FILE]
    paths += [demo_dir / PROGRESS_FILE.format(YEAR, m) for m in range(1, 13)]
    batches = []
    for path in (p for p in paths if p.exists()):
        preview = ingest.prepare(con, path.read_bytes(), path.name)
        month = preview.parsed.month
        day = dt.date(YEAR, 1, 20) if month is None else Month(YEAR, month).end + dt.timedelta(4)
        at = dt.datetime.combine(day, dt.time(9))
        batches.append(ingest.commit(con, preview, user, at=at))
        if month is not None:  # reported by the 5th, published after the office's review
            published = dt.datetime.combine(day + dt.timedelta(8), dt.time(10))
            cycle.publish.publish(con, user, Month(YEAR, month), at=published)
    nodes_demo.add(con, user)  # milestones consistent with the register and the reports
    return batches


def build(db_path: Path, demo_dir: Path) -> None:
    """A fresh demo database: same files in, same tables out, ids in file order.

    Built beside the target and moved over it in one step, and only when no other process
    (a running dashboard, say) has the target open: deleting a file under a reader corrupts
    nothing on disk but leaves that reader on a ghost.
    """
    if db.is_postgres(db_path):  # a shared store: emptied and filled in place, as one writer
        postgres.reset(str(db_path))
        con = connect(db_path)
        try:
            with db.writing(con):
                add_accounts(con)
                load(con, demo_dir)
        finally:
            con.close()
        return
    db_path = Path(db_path)
    if db_path.exists():
        connect(db_path).close()  # raises DatabaseLocked while anyone else holds it
    building = db_path.with_name(db_path.name + ".building")
    # DuckDB replays a leftover .wal into a new file of the same name: remove both.
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = connect(building, create=True)
    try:
        add_accounts(con)
        load(con, demo_dir)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(building, db_path)
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
