"""Editing a project's YAML from the web page the way a person would: comments, order and quoting kept.

ruamel.yaml's round trip reads the whole file with none of the limits of the project's own reader
(load/yaml_source.py: size, nesting, aliases). So a file is first read by that bounded reader — a
hostile or broken file is refused there with its file:line — and only then by ruamel.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Location, YamlError
from ..fileio import write_atomic
from ..load.yaml_source import load_yaml


def load_round_trip(path: Path, display: str):
    """(the ruamel YAML object, the data) of `path`; raises YamlError, located, where the bounded reader does."""
    from ruamel.yaml import YAML
    load_yaml(path, display)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096                   # never fold a long line the office wrote on one line
    data = yaml.load(path.read_text(encoding="utf-8-sig"))
    if data is not None and not isinstance(data, dict):
        raise YamlError("文件的最外层应是“名称: 值”的设置，而不是列表或单个值", Location(display))
    return yaml, data


def save_round_trip(path: Path, yaml, data) -> None:
    write_atomic(path, lambda f: yaml.dump(data, f))
