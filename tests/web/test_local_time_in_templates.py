"""Every time a person reads is on the site's clock (issue 13).

A template that prints a datetime with a time of day must convert it first: inside a
``{% timezone %}`` block, through the ``timezone`` filter, or through ``at_site``. The walk
below fails on any ``|date`` / ``|time`` with a time-of-day format that does neither, so a
new template cannot quietly show UTC again. Exceptions are listed with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import ketaclinic

SOURCE = Path(ketaclinic.__file__).parent
TIME_FORMAT_CHARACTERS = set("aAfgGhHiPsTeOZcrU")
FILTER = re.compile(r"\|\s*(date|time)\b(?:\s*:\s*(\"[^\"]*\"|'[^']*'))?")
CONVERTED = ("at_site", "|timezone:", "localtime")
# Values that are already wall-clock times at the site (TimeFields, or converted in the view).
LOCAL_ALREADY = {
    ("iop/attendance.html", "session.starts_at"),  # TimeField, local time at the site
    ("iop/group_detail.html", "group.session_starts_at"),  # TimeField
    ("iop/group_detail.html", "s.starts_at"),  # TimeField
    ("iop/group_list.html", "g.session_starts_at"),  # TimeField
    ("treatment/course_detail.html", "local"),  # converted with the site's zone in the template
    ("treatment/session_reschedule.html", "local"),  # converted in the view
}


def unconverted_times(root: Path = SOURCE) -> list[str]:
    found = []
    for path in sorted(root.glob("apps/*/templates/**/*.html")):
        text = path.read_text()
        blocks = re.compile(r"{%\s*timezone\b.*?{%\s*endtimezone\s*%}", re.S)
        masked = blocks.sub(lambda m: " " * len(m.group()), text)
        templates = next(parent for parent in path.parents if parent.name == "templates")
        relative = str(path.relative_to(templates))
        for output in re.finditer(r"{{(.*?)}}", masked, re.S):
            expression = output.group(1)
            for match in FILTER.finditer(expression):
                fmt = (match.group(2) or '"TIME"').strip("\"'")
                if match.group(1) == "date" and not set(fmt) & TIME_FORMAT_CHARACTERS:
                    continue
                if fmt == "c":  # machine-readable ISO 8601 with its offset (datetime="")
                    continue
                before = expression[: match.start()]
                if any(word in before for word in CONVERTED):
                    continue
                value = before.split("|")[0].strip()
                if (relative, value) in LOCAL_ALREADY:
                    continue
                line = text.count("\n", 0, output.start()) + 1
                found.append(f"{relative}:{line}: {expression.strip()}")
    return found


def test_every_template_time_is_shown_on_the_sites_clock():
    assert unconverted_times() == []


def test_the_walk_finds_a_time_shown_without_a_zone(tmp_path):
    folder = tmp_path / "apps" / "x" / "templates" / "x"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text(
        '{% load site_time %}<p>{{ a.raised_at|date:"Y-m-d" }}</p>\n'
        '<p>{{ a.raised_at|date:"Y-m-d H:i" }}</p>\n'
        '<p>{{ a.raised_at|at_site:a.site|date:"H:i T" }} {{ a.raised_at|time }}</p>\n'
        '{% timezone a.site.timezone %}{{ a.raised_at|date:"H:i" }}{% endtimezone %}\n'
    )
    assert unconverted_times(tmp_path) == [
        'x/page.html:2: a.raised_at|date:"Y-m-d H:i"',
        "x/page.html:3: a.raised_at|time",
    ]


def test_no_message_in_the_product_names_a_time_in_utc():
    """An error or alert text says "before 09:30 EST", never "before 14:30 UTC"."""
    pattern = re.compile(r"%H:%M[^\"']*\}?\s*UTC")
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in sorted(SOURCE.glob("apps/**/*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
