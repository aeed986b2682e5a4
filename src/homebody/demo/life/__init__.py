"""The whole-life persona's parts: file formats, the cast, the facts, the noise, the gold locators."""
