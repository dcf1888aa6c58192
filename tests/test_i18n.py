"""The zh_CN translations stay complete: every term of each addon's .pot has a Chinese translation.

Plain pytest, no Odoo needed: ``pytest -p no:odoo tests/test_i18n.py``. When a test fails after the
addons changed, regenerate the templates with ``setup/i18n`` and translate the new terms.
"""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
ADDONS = ["crm_relationship", "crm_loyalty", "crm_cmr_portal"]

# %s, %d, %(name)s, %(measure).2f ... but not a literal %%
PYTHON_FORMAT = re.compile(r"%(?:\([A-Za-z0-9_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifgGeExXrc%]")
# {name} and the {{ expression }} of inline templates (mail subjects)
BRACE_FORMAT = re.compile(r"\{\{.*?\}\}|\{[A-Za-z0-9_.]*\}")


def placeholders(text):
    """The placeholders of a message, as a multiset: a translation keeps each one exactly as often."""
    found = [match for match in PYTHON_FORMAT.findall(text) if match != "%%"]
    found += [re.sub(r"\s+", "", match) for match in BRACE_FORMAT.findall(text)]
    return Counter(found)


def addons_with_template():
    return [addon for addon in ADDONS if (ROOT / addon / "i18n" / f"{addon}.pot").is_file()]


@pytest.fixture(params=addons_with_template())
def catalogs(request):
    addon = request.param
    i18n = ROOT / addon / "i18n"
    po_path = i18n / "zh_CN.po"
    assert po_path.is_file(), f"{addon}: i18n/zh_CN.po is missing; run setup/i18n to create it"
    pot = polib.pofile(str(i18n / f"{addon}.pot"))
    po = polib.pofile(str(po_path))
    return addon, pot, po


def test_zh_cn_header(catalogs):
    addon, _pot, po = catalogs
    assert po.metadata.get("Language") == "zh_CN", addon
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;", addon


def test_every_term_is_translated(catalogs):
    addon, pot, po = catalogs
    translations = {(entry.msgctxt, entry.msgid): entry for entry in po if not entry.obsolete}
    problems = []
    for term in pot:
        if term.obsolete or not term.msgid:
            continue
        entry = translations.get((term.msgctxt, term.msgid))
        if entry is None:
            problems.append(f"missing from zh_CN.po: {term.msgid!r}")
        elif not entry.msgstr.strip():
            problems.append(f"not translated: {term.msgid!r}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {term.msgid!r}")
    if problems:
        header = f"{addon}: {len(problems)} term(s) lack a zh_CN translation:"
        pytest.fail("\n".join([header, *problems]), pytrace=False)


def test_placeholders_are_kept(catalogs):
    addon, _pot, po = catalogs
    problems = [
        f"{entry.msgid!r}: {dict(placeholders(entry.msgid))} became {dict(placeholders(entry.msgstr))}"
        for entry in po
        if not entry.obsolete and entry.msgstr and placeholders(entry.msgid) != placeholders(entry.msgstr)
    ]
    if problems:
        header = f"{addon}: placeholders differ between msgid and msgstr:"
        pytest.fail("\n".join([header, *problems]), pytrace=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Order %s", {"%s": 1}),
        ("Two tiers of %s cannot share the threshold %s.", {"%s": 2}),
        ("%(points)s offered: %(reason)s", {"%(points)s": 1, "%(reason)s": 1}),
        ("Qualified with %(measure).2f over the window", {"%(measure).2f": 1}),
        ("100%% sure, %d left", {"%d": 1}),
        ("At Risk After (%)", {}),
        ("Hello {name}", {"{name}": 1}),
        ("Your tier is now {{ object.rel_tier_id.name }}", {"{{object.rel_tier_id.name}}": 1}),
    ],
)
def test_placeholder_detection(text, expected):
    assert placeholders(text) == Counter(expected)
