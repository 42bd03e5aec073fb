"""reportgen: the Word draft of a vocational school's 质量年度报告, from its data."""
__version__ = "0.1.0"
