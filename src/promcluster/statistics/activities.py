"""Activity labels of official statistics → OKVED2 codes. ЕМИСС writes names without codes:
sections in capitals («ОБРАБАТЫВАЮЩИЕ ПРОИЗВОДСТВА»), divisions and groups indented beneath
them. A label must equal an OKVED2 name (after case, «ё» and spaces are evened out); when
several codes bear it, the section is taken for a label in capitals, else the one code that
contains the others (02.2 «Лесозаготовки» holds its only class 02.20 of the same name). Labels
that match nothing, or codes of another section than the one above, are refused, not guessed."""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.reference.models import Okved
from promcluster.statistics.models import TOTAL
from promcluster.statistics.territories import label_key

_TOTAL = re.compile(r"^всего( по .*видам экономической деятельности)?$")


class Activities:
    """OKVED2 names → codes with their sections."""

    def __init__(self, session: Session) -> None:
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        for code, name, section in session.execute(select(Okved.code, Okved.name, Okved.section)):
            self.by_name.setdefault(label_key(name), []).append((code, section))

    def resolve(self, written: str, section: str | None = None) -> str:
        """The OKVED2 code of ``written`` (``TOTAL`` for «Всего по … видам экономической
        деятельности»); ``section`` is the section of the rows above, which a division or
        group must belong to. ValueError saying why not."""
        key = label_key(written)
        if _TOTAL.match(key):
            return TOTAL
        found = self.by_name.get(key)
        if not found:
            raise ValueError(f"нет вида деятельности ОКВЭД2 с названием «{written.strip()}»")
        sections = [code for code, _ in found if code.isalpha()]
        text = written.strip()
        if sections and (text.isupper() or len(found) == 1):
            return sections[0]
        codes = sorted((code for code, _ in found if not code.isalpha()), key=len)
        if not all(c.startswith(codes[0]) for c in codes):
            shown = ", ".join(codes)
            raise ValueError(f"название «{text}» носят несвязанные коды ОКВЭД2: {shown}")
        owner = dict(found)[codes[0]]
        if section is not None and owner != section:
            raise ValueError(
                f"«{text}» — код {codes[0]} раздела {owner}, а строка стоит в разделе {section}"
            )
        return codes[0]
