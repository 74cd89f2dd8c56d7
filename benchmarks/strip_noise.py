"""detect/langid.strip_noise on text without whitespace (issue 25, item 4): the former e-mail
pattern next to the current one, 10,000 to 80,000 characters; target: 80,000 under 1 s.

    python -m benchmarks strip_noise
"""

from __future__ import annotations

import re
import time

from mseed_multilingual.detect.langid import strip_noise

# The pattern before the fix (\S+@ could start at every character and backtrack): quadratic.
FORMER = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`|https?://\S+|www\.\S+|\S+@\S+\.\w+", re.S)
SIZES = (10_000, 40_000, 80_000)
TARGET_SECONDS = 1.0


def _seconds(fn, text: str) -> float:
    t0 = time.perf_counter()
    fn(text)
    return time.perf_counter() - t0


def main(argv: list[str]) -> int:
    print(f"{'characters':>10} {'former s':>9} {'now s':>8}")
    now = 0.0
    for n in SIZES:
        text = "a" * n
        former = _seconds(lambda t: FORMER.sub(" ", t), text)
        now = _seconds(strip_noise, text)
        print(f"{n:>10} {former:>9.3f} {now:>8.4f}")
    print(f"target: {SIZES[-1]} characters under {TARGET_SECONDS:g} s: "
          f"{'met' if now < TARGET_SECONDS else 'MISSED'}")
    return 0 if now < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main([]))
