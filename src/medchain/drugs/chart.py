"""A shipment's temperature chart (PNG): readings, the product's allowed range, the excursions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from medchain.drugs.client import Reading


def temperature_chart(readings: Sequence[Reading], path: Path | str, *, min_c: float, max_c: float,
                      title: str = "Shipment temperature") -> Path:
    """Draw the readings over time, shade the allowed range and mark every excursion in red.

    Args:
        readings: The shipment's readings (e.g. :meth:`medchain.drugs.client.DrugsClient.readings`).
        path: Where to write the PNG.
        min_c: Lowest allowed temperature (°C). max_c: highest.
        title: The chart's title.

    Returns:
        The written path.

    Raises:
        MissingExtraError: matplotlib (the ``[charts]`` extra) is not installed.
        InvalidInputError: no readings.
    """
    from medchain.core.extras import require

    matplotlib = require("matplotlib", "charts", "a temperature chart")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not readings:
        from medchain.core.errors import InvalidInputError

        raise InvalidInputError("no readings to chart")
    from matplotlib import dates as mdates

    times = [float(mdates.date2num(dt.datetime.fromtimestamp(r.time, dt.timezone.utc))) for r in readings]
    temps = [r.temperature_c for r in readings]
    fig, ax = plt.subplots(figsize=(9, 4), dpi=100)
    try:
        ax.axhspan(min_c, max_c, color="tab:green", alpha=0.12, label=f"allowed {min_c:g}–{max_c:g} °C")
        ax.axhline(min_c, color="tab:green", lw=0.8)
        ax.axhline(max_c, color="tab:green", lw=0.8)
        ax.xaxis_date(dt.timezone.utc)  # the x values are matplotlib date numbers: shown as UTC dates
        ax.plot(times, temps, color="tab:blue", lw=1.4, marker=".", ms=3, label="temperature")
        bad = [(t, v) for t, v in zip(times, temps, strict=True) if v < min_c or v > max_c]
        if bad:
            ax.scatter([t for t, _ in bad], [v for _, v in bad], color="tab:red", zorder=3, s=22,
                       label=f"excursion ({len(bad)} readings)")
        ax.set_title(title)
        ax.set_ylabel("°C")
        ax.set_xlabel("time (UTC)")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        fig.autofmt_xdate()
        fig.tight_layout()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format="png")
        return out
    finally:
        plt.close(fig)
