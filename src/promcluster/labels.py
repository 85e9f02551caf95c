"""The platform's vocabularies: stored values and their Russian labels (one place for both)."""

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
}
IMPORT_STATUSES = {
    "running": "идёт загрузка",
    "done": "завершён",
    "failed": "файл не принят",
    "interrupted": "прерван",
}
DEMAND_SOURCES = {
    "consumption": "закупки вне региона (строки потребления)",
    "supply": "поставки из других регионов",
    "need": "открытая потребность",
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
    "capacity_part": "заявленный объём {supply} {unit} в год покрывает {share} % потребности "
    "{demand} {unit}",
    "capacity_units": "объём указан в других единицах ({supply_unit}), чем потребность "
    "({demand_unit})",
    "capacity_unknown": "объём не указан",
}
MATCH_PARTIES = {"supplier": "заказчик", "buyer": "поставщик"}
SEARCH_KINDS = {
    "enterprise": "Предприятие",
    "product": "Продукция",
    "need": "Потребность",
    "offer": "Предложение",
}
SEARCH_DETAILS = {"okved": "ОКВЭД2", "need": "заказчик", "offer": "поставщик"}
