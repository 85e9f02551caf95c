// A click on a suggested OKPD2 code (matching/_suggestions.html) puts it in the form's code field.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".okpd2-suggestions .suggestion");
  if (!button) return;
  const form = button.closest("form");
  // A picker (templates/_picker.html): the code goes in its visible field and the server reads it.
  const field = form.querySelector("[name=okpd2_code__text]") || form.querySelector("[name=okpd2_code]");
  const chosen = form.querySelector("input[type=hidden][name=okpd2_code]");
  if (chosen) chosen.value = "";
  field.value = button.dataset.code;
  field.dispatchEvent(new Event("change", { bubbles: true }));
  button.parentElement.querySelectorAll(".suggestion").forEach((b) => b.classList.remove("chosen"));
  button.classList.add("chosen");
});
