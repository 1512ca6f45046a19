"""Read the TSPLIB instances in bench/data/ (EUC_2D node coordinates only)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Instance:
    name: str
    xs: list[float]
    ys: list[float]
    optimum: float | None

    @property
    def cities(self) -> int:
        return len(self.xs)


def read_tsp(path: Path) -> tuple[str, list[float], list[float]]:
    """Return the name and the coordinates of an EUC_2D `.tsp` file.

    Raises ValueError for another edge weight type, a missing
    NODE_COORD_SECTION or a coordinate count that differs from DIMENSION.
    """
    name = path.stem
    dimension = None
    xs: list[float] = []
    ys: list[float] = []
    in_coords = False
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if line == "EOF":
            break
        if not line:
            continue
        if in_coords:
            fields = line.split()
            if len(fields) < 3:
                raise ValueError(f"{path}:{number}: expected `index x y`, got {line!r}")
            xs.append(float(fields[1]))
            ys.append(float(fields[2]))
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "NAME":
            name = value
        elif key == "DIMENSION":
            dimension = int(value)
        elif key == "EDGE_WEIGHT_TYPE" and value != "EUC_2D":
            raise ValueError(f"{path}:{number}: edge weight type {value} is not supported "
                             "(only EUC_2D)")
        elif key == "NODE_COORD_SECTION":
            in_coords = True
    if not in_coords:
        raise ValueError(f"{path}: missing NODE_COORD_SECTION")
    if dimension is not None and dimension != len(xs):
        raise ValueError(f"{path}: DIMENSION is {dimension} but {len(xs)} coordinates follow")
    return name, xs, ys


def optima(directory: Path = DATA) -> dict[str, float]:
    with open(directory / "optima.csv", newline="") as f:
        return {row["name"]: float(row["optimum"]) for row in csv.DictReader(f)}


def load(name: str, directory: Path = DATA) -> Instance:
    tsp_name, xs, ys = read_tsp(directory / f"{name}.tsp")
    return Instance(tsp_name, xs, ys, optima(directory).get(tsp_name))


def write_coordinates(instance: Instance, path: Path) -> None:
    """Write `n` and then one `x y` line per city, the input of tsp_sa_coords.c."""
    lines = [str(instance.cities)]
    lines += [f"{x!r} {y!r}" for x, y in zip(instance.xs, instance.ys)]
    path.write_text("\n".join(lines) + "\n")
