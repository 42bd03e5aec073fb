// A little script: the build's progress bar, and files dropped on the upload box. The page works without it.
(function () {
  var job = document.getElementById("job");
  if (job && job.dataset.running === "1") {
    var poll = function () {
      fetch(job.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
        var bar = document.getElementById("job-bar"), detail = document.getElementById("job-detail");
        if (s.job && bar) { bar.style.width = s.job.percent + "%"; }
        if (s.job && detail && s.job.detail) { detail.textContent = s.job.detail; }
        if (s.running) { setTimeout(poll, 700); } else { location.reload(); }
      }).catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }
  var drop = document.getElementById("drop"), input = document.getElementById("files");
  if (drop && input) {
    ["dragenter", "dragover"].forEach(function (e) {
      drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      drop.addEventListener(e, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (ev) { ev.preventDefault(); input.files = ev.dataTransfer.files; });
  }
})();
