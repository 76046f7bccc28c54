"""Pages and PDFs name protocols and sources in words, not by their machine codes."""

from __future__ import annotations

from django.template import Context, Template

from ketaclinic.apps.web.templatetags.clinical_labels import protocol_title, short_citation


def test_a_protocol_id_reads_as_its_title():
    assert protocol_title("esketamine-trd") == (
        "Esketamine nasal spray, treatment-resistant depression (US label)"
    )
    assert protocol_title("no-such-protocol") == "no-such-protocol"


def test_a_source_key_reads_as_a_short_citation():
    assert short_citation("outcomes_elekt_d_anand2023") == "Anand A et al., 2023"
    assert short_citation("phq9_kroenke_2001") == "Kroenke K et al., 2001"
    assert short_citation("unknown_key") == "unknown_key"


def test_the_filters_work_in_a_template():
    html = Template(
        "{% load clinical_labels %}{{ p|protocol_title }} · {{ s|source_citation }}"
    ).render(Context({"p": "iv-depression-induction", "s": "outcomes_elekt_d_anand2023"}))
    assert "iv-depression-induction" not in html
    assert "Anand A et al., 2023" in html


def test_the_crisis_line_is_a_tel_link_and_the_text_stays_escaped(settings):
    settings.KETACLINIC_CRISIS_TEXT = "Call <b>988</b> or 9880 now"
    settings.KETACLINIC_CRISIS_PHONE = "988"
    html = Template("{% load crisis_line %}{% crisis_text %}").render(Context())
    assert html == (
        'Call &lt;b&gt;<a class="tel-link" href="tel:988">988</a>&lt;/b&gt; or 9880 now'
    )
