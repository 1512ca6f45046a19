"""Write examples/data/digits.csv from scikit-learn's copy of the digits data.

Run once, with scikit-learn installed in a throwaway environment; sxc itself
never imports scikit-learn:

    python3 -m venv /tmp/sk && /tmp/sk/bin/pip install scikit-learn
    /tmp/sk/bin/python examples/data/export_digits.py
"""

from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_digits

TRAIN, VALIDATION = 1000, 397  # the remaining 400 rows are the test set

HEADER = f"""\
# The optical recognition of handwritten digits data: 1797 images of 8x8
# pixels, each pixel an integer count 0..16, labels 0..9.
# Source: scikit-learn {sklearn.__version__} `sklearn.datasets.load_digits`
# (BSD-3-Clause licence), a copy of the test set of the UCI Machine Learning
# Repository data set "Optical Recognition of Handwritten Digits"
# (E. Alpaydin, C. Kaynak, 1998),
# https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits
# Rows are shuffled by numpy.random.default_rng(0).permutation(1797).
# Fixed split by row: rows 0..999 train, 1000..1396 validation,
# 1397..1796 test.
# Format: one image per line, `label,p0,...,p63`, pixels in row-major order.
"""


def main() -> None:
    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))
    pixels = digits.data[order].astype(int)
    labels = digits.target[order].astype(int)
    lines = [HEADER.rstrip("\n")]
    for label, row in zip(labels, pixels):
        lines.append(",".join(str(v) for v in [label, *row]))
    out = Path(__file__).resolve().parent / "digits.csv"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(labels)} images to {out}")


if __name__ == "__main__":
    main()
