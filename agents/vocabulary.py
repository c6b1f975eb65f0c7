"""Names the plan uses, in one place: cities, firm kinds, platform kinds, market groups, quarters."""

from __future__ import annotations

import re

# The 11 prefecture cities of Zhejiang (plan section 二); Jinhua includes Yiwu.
CITIES = ("Hangzhou", "Ningbo", "Wenzhou", "Jiaxing", "Huzhou", "Shaoxing",
          "Jinhua", "Quzhou", "Zhoushan", "Taizhou", "Lishui")

# Firm kinds (plan section 3 of the digest).
FIRM_KINDS = ("traditional", "cbec", "service", "content")
TRADITIONAL, CBEC, SERVICE, CONTENT = range(4)

# Platform kinds and the firm kind each one serves.
PLATFORM_KINDS = ("cbec_b2c", "b2b", "content", "service")
PLATFORM_SERVES = {"cbec_b2c": CBEC, "b2b": TRADITIONAL, "content": CONTENT, "service": SERVICE}

# Foreign market groups a firm mainly sells to.
MARKETS = ("us", "eu", "asia", "other")

FIRST_YEAR = 2020  # the model starts at end-2019 and steps from 2020Q1
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_index(label: str) -> int:
    """'2020Q1' -> 0, '2020Q2' -> 1 … (raises ValueError on a malformed label)."""
    m = _QUARTER.match(str(label))
    if not m:
        raise ValueError(f"{label!r} is not a quarter like 2021Q3")
    return (int(m.group(1)) - FIRST_YEAR) * 4 + int(m.group(2)) - 1


def quarter_label(index: int) -> str:
    return f"{FIRST_YEAR + index // 4}Q{index % 4 + 1}"


def year_of(index: int) -> int:
    return FIRST_YEAR + index // 4
