/* Live countdown to each SAE deadline; without JavaScript the due time is shown instead.
   The translated words come from the script tag's data attributes (no inline script: CSP). */
(function () {
  var me = document.currentScript, overdue = me.dataset.overdue, left = me.dataset.left;
  function fmt(ms) { var m = Math.floor(Math.abs(ms) / 60000), h = Math.floor(m / 60), d = Math.floor(h / 24);
    return (d ? d + "d " : "") + (h % 24) + "h " + (m % 60) + "m"; }
  function tick() { var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var ms = new Date(el.dataset.due).getTime() - now;
      el.textContent = ms < 0 ? overdue + " " + fmt(ms) : fmt(ms) + " " + left;
      el.classList.toggle("overdue", ms < 0); var row = el.closest("tr"); if (row && ms < 0) row.classList.add("overdue"); }); }
  tick(); setInterval(tick, 1000);
})();
