"""Inline markup: emphasis only, HTML escaped, placeholders filled and isolated."""

from handoutgen.markup import plain, render_inline
from handoutgen.schema_clinic import Fever


def test_emphasis_and_escaping():
    html = render_inline("**Call** *now* <script>alert(1)</script> & [link](http://x)", {})
    assert html == "<strong>Call</strong> <em>now</em> &lt;script&gt;alert(1)&lt;/script&gt; &amp; [link](http://x)"


def test_placeholders_are_filled_escaped_and_isolated():
    html = render_inline("Call {urgent_phone}.", {"urgent_phone": "+1 555-0199 <x>"})
    assert html == 'Call <bdi class="value urgent-phone">+1 555-0199 &lt;x&gt;</bdi>.'
    assert plain("**Call** {clinic_name}", {"clinic_name": "Clinic"}) == "Call Clinic"


def test_fever_units_round_as_a_thermometer_reads():
    from handoutgen.plan import fever_text

    assert fever_text(Fever(threshold=38.0, unit="C"), "en") == "38.0 °C"
    assert fever_text(Fever(threshold=38.0, unit="F"), "en") == "100.4 °F"
    assert fever_text(Fever(threshold=38.3, unit="both"), "en") == "38.3 °C (100.9 °F)"


def test_celsius_and_fahrenheit_agree_when_rounded():
    """37.96 printed "38.0 °C (100.3 °F)" once: °F was made from 37.96, not from the 38.0 the page shows."""
    import pydantic
    import pytest

    from handoutgen.plan import fever_text

    with pytest.raises(pydantic.ValidationError, match="more than one decimal"):
        Fever(threshold=37.96, unit="both")
    for tenth in range(375, 396):
        shown = fever_text(Fever(threshold=tenth / 10, unit="both"), "en")
        celsius, fahrenheit = (float(part.split()[0].strip("(")) for part in shown.split(" (", 1))
        assert round(celsius * 9 / 5 + 32, 1) == fahrenheit, shown
