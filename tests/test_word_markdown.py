"""Text typed in Word survives the trip through Markdown: whatever characters, bold or not."""
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.doc.model import Paragraph, Placeholder, Text
from reportgen.errors import Problems
from reportgen.load.word.markdown import inline_markdown
from reportgen.load.word.reader import Run
from reportgen.render.markdown import Resolver, parse_markdown

ALPHABET = "学校专业建设。，、；：“”（）《》1234567890.-+#*_[]<>!|`\\&~=abc %\u3000"
runs = st.lists(st.builds(Run, st.text(ALPHABET, min_size=1, max_size=12), st.booleans()), min_size=1, max_size=6)


def _parse(md: str):
    r = Resolver(table=lambda *a: None, appendix=lambda *a: None, image=lambda *a: None, problems=Problems())
    return parse_markdown(md, r, "x.md")


def _plain(runs_) -> str:
    text = "".join(r.text for r in runs_)
    return " ".join(text.replace("\u3000", " ").split())


@settings(max_examples=300, deadline=None)
@given(runs)
def test_text_and_bold_survive(rs):
    blocks = _parse(inline_markdown(rs))
    want = _plain(rs)
    if not want:
        assert not blocks
        return
    assert len(blocks) == 1 and isinstance(blocks[0], Paragraph), (inline_markdown(rs), blocks)
    got = blocks[0].inlines
    assert " ".join("".join(x.text for x in got).replace("\u3000", " ").split()) == want
    bold_chars = "".join(r.text for r in rs if r.bold).replace(" ", "").replace("\u3000", "")
    got_bold = "".join(x.text for x in got if isinstance(x, Text) and x.bold).replace(" ", "").replace("\u3000", "")
    assert got_bold == bold_chars


def test_placeholder_split_over_runs_stays_one_mark():
    md = inline_markdown([Run("见【待补"), Run("充：", bold=True), Run("本年数据】。")])
    (p,) = _parse(md)
    assert Placeholder("【待补充：本年数据】") in p.inlines
