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
    assert Fever(threshold=38.0, unit="C").display() == "38.0 °C"
    assert Fever(threshold=38.0, unit="F").display() == "100.4 °F"
    assert Fever(threshold=38.3, unit="both").display() == "38.3 °C (100.9 °F)"
