"""The legal bases that partitioning migrations record with a table's retention period
(``RetentionPeriod``), in Chinese and English, so that a new table's period reads like the
earlier ones. Defaults pending the city's legal review; an administrator changes them."""

from __future__ import annotations

ARCHIVES_ZH = "《机关文件材料归档范围和文书档案保管期限规定》（国家档案局令第8号）"
ARCHIVES_EN = (
    "the Provisions on the Scope of Archiving of Agency Documents and the Retention Periods of"
    " Document Archives (National Archives Administration Order No. 8)"
)


def archive_thirty_years(*, kept_zh: str, kept_en: str) -> dict:
    """A retention period of thirty years, the longer fixed term of the archive provisions,
    for changes kept as long as the record's own archive; ``kept_*`` says whose changes."""
    chinese = (
        "待本市法制审核确认的默认值：三十年，即"
        + ARCHIVES_ZH
        + "规定的较长定期保管期限，"
        + kept_zh
        + "与其档案保存同样长的时间。"
    )
    english = (
        "Default pending the city's legal review: thirty years, the longer fixed term of "
        + ARCHIVES_EN
        + ", for "
        + kept_en
        + ", kept as long as their own archive."
    )
    return {
        "months": 360,
        "legal_basis": chinese,
        "legal_basis_zh_hans": chinese,
        "legal_basis_en": english,
    }


def operational(*, months: int, chinese: str, english: str) -> dict:
    """A retention period set by operations, not by an archive rule: ``chinese`` and
    ``english`` say why that long; both are marked as defaults for the legal review."""
    chinese = "待本市法制审核确认的默认值：" + chinese
    english = "Default pending the city's legal review: " + english
    return {
        "months": months,
        "legal_basis": chinese,
        "legal_basis_zh_hans": chinese,
        "legal_basis_en": english,
    }


def kept_for_good(*, chinese: str, english: str) -> dict:
    """No retention period: every partition is kept, never dropped; ``chinese`` and
    ``english`` say why."""
    return {
        "months": None,
        "legal_basis": chinese,
        "legal_basis_zh_hans": chinese,
        "legal_basis_en": english,
    }


# The outbox and its delivery log: the operational record of delivery.
OUTBOX_DELIVERY = operational(
    months=3,
    chinese=(
        "三个月。待发送消息及其投递记录是投递的运行记录：一条消息在写入后数小时内送达或放弃"
        "（最多八次尝试，间隔不超过一小时），之后再保留约九十天以便查明投递问题；"
        "消息所说的内容保存在其所涉记录的历史和审计中。"
    ),
    english=(
        "three months. Outgoing messages and their delivery log are the operational record of"
        " delivery: a message is delivered or given up within hours of being written (eight"
        " attempts at most, at most an hour apart) and is kept about ninety days after that to"
        " look into delivery problems; what it told is kept in the history and audit of the"
        " record it is about."
    ),
)
