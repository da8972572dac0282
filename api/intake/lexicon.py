"""Public facts about what a field can say: licensed banks, province-level divisions, surnames.

Short closed lists that anyone can check. The field validators of :mod:`api.intake.institution`
use them to score how much a value looks like a real one (a location starts with a province-level
division, a person's name with a surname); a low score lowers the field's confidence. They never
change a character: a difference from the registry is for the audit to weigh.
"""

from __future__ import annotations

BANKS: frozenset[str] = frozenset(
    {
        # Policy banks, large state-owned and joint-stock commercial banks (official and usual short names).
        "国家开发银行", "中国进出口银行", "中国农业发展银行", "中国工商银行", "中国农业银行", "中国银行",
        "中国建设银行", "交通银行", "中国邮政储蓄银行", "招商银行", "上海浦东发展银行", "浦发银行", "中信银行",
        "中国光大银行", "光大银行", "华夏银行", "中国民生银行", "民生银行", "广发银行", "平安银行", "兴业银行",
        "浙商银行", "渤海银行", "恒丰银行",
        # Large city and rural commercial banks.
        "北京银行", "上海银行", "江苏银行", "南京银行", "宁波银行", "杭州银行", "徽商银行", "长沙银行",
        "成都银行", "重庆银行", "北京农村商业银行", "上海农村商业银行", "重庆农村商业银行", "广州农村商业银行",
    }
)  # fmt: skip

PROVINCES: frozenset[str] = frozenset(
    {
        "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
        "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
        "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区",
        "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区",
        "澳门特别行政区",
    }
)  # fmt: skip
"""China's province-level divisions, as written at the start of an address or account location."""

SURNAMES: frozenset[str] = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝"
)
"""The common Chinese surnames (about 300, covering nearly everyone)."""

COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙"}
)
