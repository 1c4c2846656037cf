"""The schema of the clinic profile: its name, numbers, fever threshold, paper and colours.

Each field's docstring becomes its description in the JSON Schema that editors use.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from .schema import Model


def _visible(value: str) -> str:
    """Refuse control, format (zero-width, direction marks), private-use and unassigned characters in printed text."""
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cf", "Co", "Cn", "Cs"} and char not in "\n":
            raise ValueError(f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed character')}) is invisible or "
                             f"not a character: it would print nothing or another text; remove it")
    return value


Printed = Annotated[str, AfterValidator(_visible)]
"""Text printed as it is on every page (the clinic's name): visible characters only."""


# --- Clinic profile -----------------------------------------------------------------------

Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ()./-]{2,24}[0-9]( ?(ext\.?|x) ?[0-9]{1,6})?$")]
"""A phone number as it should be dialled and printed, such as `+1 555-0199`."""


class Phones(Model):
    """The clinic's phone numbers."""

    daytime: Phone
    """The number for questions that can wait, in office hours."""
    urgent: Phone
    """The number answered 24 hours a day: the fever line."""
    emergency: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{0,14}[0-9]$")]
    """The emergency number of the clinic's country, such as `911`, `112` or `999`; never assumed."""

    @field_validator("emergency")
    @classmethod
    def _distinct(cls, value: str, info: ValidationInfo) -> str:
        def digits(text: str | None) -> str:
            return "".join(c for c in text or "" if c.isdigit())

        for other in ("urgent", "daytime"):
            if digits(value) == digits(info.data.get(other)):
                raise ValueError(f"the emergency number is the same as the {other} number: a life-threatening "
                                 f"emergency would be sent to the clinic; give the country's emergency number "
                                 f"(911, 112, 999...)")
        return value


class Fever(Model):
    """When a fever means calling right away."""

    threshold: float = Field(ge=37.5, le=39.5)
    """The temperature, in degrees Celsius, at or above which the family calls right away."""
    unit: Literal["C", "F", "both"] = "C"
    """What the handout shows: `C`, `F` or `both` (38.0 °C (100.4 °F))."""

    @field_validator("threshold", mode="before")
    @classmethod
    def _celsius(cls, value):
        if isinstance(value, int | float) and not isinstance(value, bool) and 95 <= value <= 105:
            celsius = round((value - 32) * 5 / 9, 1)
            raise ValueError(f"the threshold is in °C; {value} looks like °F (that is {celsius} °C)")
        if isinstance(value, float) and round(value, 1) != value:
            raise ValueError(f"{value} has more than one decimal; a thermometer reads tenths of a degree: write "
                             f"{round(value, 1)}, so that °C and °F agree on the page")
        return value


def contrast_on_white(hex_colour: str) -> float:
    """Return the WCAG contrast ratio of a #rrggbb colour against white."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


class ClinicProfile(Model):
    """The clinic whose numbers and name every handout carries."""

    name: Printed = Field(min_length=1, max_length=120)
    """The clinic's name as printed in the footer."""
    department: Printed | None = Field(default=None, min_length=1, max_length=120)
    """The department or service, printed under the name, such as `Pediatric Hematology and Oncology`."""
    address: Printed | None = Field(default=None, min_length=1, max_length=300)
    """The clinic's address, printed on covers and the care team page."""
    phones: Phones
    """The clinic's phone numbers."""
    fever: Fever
    """The fever rule the clinic teaches families."""
    website: str | None = Field(default=None, max_length=200, pattern=r"^https://[A-Za-z0-9](?:[A-Za-z0-9.-]*"
                                r"[A-Za-z0-9])?(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~!$&()*+,;=:@%/-]*)?$")
    """The base address where the clinic publishes these handouts, such as `https://example.org/all/`.

    Printable ASCII only, as it is printed and put in QR codes: no spaces, quotes, backslashes, `<>`, `?` or `#`.
    """
    paper: Literal["letter", "a4"] | None = None
    """The clinic's paper size; `--paper` overrides it; Letter when neither is given."""
    accent: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    """An accent colour for headings and rules, as `#rrggbb`; it must read well on white (contrast 4.5:1 or more)."""
    logo: str | None = Field(default=None, min_length=1)
    """The clinic's logo, an SVG or PNG file beside the profile (1 MB at most)."""

    @field_validator("accent")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        if value is not None:
            ratio = contrast_on_white(value)
            if ratio < 4.5:
                raise ValueError(f"{value} is too light to read on white (contrast {ratio:.1f}:1; "
                                 f"4.5:1 or more is needed)")
        return value
