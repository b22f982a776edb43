"""The choices and limits of a teacher's record: what her registration, her own details page and the organisers'
edit form accept. Pure."""

from __future__ import annotations

import re

GENDERS = ("male", "female")
GRADE_BANDS = ("kindergarten", "primary", "junior", "senior", "vocational")
# The 56 officially recognised ethnic groups (Han first: most teachers), plus foreign-born nationals.
ETHNICITIES = tuple(
    "汉族 彝族 藏族 羌族 苗族 布依族 土家族 回族 蒙古族 维吾尔族 壮族 朝鲜族 满族 侗族 瑶族 白族 哈尼族 哈萨克族 "
    "傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 布朗族 "
    "撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 "
    "京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 其他".split()
)
SUBJECTS = tuple(
    "语文 数学 英语 物理 化学 生物 道德与法治 思想政治 历史 地理 科学 音乐 体育 美术 信息技术 心理健康 "
    "学前教育 特殊教育 综合实践 学校管理 其他".split()
)
TITLES = ("未定级", "三级教师", "二级教师", "一级教师", "高级教师", "正高级教师")
NAME_MAX = 32
SCHOOL_MAX = 64
EMAIL_MAX = 254
YEARS_TEACHING_MAX = 50
# Deliberately plain: one @, a dot in the domain, no spaces. The confirmation mail is the real test.
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"'(),;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
