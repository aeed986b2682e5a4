"""Venmo personal statement CSVs (current and legacy layouts) as transaction items."""
