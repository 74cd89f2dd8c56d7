"""Per-item progress of one translation direction, with rate and ETA, never silent for long.

On a terminal it is a tqdm bar whose clock is redrawn every second, so a request that takes
minutes (a CPU-served model) shows time passing. Elsewhere (a log file, CI) there is no bar; a
line is printed every :data:`LOG_EVERY` items and, while answers are awaited, every
:data:`HEARTBEAT` seconds, saying how many requests are in flight and for how long the oldest
has waited. Items that failed (a timeout, a refusal, an answer in another language) are
counted on the same line with the last reason, at once, so a run whose every request times out
does not read "10/10 done" for half an hour.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

HEARTBEAT = 30.0  # seconds without a finished item before a "still waiting" line (no TTY)
LOG_EVERY = 32  # items between progress lines (no TTY)
REDRAW = 1.0  # seconds between redraws of the bar's clock (TTY)
SLOW_RATE = 0.1  # items/s below which the rate is shown as time per item (0.00 says nothing)
REASON_CHARS = 240  # the last failure's reason is cut to this length on the progress line


def _eta(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """``update()`` once per finished item; ``close()`` at the end (also as a context)."""

    def __init__(self, label: str, total: int, cached: int, log: Callable[[str], None],
                 bar: bool | None = None, heartbeat: float = HEARTBEAT):
        self.label, self.total, self.cached, self.log = label, total, cached, log
        self.done = 0
        self.failed = 0
        self.last_reason = ""
        self.start = self.last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        use_bar = sys.stderr.isatty() if bar is None else bar
        self._bar = None
        if use_bar:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit="item", file=sys.stderr,
                             dynamic_ncols=True, leave=True)
        self._interval = REDRAW if self._bar is not None else heartbeat
        self._thread = threading.Thread(target=self._tick, daemon=True,
                                        name="mseed-translate-progress")
        self._thread.start()

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"{self.label}: {self.done}/{self.total} done ({self.cached} from the cache)"
        if self.done:
            text += (f", {rate:.2f} items/s" if rate >= SLOW_RATE
                     else f", {_eta(1 / rate)} per item")
        if 0 < self.done < self.total:
            text += f", about {_eta((self.total - self.done) / rate)} left"
        if self.failed:
            text += f"; {self.failed} failed, last: {self.last_reason}"
        return text

    def update(self, failure: str | None = None) -> None:
        """One finished item; ``failure`` is its reason when it was not translated."""
        with self._lock:
            self.done += 1
            self.last = time.monotonic()
            done = self.done
            if failure is not None:
                self.failed += 1
                self.last_reason = failure[:REASON_CHARS]
        if self._bar is not None:
            self._bar.update(1)
            if failure is not None:
                self._bar.set_postfix_str(f"{self.failed} failed, last: {self.last_reason}")
        elif failure is not None or done % LOG_EVERY == 0 or done == self.total:
            self.log(self.line())

    def _tick(self) -> None:
        while not self._stop.wait(self._interval):
            if self._bar is not None:
                self._bar.refresh()
                continue
            waited = time.monotonic() - self.last
            if waited >= self._interval and self.done < self.total:
                self.log(f"{self.line()}; still waiting, no answer for {_eta(waited)}")

    def close(self) -> None:
        self._stop.set()
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
