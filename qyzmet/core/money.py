"""Tenge amounts: one rounding and one way of writing them, for the Portal's orders and the payments' acts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MONEY = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Rounded to the tiyn, half up."""
    return value.quantize(MONEY, rounding=ROUND_HALF_UP)


def tenge(value: Decimal | str) -> str:
    """19200 → "19 200.00 ₸", as the papers write it."""
    return f"{Decimal(value):,.2f}".replace(",", " ") + " ₸"
