// Upload with a progress bar: the file is sent by XMLHttpRequest (whose upload progress the
// browser reports), then the page of the run shows the import's own progress.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const box = document.getElementById("upload-progress");
  const bar = box.querySelector(".bar span");
  const label = box.querySelector(".label");
  const error = document.getElementById("upload-error");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((100 * e.loaded) / e.total);
      bar.style.width = percent + "%";
      label.textContent = "Передача файла: " + percent + "%";
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (e) { /* an HTML error page */ }
      if (xhr.status === 202 && answer.url) { window.location.assign(answer.url); return; }
      error.textContent = answer.detail || ("Ошибка " + xhr.status + ": файл не принят");
      error.hidden = false;
      document.getElementById("upload-button").disabled = false;
    });
    xhr.addEventListener("error", () => {
      error.textContent = "Не удалось передать файл: нет связи с сервером";
      error.hidden = false;
    });
    error.hidden = true;
    box.hidden = false;
    document.getElementById("upload-button").disabled = true;
    xhr.send(new FormData(form));
  });
});
