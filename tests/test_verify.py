"""Quotes checked against their sources' texts: ``kg.attach``/``filmkg sources attach``, ``kg.verify``/``filmkg verify``,
the ``NAME.source.txt`` convention and the warnings ingest gives.

The shipped data verifies 49 of 49 against the shipped article. Quotes that are not in the text
(a changed word, a paraphrase, a sentence of another article) are not found, with the closest
passage; quotes that differ only in whitespace, quotation marks, apostrophes, dashes or case are
found; quotes under four words are flagged as too short.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli_helpers import Target, cli, cli_fails, invoke, target_args
from kg import KnowledgeGraph
from kg.errors import IngestError, NotFoundError
from kg.texts import MIN_QUOTE_WORDS, SourceText

ROOT = Path(__file__).resolve().parent.parent
ANORA = ROOT / "data" / "anora"
ARTICLE = ANORA / "anora-dance-scene-article.source.txt"
TITLE = "The Mikey Madison Dance Scene in Anora: What Most People Get Wrong"
HEADER = "subject,predicate,object,object_type,source,quote\n"


@pytest.fixture
def anora_folder(tmp_path: Path) -> Path:
    """A copy of data/anora: the annotated triples and the article's text beside them."""
    target = tmp_path / "anora"
    shutil.copytree(ANORA, target)
    return target


def _row(quote: str, source: str = TITLE, obj: str = "Anora") -> str:
    escaped = quote.replace('"', '""')
    return f'Mikey Madison,acted-in,{obj},Film,"{source}","{escaped}"\n'


def _extra(folder: Path, *quotes: str, source: str = TITLE) -> Path:
    """A second file of rows citing ``source`` with these quotes, in ``folder``."""
    path = folder / "extra.csv"
    path.write_text(HEADER + "".join(_row(q, source, f"Film {i}") for i, q in enumerate(quotes)), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ the shipped data


def test_shipped_data_verifies_49_of_49(anora_folder: Path) -> None:
    kg = KnowledgeGraph.memory()
    report = kg.ingest(anora_folder)
    assert [t.label for t in report.texts] == [TITLE]
    assert report.warnings == []
    verified = kg.verify()
    assert (verified.quotes, verified.found, verified.not_found, verified.too_short) == (49, 49, 0, 0)
    assert verified.ok and verified.unchecked == 0
    assert verified.summary() == "49 quotes from 1 source: 49 found, 0 not found, 0 too short"
    assert kg.verify(TITLE).quotes == 49


def test_shipped_article_keeps_its_title_and_origin() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == f"Source: {TITLE}"
    assert lines[1].startswith("Origin: ") and "anora-dance-scene-article.txt" in lines[1]
    original = (ROOT.parent / "shared" / "sources" / "anora-dance-scene-article.txt")
    if original.exists():  # the product owner's copy, where this checkout sits beside it
        assert text.endswith(original.read_text(encoding="utf-8"))


def test_verify_cli_on_the_shipped_folder(anora_folder: Path, target: Target) -> None:
    run = cli(target, "ingest", anora_folder)
    assert run.stdout.strip().endswith("1 source text attached")
    run = cli(target, "verify")
    assert run.stdout.strip() == "49 quotes from 1 source: 49 found, 0 not found, 0 too short"
    again = cli(target, "ingest", anora_folder)  # the same text is not attached again
    assert "attached" not in again.stdout


# ------------------------------------------------------------------------------ found and not found


def test_whitespace_quotes_apostrophes_dashes_and_case_do_not_matter() -> None:
    text = SourceText("It’s “Drip” by Brooke Candy.\nThe Neon digital release—they show the actual training.")
    assert text.match('it\'s "DRIP"   by brooke candy.').status == "found"
    assert text.match("the Neon digital release - they show").found is False  # spaces around a dash are words
    assert text.match("The Neon digital release-they show the actual training.").found
    assert text.match("The Neon digital\n release–they show the actual training.").found


def test_an_ellipsis_stands_for_left_out_words() -> None:
    text = SourceText("Mikey Madison spent five months training to be a professional-grade pole dancer.")
    assert text.match("Mikey Madison spent five months … pole dancer.").found
    assert not text.match("pole dancer … Mikey Madison spent five months").found  # the parts in order


def test_a_changed_word_is_not_found_and_shows_the_passage(anora_folder: Path) -> None:
    changed = "Mikey Madison spent six months training to be a professional-grade pole dancer."
    _extra(anora_folder, changed)
    kg = KnowledgeGraph.memory()
    kg.ingest(anora_folder)
    report = kg.verify()
    assert (report.quotes, report.found, report.not_found) == (50, 49, 1)
    [miss] = [c for c in report.checks if not c.found]
    assert (miss.quote, miss.status, miss.source) == (changed, "not found", TITLE)
    assert miss.closest == "Mikey Madison spent five months training to be a professional-grade pole dancer"
    assert 0.9 < miss.similarity < 1
    assert report.checks[0] == miss  # not found first


def test_a_paraphrase_is_not_found() -> None:
    text = SourceText(ARTICLE.read_text(encoding="utf-8"))
    paraphrase = text.match("Madison trained for five months to become a professional pole dancer.")
    assert paraphrase.status == "not found"
    assert "five months training to be a professional-grade pole dancer" in paraphrase.passage
    assert 0.4 < paraphrase.similarity < 0.9


def test_a_quote_from_another_source_is_not_found() -> None:
    text = SourceText(ARTICLE.read_text(encoding="utf-8"))
    other = text.match("Tangerine was shot entirely on three iPhone 5s smartphones with anamorphic adapters.")
    assert other.status == "not found"
    assert other.similarity < 0.5


def test_too_short_quotes_are_flagged_found_or_not(anora_folder: Path) -> None:
    _extra(anora_folder, "the dance", "a tiny cameo")
    kg = KnowledgeGraph.memory()
    kg.ingest(anora_folder)
    report = kg.verify()
    by_quote = {c.quote: c for c in report.checks}
    assert by_quote["the dance"].status == "too short" and by_quote["the dance"].found
    assert by_quote["a tiny cameo"].status == "not found" and by_quote["a tiny cameo"].too_short
    assert (report.found, report.not_found, report.too_short) == (50, 1, 2)
    assert MIN_QUOTE_WORDS == 4


def test_verify_one_source_and_sources_without_text(anora_folder: Path) -> None:
    _extra(anora_folder, "A sentence of a book nobody attached.", source="Another book")
    kg = KnowledgeGraph.memory()
    kg.ingest(anora_folder)
    report = kg.verify()
    assert report.quotes == 49 and (report.unchecked, report.sources_without_text) == (1, 1)
    assert "1 quote of 1 source without a text not checked" in report.summary()
    with pytest.raises(NotFoundError, match='source "Another book" has no text'):
        kg.verify("another book")
    with pytest.raises(NotFoundError, match='no source "Nope": give a source as the `source` column names it'):
        kg.verify("Nope")


# ------------------------------------------------------------------------------ attaching


def test_attach_replaces_the_text_and_is_kept_on_disk(anora_csv: Path, kg_path: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("A different article about something else entirely.", encoding="utf-8")
    with KnowledgeGraph.open(kg_path) as kg:
        kg.ingest(anora_csv)
        attached = kg.attach(TITLE.upper(), wrong)
        assert (attached.label, attached.file) == (TITLE, "wrong.txt")
        assert kg.verify().not_found == 49
        kg.attach(TITLE, ARTICLE)
    with KnowledgeGraph.open(kg_path, read_only=True) as kg:
        assert kg.verify().found == 49


def test_sources_attach_cli_then_verify_fails_then_passes(anora_csv: Path, target: Target, tmp_path: Path) -> None:
    cli(target, "ingest", anora_csv)
    half = tmp_path / "half.txt"
    text = ARTICLE.read_text(encoding="utf-8")
    half.write_text(text[: len(text) // 2], encoding="utf-8")
    run = cli(target, "sources", "attach", TITLE, half)
    assert run.stdout.startswith(f"attached half.txt ({len(text) // 2:,} characters) to {TITLE}")
    failed = invoke([*target_args(target), "verify"], ok=False)
    assert failed.exit_code == 1 and failed.exception is SystemExit
    assert "Traceback" not in failed.output
    assert "not found" in failed.stdout and "quotes not found" in failed.stderr
    cli(target, "sources", "attach", TITLE, ARTICLE)
    assert "49 found, 0 not found" in cli(target, "verify", TITLE).stdout
    cli_fails(target, "sources", "attach", "No such article", ARTICLE, code=5)
    cli_fails(target, "verify", "No such article", code=5)


def test_sources_still_lists_files(anora_folder_store: Path) -> None:
    assert "anora.csv" in cli(anora_folder_store, "sources").stdout


# ------------------------------------------------------------------------------ ingest warns


def test_ingest_warns_about_a_quote_not_in_the_text(anora_folder: Path, target: Target) -> None:
    cli(target, "ingest", anora_folder)
    extra = _extra(anora_folder, "Mikey Madison spent six months training to be a professional-grade pole dancer.")
    run = cli(target, "ingest", extra)
    assert "1 warning" in run.stdout
    assert "quote not in the text of its source" in run.stderr
    assert 'closest passage (9' in run.stderr and "spent five months training" in run.stderr


def test_a_changed_text_warns_about_the_quotes_it_lacks(anora_folder: Path) -> None:
    kg = KnowledgeGraph.memory()
    kg.ingest(anora_folder)
    article = anora_folder / ARTICLE.name
    article.write_text(article.read_text(encoding="utf-8").replace("It’s \"Drip\" by Brooke Candy.", ""), encoding="utf-8")
    report = kg.ingest(anora_folder)
    assert [f.status for f in report.files] == ["unchanged"]
    assert len(report.texts) == 1
    quotes = {w.message.split(": ", 1)[1].split("; closest passage")[0] for w in report.warnings}
    assert quotes == {'"It’s "Drip" by Brooke Candy."'}
    assert all(w.path.endswith("anora.csv") and w.column_name == "quote" for w in report.warnings)


def test_a_text_file_without_its_source_line_is_refused(anora_folder: Path, kg_path: Path) -> None:
    (anora_folder / "bad.source.txt").write_text("Just some text.\n", encoding="utf-8")
    with KnowledgeGraph.open(kg_path) as kg, pytest.raises(IngestError, match="starts with a line `Source: NAME`"):
        kg.ingest(anora_folder)
    assert not kg_path.exists()  # checked before the store was touched


def test_a_text_of_a_source_nobody_cites_is_a_warning(anora_folder: Path) -> None:
    (anora_folder / "other.source.txt").write_text("Source: Some other article\n\nIts text.\n", encoding="utf-8")
    report = KnowledgeGraph.memory().ingest(anora_folder)
    assert [t.label for t in report.texts] == [TITLE]
    [warning] = report.warnings
    assert warning.path.endswith("other.source.txt") and 'no source "Some other article"' in warning.message
