"""The platform's vocabularies: stored values and their Russian labels (one place for both)."""

from typing import Any, Literal

CLUSTER_KINDS = {
    "industrial": "промышленный",
    "interregional": "межрегиональный промышленный",
    "innovation": "инновационный",
}
CLUSTER_STATUSES = {
    "initiative": "инициатива",
    "forming": "в процессе создания",
    "regional": "региональный кластер",
    "federal_registry": "в реестре Минпромторга России",
    "excluded": "исключён из реестра",
}
MEMBERSHIP_STATUSES = {
    "member": "участник",
    "applicant": "в стадии вступления",
    "potential": "потенциальный участник",
    "left": "вышел",
}
MEMBERSHIP_ROLES = {
    "anchor": "якорное предприятие",
    "participant": "участник",
    "specialised_org": "специализированная организация",
    "education": "образование",
    "science": "наука",
    "infrastructure": "инфраструктура",
    "finance": "финансы",
}
CHAIN_STATUSES = {"formed": "сформирована", "forming": "формируется"}
PROJECT_STATUSES = {
    "idea": "идея",
    "planned": "планируется",
    "in_progress": "реализуется",
    "done": "завершён",
    "cancelled": "отменён",
}
SME_CATEGORIES = {
    "micro": "микропредприятие",
    "small": "малое",
    "medium": "среднее",
    "large": "крупное",
}
INDICATORS = {
    "members": "участников",
    "applicants": "организаций в стадии вступления",
    "potential": "потенциальных участников в проработке",
    "employees": "занятых на предприятиях",
    "investment_planned": "предполагаемый объём инвестиций",
    "projects": "инвестиционных проектов",
    "project_amount": "сумма инвестиционных проектов",
    "clusters_planned": "промышленных кластеров планируется создать",
    "clusters_total": "промышленных кластеров в стране",
    "clusters_registered": "кластеров официально зарегистрировано",
    "clusters_by_funds": "кластеров администрируют региональные ФРП",
    "fund_capital": "капитализация регионального фонда развития промышленности",
    "fund_capital_added": "планируемое увеличение капитализации фонда",
    "policy_rating_place": "место в рейтинге эффективности промышленной политики",
    "expo_enterprises": "предприятий на стенде региона (Иннопром-2024)",
}
QUALIFIERS = {"more_than": "более", "about": "около", "at_least": "не менее"}
UNITS = {"count": "", "persons": "чел.", "rub": "руб.", "place": "место"}
USER_ROLES = {
    "admin": "администратор",
    "cluster_manager": "менеджер кластера",
    "enterprise_rep": "представитель предприятия",
}
PRECISION = {
    "exact": "точные координаты",
    "city": "по городу",
    "region": "приблизительно: центр региона",
}
PRODUCT_DIRECTIONS = {"produces": "производит", "consumes": "потребляет"}
NEED_STATUSES = {"open": "открыта", "closed": "закрыта"}
IMPORT_KINDS = {
    "enterprises": "предприятия",
    "members": "участники кластеров",
    "products": "продукция (выпуск и потребление)",
    "supplies": "поставки между предприятиями",
    "projects": "инвестиционные проекты",
    "needs": "потребности в продукции",
    "figures": "показатели предприятий по годам",
    "emiss": "официальная статистика ЕМИСС (Росстат)",
    "fns-sme": "реестр МСП ФНС (XML)",
    "fns-headcount": "численность работников по данным ФНС (XML)",
    "fns-revenue": "доходы и расходы по данным ФНС (XML)",
    "gisp-products": "реестр промышленной продукции (ГИСП, ПП РФ № 719)",
    "procurement": "госзакупки ЕИС: контракты 44-ФЗ, договоры и планы 223-ФЗ (XML)",
}
# Official sources a record or figure was taken from (``Enterprise.data_source``,
# ``EnterpriseFigure.employees_source`` / ``revenue_source``): what a page names.
DATA_SOURCES = {
    "fns-sme": "ФНС России, Единый реестр субъектов МСП (набор 7707329152-rsmp)",
    "fns-headcount": "ФНС России, среднесписочная численность работников (набор "
    "7707329152-sshr2019)",
    "fns-revenue": "ФНС России, сведения о суммах доходов и расходов (набор 7707329152-revexp2019)",
    "procurement": "Единая информационная система в сфере закупок (ЕИС): контракты 44-ФЗ, "
    "договоры и планы закупки 223-ФЗ",
}
IMPORT_STATUSES = {
    "running": "идёт загрузка",
    "done": "завершён",
    "failed": "файл не принят",
    "interrupted": "прерван",
    "cancelled": "отменён",
}
JOB_KINDS = {
    "search-reindex": "перестроение поискового индекса",
    "warm-up": "прогрев сервера",
    "export": "выгрузка в файл",
}
JOB_STATES = {
    "queued": "в очереди",
    "running": "выполняется",
    "done": "завершено",
    "failed": "ошибка",
    "interrupted": "прервано",
    "cancelled": "отменено",
}
DEMAND_SOURCES = {
    "consumption": "закупки вне региона (строки потребления)",
    "supply": "поставки из других регионов",
    "need": "открытая потребность",
    # Consumption lines, supplies and needs the ``procurement`` import derived (issue 21).
    "procurement": "контракты заказчика, по данным госзакупок (ЕИС)",
    "procurement-plan": "план закупки заказчика, по данным госзакупок (ЕИС)",
}
CANDIDATE_REASONS = {
    "same": "та же деятельность (ОКВЭД2 {code})",
    "product": "выпускает родственную продукцию (ОКПД2 {code})",
    "activity": "родственная деятельность {code} «{name}» (близость {proximity})",
    "division": "та же отрасль (раздел ОКВЭД2 {code})",
}
NICHE_COMPONENTS = {
    "demand": "спрос",
    "feasibility": "осуществимость",
    "attractiveness": "привлекательность",
}
OFFER_STATUSES = {"open": "открыто", "closed": "закрыто"}
RESPONSE_STATUSES = {
    "new": "новый",
    "accepted": "принят",
    "declined": "отклонён",
    "withdrawn": "отозван",
}
NOTIFICATION_KINDS = {
    "match": "подходящая потребность или предложение",
    "need": "новая потребность",
    "response": "отклик",
    "status": "изменение статуса",
}
MATCH_TIERS = {0: "участник того же кластера", 1: "в том же регионе", 2: "в другом регионе"}
MATCH_SOURCES = {
    "offer": "предложение №{id}",
    "produces": "выпускает (данные реестра)",
    "consumes": "потребляет (данные реестра)",
    "need": "потребность №{id}",
    "activity": "вид деятельности ОКВЭД2 {code}",
}
MATCH_REASONS = {
    "same_code": "тот же код ОКПД2 {code}",
    "narrower": "та же продукция в другой детализации: ОКПД2 {code}",
    "same_group": "та же группа ОКПД2 {group} «{name}»",
    "near_group": "смежная группа ОКПД2 {group} «{name}»",
    "activity": "вид деятельности ОКВЭД2 {code} соответствует продукции (группа {group})",
    "text": "похожее название: {words}",
    "member": "участник кластера «{cluster}», как и {party}",
    "same_region": "тот же регион, {km} км",
    "other_region": "{region}, {km} км",
    "by_centre": " (по центру региона)",
    "capacity_full": "заявленный объём {supply} {unit} в год покрывает потребность {demand} {unit}",
    "capacity_part": "заявленный объём {supply} {unit} в год покрывает {share} потребности "
    "{demand} {unit}",
    "capacity_units": "объём указан в других единицах ({supply_unit}), чем потребность "
    "({demand_unit})",
    "capacity_unknown": "объём не указан",
}
MATCH_PARTIES = {"supplier": "заказчик", "buyer": "поставщик"}
SEARCH_KINDS = {
    "cluster": "Кластер",
    "chain": "Цепочка",
    "project": "Инвестпроект",
    "enterprise": "Предприятие",
    "product": "Продукция",
    "need": "Потребность",
    "offer": "Предложение",
}
SEARCH_KIND_GROUPS = {
    "cluster": "Кластеры",
    "chain": "Цепочки",
    "project": "Инвестиционные проекты",
    "enterprise": "Предприятия и организации",
    "product": "Продукция",
    "need": "Потребности",
    "offer": "Предложения",
}
SEARCH_DETAILS = {
    "okved": "ОКВЭД2",
    "need": "заказчик",
    "offer": "поставщик",
    "cluster": "кластер",
}
# Why a search hit matched: the field its words were found in
SEARCH_FIELDS = {
    "title": "название",
    "number": "ИНН, ОГРН или номер",
    "text": "описание и другие поля",
}
# Compliance with the federal requirements (compliance/)
COMPLIANCE_STATUSES = {
    "pass": "выполнено",
    "fail": "не выполнено",
    "unknown": "по данным не решить",
    "checklist": "ждёт отметок по документам",
    "not_applicable": "не применяется",
}
COMPLIANCE_VERDICTS = {
    "pass": "соответствует требованиям",
    "fail": "не соответствует требованиям",
    "incomplete": "проверка не завершена",
}
RULE_DECIDED_BY = {
    "data": "по данным платформы",
    "document": "по документам",
    "mixed": "по данным и документам",
}
RULE_READINGS = {"confirmed": "подтверждено", "confirm": "требует уточнения по тексту акта"}
RULE_PARAMS = {
    "min_contracts": "договоров с другими участниками у каждого, не менее",
    "exclude_roles": "роли, не считающиеся участниками",
    "min_participants": "участников — промышленных предприятий, не менее",
    "industrial_sections": "разделы ОКВЭД2 промышленной деятельности",
    "min_share": "уровень функциональной зависимости, не ниже (доля)",
    "min_share_priority": "то же для приоритетных территорий, не ниже (доля)",
    "priority_participants_share": "доля участников на приоритетных территориях, не менее",
    "max_without_output": "участников без выпуска продукции, не более",
    "years_to_contract": "лет на заключение договоров поставки",
    "amendment_date": "дата изменений (решения до неё — срочные)",
    "years": "лет действия решения",
}


def rule_set_label(rule_set: str) -> str:
    """``federal`` → «федеральные требования», ``region:72`` → «региональные требования
    (регион 72)»."""
    if rule_set == "federal":
        return "федеральные требования"
    region = rule_set.removeprefix("region:")
    return f"региональные требования (регион {region})" if region != rule_set else rule_set


COMPLIANCE_RECORDS = {
    "enterprise": "предприятие",
    "membership": "участие",
    "cluster": "кластер",
}

# Indicators (indicators/): computed indicators beyond the declared ones, their bases and levels.
INDICATORS.update(
    {
        "revenue": "выручка участников",
        "sme_share": "доля МСП среди участников",
        "investment_in_progress": "инвестиции в реализуемых проектах",
        "investment_done": "инвестиции в завершённых проектах",
        "cooperation_share": "доля кооперационных поставок между участниками",
        "outside_share": "доля закупок участников за пределами региона",
        "import_share": "доля импорта в закупках участников",
        "clusters": "кластеров",
    }
)
INDICATOR_BASES = {
    "memberships": "записи об участии на дату",
    "participants_known": "известно у {known} из {participants}",
    "sme_known": "категория МСП известна у {known} из {participants}",
    "projects": "проекты в записях, текущие статусы",
    "amounts_known": "сумма известна у {known} из {projects}",
    "cooperation": "поставки между участниками за {year} год к их закупкам; участников: {total}",
    "consumption_lines": "строки потребления участников: доли указаны у {known} из {total}",
    "clusters": "кластеры региона в записях",
    "no_supplies": "поставок между участниками в записях нет; участников: {total}",
}
INDICATOR_LEVELS = {"cluster": "кластеры", "region": "регионы"}
NO_DATA = "нет данных"
# Chains: the supply graph and the chain designer.
CHAIN_MEMBER_REASON = "участник этого кластера («{cluster}»)"
STAGE_STATES = {"covered": "покрыт", "gap": "разрыв"}
PURCHASE_BASES = {
    "stage": "потребность этапа, указанная в цепочке",
    "lines": "закупки участников кластера (строки потребления)",
    "region": "закупки предприятий региона: участники кластера своих закупок не указали",
}
GRAPH_SHAPES = {  # membership role → Cytoscape node shape (legend of the supply graph)
    "anchor": "star",
    "participant": "ellipse",
    "specialised_org": "hexagon",
    "education": "triangle",
    "science": "vee",
    "infrastructure": "round-rectangle",
    "finance": "diamond",
}
GRAPH_SHAPE_NAMES = {
    "star": "звезда",
    "ellipse": "круг",
    "hexagon": "шестиугольник",
    "triangle": "треугольник",
    "vee": "галочка",
    "round-rectangle": "прямоугольник",
    "diamond": "ромб",
}
INDICATOR_NAMES = {  # indicator → its name in headings, selects and table rows
    "members": "Участники",
    "applicants": "Организации в стадии вступления",
    "potential": "Потенциальные участники в проработке",
    "employees": "Занятые на предприятиях участников",
    "revenue": "Выручка участников",
    "sme_share": "Доля МСП среди участников",
    "projects": "Инвестиционные проекты",
    "project_amount": "Сумма инвестиционных проектов",
    "investment_planned": "Инвестиции: планируемые проекты (идея и план)",
    "investment_in_progress": "Инвестиции: реализуемые проекты",
    "investment_done": "Инвестиции: завершённые проекты",
    "cooperation_share": "Доля кооперационных поставок между участниками",
    "outside_share": "Доля закупок участников за пределами региона",
    "import_share": "Доля импорта в закупках участников",
    "clusters": "Кластеры",
}

# Discovery: potential participants, the pipeline funnel, candidate clusters (issue 8, platform)
PROSPECT_REASONS = {
    "specialisation": "вид деятельности {code} совпадает со специализацией кластера ({target})",
    "members": "вид деятельности {code} — как у участников кластера ({count})",
    "related": "вид деятельности {code} родствен деятельности кластера {target} "
    "(близость {proximity})",
    "gap_maker": "выпускает {code} — разрыв этапа {stage} цепочки {chain}",
    "gap_activity": "вид деятельности {code} подходит для этапа {stage} цепочки {chain} "
    "({product}, разрыв)",
    "chain_buyer": "покупает {code} — продукцию цепочки {chain}",
    "member_buyer": "покупает {code} — продукцию участников кластера",
    "distance": "в {km} км от центра кластера",
    "near": "в центре кластера (менее 1 км)",
    "neighbour": "соседний регион: {region}",
    "size": "численность {employees} чел.",
}
PROSPECT_SIGNALS = {
    "specialisation": "специализация",
    "members": "как у участников",
    "related": "родственная деятельность",
    "gap": "закрывает разрыв цепочки",
    "buyer": "покупатель продукции",
}
FUNNEL_STAGES = {
    "potential": "потенциальные",
    "applicant": "в стадии вступления",
    "member": "участники",
}
DISCOVERY_MEASURES = {"employees": "занятые", "count": "число предприятий", "revenue": "выручка"}
EXISTING_CLUSTER = "уже есть кластер: «{name}»"
POSSIBLE_CLUSTER = "возможно, это кластер «{name}»"
# The national reference of location quotients (discovery: ``reference=official|register``).
DISCOVERY_REFERENCES = {"official": "данные Росстата (ЕМИСС)", "register": "реестр платформы"}
REFERENCE_OFFICIAL = "данные Росстата (ЕМИСС), показатель «{indicator}», {year} год"
REFERENCE_REGISTER = "реестр предприятий платформы (регионов с предприятиями: {regions})"


def choice(vocabulary: dict[str, str]) -> Any:
    """The type admitting exactly the stored values of ``vocabulary`` (for API shapes)."""
    return Literal[tuple(vocabulary)]  # type: ignore[valid-type]


AUDIT_ACTIONS = {
    "create": "создание",
    "update": "изменение",
    "delete": "удаление",
    "lock": "блокировка входа",
    "refuse": "отказ во входе",
}
AUDIT_ENTITIES = {  # audited table → what its records are, for the audit log page
    "clusters": "кластер",
    "enterprises": "предприятие",
    "memberships": "участие в кластере",
    "chains": "цепочка",
    "chain_stages": "этап цепочки",
    "stage_suppliers": "поставщик этапа",
    "investment_projects": "инвестиционный проект",
    "product_lines": "продукция предприятия",
    "enterprise_figures": "показатели предприятия",
    "supplies": "поставка",
    "sources": "источник",
    "declared_figures": "заявленный показатель",
    "needs": "потребность",
    "offers": "предложение",
    "responses": "отклик",
    "compliance_rules": "требование",
    "compliance_marks": "отметка о соответствии",
    "documents": "документ кластера",
    "programme_targets": "целевой показатель программы развития",
    "official_figures": "официальная статистика",
    "classification_corrections": "исправление кода ОКПД2",
    "users": "пользователь",
    "login": "вход в систему",
}

# The registry dossier (documents/, dossier/): kinds of documents of a cluster.
DOCUMENT_KINDS = {
    "cluster_agreement": "соглашение о создании кластера (о взаимодействии участников)",
    "accession_agreement": "соглашение о вступлении в кластер",
    "programme": "программа развития кластера",
    "statutes": "устав специализированной организации",
    "org_decision": "решение о наделении специализированной организации полномочиями",
    "cooperation_contract": "договор поставки (кооперации) между участниками",
    "project_document": "документ инвестиционного проекта",
    "registry_decision": "решение Минпромторга России о включении в реестр",
    "registry_application": "заявление о включении в реестр",
    "report": "отчёт о деятельности кластера",
    "other": "иной документ",
}
