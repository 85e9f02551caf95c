// A click on a suggested OKPD2 code (matching/_suggestions.html) puts it in the form's code field.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".okpd2-suggestions .suggestion");
  if (!button) return;
  const field = button.closest("form").querySelector("[name=okpd2_code]");
  field.value = button.dataset.code;
  field.dispatchEvent(new Event("change", { bubbles: true }));
  button.parentElement.querySelectorAll(".suggestion").forEach((b) => b.classList.remove("chosen"));
  button.classList.add("chosen");
});
