// The page «идёт расчёт…»: reload after the number of seconds the server asks for
// (data-computing-retry), until the result is ready and the normal page comes.
(function () {
  "use strict";
  const notice = document.querySelector("[data-computing-retry]");
  if (!notice) return;
  const seconds = Number(notice.dataset.computingRetry) || 2;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
