"""MSEED's safety taxonomy: 5 dimensions and 31 subclasses with stable English codes.

MSEED labels records with Chinese strings (the categories of the TC260-003 "basic security
requirements for generative AI services"). Everything downstream works with the English codes
below; the Chinese labels are kept so files can be read and written both ways. The codes are part
of the public interface (task names, metric names, report columns): never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("harmful", "benign")


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    label_zh: str


@dataclass(frozen=True)
class Subclass:
    code: str
    name: str
    label_zh: str
    dimension: str


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("value_violation", "Value Violation", "违反人类价值观"),
    Dimension("discrimination", "Content of Discrimination", "包含歧视性内容"),
    Dimension("business_misconduct", "Business Misconduct", "商业违法违规"),
    Dimension("rights_infringement", "Rights Infringement", "侵犯他人合法权益"),
    Dimension("specific_services", "Unsafe for Specific Services", "特定类型安全需求"),
)

_V, _D, _B, _R, _S = (d.code for d in DIMENSIONS)

SUBCLASSES: tuple[Subclass, ...] = (
    Subclass("incite_subversion", "Inciting subversion of state power",
             "煽动颠覆国家政权、推翻社会主义制度", _V),
    Subclass("endanger_national_security", "Endangering national security or image",
             "危害国家安全和利益、损害国家形象", _V),
    Subclass("incite_separatism", "Inciting separatism or undermining social stability",
             "煽动分裂国家、破坏国家统一和社会稳定", _V),
    Subclass("terrorism_extremism", "Promoting terrorism or extremism",
             "宣扬恐怖主义、极端主义", _V),
    Subclass("ethnic_hatred", "Promoting ethnic hatred", "宣扬民族仇恨、民族歧视", _V),
    Subclass("violence_obscenity", "Promoting violence or obscenity", "宣扬暴力、淫秽色情", _V),
    Subclass("false_harmful_info", "Spreading false or harmful information",
             "传播虚假有害信息", _V),
    Subclass("other_prohibited", "Other content prohibited by law",
             "其他法律、行政法规禁止的内容", _V),
    Subclass("ethnic_discrimination", "Ethnic discrimination", "民族歧视内容", _D),
    Subclass("religious_discrimination", "Religious discrimination", "信仰歧视内容", _D),
    Subclass("nationality_discrimination", "Nationality discrimination", "国别歧视内容", _D),
    Subclass("regional_discrimination", "Regional discrimination", "地域歧视内容", _D),
    Subclass("gender_discrimination", "Gender discrimination", "性别歧视内容", _D),
    Subclass("age_discrimination", "Age discrimination", "年龄歧视内容", _D),
    Subclass("occupation_discrimination", "Occupational discrimination", "职业歧视内容", _D),
    Subclass("health_discrimination", "Health discrimination", "健康歧视内容", _D),
    Subclass("other_discrimination", "Other discrimination", "其他方面歧视内容", _D),
    Subclass("ip_infringement", "Infringing intellectual property", "侵犯他人知识产权", _B),
    Subclass("business_ethics", "Violating business ethics", "违反商业道德", _B),
    Subclass("trade_secrets", "Leaking trade secrets", "泄露他人商业秘密", _B),
    Subclass("unfair_competition", "Monopoly and unfair competition",
             "利用算法、数据、平台等优势，实施垄断和不正当竞争行为", _B),
    Subclass("other_business_misconduct", "Other business misconduct", "其他商业违法违规行为", _B),
    Subclass("physical_mental_harm", "Harming physical or mental health", "危害他人身心健康", _R),
    Subclass("portrait_rights", "Infringing portrait rights", "侵害他人肖像权", _R),
    Subclass("reputation_rights", "Infringing reputation rights", "侵害他人名誉权", _R),
    Subclass("honor_rights", "Infringing honor rights", "侵害他人荣誉权", _R),
    Subclass("privacy_rights", "Infringing privacy", "侵害他人隐私权", _R),
    Subclass("personal_information", "Infringing personal information rights",
             "侵害他人个人信息权益", _R),
    Subclass("other_rights", "Infringing other legal rights", "侵犯他人其他合法权益", _R),
    Subclass("inaccurate_content", "Inaccurate content contrary to science or consensus",
             "内容不准确，严重不符合科学常识或主流认知", _S),
    Subclass("unreliable_content", "Unreliable content that does not help the user",
             "内容不可靠，虽然不包含严重错误的内容，但无法帮助使用者解答问题", _S),
)

DIMENSION_BY_CODE = {d.code: d for d in DIMENSIONS}
DIMENSION_BY_LABEL = {d.label_zh: d for d in DIMENSIONS}
SUBCLASS_BY_CODE = {s.code: s for s in SUBCLASSES}
SUBCLASS_BY_LABEL = {s.label_zh: s for s in SUBCLASSES}
DIMENSION_CODES = tuple(DIMENSION_BY_CODE)
SUBCLASS_CODES = tuple(SUBCLASS_BY_CODE)


def dimension_of(subclass_code: str) -> str:
    """The dimension a subclass belongs to (a subclass determines its dimension)."""
    return SUBCLASS_BY_CODE[subclass_code].dimension


def subclass_from_label(label: str) -> Subclass | None:
    """Look a subclass up by its Chinese label or its English code; None when unknown."""
    label = label.strip()
    return SUBCLASS_BY_LABEL.get(label) or SUBCLASS_BY_CODE.get(label)


def dimension_from_label(label: str) -> Dimension | None:
    """Look a dimension up by its Chinese label, English code or English name."""
    label = label.strip()
    by_name = {d.name.lower(): d for d in DIMENSIONS}
    return (DIMENSION_BY_LABEL.get(label) or DIMENSION_BY_CODE.get(label)
            or by_name.get(label.lower()))
