"""Contacts from vCard files (`.vcf`, vCard 2.1 / 3.0 / 4.0) as contact items."""
