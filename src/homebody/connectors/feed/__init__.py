"""News feeds: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 files, folders of them, or http(s) URLs."""
