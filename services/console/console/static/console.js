// The one script of the console beside htmx: deadlines count down while the page is open.
// A deadline is drawn as the seconds the service said were left (`data-seconds-left`), so
// the count does not depend on this computer's clock; without the script the page still
// says how long was left when it was drawn.
(function () {
  function left(seconds) {
    if (seconds <= 0) return "past the deadline";
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = Math.floor(seconds % 60);
    return (h ? h + " h " : "") + String(m).padStart(2, "0") + " min " + String(s).padStart(2, "0") + " s left";
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      if (!el.dataset.until) el.dataset.until = String(now + Number(el.dataset.secondsLeft) * 1000);
      const seconds = (Number(el.dataset.until) - now) / 1000;
      el.textContent = left(seconds);
      el.classList.toggle("late", seconds <= 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
})();
