/* What a user typed survives the end of the session (docs/WORKFLOW.md "Nothing a user typed is lost").

   A form marked data-draft keeps an encrypted copy of its values in this tab's sessionStorage while
   the user types. The AES-GCM key is not stored in the browser: the server derives it from the user
   and a two-hour period and puts it (current and previous period) in the pages it serves to that
   user only. So on a shared PC the copy is unreadable to anyone else, is gone when the tab closes,
   when the user signs out, when it is saved, and unreadable after at most four hours.
   After a new sign-in the form page decrypts the copy, puts the values back, marks them
   "not yet saved" and offers to discard them. The same script warns before leaving a form with
   unsaved changes and moves the focus to the error summary of a form that came back with errors.
   Words come from the script tag's data attributes: no inline script (CSP). */
(function () {
  var me = document.currentScript, PREFIX = "edc-draft:", MAX_AGE = 4 * 3600 * 1000;
  var store = window.sessionStorage, subtle = window.crypto && window.crypto.subtle;
  var meta = document.querySelector("meta[name=edc-draft-keys]");
  // A form just saved: the server names it in a short-lived cookie (edc.drafts.mark_saved), read once here.
  var saved = (document.cookie.match(/(?:^|;\s*)edc_saved_form=([^;]*)/) || [])[1];

  function drafts() { var out = []; for (var i = 0; i < store.length; i++) {
    var k = store.key(i); if (k && k.indexOf(PREFIX) === 0) { out.push(k); } } return out; }
  function hex(s) { var b = new Uint8Array(s.length / 2);
    for (var i = 0; i < b.length; i++) { b[i] = parseInt(s.substr(i * 2, 2), 16); } return b; }
  function b64(buf) { return btoa(String.fromCharCode.apply(null, new Uint8Array(buf))); }
  function unb64(s) { return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); }); }

  // Old copies go, whoever is signed in; a saved form's copy goes; signing out removes them all.
  drafts().forEach(function (k) { try { if (Date.now() - JSON.parse(store.getItem(k)).t > MAX_AGE) { store.removeItem(k); } }
    catch (e) { store.removeItem(k); } });
  if (saved) {
    try { store.removeItem(PREFIX + decodeURIComponent(saved)); } catch (e) { /* not an address */ }
    document.cookie = "edc_saved_form=; Max-Age=0; path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }
  document.querySelectorAll("form[action$='/logout/']").forEach(function (f) {
    f.addEventListener("submit", function () { drafts().forEach(function (k) { store.removeItem(k); }); });
  });

  var kept = document.getElementById("draft-kept");  // the sign-in page: say the values are kept
  if (kept && drafts().length) { kept.hidden = false; }

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var dirty = false, submitting = false, path = PREFIX + form.dataset.draft;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting && !document.documentElement.dataset.sessionEnded) { e.preventDefault(); e.returnValue = ""; }
  });
  // Leaving on purpose (not a submit, not a session that ended) drops the copy.
  window.addEventListener("pagehide", function () {
    if (!submitting && !document.documentElement.dataset.sessionEnded) { store.removeItem(path); }
  });
  form.addEventListener("input", function () { dirty = true; schedule(); });
  form.addEventListener("change", function () { dirty = true; schedule(); });

  if (!meta || !subtle) { return; }  // no key (not signed in) or no Web Crypto: nothing stored
  var keys = meta.content.split(" ").filter(Boolean).map(function (k) {
    return subtle.importKey("raw", hex(k), "AES-GCM", false, ["encrypt", "decrypt"]); });

  function values() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "password" || el.type === "submit" ||
          el.type === "button" || el.type === "hidden" || el.disabled) { return; }
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) { (out[el.name] = out[el.name] || []).push(el.value); } }
      else if (el.multiple) { out[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; }); }
      else { out[el.name] = el.value; }
    });
    Array.prototype.forEach.call(form.elements, function (el) {  // unticked boxes are values too
      if ((el.type === "checkbox" || el.type === "radio") && el.name && !(el.name in out)) { out[el.name] = []; } });
    return out;
  }

  var timer = null;
  function schedule() { clearTimeout(timer); timer = setTimeout(save, 300); }
  function save() {
    var iv = crypto.getRandomValues(new Uint8Array(12)), plain = new TextEncoder().encode(JSON.stringify(values()));
    keys[0].then(function (key) { return subtle.encrypt({name: "AES-GCM", iv: iv}, key, plain); })
      .then(function (ct) { store.setItem(path, JSON.stringify({t: Date.now(), iv: b64(iv), ct: b64(ct)})); })
      .catch(function () { /* nothing stored rather than something readable */ });
  }
  form.addEventListener("submit", save);

  function tryKeys(i, rec) {
    if (i >= keys.length) { return Promise.reject(new Error("no key")); }
    return keys[i].then(function (key) { return subtle.decrypt({name: "AES-GCM", iv: unb64(rec.iv)}, key, unb64(rec.ct)); })
      .catch(function () { return tryKeys(i + 1, rec); });
  }

  function restore(data) {
    var changed = 0;
    Object.keys(data).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']"), v = data[name];
      Array.prototype.forEach.call(els, function (el) {
        var before;
        if (el.type === "checkbox" || el.type === "radio") { before = el.checked; el.checked = v.indexOf(el.value) >= 0; if (before !== el.checked) { changed++; mark(el); } }
        else if (el.multiple) { Array.prototype.forEach.call(el.options, function (o) { o.selected = v.indexOf(o.value) >= 0; }); }
        else if (el.value !== v) { el.value = v; changed++; mark(el); }
      });
    });
    if (changed) {
      dirty = true;
      var note = document.createElement("div");
      note.className = "msg warning draft-restored"; note.setAttribute("role", "status"); note.id = "draft-restored";
      note.textContent = me.dataset.msgRestored + " ";
      var discard = document.createElement("button");
      discard.type = "button"; discard.className = "btn secondary"; discard.textContent = me.dataset.msgDiscard;
      discard.addEventListener("click", function () { store.removeItem(path); dirty = false; location.reload(); });
      note.appendChild(discard); form.insertBefore(note, form.firstChild);
    }
  }
  function mark(el) {
    var box = el.closest(".field") || el.parentNode;
    if (box.dataset.restored) { return; }
    box.classList.add("restored"); box.dataset.restored = "1";
    var tag = document.createElement("span"); tag.className = "badge restored-tag"; tag.textContent = me.dataset.msgUnsaved;
    box.appendChild(tag);
  }

  var raw = store.getItem(path);
  if (raw) {
    var rec; try { rec = JSON.parse(raw); } catch (e) { store.removeItem(path); return; }
    tryKeys(0, rec).then(function (plain) { restore(JSON.parse(new TextDecoder().decode(plain))); })
      .catch(function () { store.removeItem(path); });  // another user's or an expired copy
  }
})();
