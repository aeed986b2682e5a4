"""Notes and documents on disk: Markdown (Obsidian vaults included), plain text and PDF files."""
