// Live suggestions under the top bar's search box (base.html), grouped by kind, from
// GET /api/v1/search/suggest. An ARIA combobox: arrows move through the suggestions, Enter opens
// the chosen one (or, with none chosen, the search page), Esc closes the list.
(() => {
  const form = document.querySelector("form.quick-search");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const list = form.querySelector(".quick-search-list");
  const MIN_CHARS = 2;
  const MAX_CHARS = 100; // the endpoint's bound on what is typed
  let timer = null;
  let pending = null;
  let active = -1;

  const options = () => Array.from(list.querySelectorAll("[role=option]"));

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    const all = options();
    all.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function option(item, id) {
    const link = element("a", "quick-search-option");
    link.id = id;
    link.href = item.link;
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    link.tabIndex = -1;
    link.dataset.kind = item.kind;
    const title = element("span", "title");
    for (const piece of item.title_marked) {
      title.append(piece.marked ? element("mark", "", piece.text) : document.createTextNode(piece.text));
    }
    link.append(title);
    if (item.count > 1) link.append(element("span", "same", ` ещё таких же: ${item.count - 1}`));
    if (item.detail) link.append(element("span", "detail", item.detail));
    link.append(element("span", "why", item.why));
    return link;
  }

  function show(data, query) {
    list.replaceChildren();
    let n = 0;
    if (Object.keys(data.corrected).length) {
      const fixes = Object.entries(data.corrected).map(([typed, fixed]) => `${typed} → ${fixed}`);
      list.append(element("div", "quick-search-note", `Исправлено: ${fixes.join(", ")}`));
    }
    for (const group of data.groups) {
      const box = element("div", "quick-search-group");
      box.setAttribute("role", "group");
      const head = element("div", "quick-search-kind", `${group.label} · ${group.count}${group.capped ? "+" : ""}`);
      head.id = `quick-search-kind-${group.kind}`;
      box.setAttribute("aria-labelledby", head.id);
      box.append(head);
      for (const item of group.items) box.append(option(item, `quick-search-option-${n++}`));
      list.append(box);
    }
    if (!data.groups.length) list.append(element("div", "quick-search-note", "Ничего не найдено"));
    const all = element("a", "quick-search-option quick-search-all", `Все результаты по «${query}»`);
    all.id = `quick-search-option-${n}`;
    all.href = `/search?q=${encodeURIComponent(query)}`;
    all.setAttribute("role", "option");
    all.setAttribute("aria-selected", "false");
    all.tabIndex = -1;
    list.append(all);
    list.hidden = false;
    // Opens to the right of the box; to its left when the box sits near the window's edge.
    list.classList.remove("to-left");
    if (list.getBoundingClientRect().right > document.documentElement.clientWidth) {
      list.classList.add("to-left");
    }
    input.setAttribute("aria-expanded", "true");
    choose(-1);
  }

  async function suggest() {
    const query = input.value.trim();
    if (pending) pending.abort();
    if (query.length < MIN_CHARS || query.length > MAX_CHARS) {
      close();
      return;
    }
    pending = new AbortController();
    try {
      const response = await fetch(`/api/v1/search/suggest?q=${encodeURIComponent(query)}`, {
        signal: pending.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return close();
      if (input.value.trim() === query) show(await response.json(), query);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });

  input.addEventListener("keydown", (event) => {
    const all = options();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) return;
      event.preventDefault();
      // -1 is the box itself: past the last suggestion, the typed text is back in charge
      const next = event.key === "ArrowDown" ? active + 1 : active - 1;
      choose(next >= all.length ? -1 : next < -1 ? all.length - 1 : next);
    } else if (event.key === "Enter" && !list.hidden && active >= 0 && all[active]) {
      event.preventDefault();
      window.location.assign(all[active].href);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus
  input.addEventListener("blur", close);
  form.addEventListener("submit", () => clearTimeout(timer));
})();
