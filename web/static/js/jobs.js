// Polls the hub's job status while matching runs; reloads the page once the work is done.
(function () {
  var box = document.querySelector("[data-jobs-url]");
  if (!box) return;
  var url = box.getAttribute("data-jobs-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 5000);
        var active = data.jobs.filter(function (j) { return j.status === "queued" || j.status === "running"; });
        active.forEach(function (j) {
          var bar = box.querySelector('progress[data-job="' + j.id + '"]');
          if (bar) { bar.value = j.progress; bar.textContent = j.progress + "%"; }
        });
        if (active.length === 0 && box.querySelector("progress")) return window.location.reload();
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
