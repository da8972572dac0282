"""Word lists from which the synthetic registry composes realistic Chinese institutions.

Kept apart from the generator so that the lists can grow without touching the logic. Every entry is
made of common characters (GB 2312 level 1 where possible): the synthetic certificates are there to
test OCR the way real ones would, not to find tesseract's blind spots in rare characters.
"""

from __future__ import annotations

from typing import NamedTuple


class Region(NamedTuple):
    """An administrative region (GB/T 2260) at district level, with the names used to compose text."""

    code: str
    province: str
    """Province-level name as written in addresses (e.g. ``广东省``; ``北京市`` for municipalities)."""
    city: str
    """City name as written in addresses; empty for a municipality, whose districts follow directly."""
    district: str
    city_short: str
    """The short city name banks use for branches (``北京``, ``广州``)."""

    @property
    def full_name(self) -> str:
        """``北京市海淀区`` / ``广东省广州市天河区``: the account location and address prefix."""
        return f"{self.province}{self.city}{self.district}"

    @property
    def city_name(self) -> str:
        """``北京市`` / ``广州市``: the prefix of city-level institutions."""
        return self.city or self.province

    @property
    def city_code(self) -> str:
        """Region code of the city (``440100``; the province's for a municipality)."""
        return self.province_code if not self.city else self.code[:4] + "00"

    @property
    def province_code(self) -> str:
        """Region code of the province (``110000``), where province-level bodies are registered."""
        return self.code[:2] + "0000"


REGIONS: tuple[Region, ...] = (
    Region("110101", "北京市", "", "东城区", "北京"),
    Region("110105", "北京市", "", "朝阳区", "北京"),
    Region("110108", "北京市", "", "海淀区", "北京"),
    Region("120101", "天津市", "", "和平区", "天津"),
    Region("310104", "上海市", "", "徐汇区", "上海"),
    Region("310115", "上海市", "", "浦东新区", "上海"),
    Region("500103", "重庆市", "", "渝中区", "重庆"),
    Region("440106", "广东省", "广州市", "天河区", "广州"),
    Region("440305", "广东省", "深圳市", "南山区", "深圳"),
    Region("330106", "浙江省", "杭州市", "西湖区", "杭州"),
    Region("320102", "江苏省", "南京市", "玄武区", "南京"),
    Region("320505", "江苏省", "苏州市", "虎丘区", "苏州"),
    Region("510107", "四川省", "成都市", "武侯区", "成都"),
    Region("420106", "湖北省", "武汉市", "武昌区", "武汉"),
    Region("610113", "陕西省", "西安市", "雁塔区", "西安"),
    Region("370102", "山东省", "济南市", "历下区", "济南"),
    Region("410105", "河南省", "郑州市", "金水区", "郑州"),
    Region("430104", "湖南省", "长沙市", "岳麓区", "长沙"),
    Region("350203", "福建省", "厦门市", "思明区", "厦门"),
    Region("210102", "辽宁省", "沈阳市", "和平区", "沈阳"),
    Region("530102", "云南省", "昆明市", "五华区", "昆明"),
    Region("340104", "安徽省", "合肥市", "蜀山区", "合肥"),
    Region("360102", "江西省", "南昌市", "东湖区", "南昌"),
    Region("130102", "河北省", "石家庄市", "长安区", "石家庄"),
)

# fmt: off
SURNAMES: tuple[str, ...] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈",
)
# fmt: on
COMPOUND_SURNAMES: tuple[str, ...] = ("欧阳", "司马", "诸葛", "上官")

# fmt: off
GIVEN_NAME_CHARACTERS: tuple[str, ...] = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "英", "华", "慧", "建", "国", "平", "红", "玉", "兰", "志", "文", "海", "晓", "东",
    "霞", "鹏", "辉", "刚", "斌", "宇", "浩", "婷", "雪", "琳", "晨", "博", "欣", "颖", "思", "嘉",
    "子", "俊", "峰", "凯", "健", "新", "春", "梅", "林", "云", "宁", "亮", "洁", "立", "德", "成",
)
# fmt: on

# fmt: off
CHARITY_THEMES: tuple[str, ...] = (
    "春晖", "阳光", "爱心", "希望", "助学", "儿童", "关爱", "明德", "启明", "博爱", "同心", "暖心",
    "扶老", "助残", "乡村振兴", "青少年发展", "妇女儿童", "医疗救助", "教育发展", "环境保护",
)
# fmt: on
"""What a foundation or association is for; placed between the region and the legal form."""

# fmt: off
ENTERPRISE_BRANDS: tuple[str, ...] = (
    "恒通", "顺达", "华联", "宏远", "鑫源", "安泰", "嘉禾", "瑞丰", "永信", "天成", "远航", "中和",
    "金穗", "新航", "众诚", "德胜", "海纳", "佳运", "丰泽", "百川", "长风", "利民", "兴业", "广源",
)
# fmt: on

SUPPLIER_TRADES: tuple[str, ...] = ("商贸", "食品", "医疗器械", "粮油", "服装", "文具", "药业", "农产品")

# fmt: off
BANKS: tuple[str, ...] = (
    "中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行",
    "招商银行", "兴业银行", "中信银行", "浦发银行", "民生银行", "光大银行",
)
# fmt: on

# fmt: off
STREETS: tuple[str, ...] = (
    "人民路", "解放路", "中山路", "建设路", "和平路", "文化路", "长江路", "黄河路", "学院路", "新华路",
    "胜利路", "光明路", "东风路", "朝阳路", "青年路", "幸福路", "友谊路", "北京路", "南京路", "滨河路",
)
# fmt: on

GOVERNMENT_DEPARTMENTS: tuple[str, ...] = ("民政局", "卫生健康委员会", "应急管理局", "教育局", "乡村振兴局")
