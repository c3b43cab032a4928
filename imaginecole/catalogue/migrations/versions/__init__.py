"""One module per schema change, applied in order; released ones are never edited."""
