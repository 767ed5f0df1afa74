"""The shipped help articles are Markdown files with a small header; a broken file says what to fix."""

import pytest

from support.help_articles import HelpArticleFileError, help_article_parse, help_articles


def test_every_shipped_article_has_a_title_a_topic_and_a_body():
    articles = help_articles()
    assert len({a["slug"] for a in articles}) == len(articles)
    assert all(a["title"] and a["body"] and not a["body"].startswith("---") for a in articles)
    faq = next(a for a in articles if a["slug"] == "faq-duplicate-contacts")
    assert (faq["topic"], faq["is_faq"], faq["position"]) == ("contact-creation", True, 25)


def test_an_article_file_reads_as_its_fields(tmp_path):
    path = tmp_path / "engagement-level.md"
    path.write_text(
        "---\ntitle: Engagement level: the wheel\nposition: 3\nfaq: no\n---\nA 0 to 100 score.\n\n## Colors\n- green\n"
    )
    assert help_article_parse(path, topic="backstory-pages") == {
        "slug": "engagement-level",
        "topic": "backstory-pages",
        "title": "Engagement level: the wheel",
        "summary": "",
        "keywords": "",
        "is_faq": False,
        "position": 3,
        "body": "A 0 to 100 score.\n\n## Colors\n- green",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Just a body\n", "start the file with a header between two '---' lines"),
        ("---\ntitle: T\nauthor: me\n---\nBody\n", "line 3: expected 'name: value'"),
        ("---\nposition: 2\n---\nBody\n", "the header needs a 'title:'"),
        ("---\ntitle: T\nposition: first\n---\nBody\n", "'position:' is a whole number"),
        ("---\ntitle: T\nfaq: maybe\n---\nBody\n", "'faq:' is yes or no"),
    ],
)
def test_a_broken_article_file_names_the_file_and_the_fix(tmp_path, text, message):
    path = tmp_path / "broken.md"
    path.write_text(text)
    with pytest.raises(HelpArticleFileError, match=message) as error:
        help_article_parse(path, topic="support")
    assert str(path) in str(error.value)
