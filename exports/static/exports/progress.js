/* Long jobs show progress: poll the run every second until it is done (no inline script: CSP). */
(function () {
  var box = document.getElementById("export"), url = box.dataset.progressUrl, status = box.dataset.status;
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("bar").value = d.percent;
      document.getElementById("label").textContent = d.label || "";
      document.getElementById("status").textContent = d.status;
      if (d.status === "done") { location.reload(); } else if (d.status !== "failed") { setTimeout(poll, 1000); }
    });
  }
  if (status !== "done" && status !== "failed") { setTimeout(poll, 1000); }
})();
