"""One module per language, each defining ``LEXICON`` (a :class:`..lexicon.Lexicon`); the
registry imports every module here, so adding a language is adding one file."""
