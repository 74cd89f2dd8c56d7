"""commands.print_logs: library code logs, a command shows those logs on its own stream."""

from __future__ import annotations

import io
import logging

from mseed_multilingual.commands import print_logs


def test_a_commands_stream_gets_the_librarys_info_lines_only_while_it_runs():
    log = logging.getLogger("mseed_multilingual.align.train")
    stream = io.StringIO()
    with print_logs("mseed_multilingual.align", stream):
        log.info("precision: %s", "bf16")
        log.debug("not shown")
        logging.getLogger("mseed_multilingual.analysis").info("another library's: not shown")
    log.info("after the command: not shown")
    assert stream.getvalue() == "precision: bf16\n"
    assert logging.getLogger("mseed_multilingual.align").handlers == []
    assert logging.getLogger("mseed_multilingual.align").level == logging.NOTSET
