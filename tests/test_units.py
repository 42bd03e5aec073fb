"""Small pure pieces: value coercion, YAML locations, numbering."""
import pytest

from reportgen.check.coerce import coerce
from reportgen.errors import ReportgenError
from reportgen.load.yaml_source import parse_yaml
from reportgen.pack import ColumnDef
from reportgen.render.numbering import chinese_number
from reportgen.value_kinds import NOT_REPORTED

INT = ColumnDef("人数", type="integer", min=0)


@pytest.mark.parametrize("raw,value,warns", [(12, 12, False), ("1,234", 1234, True), ("12人", 12, True),
                                             ("１２", 12, True), ("-", NOT_REPORTED, False)])
def test_integer_normalisation(raw, value, warns):
    r = coerce(INT, raw)
    assert r.value == value and r.error is None and bool(r.warning) == warns


@pytest.mark.parametrize("raw", ["十二", "12.5", "约20", True])
def test_integer_rejections(raw):
    assert coerce(INT, raw).error


def test_dash_differs_from_zero():
    assert coerce(INT, "-").value is NOT_REPORTED and coerce(INT, 0).value == 0


@pytest.mark.parametrize("raw,text,value", [("2023年5月", None, "2023.05"), ("2023-5", None, "2023.05"),
                                            (2023.1, "2023.10", "2023.10"), ("2023", None, "2023")])
def test_dates(raw, text, value):
    assert coerce(ColumnDef("时间", type="date"), raw, text).value == value


def test_yaml_duplicate_key_and_lines():
    with pytest.raises(ReportgenError) as e:
        parse_yaml("a: 1\nb: 2\na: 3\n", "x.yaml")
    assert e.value.location.line == 3
    node = parse_yaml("rows:\n  - 名称: 甲\n    时间: 2023.10\n", "x.yaml")
    cell = node.value["rows"].value[0].value["时间"]
    assert cell.raw == "2023.10" and cell.loc.line == 3


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]
