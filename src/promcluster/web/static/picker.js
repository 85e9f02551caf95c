// Pickers (templates/_picker.html): a text field whose matches, fetched from
// /api/v1/pickers/<kind>, are offered in a list (ARIA combobox: arrows, Enter, Escape).
// Choosing an item puts its id or code in the hidden field (or, for several values, adds a
// ticked check box); typing clears the hidden field so that the server reads the text instead.
(() => {
  const DELAY = 200;

  function setUp(box) {
    const kind = box.dataset.picker;
    const name = box.dataset.pickerName;
    const multiple = box.hasAttribute("data-picker-multiple");
    const input = box.querySelector("[data-picker-input]");
    const hidden = box.querySelector("[data-picker-value]");
    const list = box.querySelector(".picker-list");
    const chosen = box.querySelector("[data-picker-chosen]");
    let items = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      items = found;
      list.replaceChildren();
      if (!found.length) {
        const none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "ничего не найдено";
        list.append(none);
      }
      found.forEach((item, i) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.value = item.value;
        option.textContent = item.label;
        if (item.detail) {
          const detail = document.createElement("small");
          detail.className = "muted";
          detail.textContent = ` ${item.detail}`;
          option.append(detail);
        }
        option.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep the focus in the field
          choose(i);
        });
        list.append(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    }

    function choose(index) {
      const item = items[index];
      if (!item) return;
      if (multiple) {
        const ticked = chosen.querySelector(`input[value="${CSS.escape(item.value)}"]`);
        if (ticked) {
          ticked.checked = true;
        } else {
          const chip = document.createElement("label");
          chip.className = "chip";
          const tick = document.createElement("input");
          tick.type = "checkbox";
          tick.name = name;
          tick.value = item.value;
          tick.checked = true;
          chip.append(tick, ` ${item.label}`);
          chosen.append(chip);
        }
        input.value = "";
      } else {
        hidden.value = item.value;
        input.value = item.label;
      }
      input.dispatchEvent(new CustomEvent("picker:chosen", { bubbles: true, detail: item }));
      close();
    }

    async function lookUp() {
      const query = input.value.trim();
      if (multiple && query.includes(",")) return close(); // a typed list: the server reads it
      if (query.length < 2) return close();
      const call = ++asked;
      try {
        const url = `/api/v1/pickers/${kind}?q=${encodeURIComponent(query.slice(0, 100))}`;
        const answer = await fetch(url, { headers: { Accept: "application/json" } });
        if (!answer.ok || call !== asked) return;
        show((await answer.json()).items);
      } catch (error) {
        close();
      }
    }

    input.addEventListener("input", () => {
      if (hidden) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(lookUp, DELAY);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) {
          lookUp();
          return;
        }
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        mark(Math.max(0, Math.min(items.length - 1, active + step)));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault(); // choose, not submit
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  function start() {
    document.querySelectorAll("[data-picker]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
