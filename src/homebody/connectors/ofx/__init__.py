"""Bank statements in OFX / QFX / QBO (OFX 1.x SGML and OFX 2.x XML) as transaction items."""
