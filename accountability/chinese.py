"""Chinese presentation conventions: numerals in citations, dates, document numbers (文号)."""

import datetime as dt

DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 17 → 十七, 21 → 二十一, 105 → 一百零五 (enough for article numbers)."""
    if number < 0:
        raise ValueError(number)
    if number < 10:
        return DIGITS[number]
    if number < 20:
        return "十" + (DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, ones = divmod(number, 10)
        return DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")
    hundreds, rest = divmod(number, 100)
    if rest == 0:
        return DIGITS[hundreds] + "百"
    if rest < 10:
        return DIGITS[hundreds] + "百零" + DIGITS[rest]
    tail = chinese_numeral(rest)
    return DIGITS[hundreds] + "百" + ("一" + tail if rest < 20 else tail)


def cite_article(article: int, paragraph: int | None = None, item: int | None = None) -> str:
    """第七条第一款第（三）项."""
    text = f"第{chinese_numeral(article)}条"
    if paragraph:
        text += f"第{chinese_numeral(paragraph)}款"
    if item:
        text += f"第（{chinese_numeral(item)}）项"
    return text


def chinese_date(day: dt.date | None) -> str:
    """2026年11月30日."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def document_number(prefix: str, year: int, sequence: int) -> str:
    """问责〔2026〕第0001号, with the brackets U+3014/U+3015."""
    return f"{prefix}\u3014{year}\u3015第{sequence:04d}号"
