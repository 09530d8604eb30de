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
