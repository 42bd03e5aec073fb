"""click's own texts (usage, help, option errors) are in Chinese, as every message a user sees."""
import re
import subprocess
import sys

import pytest

# what click prints in English when its texts are not translated
ENGLISH = re.compile(r"Usage|Options|Commands|Show this|Error|Missing|No such|Try |Invalid|for help|default:|required"
                     r"|\[OPTIONS\]|COMMAND \[ARGS\]|DIRECTOR|FILE|SOURCE|TARGET|NAME|TEXT|INTEGER|FLOAT|PATH")


def reportgen(*args):
    """The installed command as a user runs it (a fresh process: nothing set up by other tests)."""
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True)


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["pack", "--help"], ["pack", "install", "-h"],
                                  ["aggregate", "--help"], ["init", "--help"], ["preview", "--help"],
                                  ["collect", "--help"], ["serve", "--help"], ["batch", "--help"], ["kit", "--help"],
                                  ["pack", "export", "--help"]])
def test_help_has_no_english_boilerplate(args):
    r = reportgen(*args)
    assert r.returncode == 0
    assert "用法：" in r.stdout and "选项" in r.stdout and "显示此帮助并退出" in r.stdout
    assert not ENGLISH.search(r.stdout), r.stdout


@pytest.mark.parametrize("args, words", [
    (["build"], "缺少参数"),                                  # missing argument
    (["build", "--bogus", "x"], "没有选项“--bogus”"),
    (["bild", "x"], "是否应为 'build'"),                       # a typo of a command: a hint
    (["preview", "x", "--dpi", "abc"], "不是有效的数字"),
    (["preview", "x", "--dpi", "900"], "不在范围"),
    (["build", "x", "-o"], "需要一个取值"),
    (["pack", "show"], "缺少参数"),
])
def test_usage_errors_in_chinese_exit_2(args, words):
    r = reportgen(*args)
    assert r.returncode == 2
    assert words in r.stderr and "用法错误" in r.stderr, r.stderr
    assert not ENGLISH.search(r.stdout + r.stderr), r.stderr
    assert "Traceback" not in r.stderr
    message = r.stderr.split("用法错误：", 1)[1].split("（运行", 1)[0]
    assert message.endswith(("。", "？")) and "。 " not in message and "'." not in message, message
