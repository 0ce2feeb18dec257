"""Copies of the same story: MinHash signatures and story clusters in the store."""
from __future__ import annotations

import json

from click.testing import CliRunner

from watchdesk.cli import main
from watchdesk.resolve.stories import containment, is_copy, jaccard, signature

STORY = (
    "The central bank raised its main interest rate by half a percentage point on Thursday, the third "
    "increase this year, as inflation stayed well above its target. The governor said further rises "
    "could not be ruled out if prices kept climbing. Economists had expected a smaller move, and the "
    "currency gained against the dollar after the announcement. Mortgage lenders are expected to pass "
    "the increase on to borrowers within weeks, adding pressure on households already facing higher "
    "energy bills. Business groups warned that the decision would slow investment."
)
OTHER = (
    "The central bank kept its main interest rate unchanged on Thursday, saying inflation was falling "
    "faster than expected. The governor said the bank would watch wage growth closely. Exporters "
    "welcomed the decision, while savers complained that deposit rates remain low. Analysts said a cut "
    "was possible early next year if the economy keeps slowing, but the bank gave no firm guidance."
)


def test_copies_truncations_and_edits_match_but_other_stories_do_not():
    full = signature(STORY)
    assert is_copy(full, signature("Share this page\nHome | News\n" + STORY + "\nRelated: markets rally"))
    truncated = signature(STORY[: len(STORY) * 2 // 3])
    assert jaccard(full, truncated) < 0.8 and containment(full, truncated) > 0.75
    assert is_copy(full, truncated)
    assert is_copy(full, signature(STORY.replace("Thursday", "Wednesday").replace("third", "fourth")))
    assert not is_copy(full, signature(OTHER))
    assert not is_copy(signature("Short note."), signature("Short note."))  # too short to judge


def test_sample_with_and_without_debris_is_one_story_with_two_copies(tmp_path, sample_path):
    from watchdesk.clean import clean_text

    clean_copy = tmp_path / "clean-copy.txt"
    clean_copy.write_text(clean_text(sample_path.read_text(encoding="utf-8")).text, encoding="utf-8")
    (tmp_path / "other.txt").write_text(OTHER, encoding="utf-8")
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    for path in (sample_path, clean_copy, tmp_path / "other.txt"):
        assert runner.invoke(main, ["ingest", str(path), "--db", db, "-q"]).exit_code == 0
    result = runner.invoke(main, ["stories", "--db", db])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("story 1: 2 copies  Syrian Jihad")
    assert len([line for line in lines if line.startswith("story")]) == 1
    assert "clean-copy.txt" in result.stdout and "other.txt" not in result.stdout

    # No duplicated entities: each person and group is one global entity holding both copies,
    # with the names the article gives it and the sentence that says so.
    def profile(name):
        found = json.loads(runner.invoke(main, ["entity", name, "--db", db, "--json"]).stdout)
        assert len(found) == 1, (name, [p["name"] for p in found])
        return found[0]

    person = profile("Tsuneoki")
    assert person["name"] == "Shamil Tsuneoka" and len(person["documents"]) == 2
    assert {"Tsuneoka", "Tsuneoki"} <= set(person["aliases"])
    gelayev = profile("Gelaev")
    assert gelayev["name"] == "Khamzat Gelayev" and profile("Ruslan")["id"] == gelayev["id"]
    assert any("Khamzat (Ruslan) Gelayev" in a["sentence"] for a in gelayev["alias_evidence"])
    umar = profile("Sheikh Umar al-Shishani")
    assert umar["id"] == profile("Tarkhan Batirashvili")["id"]
    assert any(a["kind"] == "known as" and "known among jihadists as" in a["sentence"] for a in umar["alias_evidence"])
    qaeda = profile("Al-Qaida")
    assert qaeda["id"] == profile("Al Qaeda")["id"] == profile("al-Qaeda")["id"]
    assert len(profile("Free Syrian Army")["documents"]) == 2
    assert "Ahrar al-Sham" in profile("Hakarat Ahrar al-Sham")["name"]
