"""The Markdown side of absorb on its own: a block's source edited the way its printed text was."""
from reportgen.absorb import markdown as md


def edited(source: str, printed: str, new: str):
    toks = md.tokens(source)
    assert md.place(toks, printed)
    return md.edit(toks, printed, new)


def test_reference_kept_when_its_value_is_untouched():
    e = edited("**领先。**满意度达 {{ ind.满意度 }}，位居全省前列。", "领先。满意度达 97.62%，位居全省前列。",
               "领先。学生满意度达 97.62%，位居全省前列。")
    assert e.source == "**领先。**学生满意度达 {{ ind.满意度 }}，位居全省前列。" and not e.conflicts


def test_changed_value_is_a_conflict_and_the_rest_is_written():
    e = edited("满意度达 {{ ind.满意度 }}，位居前列。", "满意度达 97.62%，位居前列。", "满意度高达 98.10%，位居全省前列。")
    assert e.source == "满意度高达 {{ ind.满意度 }}，位居全省前列。"
    assert [(c.printed, c.edited) for c in e.conflicts] == [("97.62%", "98.10%")]


def test_reference_deleted_with_its_sentence_goes_and_typed_marks_are_escaped():
    e = edited("甲。获奖 {{ count(\"awards\") }} 项。乙。", "甲。获奖 12 项。乙。", "甲。乙。")
    assert e.source == "甲。乙。" and not e.conflicts
    e = edited("甲。", "甲。", "甲 *注* {{x}}。")
    assert e.source == "甲 \\*注\\* {{ '{' }}{x}}。"


def test_a_filled_in_placeholder_becomes_the_text():
    e = edited("学校简介：{{ todo(\"学校简介\") }}", "学校简介：【待补充：学校简介】", "学校简介：江州职业技术学院创建于 1958 年。")
    assert e.source == "学校简介：江州职业技术学院创建于 1958 年。" and not e.conflicts


def test_template_logic_is_not_mapped():
    assert md.tokens("{% if x %}甲{% endif %}") is None
