/* The idle-timeout warning (docs/WORKFLOW.md "Nothing a user typed is lost").
   A few minutes before the session would end for inactivity a banner counts down with a
   "Stay signed in" button (one request to the keep-alive URL renews the session); when the time
   is up the banner says so and links to the sign-in page, which brings the user back here.
   data-idle is what is left of the idle time as the server stored it when it served this page (it
   rewrites the session at most once a minute, edc.middleware). Activity in another tab of the same
   browser also renews the session, so the latest deadline is shared through localStorage (a time
   stamp only, never data). Words and times come from the script tag's data attributes: no inline
   script (CSP). */
(function () {
  var me = document.currentScript, box = document.getElementById("session-warning");
  if (!me || !box) { return; }
  var idle = +me.dataset.idle * 1000, warn = +me.dataset.warn * 1000;
  var hardEnd = Date.now() + (+me.dataset.absoluteLeft * 1000);
  var text = box.querySelector("[data-session-text]"), stay = box.querySelector("[data-stay]");
  var signin = box.querySelector("[data-signin]"), KEY = "edc-idle-deadline", ended = false;

  function deadline() { return Math.max(+(localStorage.getItem(KEY) || 0), mine); }
  function touch(ms) { mine = Date.now() + ms; try { localStorage.setItem(KEY, String(mine)); } catch (e) { /* private mode */ } }
  var mine = 0; touch(idle);

  function fmt(ms) { var s = Math.max(0, Math.ceil(ms / 1000)), m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0"); }

  function end() {
    ended = true;
    document.documentElement.dataset.sessionEnded = "1";  // drafts.js keeps what was typed
    box.hidden = false; box.classList.add("ended");
    text.textContent = me.dataset.msgEnded; stay.hidden = true; signin.hidden = false;
  }

  function tick() {
    if (ended) { return; }
    var left = Math.min(deadline(), hardEnd) - Date.now();
    if (left <= 0) { end(); return; }
    if (left <= warn) {
      box.hidden = false;
      text.textContent = me.dataset.msgWarn.replace("{time}", fmt(left));
      stay.hidden = hardEnd - Date.now() <= warn;  // the 12-hour limit cannot be extended
    } else { box.hidden = true; }
  }

  stay.addEventListener("click", function () {
    fetch(me.dataset.keepalive, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (data.signed_in) { touch(data.idle_seconds * 1000); tick(); } else { end(); } })
      .catch(function () { tick(); });
  });
  tick(); setInterval(tick, 1000);
})();
