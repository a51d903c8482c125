"""When two names name the same thing."""

import unicodedata

# Typographic apostrophes (right and left single quotation marks, the modifier letter apostrophe)
# and the backtick are how lists write the apostrophe: "Xi\u2019an" and "Xi'an" are one name. NFKC
# keeps them apart, so they are folded here.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def name_key(name: str) -> str:
    """Return the identity of a name: two names with the same key are the same thing.

    Case, Unicode compatibility forms, the way an apostrophe is written and runs of white space
    do not make names different.

    Examples
    --------
    >>> name_key("Beijing Academy of Artificial   Intelligence (BAAI)")
    'beijing academy of artificial intelligence (baai)'
    >>> name_key("Zhipu.AI") == name_key("ZHIPU.AI ")
    True
    >>> name_key("Xi\u2019an Jiaotong University")
    "xi'an jiaotong university"
    """
    if name.isascii():  # NFKC leaves ASCII as it is, and it is most names
        return " ".join(name.lower().translate(_APOSTROPHES).split())
    return " ".join(unicodedata.normalize("NFKC", name).casefold().translate(_APOSTROPHES).split())
