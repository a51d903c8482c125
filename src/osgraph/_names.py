"""When two names name the same thing."""

import unicodedata


def name_key(name: str) -> str:
    """Return the identity of a name: two names with the same key are the same thing.

    Case, Unicode compatibility forms and runs of white space do not make names different.

    Examples
    --------
    >>> name_key("Beijing Academy of Artificial   Intelligence (BAAI)")
    'beijing academy of artificial intelligence (baai)'
    >>> name_key("Zhipu.AI") == name_key("ZHIPU.AI ")
    True
    """
    if name.isascii():  # NFKC leaves ASCII as it is, and it is most names
        return " ".join(name.lower().split())
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
