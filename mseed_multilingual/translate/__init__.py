"""Translation of prompt sets (``mseed translate``).

``registry.get_backend(name)`` builds a backend (``base.Translator``: ``deep`` for
deep-translator services, ``hf`` for local MT, ``llm`` for OpenAI-compatible endpoints);
``pipeline.run(Job)`` translates through the append-only ``cache``, scores the result with
``quality`` and writes the language files and the manifest. Heavy libraries load lazily.
"""
